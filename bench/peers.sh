#!/usr/bin/env bash
# Issue 15's comparison in one command: `pixq run --workers 2` against Pillow in a Pool(2) (thumbnail() first, with
# its draft() shrink-on-load, LANCZOS, then exif_transpose, q85) and `vipsthumbnail` in 2 processes (xargs -P 2,
# Q=85, strip), on the corpus (44 images) and on it 10 times (440, symlinks under distinct names), fit 256 and
# fit 1024. Best of --rounds rounds, the three tools interleaved in each round; every output counted and its long
# side checked. Prints wall and CPU seconds (user + sys of the whole process tree), peak RSS (the largest single
# process, GNU time's %M), each ratio against the faster peer, the decode bound (Pillow's draft() decode alone at
# the same DCT scale, images per CPU-s) with pixq's share of it, and the load average before each figure.
#
#   bench/peers.sh [--rounds 2] [--corpus ../shared/corpus] [--sizes 256,1024] [--batches 44,440]
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=2 corpus="$root/../shared/corpus" sizes="256,1024" batches="44,440"
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --batches) batches="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;   # the comment above, as usage
    *) echo "unknown option $1; see $0 --help" >&2; exit 2 ;;
  esac
done
corpus="$(cd "$corpus" && pwd)" || { echo "no corpus folder $corpus" >&2; exit 2; }
PY=/usr/bin/python3
command -v vipsthumbnail >/dev/null && $PY -c 'import PIL' 2>/dev/null && [ -x /usr/bin/time ] \
  || { echo "needs vipsthumbnail, Pillow and GNU time: run bench/setup.sh" >&2; exit 2; }
"$root/pixq" --version >/dev/null || exit 1   # builds the jar and the class-data archive, untimed
tmp="$(mktemp -d /tmp/pixq-peers.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# Inputs: the corpus, and the corpus 10 times under distinct names (so distinct jobs for pixq).
mkdir -p "$tmp/in44" "$tmp/in440"
for f in "$corpus"/*.jpg "$corpus"/*.png; do
  [ -f "$f" ] || continue
  ln -s "$f" "$tmp/in44/$(basename "$f")"
  for r in $(seq 1 10); do ln -s "$f" "$tmp/in440/r${r}_$(basename "$f")"; done
done

# measure NAME IMAGES SIZE CMD...: runs CMD into a fresh $tmp/out, checks the outputs, appends a line to $tmp/rows:
# name images size wall cpu rss_mb load1
measure() {
  local name="$1" n="$2" size="$3"; shift 3
  rm -rf "$tmp/out" "$tmp/state"; mkdir -p "$tmp/out"
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" bash -c '"$@"' _ "$@" >/dev/null 2>>"$tmp/log" || { echo "$name failed, see below" >&2; tail -5 "$tmp/log" >&2; return 1; }
  local outs; outs=$(find "$tmp/out" -name '*.jpg' | wc -l)
  [ "$outs" -eq "$n" ] || { echo "$name wrote $outs outputs for $n images" >&2; return 1; }
  local wrong; wrong=$(find "$tmp/out" -name '*.jpg' | head -50 | xargs $PY -c '
import sys
from PIL import Image
size = int(sys.argv[1])
print(sum(1 for p in sys.argv[2:] if max(Image.open(p).size) != min(size, 10**9) and max(Image.open(p).size) > size))' "$size")
  [ "$wrong" -eq 0 ] || { echo "$name: $wrong outputs larger than $size" >&2; return 1; }
  read -r wall user sys rss <"$tmp/time"
  echo "$name $n $size $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $((rss / 1024)) $load" >>"$tmp/rows"
}
pixq_cmd() { "$root/pixq" run "$1" --out "$tmp/out" --state "$tmp/state" --workers 2 --recipe "orient | fit ${2}x${2} | jpeg 85"; }
pillow_cmd() { $PY "$root/bench/pillow_thumbnail.py" "$1" "$tmp/out" --procs 2 --size "$2"; }
vips_cmd() { find "$1" -name '*.*' -print0 | xargs -0 -n 8 -P 2 vipsthumbnail --size "${2}x${2}" -o "$tmp/out/%s.jpg[Q=85,strip]"; }
export root tmp PY
export -f pixq_cmd pillow_cmd vips_cmd   # run under GNU time through bash -c

echo "peers: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $rounds rounds; $(date -u +%FT%TZ)" >&2
for round in $(seq 1 "$rounds"); do
  for n in ${batches//,/ }; do
    for s in ${sizes//,/ }; do
      echo "round $round: $n images, fit $s ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
      measure pixq "$n" "$s" pixq_cmd "$tmp/in$n" "$s"
      measure pillow "$n" "$s" pillow_cmd "$tmp/in$n" "$s"
      measure vips "$n" "$s" vips_cmd "$tmp/in$n" "$s"
    done
  done
done

# The decode bound: Pillow's draft() decode alone at the DCT scale thumbnail() uses, each corpus file once, CPU-s.
decode_cpu() {
  $PY - "$corpus" "$1" <<'EOF'
import os, sys, time
from PIL import Image
corpus, size = sys.argv[1], int(sys.argv[2])
t0 = time.process_time(); n = 0
for f in sorted(os.listdir(corpus)):
    if not f.lower().endswith((".jpg", ".jpeg", ".png")):
        continue
    with Image.open(os.path.join(corpus, f)) as im:
        im.draft("RGB", (size, size))  # as thumbnail() does: the largest DCT scale that keeps >= size
        im.load()
    n += 1
print(n, time.process_time() - t0)
EOF
}
echo
# ./pixq runs on tcmalloc where it is installed (bench/setup.sh installs it), with its large blocks apart where
# `mvn compile` built libpixqlarge.so: say which allocator these figures had, as the dynamic loader saw java load it.
loaded=$(LD_DEBUG=files "$root/pixq" --version 2>&1)
tcmalloc=$(sed -n 's/.*file=\([^ ]*tcmalloc[^ ]*\) .*needed by java.*/\1/p' <<<"$loaded" | head -1)
if [ -n "$tcmalloc" ]; then
  large=""
  if grep -q 'file=[^ ]*libpixqlarge\.so .*needed by java' <<<"$loaded"; then
    large=", blocks of 2 MB or more in huge pages of their own (libpixqlarge.so)"
  fi
  echo "pixq's allocator: tcmalloc ($tcmalloc)$large"
