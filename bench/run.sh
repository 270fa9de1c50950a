#!/usr/bin/env bash
# pixq against the tools it replaces, in ONE run, interleaved: every round runs every configuration once,
# so a ratio compares figures taken minutes apart, not hours. Prints a markdown table (medians over the
# rounds, min–max, ratios) and keeps the raw JSON lines in bench/results/.
#
#   bench/run.sh [--rounds 3] [--corpus DIR] [--e2e-reps 2] [--quiet-wait 15] [--only engine|tools|e2e|speed]
#
# Needs a JDK 17 and Maven (builds target/pixq.jar if missing or stale). Comparisons need bench/setup.sh
# (Pillow, vipsthumbnail, redis + python-rq) and ../shared/baseline/scripts; a missing tool is reported
# and skipped. Takes about 4 minutes per round on 2 cores, plus ~1 minute for the 50 MP check.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds=3 corpus="$root/../shared/corpus" e2e_reps=2 only="" quiet_wait=15
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --e2e-reps) e2e_reps="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;   # one group: engine (+ the 50 MP check), tools (Pillow, vips), e2e (pixq run, rq),
                                    # speed (1 core only: engine fit 1024, Pillow draft 2x and 1x, vips: issue 10's check)
    --quiet-wait) quiet_wait="$2"; shift 2 ;;   # seconds to wait for others' load to drop before each config
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;   # the comment above, as usage
    *) echo "unknown option $1; see $0 --help" >&2; exit 2 ;;
  esac
done
corpus="$(cd "$corpus" && pwd)" || { echo "no corpus folder $corpus" >&2; exit 2; }
scripts="$root/../shared/baseline/scripts"
PY=/usr/bin/python3
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
FIT='orient | fit 1024x1024 | jpeg 85'
jar="$root/target/pixq.jar"
tmp="$(mktemp -d /tmp/pixq-bench.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$root/bench/results"
results="$root/bench/results/$(date +%Y%m%d-%H%M%S).jsonl"
log="${results%.jsonl}.log"

if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -print -quit)" ]; then
  echo "building $jar ..." >&2
  (cd "$root" && mvn -B -q -DskipTests package) >&2 || { echo "build failed" >&2; exit 1; }
fi
# Compiled once here rather than by the source launcher in every JVM: keeps javac out of timings and peak RSS.
javac -nowarn -cp "$jar" -d "$tmp/classes" "$root/bench/Bench.java" || exit 1
# bench JVM-COMMAND... -- BENCH-ARGS...
bench() {
  local jvm=()
  while [ "$1" != "--" ]; do jvm+=("$1"); shift; done
  shift
  "${jvm[@]}" -cp "$jar:$tmp/classes" Bench "$@"
}

# record CONFIG ROUND CMD...: runs CMD, keeps the JSON lines it prints (one per workload for Bench), notes the
# CPU used meanwhile by processes outside this script (other people's builds) as foreign_cores.
record() {
  local config="$1" round="$2"; shift 2
  local t0 f0 t1 f1 out rc
  # Others share this machine: give their load up to quiet_wait s to pause (3 s under 0.05 cores), then go anyway.
  [ "$quiet_wait" -gt 0 ] && [ -x "$PY" ] && $PY "$scripts/tools/fg_cpu.py" $$ --wait-quiet "$quiet_wait" 3 >/dev/null
  read -r t0 f0 < <(foreign)
  out="$("$@" 2>>"$log")"; rc=$?
  read -r t1 f1 < <(foreign)
  local fc; fc=$(awk -v a="$t0" -v b="$f0" -v c="$t1" -v d="$f1" 'BEGIN { if (c > a) printf "%.2f", (d - b) / (c - a); else print 0 }')
  if [ $rc -ne 0 ] || ! grep -q '^{' <<<"$out"; then
    printf '{"config":"%s","round":%d,"error":"exit %d, see %s"}\n' "$config" "$round" "$rc" "$log" >>"$results"
    echo "  $config: FAILED (exit $rc), see $log" >&2
    return
  fi
  grep '^{' <<<"$out" | while read -r line; do
    local c="$config"
    case "$line" in *'"workload":"web"'*) c="$config:web" ;; esac
    printf '{"config":"%s","round":%d,"foreign_cores":%s,"raw":%s}\n' "$c" "$round" "${fc:-0}" "$line" >>"$results"
  done
  echo "  $config: $(grep -o '"\(images_per_s_median\|jobs_per_s\|wall_s\)": *[0-9.]*' <<<"$out" | head -2 | tr '\n' ' ')foreign load ${fc} cores" >&2
}
foreign() {
  if [ -x "$PY" ] && [ -f "$scripts/tools/fg_cpu.py" ]; then $PY "$scripts/tools/fg_cpu.py" $$; else echo "0 0"; fi
}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }
skip() { printf '{"config":"%s","round":0,"error":"%s"}\n' "$1" "$2" >>"$results"; echo "  $1: skipped: $2" >&2; }

