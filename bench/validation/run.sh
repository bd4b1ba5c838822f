#!/usr/bin/env bash
# Validation benchmark: generate N rows, infer a suite from them, validate them against it
# (streaming, one pass), each phase in its own process. Prints one JSON line per phase with
# seconds, rows/s and peak RSS. Usage: bench/validation/run.sh [ROWS...] (default 100000 1000000)
# BENCH=path/to/prodcat_validation_bench, FORMAT=csv|jsonl|avro (default csv).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-build/bench/validation/prodcat_validation_bench}
FORMAT=${FORMAT:-csv}
ROWS=("$@")
((${#ROWS[@]})) || ROWS=(100000 1000000)
WORK=${PRODCAT_BENCH_DIR:-$(mktemp -d /tmp/prodcat-validation-bench-XXXX)}
for N in "${ROWS[@]}"; do
  DATA=$WORK/products_$N.$FORMAT
  SUITE=$WORK/suite_$N.yaml
  "$BENCH" generate "$N" "$DATA"
  "$BENCH" infer "$DATA" "$SUITE"
  "$BENCH" validate "$DATA" "$SUITE" 2>"$WORK/report_$N.txt"
  "$BENCH" validate "$DATA" "$SUITE" --no-unique 2>/dev/null
done
echo "data, suites and reports in $WORK" >&2