else
  echo "pixq's allocator: glibc malloc (libtcmalloc-minimal4 not installed, or LD_PRELOAD set)"
fi
echo
echo "| batch | tool | wall s (best) | CPU s (best) | images per CPU-s | peak RSS MB | load avg 1 min |"
echo "|---|---|---|---|---|---|---|"
for n in ${batches//,/ }; do
  for s in ${sizes//,/ }; do
    for t in pixq pillow vips; do
      awk -v t="$t" -v n="$n" -v s="$s" '$1 == t && $2 == n && $3 == s' "$tmp/rows" | sort -k4,4g | awk -v n="$n" -v s="$s" -v t="$t" '
        NR == 1 { wall = $4; load = $7 } { if (cpu == "" || $5 < cpu) cpu = $5; if ($6 > rss) rss = $6; loads = loads (loads ? "," : "") $7 }
        END { if (NR) printf "| %s × fit %s | %s | %.2f | %.2f | %.1f | %d | %s |\n", n, s, t, wall, cpu, n / cpu, rss, loads }'
    done
  done
done
echo
echo "| batch | pixq vs the faster peer, wall (> 1: pixq faster) | per CPU-s | goal (wall) |"
echo "|---|---|---|---|"
for n in ${batches//,/ }; do
  for s in ${sizes//,/ }; do
    goal="-"; [ "$n" = 440 ] && [ "$s" = 1024 ] && goal=1.5; [ "$n" = 440 ] && [ "$s" = 256 ] && goal=1.1
    [ "$n" = 44 ] && [ "$s" = 256 ] && goal=1.0
    awk -v n="$n" -v s="$s" -v goal="$goal" '$2 == n && $3 == s {
        if (!($1 in w) || $4 < w[$1]) w[$1] = $4; if (!($1 in c) || $5 < c[$1]) c[$1] = $5 }
      END { pw = (w["pillow"] < w["vips"]) ? w["pillow"] : w["vips"]; pc = (c["pillow"] < c["vips"]) ? c["pillow"] : c["vips"]
            printf "| %s × fit %s | %.2f× | %.2f× | %s |\n", n, s, pw / w["pixq"], pc / c["pixq"], goal }' "$tmp/rows"
  done
done
echo
echo "| fit | decode bound: Pillow draft() decode only, images per CPU-s | pixq end to end, best batch, per CPU-s | pixq's share of the bound (goal at 256: 90 %) |"
echo "|---|---|---|---|"
for s in ${sizes//,/ }; do
  read -r dn dcpu < <(decode_cpu "$s")
  awk -v s="$s" -v dn="$dn" -v dcpu="$dcpu" '$1 == "pixq" && $3 == s { if ($2 / $5 > p) { p = $2 / $5; n = $2 } }
    END { b = dn / dcpu; printf "| %s | %.1f | %.1f (%d images) | %.0f %% |\n", s, b, p, n, 100 * p / b }' "$tmp/rows"
done
echo
# Cost per 1,000 images on Lambda from pixq's own CPU per image on the largest batch (end to end, so start-up included).
echo
for s in ${sizes//,/ }; do
  cpu=$(awk -v s="$s" '$1 == "pixq" && $3 == s { if ($2 / $5 > p) { p = $2 / $5 } } END { if (p) print 1 / p }' "$tmp/rows")
  [ -n "$cpu" ] && java -cp "$root/target/pixq.jar" "$root/bench/Cost.java" "fit $s" "$cpu" 1
done