have_pillow=1 have_vips=1 have_rq=1 have_t25=1
[ -x "$PY" ] && $PY -c 'import PIL' 2>/dev/null && [ -f "$scripts/tools/bench_pillow.py" ] || have_pillow=0
command -v vipsthumbnail >/dev/null && [ -f "$scripts/tools/bench_cli.py" ] || have_vips=0
[ $have_pillow = 1 ] && $PY -c 'import rq' 2>/dev/null && command -v redis-server >/dev/null \
  && [ -f "$scripts/rq_baseline/run_rq.py" ] || have_rq=0
[ -x "$T25" ] || have_t25=0
want tools && [ $have_pillow = 0 ] && skip pillow-seed-1 "Pillow (python3-pil) or ../shared/baseline/scripts missing: run bench/setup.sh"
want tools && [ $have_vips = 0 ] && skip vips-batch-1 "vipsthumbnail (libvips-tools) or ../shared/baseline/scripts missing: run bench/setup.sh"
want e2e && [ $have_rq = 0 ] && skip rq-simple-2 "python3-rq, redis-server or ../shared/baseline/scripts missing: run bench/setup.sh"
want engine && [ $have_t25 = 0 ] && skip engine25-1 "Temurin 25 not found at $T25"

# pixq run reads a folder holding every corpus image e2e_reps times under distinct names (so distinct jobs),
# the same work as rq's --reps.
mkdir -p "$tmp/e2e-in"
want e2e && for r in $(seq 1 "$e2e_reps"); do
  for f in "$corpus"/*.jpg "$corpus"/*.png; do [ -f "$f" ] && cp "$f" "$tmp/e2e-in/r${r}_$(basename "$f")"; done
done
e2e_images=$(ls "$tmp/e2e-in" | wc -l)
pixq_run() {
  rm -rf "$tmp/e2e-out" "$tmp/e2e-state"
  /usr/bin/time -f '%e %M %U %S' -o "$tmp/e2e-time" "$root/pixq" run "$tmp/e2e-in" --out "$tmp/e2e-out" --recipe "$FIT" \
    --workers 2 --state "$tmp/e2e-state" >/dev/null 2>>"$log" || return 1
  local outs; outs=$(ls "$tmp/e2e-out" | wc -l)
  [ "$outs" -eq "$e2e_images" ] || { echo "pixq run wrote $outs outputs for $e2e_images images" >>"$log"; return 1; }
  read -r wall rss_kb user sys <"$tmp/e2e-time"
  printf '{"tool":"pixq-run","images":%d,"wall_s":%s,"cpu_s":%s,"peak_rss_mb":%d}\n' "$e2e_images" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((rss_kb / 1024))
}
"$root/pixq" --help >/dev/null 2>&1 || echo "note: ./pixq does not run yet; pixq-run rows will fail" >&2

echo "bench: $rounds rounds over $corpus ($(ls "$corpus"/*.jpg "$corpus"/*.png 2>/dev/null | wc -l) images); raw: $results" >&2
for round in $(seq 1 "$rounds"); do
  echo "round $round/$rounds $(date +%T)" >&2
  if want engine; then
    record engine-1 "$round" bench taskset -c 0 java -- --threads 1 --runs 1 --corpus "$corpus"
    [ $have_t25 = 1 ] && record engine25-1 "$round" bench taskset -c 0 "$T25" --enable-native-access=ALL-UNNAMED \
      -- --threads 1 --runs 1 --workloads fit1024 --corpus "$corpus"
    record engine-2 "$round" bench java -- --threads 2 --runs 1 --corpus "$corpus"
  fi
  want tools && for cpus in 0 0,1; do
    n=$(( ${#cpus} / 2 + 1 ))   # "0" -> 1 process, "0,1" -> 2
    if [ $have_pillow = 1 ]; then
      for v in seed draft draft1x; do
        record "pillow-$v-$n" "$round" $PY "$scripts/tools/bench_pillow.py" --variant $v --procs $n --cpus $cpus \
          --runs 1 --corpus "$corpus"
      done
    fi
    [ $have_vips = 1 ] && record "vips-batch-$n" "$round" $PY "$scripts/tools/bench_cli.py" --tool vips-batch \
      --procs $n --cpus $cpus --runs 1 --warmup 1 --corpus "$corpus"
  done
  if [ "$only" = speed ]; then
    record engine-1 "$round" bench taskset -c 0 java -- --threads 1 --runs 1 --workloads fit1024 --corpus "$corpus"
    for v in draft draft1x; do
      [ $have_pillow = 1 ] && record "pillow-$v-1" "$round" $PY "$scripts/tools/bench_pillow.py" --variant $v --procs 1 \
        --cpus 0 --runs 1 --corpus "$corpus"
    done
    [ $have_vips = 1 ] && record vips-batch-1 "$round" $PY "$scripts/tools/bench_cli.py" --tool vips-batch \
      --procs 1 --cpus 0 --runs 1 --warmup 1 --corpus "$corpus"
  fi
  want e2e || continue
  record pixq-run-2 "$round" pixq_run
  if [ $have_rq = 1 ]; then
    for cls in simple fork; do
      record "rq-$cls-2" "$round" $PY "$scripts/rq_baseline/run_rq.py" --workers 2 --worker-class $cls \
        --reps "$e2e_reps" --runs 1 --corpus "$corpus"
    done
  fi
done

# The memory target: a 50 MP JPEG thumbnailed with the heap capped at 512 MB (3 fresh JVMs); then the worst
# case, a step before the resize (blur) that rules out shrink-on-load, so the full 50 MP are decoded.
if want engine; then
  echo "50 MP check $(date +%T)" >&2
  big=/tmp/pixq-bench-50mp.jpg
  [ -f "$big" ] || bench java -- --make-big "$big" 2>>"$log"
  for round in 1 2 3; do
    record big-512m "$round" bench java -Xmx512m -- --one "$big"
  done
  record big-512m-fullres 1 bench java -Xmx512m -- --one "$big" --recipe 'orient | blur 0.5 | fit 1024x1024 | jpeg 85'
  [ $have_t25 = 1 ] && record big-512m-temurin25 1 bench "$T25" --enable-native-access=ALL-UNNAMED -Xmx512m -- --one "$big"
fi

echo >&2
{
  echo "date: $(date -Iseconds); nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | sed 's/\s*:\s*/: /')"
  echo "java: $(java -version 2>&1 | sed -n 2p)"
  [ $have_t25 = 1 ] && echo "temurin: $("$T25" -version 2>&1 | sed -n 2p)"
  echo "command: bench/run.sh --rounds $rounds --e2e-reps $e2e_reps --quiet-wait $quiet_wait ${only:+--only $only}; raw: bench/results/$(basename "$results")"
  echo
  bench java -- --report "$results"
} | tee "${results%.jsonl}.md"
