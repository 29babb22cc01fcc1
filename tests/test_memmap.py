"""Training from a numpy memmap: batches are gathered from the file, never a full copy in memory."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from glassnet.network import Network
from glassnet.training import Callback, Trainer, fit


def _task(n: int, n_features: int = 40, seed: int = 0):
    """Rows labelled by a random linear teacher with 3 classes (learnable; chance is about 1/3)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features)).astype(np.float32)
    y = np.argmax(X @ rng.normal(size=(n_features, 3)), axis=1)
    return X, y


@pytest.fixture
def on_disk(tmp_path):
    X, y = _task(6000)
    path = tmp_path / "train.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r"), X, y


def _net(seed=0):
    return Network.from_sizes([40, 16, 3], activation="relu", cost="cross_entropy", seed=seed)


def test_memmap_training_equals_in_memory_training(on_disk):
    mapped, X, y = on_disk
    assert isinstance(mapped, np.memmap)
    net_file, net_memory = _net(), _net()
    h_file = fit(net_file, mapped, y, 5, batch_size=64, optimizer="adam", learning_rate=0.01)
    h_memory = fit(net_memory, X, y, 5, batch_size=64, optimizer="adam", learning_rate=0.01)
    # The same rows in the same order with the same seed: the same numbers.
    np.testing.assert_array_equal(net_file.params, net_memory.params)
    assert h_file.cost == h_memory.cost
    assert net_file.accuracy(X, y) > 0.85  # it learned the teacher (chance: about 1/3)


def test_trainer_keeps_the_file_and_allocates_no_full_size_buffer(on_disk):
    mapped, _, y = on_disk
    net = _net()
    trainer = Trainer(net, mapped, y, batch_size=64, optimizer="adam")
    assert isinstance(trainer.X, np.memmap)  # checked in slices, not loaded
    tracemalloc.start()
    try:
        trainer.run_epoch()
        trainer.run_epoch()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # A shuffled copy of X would need X.nbytes (960 kB) at once; the batch buffers need 64 rows (10 kB).
    assert peak < mapped.nbytes / 4, f"training allocated {peak} bytes at its peak; X is {mapped.nbytes}"


def test_shuffled_epochs_still_visit_every_row_once(on_disk):
    mapped, _, y = on_disk
    trainer = Trainer(_net(), mapped, y, batch_size=250, optimizer="sgd")
    seen = []  # each batch as the network saw it: the first layer keeps its inputs a_0 and the output its delta

    class Watch(Callback):
        def on_batch_end(self, trainer, batch, cost):
            first, output = trainer.network.layers[0], trainer.network.layers[-1]
            # the fused softmax cross-entropy: delta = (a - y) / m, so the batch's one-hot targets are a - m delta
            seen.append((first.a_prev.copy(), output.a - len(output.a) * output.delta))

    trainer.callbacks.append(Watch())
    trainer.run_epoch()
    rows = np.concatenate([xb for xb, _ in seen])
    assert rows.shape == mapped.shape
    # The same multiset of rows as the file (compare sorted row keys), in a different order.
    key = lambda a: np.sort(a.view([("", a.dtype)] * a.shape[1]).ravel())  # noqa: E731
    np.testing.assert_array_equal(key(rows), key(np.asarray(mapped)))
    assert not np.array_equal(rows, np.asarray(mapped))
    # Each batch's targets travel with its rows.
    for xb, yb in seen:
        labels = yb.argmax(axis=1)
        first = int(np.flatnonzero((np.asarray(mapped) == xb[0]).all(axis=1))[0])
        assert labels[0] == y[first]
