"""What the page draws of a session: the data message, the frames and the backward view of one example.

Every number comes from the engine: the costs from :meth:`Network.evaluate_checked`, the pictures from each
layer's own ``evaluate`` over a grid of the input plane, and the backward view from one
:func:`glassnet.inspect.trace` of the chosen example (its ``to_dict()`` record is what the page renders:
the forward pass, the cost, each neuron's delta by BP1/BP2 with the terms ``w_kj * delta_j`` it sums,
the gradients by BP3/BP4 and the values after one plain gradient-descent step).

Arrays the page draws go as base64 of little-endian float32 (read with a Float32Array); numbers it prints
go as JSON floats (float32 values widen to float64 exactly).
"""

from __future__ import annotations

import base64
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .config import PLANE_HALF_WIDTH, ConfigError, short_repr
from .hints import hints

if TYPE_CHECKING:
    from ..layers import Dense
    from .session import PlaygroundSession

__all__ = ["data_message", "frame", "backward", "plane_extent", "encode"]

TRACE_NEURONS = 6      # the trace record shows each layer's first 6 neurons and each neuron's first 6 weights,
TRACE_WEIGHTS = 6      # as the text walkthrough does (a full record of 8 x 64 neurons takes a second to build)
OUTPUT_GRID = 48       # the output over the input plane: 48 x 48 cells (2 inputs) or 200 points (1 input)
HIDDEN_CELLS = 40_000  # all hidden heatmaps together hold at most about this many cells per frame


def _b64(array: np.ndarray) -> str:
    """An array as base64 of little-endian float32 (the page reads it with a Float32Array)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _floats(array: np.ndarray) -> list:
    """Exact float values for JSON (float32 numbers widen to float64 without change)."""
    return np.asarray(array, dtype=np.float64).tolist()


# ---------------------------------------------------------------------------------------------- the plane


def plane_extent(X: np.ndarray, standardized: bool, dataset: str) -> list[float]:
    """``[lo1, hi1(, lo2, hi2)]``: the input plane the pictures cover; [] for more than two inputs."""
    d = X.shape[1]
    if d > 2:
        return []
    if not standardized and dataset != "sine":
        half = max(PLANE_HALF_WIDTH, 1.05 * float(np.abs(X).max()))
        return [-half, half] * d
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.maximum(0.1 * (hi - lo), 0.1)
    return [v for j in range(d) for v in (float(lo[j] - pad[j]), float(hi[j] + pad[j]))]


def _grid(extent: list[float], res: int) -> np.ndarray:
    if len(extent) == 2:
        return np.linspace(extent[0], extent[1], res)[:, None]
    xs = np.linspace(extent[0], extent[1], res)
    ys = np.linspace(extent[3], extent[2], res)  # row 0 is the top of the picture: the largest x2
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def _over_plane(session: PlaygroundSession, extent: list[float], res: int) -> list[np.ndarray]:
    """Each layer's activations at the grid points (fresh arrays: the layers' kept arrays are untouched)."""
    net = session.net
    a = session.inputs(_grid(extent, res)).astype(net.dtype)
    out = []
    for layer in net.layers:
        _, a = layer.evaluate(a)
        out.append(a)
    return out


# ---------------------------------------------------------------------------------------------- messages


def data_message(session: PlaygroundSession) -> dict:
    """The data set, the split and the network's shape: sent once after the settings are accepted."""
    info, net = session.info, session.net
    n_in = session.X_train_raw.shape[1]   # the points' coordinates (the network may see more inputs)

    def points(X: np.ndarray, y: np.ndarray) -> dict:
        return {"X": _floats(X) if n_in <= 2 else [], "y": np.asarray(y).tolist()}

    y_all = np.concatenate([session.y_train, session.y_test]).astype(np.float64)
    return {
        "type": "data",
        "config": session.config,
        "name": info["name"],
        "task": info["task"],
        "n_classes": info["n_classes"],
        "class_names": info["class_names"],
        "features": info["features"],
        "standardized": info["standardize"],
        "extent": session.extent,
        "target_range": [float(y_all.min()), float(y_all.max())],
        "sizes": net.sizes,
        "activations": [layer.activation.name for layer in net.layers],
        "output": session.output()[0],
        "n_params": int(net.n_params),
        "batches_per_epoch": session.batches_per_epoch,
        "train": points(session.X_train_raw, session.y_train),   # (standardized already for uploads)
        "test": points(session.X_test_raw, session.y_test),
    }


def encode(session: PlaygroundSession, message: dict) -> str:
    """``message`` as JSON text; a number JSON cannot hold (NaN, infinity) is the run diverging."""
    try:
        return json.dumps(message, allow_nan=False, default=_jsonable)
    except ValueError:
        raise session.diverge() from None


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


