#!/usr/bin/env python3
"""Writes the data set bundled in the CLI jar: the first 1,000 MNIST training and test examples,
the exact slices the post trains and tests on, as gzip IDX files with a fixed timestamp so the
bytes are reproducible.

    python3 scripts/make-bundled-mnist.py ../shared/data/mnist cli/src/main/resources/dev/vcnn/cli/mnist-1k
"""
import gzip
import struct
import sys
from pathlib import Path

COUNT = 1000


def head(src: Path, dst: Path, record_dims: int) -> None:
    data = gzip.decompress(src.read_bytes())
    magic, count = struct.unpack(">II", data[:8])
    dims = struct.unpack(">" + "I" * record_dims, data[8:8 + 4 * record_dims])
    header_size = 8 + 4 * record_dims
    record = 1
    for d in dims:
        record *= d
    assert count >= COUNT, f"{src} holds only {count} records"
    header = struct.pack(">II", magic, COUNT) + data[8:header_size]
    payload = data[header_size:header_size + COUNT * record]
    with open(dst, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out:
        out.write(header + payload)


def main() -> None:
    src, dst = Path(sys.argv[1]), Path(sys.argv[2])
    dst.mkdir(parents=True, exist_ok=True)
    for name, dims in [("train-images-idx3-ubyte", 2), ("train-labels-idx1-ubyte", 0),
                       ("t10k-images-idx3-ubyte", 2), ("t10k-labels-idx1-ubyte", 0)]:
        head(src / (name + ".gz"), dst / (name + ".gz"), dims)


if __name__ == "__main__":
    main()
