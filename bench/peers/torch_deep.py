#!/usr/bin/env python3
"""vcnn's `deep` preset in PyTorch, as a peer: the same network, initialisation, data scaling and SGD.

    /usr/bin/python3 torch_deep.py job   --data DIR [--seed S] [--epochs 5] [--batch 32] [--lr 0.02] [--momentum 0.9]
    /usr/bin/python3 torch_deep.py bench --data DIR [--repeats R]

Network: Conv2d(1,16,3) ReLU MaxPool2d(2) Conv2d(16,32,3) ReLU MaxPool2d(2) Flatten Linear(800,128)
ReLU Linear(128,10), PyTorch's default initialisation (what vcnn uses for every non-seed network),
pixels p/255 - 0.5, cross-entropy averaged over the batch, torch.optim.SGD(lr, momentum), a fresh
shuffle each epoch, the last short batch kept. Training on the full training set with `--train-size
60000 --test-size 10000` is vcnn's `train --net deep --batch 32 --lr 0.02 --momentum 0.9 --epochs 5`.
One thread by default (--threads N). bench prints training images/s at batch 1, 32 and 64 and
inference images/s at batch 1 and 256 (medians of --repeats timings).
"""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True                   # leave no __pycache__ in the source tree
from numpy_cnn import common_args, load_mnist, median_rate  # noqa: E402  (shared helpers)


def make_net(seed):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(800, 128), nn.ReLU(), nn.Linear(128, 10))


def tensors(args):
    x_train, y_train, x_test, y_test = load_mnist(args.data, args.train_size, args.test_size, "float32")
    return (torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train),
            torch.from_numpy(x_test).unsqueeze(1), torch.from_numpy(y_test))


def run_job(args):
    x_train, y_train, x_test, y_test = tensors(args)
    net = make_net(args.seed)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = nn.CrossEntropyLoss()
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(len(x_train))
        for first in range(0, len(order), args.batch):
            batch = order[first:first + args.batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(net(x_train[batch]), y_train[batch]).backward()
            opt.step()
        print(f"epoch {epoch} done at {time.perf_counter() - start:.1f} s", flush=True)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        logits = net(x_test)
    loss = nn.functional.cross_entropy(logits.double(), y_test).item()
    accuracy = (logits.argmax(1) == y_test).double().mean().item()
    images = args.epochs * len(x_train)
    print(f"Test Loss: {loss}")
    print(f"Test Accuracy: {accuracy}")
    print(f"Trained {images} images in {seconds:.3f} s ({images / seconds:,.0f} images/s) with PyTorch "
          f"{torch.__version__} on {torch.get_num_threads()} thread(s), seed {args.seed}, batch {args.batch}, "
          f"lr {args.lr}, momentum {args.momentum}.")


def run_bench(args):
    x_train, y_train, _, _ = tensors(args)
    net = make_net(args.seed)
    loss_fn = nn.CrossEntropyLoss()
    for batch in (1, 32, 64):
        opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
        n = 256 if batch == 1 else 2048

        def train():
            for first in range(0, n, batch):
                opt.zero_grad(set_to_none=True)
                loss_fn(net(x_train[first:first + batch]), y_train[first:first + batch]).backward()
                opt.step()
        train()
        rate, _ = median_rate(train, n, args.repeats)
        print(f"training, batch {batch}: {rate:,.0f} images/s")
    for batch in (1, 256):
        n = 256 if batch == 1 else 2048

        def infer():
            with torch.no_grad():
                for first in range(0, n, batch):
                    net(x_train[first:first + batch])
        infer()
        rate, _ = median_rate(infer, n, args.repeats)
        print(f"inference, batch {batch}: {rate:,.0f} images/s")


def main():
    p = common_args(__doc__)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(epochs=5, lr=0.02, train_size=60000, test_size=10000)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    run_job(args) if args.mode == "job" else run_bench(args)


if __name__ == "__main__":
    main()
