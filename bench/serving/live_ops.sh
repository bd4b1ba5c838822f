#!/usr/bin/env bash
# What live operations cost on POST /predict: drift tracking, an active A/B experiment and a
# shadow model, each against plain /predict (no drift windows, no experiments, no shadow) in the
# same run, with wrk at 1 and 16 connections. Also the primary's own model time with and
# without a shadow beside it (from /metrics), which must not grow. Prints a markdown table (paste
# it into bench/serving/RESULTS.md).
#
# Usage: bench/serving/live_ops.sh [--duration SECONDS] [--rows N]
#   PRODCAT_BIN   the prodcat binary (default: build/apps/prodcat)
# Needs wrk (scripts/install-deps.sh --with-bench). Listens on 127.0.0.1 only; every process it
# starts is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

source bench/serving/common.sh
parse_bench_args "$@" -- wrk
bench_setup liveops

log "training two linear models on $ROWS generated rows in $WORK"
"$BIN" generate --rows "$ROWS" --seed 42 --out "$WORK/products.csv" >/dev/null
"$BIN" prepare --input "$WORK/products.csv" --out "$WORK/prepared" >/dev/null
for name in model candidate; do
  "$BIN" train --train "$WORK/prepared/train.csv" --val "$WORK/prepared/val.csv" \
    --out "$WORK/$name" --model linear --set train.progress=false --set tracking.enabled=false \
    $([[ $name == candidate ]] && echo --set features.word_ngram_max=1) >/dev/null 2>&1
done
"$BIN" generate --rows 500 --seed 7 --out "$WORK/single.bodies.jsonl" >/dev/null
mv "$WORK/single.bodies.jsonl" "$WORK/single.bodies"
echo "admin-token" >"$WORK/token"

# start_server EXTRA_ARGS... -> sets SERVER_PID and BASE
start_server() {
  start_prodcat_server --model "$WORK/model" --threads "$NCPU" --access-log off --poll-seconds 0 \
    --fallback none --admin-token-file "$WORK/token" "$@"
  BODIES_FILE="$WORK/single.bodies" wrk -t2 -c4 -d1s -s "$SCRIPT_DIR/post_bodies.lua" "$BASE/predict" >/dev/null
}
stop_server() { kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""; }
# Mean of a model-time histogram from /metrics, in microseconds.
model_time_us() {
  curl -fs "$BASE/metrics" | awk -v role="$1" '
    $1 == "prodcat_model_predict_seconds_sum{role=\"" role "\"}" { s = $2 }
    $1 == "prodcat_model_predict_seconds_count{role=\"" role "\"}" { n = $2 }
    END { printf "%.2f", n ? s / n * 1e6 : 0 }'
}

declare -A RPS P50 P99 CPU
CONFIGS=(plain drift experiment shadow all)
PRIMARY_US_PLAIN="" PRIMARY_US_SHADOW="" SHADOW_SCORED=""
for config in "${CONFIGS[@]}"; do
  args=(--no-drift --experiments-db none)
  case $config in
    drift) args=(--experiments-db none) ;;
    experiment) args=(--no-drift --experiments-db "$WORK/$config.db") ;;
    shadow) args+=(--shadow "$WORK/candidate") ;;
    all) args=(--experiments-db "$WORK/$config.db" --shadow "$WORK/candidate") ;;
  esac
  start_server "${args[@]}"
  if [[ $config == experiment || $config == all ]]; then
    curl -fs "$BASE/experiments" -H "Authorization: Bearer admin-token" -d "{\"id\":\"bench\",\"arms\":[
      {\"name\":\"control\",\"model\":\"$WORK/model\",\"weight\":50},
      {\"name\":\"candidate\",\"model\":\"$WORK/candidate\",\"weight\":50}]}" >/dev/null
  fi
  for c in 1 16; do
    before=$(cpu_ticks "$SERVER_PID")
    read -r rps p50 p99 reqs bad < <(wrk_run "$BASE/predict" "$c" "$SCRIPT_DIR/post_bodies.lua" "$WORK/single.bodies")
    after=$(cpu_ticks "$SERVER_PID")
    ((bad == 0)) || { log "$config: $bad non-2xx responses"; exit 1; }
    RPS[$config,$c]=$rps; P50[$config,$c]=$p50; P99[$config,$c]=$p99
    CPU[$config,$c]=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", n ? t / hz / n * 1e6 : 0 }')
    log "$config c=$c: $rps req/s p50 $p50 ms p99 $p99 ms cpu ${CPU[$config,$c]} us/req"
  done
  case $config in
    plain) PRIMARY_US_PLAIN=$(model_time_us primary) ;;
    shadow)
      PRIMARY_US_SHADOW=$(model_time_us primary)
      SHADOW_SCORED=$(curl -fs "$BASE/shadow")
      ;;
  esac
  stop_server
done

echo
echo "live-operations cost on POST /predict: $(date -u +%Y-%m-%dT%H:%MZ), $NCPU cores, CPU ${BUSY_BEFORE}% busy before the run; wrk ${DURATION}s per run"
echo
echo "| configuration | conns | req/s | ratio to plain | p50 ms | p99 ms | server CPU us/req | CPU ratio |"
echo "|---|---|---|---|---|---|---|---|"
for config in "${CONFIGS[@]}"; do
  for c in 1 16; do
    r=$(awk -v a="${RPS[$config,$c]}" -v b="${RPS[plain,$c]}" 'BEGIN { printf "%.2f", a / b }')
    cr=$(awk -v a="${CPU[$config,$c]}" -v b="${CPU[plain,$c]}" 'BEGIN { printf "%.2f", a / b }')
    echo "| $config | $c | ${RPS[$config,$c]} | $r | ${P50[$config,$c]} | ${P99[$config,$c]} | ${CPU[$config,$c]} | $cr |"
  done
done
echo
echo "primary model time per request (prodcat_model_predict_seconds{role=\"primary\"} mean): plain ${PRIMARY_US_PLAIN} us, with a shadow ${PRIMARY_US_SHADOW} us"
echo "shadow: $SHADOW_SCORED"
