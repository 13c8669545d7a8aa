#!/usr/bin/env python3
"""The train bench's peer: scikit-learn's HistGradientBoostingClassifier doing what `mlops train`
does with defaults (read the CSV, fit 100 boosting rounds), on the same machine and rows.

Usage: /usr/bin/python3 sklearn_train.py DATA.csv TEST_MASK LABEL CATEGORICAL,COLUMNS
  TEST_MASK: a file of one byte per data row, '1' where the row is in mlops' test split.
Trains on every row not in test, scores the test rows, prints one JSON line:
  {"read_s", "fit_s", "total_s", "cpu_s", "roc_auc", "rows_trained", "threads"}
  cpu_s: the process's CPU seconds (every thread) over read + fit, steadier than wall time on a
  shared machine.
scikit-learn comes from Debian's python3-sklearn (no pandas needed: numpy's C loadtxt reads).
"""
import json, os, sys, time

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score

path, mask_path, label, categorical = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
started = time.perf_counter()
cpu_started = time.process_time()
with open(path) as f:
    header = f.readline().strip().split(",")
numeric = [i for i, name in enumerate(header) if name not in categorical and name not in (label, "id")]
cat_idx = [header.index(c) for c in categorical]
x_num = np.loadtxt(path, delimiter=",", skiprows=1, usecols=numeric, dtype=np.float64)
cats = np.loadtxt(path, delimiter=",", skiprows=1, usecols=cat_idx, dtype=str)
y = np.loadtxt(path, delimiter=",", skiprows=1, usecols=[header.index(label)], dtype=np.float64)
codes = np.column_stack([np.unique(cats[:, j], return_inverse=True)[1] for j in range(len(cat_idx))]).astype(np.float64)
x = np.hstack([x_num, codes])
read_s = time.perf_counter() - started

with open(mask_path, "rb") as f:
    test = np.frombuffer(f.read(), dtype=np.uint8) == ord("1")
is_cat = [False] * x_num.shape[1] + [True] * codes.shape[1]
model = HistGradientBoostingClassifier(max_iter=100, categorical_features=is_cat, early_stopping=False, random_state=42)
fit_started = time.perf_counter()
model.fit(x[~test], y[~test])
fit_s = time.perf_counter() - fit_started
total_s = time.perf_counter() - started
cpu_s = time.process_time() - cpu_started
auc = roc_auc_score(y[test], model.predict_proba(x[test])[:, 1])
print(json.dumps({"read_s": read_s, "fit_s": fit_s, "total_s": total_s, "cpu_s": cpu_s, "roc_auc": auc,
                  "rows_trained": int((~test).sum()), "threads": os.cpu_count()}))
