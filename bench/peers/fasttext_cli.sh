#!/usr/bin/env bash
# Peer baseline: the fastText command-line tool (Debian package `fasttext`) on titles only.
#
# Usage: bench/peers/fasttext_cli.sh TRAIN_CSV TEST_CSV OUT_JSON
#
# CSVs need a header with columns title,category. Titles are lower-cased with whitespace
# collapsed; labels become __label__<category, whitespace runs replaced by _>. Trains with
# `fasttext supervised -wordNgrams 2 -minn 3 -maxn 5 -epoch 25 -thread 2`, predicts the top
# label per test title, and writes {peer, accuracy, macro_f1, train_seconds, predict_seconds,
# n_train, n_test} to OUT_JSON (also printed). predict_seconds includes loading the model.
# Scoring follows peer_common.py. Environment: FASTTEXT (default: fasttext on PATH), PYTHON
# (default: Debian's /usr/bin/python3, which has python3-sklearn).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 TRAIN_CSV TEST_CSV OUT_JSON" >&2
  exit 2
fi
train_csv=$1
test_csv=$2
out_json=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fasttext_bin=${FASTTEXT:-fasttext}
python_bin=${PYTHON:-/usr/bin/python3}
command -v "$fasttext_bin" > /dev/null || { echo "$0: '$fasttext_bin' not found (apt-get install fasttext)" >&2; exit 1; }
[[ -x $python_bin ]] || { echo "$0: '$python_bin' not found" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. CSV -> fastText text files (train with labels; test titles and labels kept apart so the
#    prediction cannot see the answer and lines stay aligned).
"$python_bin" - "$here" "$train_csv" "$test_csv" "$work" <<'PY'
import re
import sys

sys.path.insert(0, sys.argv[1])
import peer_common

train_csv, test_csv, work = sys.argv[2:5]


def label(category):
    return "__label__" + re.sub(r"\s+", "_", category.strip())


def text(title):
    return " ".join(title.lower().split())


titles, categories = peer_common.read_title_category_csv(train_csv)
with open(f"{work}/train.txt", "w", encoding="utf-8") as out:
    for title, category in zip(titles, categories):
        out.write(f"{label(category)} {text(title)}\n")
titles, categories = peer_common.read_title_category_csv(test_csv)
with open(f"{work}/test_text.txt", "w", encoding="utf-8") as out:
    for title in titles:
        out.write(text(title) + "\n")
with open(f"{work}/test_labels.txt", "w", encoding="utf-8") as out:
    for category in categories:
        out.write(label(category) + "\n")
PY

now() { date +%s.%N; }

# 2. Train.
start=$(now)
if ! "$fasttext_bin" supervised -input "$work/train.txt" -output "$work/model" \
    -wordNgrams 2 -minn 3 -maxn 5 -epoch 25 -thread 2 -verbose 1 > "$work/train.log" 2>&1; then
  cat "$work/train.log" >&2
  echo "$0: fasttext supervised failed" >&2
  exit 1
fi
train_end=$(now)

# 3. Predict the top label of every test title.
if ! "$fasttext_bin" predict "$work/model.bin" "$work/test_text.txt" 1 \
    > "$work/predictions.txt" 2> "$work/predict.log"; then
  cat "$work/predict.log" >&2
  echo "$0: fasttext predict failed" >&2
  exit 1
fi
predict_end=$(now)

# 4. Score and write the result.
"$python_bin" - "$here" "$work" "$out_json" "$start" "$train_end" "$predict_end" <<'PY'
import sys

sys.path.insert(0, sys.argv[1])
import peer_common

work, out_json = sys.argv[2:4]
start, train_end, predict_end = (float(t) for t in sys.argv[4:7])


def lines(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


train_labels = {line.split(" ", 1)[0] for line in lines(f"{work}/train.txt")}
truth = lines(f"{work}/test_labels.txt")
predictions = [line.split(" ", 1)[0] for line in lines(f"{work}/predictions.txt")]
if len(predictions) != len(truth):
    sys.exit(f"fasttext predict gave {len(predictions)} lines for {len(truth)} test rows")
accuracy, macro_f1 = peer_common.score(truth, predictions, train_labels)
peer_common.write_result(out_json, {
    "peer": "fasttext_cli",
    "accuracy": accuracy,
    "macro_f1": macro_f1,
    "train_seconds": train_end - start,
    "predict_seconds": predict_end - train_end,
    "n_train": len(lines(f"{work}/train.txt")),
    "n_test": len(truth),
})
PY
