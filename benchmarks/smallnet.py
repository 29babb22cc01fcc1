"""The learner-sized benchmark: glassnet's ``Trainer.run_epoch`` against a hand-written numpy loop.

The network is the playground's kind: 2-8-8-2 with tanh hidden layers and a softmax output with
cross-entropy, trained by plain SGD (``w <- w - learning_rate * dJ/dw``, learning rate 0.3) on batches of 10
rows of glassnet's ``xor`` set (200 points, noise 0.1), float32. With so little arithmetic per batch
(a 10 x 8 product costs nothing) the time per step is overhead: Python calls, checks, temporaries.

The hand-written loop does exactly glassnet's maths, batch for batch, with the same bookkeeping the fit loop
keeps (the batch's cost and its count of right answers; ``keep_cost=False`` gives the bare loop without
them, reported beside it as the leanest reference):

- a new order of the rows each epoch from the same generator, each batch's rows sorted and gathered into
  reused buffers (as glassnet gathers them);
- forward: ``s_l = a_{l-1} @ W_l + b_l``, ``a_l = tanh(s_l)``, and at the output ``a_L = softmax(s_L)``;
- the cost ``J = -1/m sum y ln softmax(s_L)`` (log-sum-exp of the shifted logits);
- BP1 ``delta_L = (a_L - y) / m``; BP2 ``delta_{l-1} = (delta_l @ W_l^T) * (1 - a_{l-1}^2)``;
  BP3 ``dJ/db_l = sum over rows of delta_l``; BP4 ``dJ/dW_l = a_{l-1}^T @ delta_l``;
- SGD: ``W_l -= learning_rate * dJ/dW_l``, ``b_l -= learning_rate * dJ/db_l``.

Started from the same weights and the same generator state, both must hold the same parameters after any
number of steps (``check_same_parameters``; the benchmark asserts it before it times anything, and
tests/test_benchmarks.py checks it in float64 as an independent reference for the engine). The two are timed
in one process, interleaved block by block, so drift of the machine hits both alike.
"""

from __future__ import annotations

import copy
import statistics
import time

import numpy as np

SMALL_DEFAULTS = {
    "small_sizes": [2, 8, 8, 2],
    "small_rows": 200,
    "small_batch_size": 10,
    "small_learning_rate": 0.3,
    "small_dtype": "float32",
    "small_epochs_per_block": 100,  # 2,000 steps a block
    "small_blocks": 5,
}
# |glassnet - loop| after the check's steps: the two do the same operations in the same order, so any
# difference is rounding in BLAS kernels chosen by memory alignment; float64 is the tight reference.
TOLERANCE = {"float32": 1e-5, "float64": 1e-12}


def small_task(cfg: dict):
    """``(network, X, Y_one_hot, labels)``: glassnet's xor set and a fresh 2-8-8-2 tanh network."""
    from glassnet.datasets.synthetic import xor
    from glassnet.network import Network

    data = xor(cfg["small_rows"], noise=0.1, seed=cfg["seed"])
    dtype = np.dtype(cfg["small_dtype"])
    net = Network.from_sizes(cfg["small_sizes"], activation="tanh", cost="cross_entropy", seed=cfg["seed"],
                             dtype=dtype)
    X = np.ascontiguousarray(data.X, dtype=dtype)
    labels = np.asarray(data.y, dtype=np.int64)
    Y = np.eye(cfg["small_sizes"][-1], dtype=dtype)[labels]  # one-hot rows, built here (not by glassnet)
    return net, X, Y, labels


class HandLoop:
    """Mini-batch SGD for a tanh network with a softmax cross-entropy output, written out in numpy.

    ``weights``/``biases`` are copied; ``rng`` draws each epoch's order of the rows (pass a copy of the
    glassnet network's generator to see the same batches).
    """

    def __init__(self, weights, biases, X, Y, batch_size: int, learning_rate: float, rng: np.random.Generator,
                 keep_cost: bool = True):
        self.keep_cost = keep_cost  # False: the bare loop, no cost or accuracy (the leanest reference)
        self.W = [np.array(w, copy=True) for w in weights]
        self.b = [np.array(b, copy=True) for b in biases]
        self.X, self.Y, self.rng = X, Y, rng
        self.batch_size, self.learning_rate = batch_size, learning_rate
        m, dtype = batch_size, X.dtype
        self.xb = np.empty((m, X.shape[1]), dtype=dtype)
        self.yb = np.empty((m, Y.shape[1]), dtype=dtype)
        self.s = [np.empty((m, w.shape[1]), dtype=dtype) for w in self.W]
        self.a = [np.empty((m, w.shape[1]), dtype=dtype) for w in self.W]
        self.delta = [np.empty((m, w.shape[1]), dtype=dtype) for w in self.W]
        self.gW = [np.empty_like(w) for w in self.W]
        self.gb = [np.empty_like(b) for b in self.b]

    def run_epoch(self) -> tuple[float, float]:
        """One shuffled pass of SGD steps; returns the epoch's mean cost and accuracy (before each step)."""
        X, Y, W, b, gW, gb = self.X, self.Y, self.W, self.b, self.gW, self.gb
        n, size, lr = len(X), self.batch_size, self.learning_rate
        last = len(W) - 1
        order = self.rng.permutation(n)
        total, correct = 0.0, 0
        for begin in range(0, n, size):
            rows = np.sort(order[begin : begin + size])
            m = len(rows)
            x = np.take(X, rows, axis=0, out=self.xb[:m], mode="clip")
            y = np.take(Y, rows, axis=0, out=self.yb[:m], mode="clip")
            inputs = [x]
            a = x
            for i in range(last):                                      # s = a W + b, a = tanh(s)
                s = np.matmul(a, W[i], out=self.s[i][:m])
                s += b[i]
                a = np.tanh(s, out=self.a[i][:m])
                inputs.append(a)
            s = np.matmul(a, W[last], out=self.s[last][:m])
            s += b[last]
            a = np.subtract(s, s.max(axis=1, keepdims=True), out=self.a[last][:m])  # softmax
            np.exp(a, out=a)
            a /= a.sum(axis=1, keepdims=True)
            if self.keep_cost:
                shifted = s - s.max(axis=1, keepdims=True)            # J = -1/m sum y ln softmax(s)
                total += float(-np.vdot(y, shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))))
                correct += int(np.count_nonzero(a.argmax(axis=1) == y.argmax(axis=1)))
            delta = np.subtract(a, y, out=self.delta[last][:m])       # BP1: (a - y) / m
            delta *= 1.0 / m
            for i in range(last, -1, -1):
                np.sum(delta, axis=0, out=gb[i])                      # BP3
                np.matmul(inputs[i].T, delta, out=gW[i])              # BP4
                if i:
                    below = np.matmul(delta, W[i].T, out=self.delta[i - 1][:m])  # BP2
                    below *= 1 - inputs[i] * inputs[i]                # tanh'(s) = 1 - a^2
                    delta = below
            for i in range(last + 1):                                 # SGD
                W[i] -= lr * gW[i]
                b[i] -= lr * gb[i]
        return total / n, correct / n


