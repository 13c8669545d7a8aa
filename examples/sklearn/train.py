"""Train a scikit-learn LogisticRegression on the penguins and convert it with skl2onnx defaults (ZipMap on).

The converted model has input `float_input` [N, 4] and outputs `output_label` and
`output_probability` (a ZipMap: one {class: probability} map per row). mlops reads the ZipMap
as it is, takes the class names from its keys, and maps the measurement columns in file order.
"""
import os

import pandas as pd
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]

train = pd.read_csv(os.environ["MLOPS_TRAIN_DATA"]).dropna(subset=FEATURES)
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
model.fit(train[FEATURES].to_numpy("float32"), train[os.environ["MLOPS_LABEL"]])
onx = to_onnx(model, train[FEATURES].to_numpy("float32")[:1])
with open(os.path.join(os.environ["MLOPS_OUTPUT_DIR"], "model.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
