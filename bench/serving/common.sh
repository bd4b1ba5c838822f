# Shell helpers shared by the serving benchmarks (sourced from the repository root after the
# script's own `cd`; the run helpers expect $DURATION and $WORK).

# parse_bench_args "$@" TOOL... -> sets DURATION, ROWS, REPEATS and BIN; checks the tools and
# the binary.
parse_bench_args() {
  DURATION=10
  ROWS=20000
  REPEATS=3
  local tools=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --duration) DURATION="$2"; shift 2 ;;
      --rows) ROWS="$2"; shift 2 ;;
      --repeats) REPEATS="$2"; shift 2 ;;
      --) shift; tools=("$@"); break ;;
      *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
  done
  BIN=$(realpath "${PRODCAT_BIN:-build/apps/prodcat}")
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found (scripts/install-deps.sh --with-bench)" >&2; exit 1; }
  done
  [[ -x "$BIN" ]] || { echo "error: $BIN not built (scripts/build.sh)" >&2; exit 1; }
}

# How busy the machine is without us: other processes skew every number below.
busy_percent() {
  local a b
  a=($(head -1 /proc/stat)); sleep "$1"; b=($(head -1 /proc/stat))
  local total=0 idle=$(((b[4] - a[4]) + (b[5] - a[5])))
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $((100 * (total - idle) / (total > 0 ? total : 1)))
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
NCPU=$(nproc)

# wrk_run URL CONNECTIONS SCRIPT BODIES -> "rps p50_ms p99_ms requests non2xx"
wrk_run() {
  local url=$1 conns=$2 script=$3 bodies=$4 threads=2 out
  ((conns < threads)) && threads=$conns
  if [[ -n "$script" ]]; then
    out=$(BODIES_FILE=$bodies wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -s "$script" "$url")
  else
    out=$(wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "$url")
  fi
  echo "$out" >>"$WORK/wrk.log"
  awk '
    function ms(v) {
      if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
      if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
      if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
      return v
    }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /requests in/ { reqs = $1 }
    /Non-2xx/ { bad = $NF }
    /^Requests\/sec/ { rps = $2 }
    END { printf "%.0f %.3f %.3f %d %d\n", rps, p50, p99, reqs, bad + 0 }' <<<"$out"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_prodcat_server SERVE_ARGS... -> starts `$BIN serve --host 127.0.0.1 --port 0 SERVE_ARGS`
# (output in $WORK/serve.out and serve.err), waits for its "listening on" line and sets
# SERVER_PID and BASE.
start_prodcat_server() {
  "$BIN" serve --host 127.0.0.1 --port 0 "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 200); do
    port=$(sed -nE 's/^listening on 127\.0\.0\.1:([0-9]+)$/\1/p' "$WORK/serve.out")
    [[ -n "$port" ]] && break
    sleep 0.05
  done
  [[ -n "$port" ]] || { cat "$WORK/serve.err" >&2; exit 1; }
  BASE="http://127.0.0.1:$port"
}

log() { echo "[bench] $*" >&2; }

# bench_setup NAME -> a scratch directory $WORK (/tmp/prodcat-NAME-bench.*), SCRIPT_DIR, and an
# exit trap that stops the server ($SERVER_PID) and nginx ($NGINX_PID) this script started, by
# pid, and removes $WORK; warns when the machine is already busy (sets BUSY_BEFORE).
bench_setup() {
  SCRIPT_DIR=$(realpath bench/serving)
  WORK=$(mktemp -d "/tmp/prodcat-$1-bench.XXXXXX")
  SERVER_PID=""
  NGINX_PID=""
  trap bench_cleanup EXIT
  BUSY_BEFORE=$(busy_percent 2)
  ((BUSY_BEFORE > 10)) && log "warning: the machine is ${BUSY_BEFORE}% busy before the run"
  return 0
}
bench_cleanup() {
  [[ -n "$SERVER_PID" ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ -n "$NGINX_PID" ]] && kill -QUIT "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  rm -rf "$WORK"
}
