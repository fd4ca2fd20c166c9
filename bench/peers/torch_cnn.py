#!/usr/bin/env python3
"""The seed CNN (conv3x3x8 -> maxpool2 -> dense 1352x10 + softmax) in PyTorch, as a peer for vcnn.

    python3 torch_cnn.py job   --data DIR [--seed S]    # the seed job, in the post's log shape
    python3 torch_cnn.py bench --data DIR [--repeats R] # training / inference images/s
One thread by default (--threads N to change), for a fair comparison with a single-thread engine.
float32, as vcnn. MaxPool2d's backward gives a tied window's gradient to its first maximum.
"""
import os
import resource
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True                   # leave no __pycache__ in the source tree
from numpy_cnn import blas_note, common_args, load_mnist, median_rate  # noqa: E402  (shared helpers)


def make_net(seed):
    """Conv2d(1, 8, 3) -> MaxPool2d(2) -> Linear(1352, 10); softmax lives in CrossEntropyLoss."""
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Conv2d(1, 8, 3, bias=False), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1352, 10))
    with torch.no_grad():                        # the post's init, not PyTorch's Kaiming-uniform
        net[0].weight.normal_().div_(9)          # (8, 1, 3, 3)
        net[3].weight.normal_().div_(1352)       # (10, 1352)
        net[3].bias.zero_()                      # (10,)
    return net


def tensors(args):
    """Images (N, 1, 28, 28) float32 in p/255 - 0.5, labels (N,) int64."""
    x_train, y_train, x_test, y_test = load_mnist(args.data, args.train_size, args.test_size, "float32")
    return (torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train),
            torch.from_numpy(x_test).unsqueeze(1), torch.from_numpy(y_test))


def train_step(net, opt, loss_fn, x, y):
    """One SGD step on a batch; the Linear's input gradient uses the weights before opt.step()."""
    opt.zero_grad(set_to_none=True)
    logits = net(x)
    loss = loss_fn(logits, y)
    loss.backward()
    opt.step()
    return logits, loss


def run_job(args):
    x_train, y_train, x_test, y_test = tensors(args)
    net = make_net(args.seed)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    print("MNIST CNN initialized!")
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        print(f"--- Epoch {epoch} ---")
        loss_sum, correct_sum = 0.0, 0
        for step, i in enumerate(torch.randperm(len(x_train)).tolist(), start=1):
            logits, loss = train_step(net, opt, loss_fn, x_train[i:i + 1], y_train[i:i + 1])
            loss_sum += loss.item()
            correct_sum += int(logits.argmax() == y_train[i])
            if step % 100 == 0:                  # printed after step 100, 200, ...: exactly 100 steps
                print(f"[Step {step}] Past 100 steps: Average Loss {loss_sum / 100:.3f} | "
                      f"Accuracy: {correct_sum}%")
                loss_sum, correct_sum = 0.0, 0
    train_seconds = time.perf_counter() - start
    print("--- Testing the CNN ---")
    loss_sum, correct_sum = 0.0, 0
    with torch.no_grad():                        # one image at a time, as the post
        for i in range(len(x_test)):
            logits = net(x_test[i:i + 1])
            loss_sum += loss_fn(logits, y_test[i:i + 1]).item()
            correct_sum += int(logits.argmax() == y_test[i])
    print(f"Test Loss: {loss_sum / len(x_test)}")
    print(f"Test Accuracy: {correct_sum / len(x_test)}")
    steps = args.epochs * len(x_train)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # Linux: KiB
    print(f"Trained {steps} images in {train_seconds:.3f} s ({steps / train_seconds:,.0f} images/s), "
          f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s), seed {args.seed}, "
          f"peak RSS {peak_mib:.0f} MiB.")


def run_bench(args):
    x_train, y_train, x_test, y_test = tensors(args)
    net = make_net(args.seed)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    def train_pass(batch):
        # Throughput only: lr is not rescaled for the batch (CrossEntropyLoss averages over it).
        order = torch.randperm(len(x_train))
        for k in range(0, len(x_train), batch):
            idx = order[k:k + batch]
            train_step(net, opt, loss_fn, x_train[idx], y_train[idx])

    def infer_pass(batch):
        with torch.inference_mode():
            for k in range(0, len(x_test), batch):
                net(x_test[k:k + batch]).argmax(dim=1)

    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s), float32, "
          f"{len(x_train)} train / {len(x_test)} test images a pass, "
          f"median of {args.repeats} timings of >= 0.5 s each")
    print(blas_note())
    cases = [("train", train_pass, 1, len(x_train)), ("train", train_pass, args.train_batch, len(x_train)),
             ("infer", infer_pass, 1, len(x_test)), ("infer", infer_pass, args.infer_batch, len(x_test))]
    for name, fn, batch, n in cases:
        fn(batch)                                # warm-up pass: allocator, kernel selection
        median, rates = median_rate(lambda: fn(batch), n, args.repeats)
        print(f"{name} batch {batch}: {median:,.0f} images/s median, {max(rates):,.0f} best  "
              f"(timings: {', '.join(f'{r:,.0f}' for r in rates)})")


def main():
    p = common_args(__doc__)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1)")
    p.add_argument("--train-batch", type=int, default=64, help="bench: the minibatch training size")
    p.add_argument("--infer-batch", type=int, default=256, help="bench: the batched inference size")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    if args.mode == "job":
        run_job(args)
    else:
        run_bench(args)


if __name__ == "__main__":
    main()
