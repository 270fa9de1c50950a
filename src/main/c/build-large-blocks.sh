#!/bin/sh
# Builds libpixqlarge.so (large_blocks.c: blocks of 2 MB or more in mappings of their own, in front of tcmalloc):
# by `mvn compile` for ./pixq, and by the worker image's build stage. Usage: build-large-blocks.sh OUTPUT.so
# [TCMALLOC.so]; without the second argument, the system's libtcmalloc_minimal.so.4 (Debian: libtcmalloc-minimal4,
# Fedora and Amazon Linux: gperftools-libs). Where there is none, nothing is built: ./pixq then runs on glibc's malloc.
set -e
tcmalloc="${2:-}"
if [ -z "$tcmalloc" ]; then
  for lib in "/usr/lib/$(uname -m)-linux-gnu/libtcmalloc_minimal.so.4" /usr/lib64/libtcmalloc_minimal.so.4; do
    if [ -f "$lib" ]; then tcmalloc="$lib"; break; fi
  done
fi
if [ -z "$tcmalloc" ]; then
  echo "build-large-blocks.sh: no libtcmalloc_minimal.so.4, so no $1" >&2
  exit 0
fi
exec "${CC:-cc}" -O2 -Wall -shared -fPIC -o "$1" "$(dirname "$0")/large_blocks.c" "$tcmalloc"
