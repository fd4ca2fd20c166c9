#!/usr/bin/env python3
"""The seed CNN (conv3x3x8 -> maxpool2 -> dense 1352x10 + softmax) in NumPy, per-sample SGD.

Written from shared/SEED.md as a peer to compare vcnn against; it follows the post's algorithm:
    python3 numpy_cnn.py job   --data DIR [--seed S]    # the seed job, in the post's log shape
    python3 numpy_cnn.py bench --data DIR [--repeats R] # training / inference images/s at batch 1
Max-pool ties: only the first maximum of a window in row-major order gets the gradient (argmax mask).
The conv layer returns no input gradient: it is the first layer, as in the post.
"""
import argparse
import gzip
import os
import resource
import statistics
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def load_idx(data_dir, name, count):
    """First `count` items of an IDX file: images (count, 28, 28) or labels (count,).
    Reads NAME.gz if present, else NAME; gzip is told by its magic bytes, not by the file name.
    Only the bytes of those items are read (and inflated), not the whole file."""
    path = os.path.join(data_dir, name)
    path = path + ".gz" if os.path.exists(path + ".gz") else path
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    with (gzip.open if gzipped else open)(path, "rb") as f:
        ndim = f.read(4)[3]                      # magic: 0, 0, type 0x08 (ubyte), ndim
        dims = [int(d) for d in np.frombuffer(f.read(4 * ndim), ">u4")]
        if count > dims[0]:
            raise SystemExit(f"{path}: asked for {count} items, the file holds {dims[0]}")
        item_size = int(np.prod(dims[1:]))       # 784 for an image, 1 for a label
        data = f.read(count * item_size)
    if len(data) < count * item_size:
        raise SystemExit(f"{path}: truncated, {len(data)} of {count * item_size} bytes")
    return np.frombuffer(data, np.uint8).reshape([count] + dims[1:])


def load_mnist(data_dir, n_train, n_test, dtype):
    """Pixels scaled to p/255 - 0.5 as in the post; labels as int64."""
    def images(name, n):
        return load_idx(data_dir, name, n).astype(dtype) / 255 - 0.5     # stays in dtype
    return (images("train-images-idx3-ubyte", n_train),
            load_idx(data_dir, "train-labels-idx1-ubyte", n_train).astype(np.int64),
            images("t10k-images-idx3-ubyte", n_test),
            load_idx(data_dir, "t10k-labels-idx1-ubyte", n_test).astype(np.int64))


class Conv3x3:
    """8 valid 3x3 filters, stride 1, no bias: (28, 28) -> (8, 26, 26)."""

    def __init__(self, rng, n_filters, dtype):
        self.filters = (rng.standard_normal((n_filters, 3, 3)) / 9).astype(dtype)

    def forward(self, image):
        h, w = image.shape
        # patches[(y, x), (i, j)] = image[y + i, x + j]: shape (26*26, 9), so the conv is one matmul.
        self.patches = sliding_window_view(image, (3, 3)).reshape((h - 2) * (w - 2), 9)
        out = self.filters.reshape(-1, 9) @ self.patches.T          # (8, 676)
        return out.reshape(-1, h - 2, w - 2)

    def backward(self, d_out, lr):
        # dFilter[f, i, j] = sum over (y, x) of d_out[f, y, x] * image[y + i, x + j]
        d_filters = d_out.reshape(d_out.shape[0], -1) @ self.patches  # (8, 676) @ (676, 9)
        self.filters -= lr * d_filters.reshape(self.filters.shape)


