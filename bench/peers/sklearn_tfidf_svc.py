#!/usr/bin/python3
"""Peer baseline: TF-IDF (word 1-2 grams + char_wb 2-5 grams) and a linear SVM (scikit-learn).

Usage: /usr/bin/python3 bench/peers/sklearn_tfidf_svc.py TRAIN_CSV TEST_CSV OUT_JSON

CSVs need a header with columns title,category (others are ignored). Trains on titles only and
writes {peer, accuracy, macro_f1, train_seconds, predict_seconds, n_train, n_test} to OUT_JSON
(also printed). train_seconds covers vectorizer fitting and SVM training; predict_seconds covers
vectorizing and predicting the test titles. See peer_common.py for the scoring convention.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.pipeline import FeatureUnion, Pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

import peer_common  # noqa: E402

PEER_NAME = "sklearn_tfidf_linearsvc"


def build_model():
    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                 lowercase=True, dtype=np.float32)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                 lowercase=True, dtype=np.float32)),
    ])
    return Pipeline([
        ("features", features),
        ("svm", LinearSVC(class_weight="balanced", random_state=0)),
    ])


def main(argv):
    if len(argv) != 4:
        sys.exit(f"usage: {argv[0]} TRAIN_CSV TEST_CSV OUT_JSON")
    train_path, test_path, out_path = argv[1:]
    train_titles, train_labels = peer_common.read_title_category_csv(train_path)
    test_titles, test_labels = peer_common.read_title_category_csv(test_path)
    if len(set(train_labels)) < 2:
        sys.exit(f"{train_path}: need at least 2 categories to train a classifier")

    model = build_model()
    start = time.perf_counter()
    model.fit(train_titles, train_labels)
    train_seconds = time.perf_counter() - start

    start = time.perf_counter()
    predictions = model.predict(test_titles)
    predict_seconds = time.perf_counter() - start

    accuracy, macro_f1 = peer_common.score(test_labels, list(predictions), train_labels)
    peer_common.write_result(out_path, {
        "peer": PEER_NAME,
        "accuracy": accuracy,
        "macro_f1": macro_f1,
        "train_seconds": train_seconds,
        "predict_seconds": predict_seconds,
        "n_train": len(train_titles),
        "n_test": len(test_titles),
    })


if __name__ == "__main__":
    main(sys.argv)
