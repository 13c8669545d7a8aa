"""Train a small PyTorch classifier on the penguins and export it to ONNX, on MlOps.CI's command contract.

mlops train runs this with:
  MLOPS_TRAIN_DATA / MLOPS_EVAL_DATA  CSV files of the split (same columns as data.path)
  MLOPS_LABEL, MLOPS_TASK, MLOPS_SEED, MLOPS_HYPERPARAMETERS (JSON)
  MLOPS_OUTPUT_DIR                    where model.onnx (and optionally metrics.json) go

The export is plain torch.onnx.export: one float input [batch_size, 4], logits out, no metadata.
mlops.yaml says `model.scores: logits`; mlops maps the four measurement columns in file order
and names the classes from the sorted label values, as this script orders them.
"""
import csv
import json
import os

import torch
from torch import nn

FEATURES = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def read(path, label):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if all(r[c] not in ("", "NA") for c in FEATURES)]
    x = torch.tensor([[float(r[c]) for c in FEATURES] for r in rows])
    return x, [r[label] for r in rows]


def main():
    label = os.environ["MLOPS_LABEL"]
    out = os.environ["MLOPS_OUTPUT_DIR"]
    params = json.loads(os.environ.get("MLOPS_HYPERPARAMETERS", "{}"))
    torch.manual_seed(int(os.environ.get("MLOPS_SEED", "42")))

    x, names = read(os.environ["MLOPS_TRAIN_DATA"], label)
    classes = sorted(set(names))  # the order mlops assumes when the model does not name its classes
    y = torch.tensor([classes.index(n) for n in names])
    mean, std = x.mean(0), x.std(0)

    model = nn.Linear(len(FEATURES), len(classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=float(params.get("learning-rate", 0.05)))
    for _ in range(int(params.get("epochs", 300))):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model((x - mean) / std), y)
        loss.backward()
        optimizer.step()

    # Fold the standardization into the layer, so the exported model reads raw measurements.
    with torch.no_grad():
        model.weight /= std
        model.bias -= model.weight @ mean

    model.eval()
    torch.onnx.export(
        model,
        (x[:1],),
        os.path.join(out, "model.onnx"),
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}},
        opset_version=17,
    )

    ex, en = read(os.environ["MLOPS_EVAL_DATA"], label)
    with torch.no_grad():
        predicted = model(ex).argmax(1).tolist()
    accuracy = sum(classes[p] == t for p, t in zip(predicted, en)) / max(len(en), 1)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump({"train": {"loss": float(loss)}, "eval": {"accuracy": accuracy}}, f)


if __name__ == "__main__":
    main()