class MaxPool2:
    """2x2 windows, stride 2: (8, 26, 26) -> (8, 13, 13)."""

    def forward(self, x):
        c, h, w = x.shape
        # windows[c, y, x, k] with k = 2*dy + dx: the row-major order inside each 2x2 window.
        windows = x.reshape(c, h // 2, 2, w // 2, 2).transpose(0, 1, 3, 2, 4).reshape(c, h // 2, w // 2, 4)
        self.argmax = windows.argmax(axis=3)[..., None]   # first max wins ties; (8, 13, 13, 1)
        self.in_shape = x.shape
        return np.take_along_axis(windows, self.argmax, axis=3)[..., 0]

    def backward(self, d_out):
        c, h, w = self.in_shape
        d_windows = np.zeros((c, h // 2, w // 2, 4), d_out.dtype)
        np.put_along_axis(d_windows, self.argmax, d_out[..., None], axis=3)
        return d_windows.reshape(c, h // 2, w // 2, 2, 2).transpose(0, 1, 3, 2, 4).reshape(c, h, w)


class Softmax:
    """Dense + softmax: (8, 13, 13) flattened to 1352 -> 10 probabilities."""

    def __init__(self, rng, n_in, n_out, dtype):
        self.weights = (rng.standard_normal((n_in, n_out)) / n_in).astype(dtype)   # (1352, 10)
        self.biases = np.zeros(n_out, dtype)

    def forward(self, x):
        self.in_shape = x.shape
        self.x = x.reshape(-1)                                    # (1352,)
        logits = self.x @ self.weights + self.biases              # (10,)
        e = np.exp(logits - logits.max())                         # shifted: cannot overflow
        return e / e.sum()

    def backward(self, d_logits, lr):
        # Input gradient with the weights before this step's update, then the SGD update.
        d_x = self.weights @ d_logits                             # (1352,)
        self.weights -= lr * np.outer(self.x, d_logits)
        self.biases -= lr * d_logits
        return d_x.reshape(self.in_shape)


class CNN:
    def __init__(self, seed, dtype):
        self.rng = np.random.default_rng(seed)   # one source: init, then every epoch's shuffle
        self.conv = Conv3x3(self.rng, 8, dtype)
        self.pool = MaxPool2()
        self.softmax = Softmax(self.rng, 13 * 13 * 8, 10, dtype)

    def forward(self, image, label):
        """Returns (loss, correct, prob)."""
        prob = self.softmax.forward(self.pool.forward(self.conv.forward(image)))
        return -np.log(prob[label]), int(prob.argmax() == label), prob

    def train_step(self, image, label, lr):
        loss, correct, prob = self.forward(image, label)
        d_logits = prob.copy()
        d_logits[label] -= 1                     # d(loss)/d(logits) = prob - onehot(label)
        d_pool = self.softmax.backward(d_logits, lr)
        self.conv.backward(self.pool.backward(d_pool), lr)
        return loss, correct


def run_job(args):
    x_train, y_train, x_test, y_test = load_mnist(args.data, args.train_size, args.test_size, args.dtype)
    net = CNN(args.seed, args.dtype)
    print("MNIST CNN initialized!")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        print(f"--- Epoch {epoch} ---")
        loss_sum, correct_sum = 0.0, 0
        for step, i in enumerate(net.rng.permutation(len(x_train)), start=1):
            loss, correct = net.train_step(x_train[i], y_train[i], args.lr)
            loss_sum += loss
            correct_sum += correct
            if step % 100 == 0:                  # printed after step 100, 200, ...: exactly 100 steps
                print(f"[Step {step}] Past 100 steps: Average Loss {loss_sum / 100:.3f} | "
                      f"Accuracy: {correct_sum}%")
                loss_sum, correct_sum = 0.0, 0
    train_seconds = time.perf_counter() - start
    print("--- Testing the CNN ---")
    loss_sum, correct_sum = 0.0, 0
    for image, label in zip(x_test, y_test):
        loss, correct, _ = net.forward(image, label)
        loss_sum += loss
        correct_sum += correct
    print(f"Test Loss: {loss_sum / len(x_test)}")
    print(f"Test Accuracy: {correct_sum / len(x_test)}")
    steps = args.epochs * len(x_train)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB
    print(f"Trained {steps} images in {train_seconds:.3f} s ({steps / train_seconds:,.0f} images/s), NumPy "
          f"{np.__version__}, {np.dtype(args.dtype).name}, seed {args.seed}, peak RSS {peak_mib:.0f} MiB.")


def blas_note():
    """Which BLAS serves the matmuls (threadpoolctl, if installed), and any OpenBLAS override set."""
    forced = {k: v for k, v in os.environ.items() if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    try:
        from threadpoolctl import threadpool_info
        found = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')}"
                 for i in threadpool_info() if i["user_api"] == "blas"] or ["none found by threadpoolctl"]
    except ImportError:
        found = ["unknown (threadpoolctl not installed)"]
    return "BLAS: " + "; ".join(found) + (f"; overridden by {forced}" if forced else "")


def median_rate(fn, n_images, repeats, min_seconds=0.5):
    """Images/s of fn() (one pass over n_images): median over `repeats` timings, each of as many
    whole passes as fill min_seconds, so short passes (batched inference) are not timer noise."""
    rates = []
    for _ in range(repeats):
        passes, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < min_seconds:
            fn()
            passes += 1
        rates.append(passes * n_images / elapsed)
    return statistics.median(rates), rates


def run_bench(args):
    x_train, y_train, x_test, y_test = load_mnist(args.data, args.train_size, args.test_size, args.dtype)
    net = CNN(args.seed, args.dtype)

    def train_pass():
        for i in net.rng.permutation(len(x_train)):
            net.train_step(x_train[i], y_train[i], args.lr)

    def infer_pass():
        for image, label in zip(x_test, y_test):
            net.forward(image, label)

    print(f"NumPy {np.__version__}, {np.dtype(args.dtype).name}, {len(x_train)} train / {len(x_test)} test "
          f"images a pass, median of {args.repeats} timings of >= 0.5 s each")
    print(blas_note())
    for name, fn, n in (("train", train_pass, len(x_train)), ("infer", infer_pass, len(x_test))):
        fn()                                     # warm-up pass: caches, allocator, lazy imports
        median, rates = median_rate(fn, n, args.repeats)
        print(f"{name} batch 1: {median:,.0f} images/s median, {max(rates):,.0f} best  "
              f"(timings: {', '.join(f'{r:,.0f}' for r in rates)})")


def common_args(description):
    """The flags both peers share; torch_cnn.py adds its own."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["job", "bench"])
    p.add_argument("--data", required=True, help="folder with the MNIST IDX files (.gz or raw)")
    p.add_argument("--seed", type=int, default=1, help="one source for the initial weights and the shuffles")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.005)
    p.add_argument("--train-size", type=int, default=1000, help="the first N training images")
    p.add_argument("--test-size", type=int, default=1000, help="the first N test images")
    p.add_argument("--repeats", type=int, default=7, help="bench: timings, the median is reported")
    return p


def main():
    p = common_args(__doc__)
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                   help="float64 as the post's NumPy code (default); float32 as vcnn and PyTorch")
    args = p.parse_args()
    if args.mode == "job":
        run_job(args)
    else:
        run_bench(args)


if __name__ == "__main__":
    main()