def frame(session: PlaygroundSession) -> dict:
    """Costs, the output and each hidden neuron over the input plane, and the weights, as they are now.

    The costs shown are J on each part plus the training's L2 and L1 terms ``l2 / (2 n) sum W^2 + l1 / n sum |W|``
    (n: training rows).
    A non-finite cost or weight raises the session's DivergenceError (:meth:`PlaygroundSession.diverge`).
    """
    net, trainer = session.net, session.trainer
    n = len(session.X_train)
    train_out, train_cost, train_acc = net.evaluate_checked(session.X_train, session.Y_train)
    test_out, test_cost, test_acc = net.evaluate_checked(session.X_test, session.Y_test)
    if session.one_hot:   # classes through mse: the predicted class is the largest sigmoid output
        train_acc = float(np.mean(train_out.argmax(axis=1) == session.y_train))
        test_acc = float(np.mean(test_out.argmax(axis=1) == session.y_test))
    penalty = net.l2_penalty(trainer.l2, n) + net.l1_penalty(trainer.l1, n)
    if not all(math.isfinite(c) for c in (train_cost, test_cost, penalty)) or not session.finite_weights():
        raise session.diverge()
    message: dict[str, Any] = {
        "type": "frame",
        "epoch": session.epoch,
        "steps": session.steps,
        "progress": session.epoch + session.position / n,
        "train_cost": train_cost + penalty,
        "test_cost": test_cost + penalty,
        "train_accuracy": train_acc,
        "test_accuracy": test_acc,
        "weights": [_layer_weights(layer) for layer in net.layers],
    }
    session.record_cost(message["train_cost"])
    message["hints"] = hints(session, train_acc, message["train_cost"])
    if session.extent:
        message.update(_pictures(session, session.extent))
    if session.selected is not None:
        message["backward"] = backward(session, *session.selected)
    return message


def _layer_weights(layer: Dense) -> dict[str, str]:
    weights, bias = layer.weights, layer.bias
    assert weights is not None and bias is not None  # a built network's layers hold their arrays
    return {"w": _b64(weights), "b": _b64(bias)}


def _pictures(session: PlaygroundSession, extent: list[float]) -> dict:
    """The output over the plane, and each hidden neuron's activation over it (coarser when there are many)."""
    one_d = len(extent) == 2
    out_res = 200 if one_d else OUTPUT_GRID
    pictures: dict[str, Any] = {"output": {"res": out_res, "values": _b64(_over_plane(session, extent, out_res)[-1])}}
    net = session.net
    if session.info.get("featured"):   # the network's inputs over the plane (x1^2, sin x1, ...), small
        pictures["inputs"] = {"res": 12, "values": _b64(session.inputs(_grid(extent, 12)).T)}
    hidden = sum(layer.n_out for layer in net.layers[:-1])
    if hidden:
        res = 60 if one_d else int(min(24, max(8, math.sqrt(HIDDEN_CELLS / hidden))))
        # (res*res, units) per layer -> (units, res*res): one picture per neuron
        pictures["hidden"] = {"res": res, "layers": [_b64(a.T) for a in _over_plane(session, extent, res)[:-1]]}
    return pictures


# ---------------------------------------------------------------------------------------------- backward


def backward(session: PlaygroundSession, part: str, index: object) -> dict:
    """Every number of one gradient-descent step on one example, from one ``net.trace(x, y)`` (no L2).

    ``trace`` is the structured record (:meth:`Trace.to_dict`) that the page renders, and nothing else:
    the forward pass (``inputs``, each neuron's ``s`` and ``a``), the cost, each neuron's ``delta`` (BP1 at
    the output, BP2 below, with BP2's terms ``contributions``), ``bias_gradient`` (BP3), each weight's
    ``gradient`` (BP4) and the ``new_bias``/``new_value`` after one plain step with the learning rate. Big
    layers are shortened to their first ``TRACE_NEURONS`` neurons and ``TRACE_WEIGHTS`` weights, with the
    counts left out recorded.
    """
    X, Y, _ = session.rows(part)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(X):
        raise ConfigError("point", f"there is no {part} point number {short_repr(index)}")
    tr = session.net.trace(X[index : index + 1], Y[index : index + 1], learning_rate=session.config["learning_rate"],
                           input_names=session.info["features"])
    return {
        "type": "backward",
        "part": part,
        "index": index,
        "trace": tr.to_dict(max_neurons=TRACE_NEURONS, max_weights=TRACE_WEIGHTS),
    }
