#!/usr/bin/env bash
# Installs what bench/run.sh compares pixq against (Debian 12, as root), and tcmalloc, which ./pixq runs on where
# it is installed (as .ci/run and the worker image install it). Idempotent; CI never calls it.
set -euo pipefail
case "${1-}" in
  "") ;;
  -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "bench/setup.sh takes no arguments (see --help)" >&2; exit 2 ;;
esac
pkgs=(python3-pil libvips-tools redis-server python3-rq time libtcmalloc-minimal4)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "bench/setup.sh: all of ${pkgs[*]} already installed"
  exit 0
fi
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update
# redis-server's package would start a system-wide redis; run_rq.py starts its own on a free port instead.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
