#!/usr/bin/env bash
# Core pipeline benchmark: generate + prepare + train (auto) + evaluate on N generated rows.
# Reports wall seconds, CPU seconds (user + sys, less sensitive to other work on a shared machine),
# rows/s and peak RSS per step (GNU time), and the load average before each size.
# Usage: bench/run_core.sh [ROWS...]. Results: bench/results/core_<rows>.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PRODCAT_BIN:-build/apps/prodcat}
ROWS=("$@")
((${#ROWS[@]})) || ROWS=(100000 1000000)
WORK=${PRODCAT_BENCH_DIR:-$(mktemp -d /tmp/prodcat-bench-XXXX)}
mkdir -p bench/results
export PRODCAT_TRACKING_URI=${PRODCAT_TRACKING_URI:-sqlite:///$WORK/tracking.db}

measure() {  # name rows cmd... -> appends a JSON object to $STEPS
  local name=$1 rows=$2
  shift 2
  local tf=$WORK/time.txt
  /usr/bin/time -v -o "$tf" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
    echo "step $name failed:" >&2
    tail -20 "$WORK/$name.err" >&2
    exit 1
  }
  local secs cpu rss
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$tf")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tf")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  STEPS+=("{\"step\":\"$name\",\"seconds\":$secs,\"cpu_seconds\":$cpu,\"rows_per_second\":$(awk -v r="$rows" -v s="$secs" 'BEGIN{printf "%.0f", (s>0? r/s : 0)}'),\"peak_rss_mib\":$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')}")
  printf '  %-9s %8.1f s %8.1f cpu-s %12s rows/s %9.1f MiB\n' "$name" "$secs" "$cpu" \
    "$(awk -v r="$rows" -v s="$secs" 'BEGIN{printf "%.0f", (s>0? r/s : 0)}')" "$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')"
}

for N in "${ROWS[@]}"; do
  STEPS=()
  D=$WORK/n$N
  rm -rf "$D" && mkdir -p "$D"
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $N rows (work dir $D; load average $load)"
  measure generate "$N" "$BIN" generate --rows "$N" --seed 42 --out "$D/products.csv"
  measure prepare "$N" "$BIN" prepare --input "$D/products.csv" --out "$D/prepared"
  TRAIN_ROWS=$(($(wc -l <"$D/prepared/train.csv") - 1))
  measure train "$TRAIN_ROWS" "$BIN" train --train "$D/prepared/train.csv" --val "$D/prepared/val.csv" \
    --out "$D/model" --set train.progress=false
  TEST_ROWS=$(($(wc -l <"$D/prepared/test.csv") - 1))
  measure evaluate "$TEST_ROWS" "$BIN" evaluate --model "$D/model" --data "$D/prepared/test.csv" \
    --out "$D/eval/report.json"
  total=0 total_cpu=0
  for s in "${STEPS[@]}"; do
    total=$(awk -v t="$total" -v s="$(echo "$s" | sed 's/.*"seconds":\([0-9.]*\).*/\1/')" 'BEGIN{print t+s}')
    total_cpu=$(awk -v t="$total_cpu" -v s="$(echo "$s" | sed 's/.*"cpu_seconds":\([0-9.]*\).*/\1/')" 'BEGIN{print t+s}')
  done
  macro=$(python3 -c "import json;r=json.load(open('$D/eval/report.json'));print(round(r['macro_f1'],4), round(r['accuracy'],4))")
  family=$(python3 -c "import json;print(json.load(open('$D/model/manifest.json'))['family'])")
  cands=$(python3 -c "import json;m=json.load(open('$D/model/manifest.json'));print(' '.join('%s=%.4f/%.0fs'%(c['family'],c['val_macro_f1'],c['train_seconds']) for c in m['candidates']))")
  printf '{"rows":%s,"load_average":"%s","total_seconds":%s,"total_cpu_seconds":%s,"selected":"%s","test_macro_f1_accuracy":"%s","candidates":"%s","steps":[%s]}\n' \
    "$N" "$load" "$total" "$total_cpu" "$family" "$macro" "$cands" "$(IFS=,; echo "${STEPS[*]}")" >"bench/results/core_$N.json"
  echo "  total ${total}s (${total_cpu} cpu-s); selected $family; test macro-F1/accuracy $macro; candidates $cands"
done
