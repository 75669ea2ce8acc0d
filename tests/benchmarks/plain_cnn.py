#!/usr/bin/python3
"""Plain per-task CNN in PyTorch: the baseline row "plain-cnn" of bench_quality.

What a user would write instead of μ2Net: one small CNN per task, trained from scratch for a
wall-clock budget and tested. It reads a task in the product's dataset formats (README.md,
"Datasets"):
  idx           train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
                t10k-labels-idx1-ubyte, each optionally .gz (the raw file wins)
  cifar-binary  data_batch_<N>.bin (train, by N) and test_batch.bin, optionally .gz: records of
                1 label byte + 3 x 32 x 32 bytes (CHW)
with an optional class subset relabelled 0..k-1 in the order given, and scales images as the
engine does: pixels / 127.5 - 1, bilinear resize (align_corners=False) to --image-size when the
images differ (grey images keep one channel: the first convolution takes 1 channel).

Model: three 3x3 convolutions (32, 64, 128 channels, padding 1) with ReLU, 2x2 max pooling after
the first two, global average pooling and one linear head (94k parameters for 10 classes). Adam
(lr 1e-3), batch 64, cross-entropy, reshuffled every epoch, trained on the whole training split
until --seconds of wall-clock time have passed (checked between steps); then the test accuracy on
the whole test split (or a seeded subset of --test-max images).

Prints exactly one JSON line:
  {"task", "test_accuracy", "train_seconds", "steps", "examples", "params", "threads"}

Run with Debian's python3-torch: /usr/bin/python3 plain_cnn.py --path /data/mnist --seconds 60
"""
import argparse
import gzip
import json
import re
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_bytes(folder, name):
    """The file `name` or `name.gz` in folder (raw wins), decompressed when gzip."""
    for path in (folder / name, folder / (name + ".gz")):
        if path.is_file():
            data = path.read_bytes()
            return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    raise SystemExit(f"plain_cnn.py: missing {name}[.gz] in {folder}")


def read_idx(folder, prefix):
    images = read_bytes(folder, f"{prefix}-images-idx3-ubyte")
    labels = read_bytes(folder, f"{prefix}-labels-idx1-ubyte")
    n, rows, cols = (int.from_bytes(images[4 + 4 * i : 8 + 4 * i], "big") for i in range(3))
    x = np.frombuffer(images, np.uint8, n * rows * cols, 16).reshape(n, 1, rows, cols)
    y = np.frombuffer(labels, np.uint8, n, 8)
    return x, y


def read_cifar(folder, names):
    records = np.concatenate(
        [np.frombuffer(read_bytes(folder, name), np.uint8).reshape(-1, 3073) for name in names]
    )
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0]


def load(fmt, folder):
    """(train_x, train_y, test_x, test_y) as uint8 NCHW images and labels."""
    folder = Path(folder)
    if fmt == "idx":
        return (*read_idx(folder, "train"), *read_idx(folder, "t10k"))
    batches = {
        int(m.group(1))
        for p in folder.iterdir()
        if (m := re.fullmatch(r"data_batch_(\d+)\.bin(\.gz)?", p.name))
    }
    train = [f"data_batch_{n}.bin" for n in sorted(batches)]
    if not train:
        raise SystemExit(f"plain_cnn.py: no data_batch_<N>.bin[.gz] in {folder}")
    return (*read_cifar(folder, train), *read_cifar(folder, ["test_batch.bin"]))


def prepare(x, y, classes, size):
    """Keeps `classes` (relabelled 0..k-1 in that order), scales to [-1, 1], resizes."""
    y = torch.from_numpy(y.astype(np.int64))
    x = torch.from_numpy(x.copy())
    if classes:
        new = torch.full((256,), -1, dtype=torch.int64)
        new[torch.tensor(classes)] = torch.arange(len(classes))
        y = new[y]
        x, y = x[y >= 0], y[y >= 0]
    x = x.float() / 127.5 - 1.0
    if x.shape[-1] != size or x.shape[-2] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    return x.contiguous(), y


class PlainCnn(nn.Module):
    def __init__(self, in_channels, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
        )
        self.head = nn.Linear(128, classes)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--path", required=True, help="the dataset folder")
    p.add_argument("--format", choices=["idx", "cifar-binary"], default="idx")
    p.add_argument("--task", help="name printed in the JSON line (default: the folder's name)")
    p.add_argument("--classes", default="", help="comma-separated source classes to keep, "
                   "relabelled 0..k-1 in this order (default: all)")
    p.add_argument("--seconds", type=float, default=60.0, help="wall-clock training budget")
    p.add_argument("--threads", type=int, default=1, help="torch threads")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--image-size", type=int, default=28)
    p.add_argument("--test-max", type=int, default=0,
                   help="test on a seeded subset of at most N images (0: the whole test split)")
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    classes = [int(c) for c in a.classes.split(",") if c.strip()]
    train_x, train_y, test_x, test_y = load(a.format, a.path)
    train_x, train_y = prepare(train_x, train_y, classes, a.image_size)
    test_x, test_y = prepare(test_x, test_y, classes, a.image_size)
    num_classes = len(classes) or int(max(train_y.max(), test_y.max())) + 1
    if 0 < a.test_max < len(test_y):
        keep = torch.randperm(len(test_y))[: a.test_max]
        test_x, test_y = test_x[keep], test_y[keep]

    model = PlainCnn(train_x.shape[1], num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps = examples = 0
    start = time.perf_counter()
    while time.perf_counter() - start < a.seconds:
        for batch in torch.randperm(len(train_y)).split(a.batch):
            if time.perf_counter() - start >= a.seconds:
                break
            loss = F.cross_entropy(model(train_x[batch]), train_y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            steps += 1
            examples += len(batch)
    train_seconds = time.perf_counter() - start

    model.eval()
    with torch.no_grad():
        correct = sum(
            int((model(x).argmax(1) == y).sum())
            for x, y in zip(test_x.split(256), test_y.split(256))
        )
    print(json.dumps({
        "task": a.task or Path(a.path).name,
        "test_accuracy": correct / len(test_y),
        "train_seconds": round(train_seconds, 3),
        "steps": steps,
        "examples": examples,
        "params": sum(t.numel() for t in model.parameters()),
        "threads": a.threads,
    }))


if __name__ == "__main__":
    main()