def pair(cfg: dict, keep_cost: bool = True):
    """A glassnet Trainer and a HandLoop starting from the same parameters and generator state."""
    from glassnet.optimizers import SGD
    from glassnet.training import Trainer

    net, X, Y, labels = small_task(cfg)
    rng = copy.deepcopy(net.rng)  # before the Trainer: both draw the same orders from here on
    loop = HandLoop([layer.weights for layer in net.layers], [layer.bias for layer in net.layers], X, Y,
                    cfg["small_batch_size"], cfg["small_learning_rate"], rng, keep_cost)
    trainer = Trainer(net, X, labels, batch_size=cfg["small_batch_size"],
                      optimizer=SGD(cfg["small_learning_rate"]), shuffle=True)
    return trainer, loop


def max_difference(trainer, loop) -> float:
    """The largest |glassnet parameter - hand-written loop parameter|."""
    diffs = []
    for layer, w, b in zip(trainer.network.layers, loop.W, loop.b, strict=True):
        diffs += [float(np.max(np.abs(layer.weights - w))), float(np.max(np.abs(layer.bias - b)))]
    return max(diffs)


def check_same_parameters(cfg: dict, epochs: int) -> dict:
    """Run both ``epochs`` epochs from the same start; their costs and largest parameter difference."""
    trainer, loop = pair(cfg)
    costs = []
    for _ in range(epochs):
        logs = trainer.run_epoch()
        cost, accuracy = loop.run_epoch()
        costs.append((logs["cost"], cost, logs["accuracy"], accuracy))
    steps = epochs * -(-len(loop.X) // loop.batch_size)
    return {"steps": steps, "max_parameter_difference": max_difference(trainer, loop), "costs": costs}


def run_small(cfg: dict) -> dict:
    """The small-network leg: the parameter check, then interleaved timed blocks of epochs."""
    cfg = {**SMALL_DEFAULTS, **cfg}
    check = check_same_parameters(cfg, epochs=10)
    tolerance = TOLERANCE[cfg["small_dtype"]]
    if not check["max_parameter_difference"] <= tolerance:
        raise AssertionError(
            f"glassnet and the hand-written loop differ by {check['max_parameter_difference']:.3g} after "
            f"{check['steps']} steps (tolerance {tolerance:g}): they no longer compute the same maths"
        )
    trainer, loop = pair(cfg)
    _, bare = pair(cfg, keep_cost=False)
    timed = {"glassnet": trainer.run_epoch, "loop": loop.run_epoch, "bare_loop": bare.run_epoch}
    for run_epoch in timed.values():
        run_epoch()  # warm up (first-call costs), as every leg leaves out its first epoch
    steps = cfg["small_epochs_per_block"] * -(-len(loop.X) // loop.batch_size)
    seconds: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(cfg["small_blocks"]):
        for name, run_epoch in timed.items():
            start = time.perf_counter()
            for _ in range(cfg["small_epochs_per_block"]):
                run_epoch()
            seconds[name].append(time.perf_counter() - start)
    ratios = {name: [g / h for g, h in zip(seconds["glassnet"], seconds[name], strict=True)]
              for name in ("loop", "bare_loop")}
    return {
        "steps_per_block": steps,
        "seconds_each_block": seconds,
        **{f"{name}_steps_per_second": steps / statistics.median(s) for name, s in seconds.items()},
        "time_ratio": statistics.median(ratios["loop"]),  # glassnet time / the loop's (the target's measure)
        "time_ratio_bare": statistics.median(ratios["bare_loop"]),
        "time_ratio_each_block": ratios["loop"],
        "check": {k: check[k] for k in ("steps", "max_parameter_difference")} | {"tolerance": tolerance},
        "settings": {k: cfg[k] for k in SMALL_DEFAULTS},
    }
