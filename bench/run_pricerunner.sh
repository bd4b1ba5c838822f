#!/usr/bin/env bash
# Real-data accuracy: prodcat vs scikit-learn TF-IDF + LinearSVC vs the fastText CLI on
# PriceRunner (../shared/datasets/pricerunner.csv), with one group split on cluster_id made by
# `prodcat prepare` and used by all three. Peers train on train+val (prodcat uses val only for
# early stopping, calibration and model selection), everyone is scored on the same test rows.
# Usage: bench/run_pricerunner.sh [DATASET]   Results: bench/results/pricerunner.json
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${PRODCAT_BIN:-build/apps/prodcat}
DATA=${1:-../shared/datasets/pricerunner.csv}
[[ -f "$DATA" ]] || { echo "dataset not found: $DATA (it lives in ../shared/datasets)"; exit 0; }
W=${PRODCAT_BENCH_DIR:-$(mktemp -d /tmp/prodcat-pricerunner-XXXX)}
mkdir -p bench/results "$W"

"$BIN" prepare --input "$DATA" --columns seller_id=merchant_id --group-col cluster_id \
  --out "$W/prep" >"$W/prepare.out"
start=$(date +%s.%N)
"$BIN" train --train "$W/prep/train.csv" --val "$W/prep/val.csv" --out "$W/model" \
  --set train.progress=false "$@" 2>"$W/train.err" >"$W/train.out" || { cat "$W/train.err"; exit 1; }
end=$(date +%s.%N)
"$BIN" evaluate --model "$W/model" --data "$W/prep/test.csv" --out "$W/eval/report.json" >"$W/eval.out"

# Peers: same split; training = train + val.
{ cat "$W/prep/train.csv"; tail -n +2 "$W/prep/val.csv"; } >"$W/trainval.csv"
/usr/bin/python3 bench/peers/sklearn_tfidf_svc.py "$W/trainval.csv" "$W/prep/test.csv" "$W/sklearn.json" >/dev/null
bench/peers/fasttext_cli.sh "$W/trainval.csv" "$W/prep/test.csv" "$W/fasttext.json" >/dev/null

/usr/bin/python3 - "$W" "$start" "$end" <<'PY'
import json, sys
w, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
r = json.load(open(f"{w}/eval/report.json"))
m = json.load(open(f"{w}/model/manifest.json"))
q = json.load(open(f"{w}/prep/quality_report.json"))
rows = [{"system": f"prodcat ({m['family']})", "accuracy": r["accuracy"], "macro_f1": r["macro_f1"],
         "train_seconds": end - start}]
for peer in ("sklearn", "fasttext"):
    p = json.load(open(f"{w}/{peer}.json"))
    rows.append({"system": p["peer"], "accuracy": p["accuracy"], "macro_f1": p["macro_f1"],
                 "train_seconds": p["train_seconds"]})
out = {"dataset": "pricerunner", "split": q["splits"], "group_split": q.get("group_split"),
       "prodcat_candidates": [{k: c[k] for k in ("family", "val_macro_f1", "train_seconds")}
                              for c in m["candidates"]],
       "results": rows}
json.dump(out, open("bench/results/pricerunner.json", "w"), indent=2)
print(f"split train/val/test = {q['splits']['train']}/{q['splits']['val']}/{q['splits']['test']} (group split on cluster_id)")
print(f"{'system':34s} {'accuracy':>9s} {'macro-F1':>9s} {'train s':>8s}")
for x in rows:
    print(f"{x['system']:34s} {x['accuracy']:9.4f} {x['macro_f1']:9.4f} {x['train_seconds']:8.1f}")
for c in out["prodcat_candidates"]:
    print(f"  prodcat candidate {c['family']:9s} val macro-F1 {c['val_macro_f1']:.4f} ({c['train_seconds']:.1f}s)")
PY
