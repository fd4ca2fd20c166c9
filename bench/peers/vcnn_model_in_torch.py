"""Loads a vcnn model (.npz) into torch.nn.Sequential and tests it on MNIST-format test files.

    /usr/bin/python3 bench/peers/vcnn_model_in_torch.py MODEL.npz DATA_DIR [N]

Prints PyTorch's test loss and accuracy on the first N test images (default: as many as the model was
tested on when it was saved) beside the ones vcnn stored in the model's metadata; they agree when the
model was saved by `vcnn train --test-size N` on the same files. The first block is the README's snippet.
"""
import gzip
import json
import os
import sys
import warnings
from collections import OrderedDict

import numpy as np
import torch


def vcnn_to_torch(path):
    z = np.load(path)
    arch = json.loads(z["metadata"].item())["architecture"]
    layers, flat = OrderedDict(), False
    for i, token in enumerate(arch["spec"].split(",")):  # names = spec positions, as in the .npz
        kind, *arg = token.split(":")
        if kind == "dense" and not flat:
            layers["flatten"], flat = torch.nn.Flatten(), True  # channel-major, as vcnn flattens
        layers[str(i)] = {"conv3x3": lambda: torch.nn.LazyConv2d(int(arg[0]), 3, bias=arg[1:] != ["nobias"]),
                          "relu": torch.nn.ReLU, "maxpool2": lambda: torch.nn.MaxPool2d(2),
                          "dense": lambda: torch.nn.LazyLinear(int(arg[0]))}[kind]()
    model = torch.nn.Sequential(layers)
    model(torch.zeros(1, *arch["input_shape"]))  # sizes the lazy layers
    model.load_state_dict({k: torch.from_numpy(z[k]) for k in z.files if k.endswith(("weight", "bias"))})
    return model.eval()
# probabilities of images scaled as vcnn scales them: torch.softmax(model(x / 255 - 0.5), dim=1)


def idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    sys.exit(f"{folder}: has no {name}[.gz]")


def main():
    warnings.filterwarnings("ignore", "Lazy modules")  # torch 1.13 warns on every lazy layer
    model_path, folder = sys.argv[1], sys.argv[2]
    meta = json.loads(np.load(model_path)["metadata"].item())
    n = int(sys.argv[3]) if len(sys.argv) > 3 else meta["test"]["count"]
    images = idx(find(folder, "t10k-images-idx3-ubyte"))[:n]
    labels = idx(find(folder, "t10k-labels-idx1-ubyte"))[:n].astype(np.int64)
    model = vcnn_to_torch(model_path)
    c, h, w = meta["architecture"]["input_shape"]
    x = torch.from_numpy(images.astype(np.float32).reshape(-1, c, h, w) / 255 - 0.5)
    with torch.no_grad():
        logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits.double(), torch.from_numpy(labels)).item()
    accuracy = (logits.argmax(dim=1).numpy() == labels).mean()
    print(f"model: {meta['architecture']['spec']}, {n} test images")
    print(f"pytorch: test loss {loss:.6f}, accuracy {accuracy:.4f}")
    stored = meta.get("test")
    if stored:
        print(f"vcnn:    test loss {stored['loss']:.6f}, accuracy {stored['accuracy']:.4f} (as saved, on {stored['count']})")


if __name__ == "__main__":
    main()
