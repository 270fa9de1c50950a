#!/bin/sh
# Builds pixq's image library (libpixqimage.so: JPEG rows streamed from libjpeg, the filter's horizontal pass) from
# the C files beside this script: by `mvn compile` for ./pixq and the tests, and by the worker image's build stage.
# Usage: build.sh OUTPUT.so JAVA_HOME. Needs a C compiler and libjpeg(-turbo)'s headers; without the library pixq
# decodes JPEGs whole with OpenCV and filters in Java.
# -ffp-contract=off: no fused multiply-adds (gcc fuses by default on arm64), so the filter adds the same products
# as its Java twin, to the bit. CFLAGS adds to the flags (the tests' portable build: -DPIXQ_PORTABLE).
set -e
here="$(dirname "$0")"
exec "${CC:-cc}" -O3 -ffp-contract=off -Wall -shared -fPIC -I"$2/include" -I"$2/include/linux" ${CFLAGS:-} -o "$1" \
  "$here/jpeg_rows.c" "$here/lanczos.c" -ljpeg
