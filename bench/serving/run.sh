#!/usr/bin/env bash
# Benchmarks `prodcat serve` with wrk: POST /predict and POST /predict/batch (100 products) at 1,
# 16 and 64 connections, against an nginx `return 200` floor on the same machine, plus the
# in-process model cost per row (prodcat bench-predict), so HTTP overhead and model cost are
# reported apart. Prints a markdown table (paste it into bench/serving/RESULTS.md).
#
# Usage: bench/serving/run.sh [--duration SECONDS] [--rows N] [--repeats N]
#   PRODCAT_BIN   the prodcat binary (default: build/apps/prodcat)
# Needs wrk and nginx (Debian: scripts/install-deps.sh --with-bench). Listens on 127.0.0.1 only;
# every process it starts is stopped by its pid.
set -euo pipefail
cd "$(dirname "$0")/../.."

source bench/serving/common.sh
parse_bench_args "$@" -- wrk nginx
NGINX=$(command -v nginx)
bench_setup serve

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

# --- nginx floor and prodcat serve, side by side --------------------------------------------
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

start_prodcat_server --model "$WORK/model" --threads "$NCPU" --access-log "$WORK/access.log" \
  --poll-seconds 0
# Warm every I/O thread and the batch path.
BODIES_FILE="$WORK/single.bodies" wrk -t2 -c4 -d1s -s "$SCRIPT_DIR/post_bodies.lua" "$BASE/predict" >/dev/null
BODIES_FILE="$WORK/batch100.bodies" wrk -t2 -c4 -d1s -s "$SCRIPT_DIR/post_bodies.lua" "$BASE/predict/batch" >/dev/null

# Each repeat runs, per connection count, nginx then /predict then /predict/batch back to back,
# so each ratio compares runs seconds apart; the table reports medians over the repeats (the
# VM's own speed drifts by tens of percent over minutes). One line per run in $WORK/runs.
for ((r = 1; r <= REPEATS; r++)); do
  for c in 1 16 64; do
    # The same POSTs as /predict gets, so the client does the same work in both runs.
    read -r rps p50 p99 reqs bad < <(wrk_run "http://127.0.0.1:$NGINX_PORT/" "$c" \
      "$SCRIPT_DIR/post_bodies.lua" "$WORK/single.bodies")
    nginx_rps=$rps
    log "repeat $r nginx c=$c: $rps req/s p50 ${p50} ms p99 ${p99} ms"
    echo "nginx $c $rps $p50 $p99 0 0 $nginx_rps" >>"$WORK/runs"
    for endpoint in predict batch; do
      if [[ $endpoint == predict ]]; then
        url="$BASE/predict"; bodies="$WORK/single.bodies"
      else
        url="$BASE/predict/batch"; bodies="$WORK/batch100.bodies"
      fi
      before=$(cpu_ticks "$SERVER_PID")
      read -r rps p50 p99 reqs bad < <(wrk_run "$url" "$c" "$SCRIPT_DIR/post_bodies.lua" "$bodies")
      after=$(cpu_ticks "$SERVER_PID")
      cpu_us=$(awk -v t=$((after - before)) -v hz="$HZ" -v n="$reqs" 'BEGIN { printf "%.1f", n ? t / hz / n * 1e6 : 0 }')
      echo "$endpoint $c $rps $p50 $p99 $cpu_us $bad $nginx_rps" >>"$WORK/runs"
      log "repeat $r $endpoint c=$c: $rps req/s p50 $p50 ms p99 $p99 ms cpu/request ${cpu_us} us non-2xx $bad"
    done
  done
done
PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
kill -TERM "$SERVER_PID"; wait "$SERVER_PID" || true; SERVER_PID=""
kill -QUIT "$NGINX_PID"; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""

# median KIND CONNS FIELD -> the median of that column over the repeats (1-based field number).
median() {
  awk -v k="$1" -v c="$2" -v f="$3" '$1 == k && $2 == c { print $f }' "$WORK/runs" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The nginx floor less the model's own cost: what this machine could serve if HTTP cost what
# nginx's does and the model's CPU time were added on all cores. Ratio per repeat (each against
# the nginx run just before it), then the median.
ratios() {
  awk -v k="$1" -v c="$2" -v m="$3" -v n="$NCPU" '$1 == k && $2 == c {
    floor = 1 / (1 / $8 + m / 1e6 / n); printf "%.3f\n", $3 / floor }' "$WORK/runs" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR % 2) printf "%.2f %.2f %.2f\n", v[(NR + 1) / 2], v[1], v[NR];
                             else printf "%.2f %.2f %.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR] }'
}
p99_range() {
  awk -v k="$1" -v c="$2" '$1 == k && $2 == c { print $5 }' "$WORK/runs" | sort -g |
    awk '{ v[NR] = $1 } END { printf "%s-%s\n", v[1], v[NR] }'
}

echo
echo "prodcat serve benchmark: $(date -u +%Y-%m-%dT%H:%MZ), $NCPU cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), CPU ${BUSY_BEFORE}% busy before the run"
echo "wrk ${DURATION}s per run, 2 threads (1 for one connection); $REPEATS repeats, medians; server --threads $NCPU, JSON access log to a file"
echo "model: linear trained on $ROWS generated rows; in-process PredictTopK mean $MODEL_US us/row (p50 $MODEL_P50 us)"
echo
echo "| endpoint | conns | req/s | p50 ms | p99 ms (range) | server CPU us/req | model us/req | nginx req/s | nginx p99 ms | floor less model req/s | ratio (range) | non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for endpoint in predict batch; do
  per=1; label="/predict"
  [[ $endpoint == batch ]] && { per=100; label="/predict/batch (100)"; }
  model_us=$(awk -v m="$MODEL_US" -v k="$per" 'BEGIN { printf "%.1f", m * k }')
  for c in 1 16 64; do
    nginx=$(median nginx "$c" 3)
    floor=$(awk -v r="$nginx" -v m="$model_us" -v n="$NCPU" 'BEGIN { printf "%.0f", 1 / (1 / r + m / 1e6 / n) }')
    read -r ratio low high < <(ratios "$endpoint" "$c" "$model_us")
    bad=$(awk -v k="$endpoint" -v c="$c" '$1 == k && $2 == c { s += $7 } END { print s + 0 }' "$WORK/runs")
    printf '| %s | %s | %.0f | %s | %s (%s) | %.1f | %s | %.0f | %s | %s | %s (%s-%s) | %s |\n' \
      "$label" "$c" "$(median "$endpoint" "$c" 3)" "$(median "$endpoint" "$c" 4)" \
      "$(median "$endpoint" "$c" 5)" "$(p99_range "$endpoint" "$c")" "$(median "$endpoint" "$c" 6)" \
      "$model_us" "$nginx" "$(median nginx "$c" 5)" "$floor" "$ratio" "$low" "$high" "$bad"
  done
done
echo
echo "peak RSS (VmHWM): $((PEAK_KB / 1024)) MiB"
