"""Shared helpers for the peer benchmark scripts: CSV reading, scoring and the result JSON.

Run with Debian's /usr/bin/python3 (python3-sklearn); a python3 earlier on PATH (pyenv,
/usr/local) may lack scikit-learn.

Scoring convention (the same as prodcat's evaluation module): accuracy counts every test row,
so a test category never seen in training is always an error; macro-F1 averages F1 over the
training categories present in the test labels or the predictions (sklearn's average='macro'
label set, minus categories the model cannot know, which prodcat also leaves out).
"""

import csv
import json
import os
import sys
import tempfile

from sklearn.metrics import accuracy_score, f1_score

REQUIRED_COLUMNS = ("title", "category")


def read_title_category_csv(path):
    """Returns (titles, categories) from a CSV with a header naming at least title,category."""
    csv.field_size_limit(sys.maxsize)
    titles, categories = [], []
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                sys.exit(f"{path}: header {reader.fieldnames} lacks column(s) {missing}")
            for row in reader:
                category = (row["category"] or "").strip()
                if not category:
                    sys.exit(f"{path}:{reader.line_num}: empty category")
                titles.append(row["title"] or "")
                categories.append(category)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        sys.exit(f"{path}: {error}")
    if not titles:
        sys.exit(f"{path}: no data rows")
    return titles, categories


def score(y_true, y_pred, known_labels):
    """Returns (accuracy, macro_f1) under the convention in the module docstring."""
    known = set(known_labels)
    labels = sorted((set(y_true) | set(y_pred)) & known)
    accuracy = accuracy_score(y_true, y_pred)
    macro_f1 = f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    return float(accuracy), float(macro_f1)


def write_result(out_path, result):
    """Prints the result and writes it as JSON atomically (temp file + rename)."""
    text = json.dumps(result, indent=2) + "\n"
    sys.stdout.write(text)
    directory = os.path.dirname(os.path.abspath(out_path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=".peer-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp_path, 0o644)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp_path, out_path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
