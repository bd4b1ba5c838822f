#!/usr/bin/env bash
# Benchmarks `prodcat serve` with wrk: POST /predict and POST /predict/batch (100 products) at 1,
# 16 and 64 connections, against an nginx `return 200` floor on the same machine, plus the
# in-process model cost per row (prodcat bench-predict), so HTTP overhead and model cost are
# reported apart. Prints a markdown table (paste it into bench/serving/RESULTS.md).
#
# Usage: bench/serving/run.sh [--duration SECONDS] [--rows N]
#   PRODCAT_BIN   the prodcat binary (default: build/apps/prodcat)
# Needs wrk and nginx (Debian: scripts/install-deps.sh --with-bench). Listens on 127.0.0.1 only;
# every process it starts is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

source bench/serving/common.sh
parse_bench_args "$@" -- wrk nginx
NGINX=$(command -v nginx)
SCRIPT_DIR=$(realpath bench/serving)
WORK=$(mktemp -d /tmp/prodcat-serve-bench.XXXXXX)
SERVER_PID=""
NGINX_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ -n "$NGINX_PID" ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { echo "[bench] $*" >&2; }

BUSY_BEFORE=$(busy_percent 2)
((BUSY_BEFORE > 10)) && log "warning: the machine is ${BUSY_BEFORE}% busy before the run"

# --- the default model: linear, trained on generated data -------------------------------------
log "training the default model (linear) on $ROWS generated rows in $WORK"
"$BIN" generate --rows "$ROWS" --seed 42 --out "$WORK/products.csv" >/dev/null
"$BIN" prepare --input "$WORK/products.csv" --out "$WORK/prepared" >/dev/null
"$BIN" train --train "$WORK/prepared/train.csv" --val "$WORK/prepared/val.csv" \
  --out "$WORK/model" --model linear --set train.progress=false --set tracking.enabled=false \
  >/dev/null 2>&1

# Request bodies: products the model has not seen (another seed), one JSON body per line.
"$BIN" generate --rows 2500 --seed 7 --out "$WORK/unseen.jsonl" >/dev/null
head -n 500 "$WORK/unseen.jsonl" >"$WORK/single.bodies"
for start in $(seq 1 100 2000); do
  sed -n "${start},$((start + 99))p" "$WORK/unseen.jsonl" | paste -sd, | sed 's/^/[/; s/$/]/'
done >"$WORK/batch100.bodies"

# --- in-process model cost ---------------------------------------------------------------------
MODEL_JSON=$("$BIN" bench-predict --model "$WORK/model" --input "$WORK/unseen.jsonl" --rows 5000)
MODEL_US=$(sed -E 's/.*"mean_us_per_row":([0-9.]+).*/\1/' <<<"$MODEL_JSON")
MODEL_P50=$(sed -E 's/.*"p50_us":([0-9.]+).*/\1/' <<<"$MODEL_JSON")
log "model: $MODEL_JSON"

# --- nginx floor -------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes $NCPU;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/body;
  proxy_temp_path $WORK/nginx/proxy;
  fastcgi_temp_path $WORK/nginx/fastcgi;
  uwsgi_temp_path $WORK/nginx/uwsgi;
  scgi_temp_path $WORK/nginx/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { default_type application/json; return 200 '{"ok":true}'; }
  }
}
CONF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' 2>>"$WORK/nginx/logs/stderr" &
NGINX_PID=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$NGINX_PORT/" >/dev/null && break; sleep 0.05; done
declare -A NGINX_RPS
for c in 1 16 64; do
  # The same POSTs as /predict gets, so the client does the same work in both runs.
  read -r rps p50 p99 reqs bad < <(wrk_run "http://127.0.0.1:$NGINX_PORT/" "$c" \
    "$SCRIPT_DIR/post_bodies.lua" "$WORK/single.bodies")
  NGINX_RPS[$c]=$rps
  log "nginx c=$c: $rps req/s p50 ${p50} ms p99 ${p99} ms"
done
kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""

# --- prodcat serve -----------------------------------------------------------------------------
"$BIN" serve --model "$WORK/model" --host 127.0.0.1 --port 0 --threads "$NCPU" \
  --access-log "$WORK/access.log" --poll-seconds 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
PORT=""
for _ in $(seq 200); do
  PORT=$(sed -nE 's/^listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$WORK/serve.out")
  [[ -n "$PORT" ]] && break
  sleep 0.05
done
[[ -n "$PORT" ]] || { cat "$WORK/serve.err" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"
# Warm every I/O thread and the batch path.
BODIES_FILE="$WORK/single.bodies" wrk -t2 -c4 -d1s -s "$SCRIPT_DIR/post_bodies.lua" "$BASE/predict" >/dev/null
BODIES_FILE="$WORK/batch100.bodies" wrk -t2 -c4 -d1s -s "$SCRIPT_DIR/post_bodies.lua" "$BASE/predict/batch" >/dev/null

ROWS_OUT=()
for endpoint in predict batch; do
  if [[ $endpoint == predict ]]; then
    url="$BASE/predict"; bodies="$WORK/single.bodies"; per=1; label="/predict"
  else
    url="$BASE/predict/batch"; bodies="$WORK/batch100.bodies"; per=100; label="/predict/batch (100)"
  fi
  for c in 1 16 64; do
    before=$(cpu_ticks "$SERVER_PID")
    read -r rps p50 p99 reqs bad < <(wrk_run "$url" "$c" "$SCRIPT_DIR/post_bodies.lua" "$bodies")
    after=$(cpu_ticks "$SERVER_PID")
    cpu_us=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", n ? t / hz / n * 1e6 : 0 }')
    model_us=$(awk -v m="$MODEL_US" -v k="$per" 'BEGIN { printf "%.1f", m * k }')
    # The nginx floor less the model's own cost: what this machine could serve if HTTP cost what
    # nginx's does and the model's CPU time were added on all cores.
    floor=$(awk -v r="${NGINX_RPS[$c]}" -v m="$model_us" -v n="$NCPU" 'BEGIN { printf "%.0f", 1 / (1 / r + m / 1e6 / n) }')
    ratio=$(awk -v a="$rps" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
    ROWS_OUT+=("| $label | $c | $rps | $p50 | $p99 | $cpu_us | $model_us | ${NGINX_RPS[$c]} | $floor | $ratio | $bad |")
    log "$endpoint c=$c: $rps req/s p50 $p50 ms p99 $p99 ms cpu/request ${cpu_us} us non-2xx $bad"
  done
done
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""

echo
echo "prodcat serve benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $NCPU cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), CPU ${BUSY_BEFORE}% busy before the run"
echo "wrk ${DURATION}s per run, 2 threads (1 for one connection); server --threads $NCPU, JSON access log to a file"
echo "model: linear trained on $ROWS generated rows; in-process PredictTopK mean $MODEL_US us/row (p50 $MODEL_P50 us)"
echo
echo "| endpoint | conns | req/s | p50 ms | p99 ms | server CPU us/req | model us/req | nginx req/s | floor less model req/s | ratio | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS_OUT[@]}"
echo
echo "peak RSS (VmHWM): $((PEAK_KB / 1024)) MiB"
