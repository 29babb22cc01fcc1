"""One epoch on a sparse text-like X against the same X dense: time ratio and peak memory, in one process.

X is TF-IDF-like: ``--rows`` documents over a ``--vocabulary`` of words, ``--words`` draws per document from
a Zipf law (so a few words are common and most are rare), each row scaled to unit length; stored as a
float32 CSR array and, for the comparison, as its dense float32 form. The network is V-64-2 (ReLU, softmax
cross-entropy), Adam, batch 200, shuffled, float32, the estimators' defaults.

Each round trains one epoch on the sparse X and one on the dense X (fresh trainers from the same seed, so
both see the same batches), in turn, after one warm-up epoch of each; the ratio is taken within each round
and the median reported. Peak memory is measured apart from the timing (tracemalloc slows allocation): the
extra memory one ``Network.fit`` epoch allocates beyond X itself, which is already in memory.

    python benchmarks/sparse_epoch.py                       # 10,000 x 20,000, 30 words a document
    python benchmarks/sparse_epoch.py --rows 2000 --rounds 2    # a quick look
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import glassnet  # noqa: E402
from glassnet.training import Trainer  # noqa: E402


def text_like(rows: int, vocabulary: int, words: int, seed: int = 0) -> tuple[sp.csr_array, np.ndarray]:
    """A TF-IDF-like CSR X (unit-length rows, Zipf word counts) and two classes that depend on its words."""
    rng = np.random.default_rng(seed)
    columns = (rng.zipf(1.3, size=rows * words) - 1) % vocabulary
    row_of = np.repeat(np.arange(rows), words)
    counts = sp.coo_array((np.ones(rows * words, dtype=np.float32), (row_of, columns)), shape=(rows, vocabulary))
    X = counts.tocsr()
    X.sum_duplicates()
    idf = np.log(rows / (1.0 + np.bincount(X.indices, minlength=vocabulary))).astype(np.float32) + 1.0
    X.data *= idf[X.indices]
    norms = np.sqrt(np.add.reduceat(X.data**2, X.indptr[:-1]))
    X.data /= np.repeat(norms, np.diff(X.indptr))
    y = (np.asarray(X @ rng.standard_normal(vocabulary).astype(np.float32)) > 0).astype(int)
    return X, y


def network(vocabulary: int) -> glassnet.Network:
    return glassnet.Network.from_sizes([vocabulary, 64, 2], activation="relu", cost="cross_entropy", seed=0)


def epoch_seconds(X, y, vocabulary: int) -> float:
    trainer = Trainer(network(vocabulary), X, y, batch_size=200, optimizer="adam")
    start = time.perf_counter()
    trainer.run_epoch()
    return time.perf_counter() - start


def epoch_peak_bytes(X, y, vocabulary: int) -> int:
    net = network(vocabulary)
    tracemalloc.start()
    try:
        net.fit(X, y, epochs=1, batch_size=200, optimizer="adam")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--vocabulary", type=int, default=20_000)
    parser.add_argument("--words", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the record as JSON here")
    args = parser.parse_args(argv)

    X, y = text_like(args.rows, args.vocabulary, args.words)
    dense = X.toarray()
    for data in (X, dense):  # warm-up: the optimizer's kernels compile, the caches fill
        epoch_seconds(data, y, args.vocabulary)
    sparse_times, dense_times = [], []
    for _ in range(args.rounds):
        sparse_times.append(epoch_seconds(X, y, args.vocabulary))
        dense_times.append(epoch_seconds(dense, y, args.vocabulary))
    ratios = [d / s for s, d in zip(sparse_times, dense_times, strict=True)]
    record = {
        "rows": args.rows, "vocabulary": args.vocabulary, "nonzeros": int(X.nnz),
        "density": X.nnz / (args.rows * args.vocabulary),
        "x_sparse_mb": (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 1e6, "x_dense_mb": dense.nbytes / 1e6,
        "dense_over_sparse_time_per_round": ratios, "dense_over_sparse_time_median": statistics.median(ratios),
        "epoch_peak_mb_sparse": epoch_peak_bytes(X, y, args.vocabulary) / 1e6,
        "epoch_peak_mb_dense": epoch_peak_bytes(dense, y, args.vocabulary) / 1e6,
    }
    print(json.dumps(record, indent=2))
    if args.out is not None:
        args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


if __name__ == "__main__":
    main()
