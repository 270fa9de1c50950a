#!/usr/bin/env bash
# The embedded queue at scale (issue 9, items 6 and 11): jobs/s for 1,000, 10,000 and 100,000 tiny jobs, the
# time of `pixq status` and of the progress bar's first line at 100,000 jobs, and a resume of 5,000 jobs after
# 5 interruptions against a fresh run of the same 5,000.
#
#   bench/queue.sh [--reps 3] [--sizes 1000,10000,100000] [--resume 5000] [--work DIR] [--pixq PATH]
#
# --pixq: another build's launcher (a checkout of an older commit), to measure the baseline the same way.
#
# Each job: one 64x64 JPEG (made once with ImageMagick), recipe 'fit 32 | jpeg 80', --workers 2, a fresh
# state folder. "jobs/s" is pixq's own figure (jobs processed / time from the first receive to the last
# settle: JVM start and submission excluded); wall time includes everything. Medians over --reps for the
# sizes under 100,000 (one run at 100,000: ~2 minutes). Prints a markdown table; the raw lines go to stderr.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pixq="$root/pixq"
reps=3 sizes="1000,10000,100000" resume=5000 work="$(mktemp -d /tmp/pixq-queue-bench.XXXXXX)"
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --resume) resume="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --pixq) pixq="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"; exit 0 ;;   # the comment above, as usage
    *) echo "unknown option $1; see $0 --help" >&2; exit 2 ;;
  esac
done
RECIPE='fit 32 | jpeg 80'
[ -x /usr/bin/convert ] || { echo "needs ImageMagick (/usr/bin/convert)" >&2; exit 2; }
"$pixq" --version >/dev/null 2>&1 || true   # builds the jar and the class-data archive once, outside the timings

# folder N: N copies of one tiny JPEG, under distinct names (copies: a file takes at most 65,000 hard links)
folder() {
  local dir="$work/in-$1"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    [ -f "$work/tiny.jpg" ] || /usr/bin/convert -size 64x64 gradient:red-blue "$work/tiny.jpg"
    /usr/bin/python3 -c 'import shutil, os, sys; [shutil.copyfile(sys.argv[1], os.path.join(sys.argv[2], "img%07d.jpg" % i)) for i in range(int(sys.argv[3]))]' \
      "$work/tiny.jpg" "$dir" "$1"
  fi
  echo "$dir"
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# run N TAG: one fresh run over N jobs; prints "jobs/s wall"
run() {
  local n="$1" dir state out t0 t1 line
  dir="$(folder "$n")" state="$work/state-$2" out="$work/out-$2"
  rm -rf "$state" "$out"
  t0=$(date +%s.%N)
  line="$("$pixq" run "$dir" --out "$out" --recipe "$RECIPE" --workers 2 --state "$state" 2>/dev/null | head -1)"
  t1=$(date +%s.%N)
  echo "$n $2: $line" >&2
  echo "$line" | sed -E 's/.*\(([0-9.]+) images\/s\).*/\1/' | tr '\n' ' '
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

echo "| jobs | jobs/s (median) | wall s (median) | runs |"
echo "|---:|---:|---:|---:|"
IFS=, read -ra ns <<< "$sizes"
for n in "${ns[@]}"; do
  r=$reps; [ "$n" -ge 100000 ] && r=1
  rates=() walls=()
  for i in $(seq 1 "$r"); do
    read -r rate wall < <(run "$n" "$n-$i")
    rates+=("$rate") walls+=("$wall")
  done
  echo "| $n | $(printf '%s\n' "${rates[@]}" | median) | $(printf '%s\n' "${walls[@]}" | median) | $r |"
done

big=${ns[-1]}
state="$work/state-$big-1"
if [ -d "$state" ]; then
  t0=$(date +%s.%N); "$pixq" status --state "$state" >/dev/null; t1=$(date +%s.%N)
  status=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  # The progress bar's first line on a rerun of the finished batch: the JVM, the submission (all duplicates),
  # the counts; the whole command, so an upper bound.
  t0=$(date +%s.%N)
  "$pixq" run "$(folder "$big")" --out "$work/out-$big-1" --recipe "$RECIPE" --workers 2 --state "$state" >/dev/null 2>&1
  t1=$(date +%s.%N)
  rerun=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo
  echo "At $big jobs: \`pixq status\` ${status} s wall (JVM start included); the same \`pixq run\` again, all done: ${rerun} s wall"
fi

# Resume: a fresh run of N against 5 runs stopped ~2.5 s after start (SIGTERM: the shutdown Ctrl-C triggers; a
# background job of a script ignores SIGINT), then the run to the end, timed.
dir="$(folder "$resume")"
fresh=() resumed=()
for i in $(seq 1 "$reps"); do
  read -r _ wall < <(run "$resume" "fresh-$i")
  fresh+=("$wall")
  state="$work/state-resume-$i" out="$work/out-resume-$i"
  rm -rf "$state" "$out"
  for k in 1 2 3 4 5; do
    "$pixq" run "$dir" --out "$out" --recipe "$RECIPE" --workers 2 --state "$state" >/dev/null 2>&1 &
    pid=$!
    sleep 2.5
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  done
  messages="$(sqlite3 "$state/pixq.db" 'SELECT COUNT(*) FROM messages' 2>/dev/null || echo '?')"
  queued="$(sqlite3 "$state/pixq.db" "SELECT COUNT(*) FROM jobs WHERE state = 'QUEUED'" 2>/dev/null || echo '?')"
  t0=$(date +%s.%N)
  line="$("$pixq" run "$dir" --out "$out" --recipe "$RECIPE" --workers 2 --state "$state" 2>/dev/null | head -1)"
  t1=$(date +%s.%N)
  echo "resume $i: $messages messages for $queued queued jobs after 5 interruptions; then: $line" >&2
  resumed+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')")
done
f=$(printf '%s\n' "${fresh[@]}" | median) r=$(printf '%s\n' "${resumed[@]}" | median)
echo
echo "Resume of $resume jobs after 5 interruptions: ${r} s wall (median of $reps) against ${f} s fresh: $(awk -v a="$r" -v b="$f" 'BEGIN { printf "%.2f", a / b }')x"
rm -rf "$work"/out-* 
