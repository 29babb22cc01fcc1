"""One playground session: its settings, data, network and training, with no web code in it.

A :class:`PlaygroundSession` turns the page's settings (a plain dict, checked here against :data:`LIMITS`)
into a data set, a train/test split and a network, trains it one mini-batch at a time on glassnet's own
engine, and describes what the page draws: frames (costs, the output over the input plane, each hidden
neuron's activation over it, the weights) and the backward view of one example (each neuron's delta
and each weight's gradient, straight from :meth:`Network.gradients`).

The batch loop is the fit loop's, step by step, so that a run can be paused after any batch::

    at the start of an epoch   optimizer.start_epoch(epoch); shuffle the rows with network.rng
    for each batch             propagate, cost, backpropagate (BP1-BP4), add the L2 slope, optimizer.step

Because it draws from the same random generator in the same order, ``epochs`` whole epochs here give
bit for bit the weights of ``net.fit(X_train, y_train, epochs, ...)`` with the same settings; the Python
snippet the page offers relies on that.
"""

from __future__ import annotations

import base64
import csv
import io
import math
import os
import re
import tempfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import DivergenceError, InputError

__all__ = ["LIMITS", "ConfigError", "PlaygroundSession", "DEFAULT_CONFIG", "check_config"]

LIMITS: dict[str, Any] = {
    "max_hidden_layers": 8,
    "max_neurons": 64,
    "max_samples": 2000,
    "min_samples": 10,
    "max_upload_bytes": 1_000_000,
    "max_upload_rows": 10_000,
    "max_upload_columns": 32,
    "max_points": 1000,
    "max_classes": 5,
    "max_batch_size": 10_000,
    "max_learning_rate": 10.0,
    "max_l2": 10.0,
    "max_noise": 2.0,
    "max_seed": 2**31 - 1,
}

CLASSIFICATION_SETS = ("xor", "circles", "moons", "spiral", "gaussians")
REGRESSION_SETS = ("plane", "sine")
DATASETS = CLASSIFICATION_SETS + REGRESSION_SETS + ("draw", "upload")
MULTICLASS_SETS = ("spiral", "gaussians")
HIDDEN_ACTIVATIONS = ("tanh", "relu", "leaky_relu", "sigmoid", "arctan", "softplus", "identity")
COSTS = ("cross_entropy", "binary_cross_entropy", "mse")
OPTIMIZERS = ("sgd", "adam")

DEFAULT_CONFIG: dict[str, Any] = {
    "dataset": "xor",
    "classes": 3,
    "samples": 200,
    "noise": 0.1,
    "test_fraction": 0.3,
    "seed": 1,
    "layers": [{"units": 4, "activation": "tanh"}, {"units": 4, "activation": "tanh"}],
    "cost": "cross_entropy",
    "optimizer": "sgd",
    "learning_rate": 0.3,
    "batch_size": 10,
    "l2": 0.0,
    "points": [],
    "target": None,
}

OUTPUT_GRID = 48       # the output over the input plane: 48 x 48 cells (2 inputs) or 200 points (1 input)
HIDDEN_CELLS = 40_000  # all hidden heatmaps together hold at most about this many cells per frame
PLANE_HALF_WIDTH = 1.5  # the generated sets and drawn points live in [-1.5, 1.5]^2 (wider if noise says so)


class ConfigError(InputError):
    """A setting the playground refuses; ``field`` names the control on the page it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------------------------------------- settings


def _number(config: dict, field: str, low: float, high: float, *, integer: bool = False,
            low_open: bool = False) -> float | int:
    value = config.get(field, DEFAULT_CONFIG.get(field))
    label = field.replace("_", " ")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(field, f"{label} must be a number, not {value!r}")
    if integer and value != int(value):
        raise ConfigError(field, f"{label} must be a whole number, not {value!r}")
    if value < low or value > high or (low_open and value == low):
        lower = f"more than {low:g}" if low_open else f"at least {low:g}"
        raise ConfigError(field, f"{label} must be {lower} and at most {high:g}; got {value:g}")
    return int(value) if integer else float(value)


def _choice(config: dict, field: str, choices: tuple[str, ...]) -> str:
    value = config.get(field, DEFAULT_CONFIG.get(field))
    if value not in choices:
        raise ConfigError(field, f"{field.replace('_', ' ')} must be one of {', '.join(choices)}; got {value!r}")
    return value


def check_config(config: object) -> dict[str, Any]:
    """The page's settings checked against :data:`LIMITS`, with defaults filled in; or a ConfigError."""
    if not isinstance(config, dict):
        raise ConfigError("config", "the settings must be a JSON object")
    out: dict[str, Any] = {}
    out["dataset"] = _choice(config, "dataset", DATASETS)
    out["classes"] = _number(config, "classes", 2, LIMITS["max_classes"], integer=True)
    out["samples"] = _number(config, "samples", LIMITS["min_samples"], LIMITS["max_samples"], integer=True)
    out["noise"] = _number(config, "noise", 0, LIMITS["max_noise"])
    out["test_fraction"] = _number(config, "test_fraction", 0.05, 0.9)
    out["seed"] = _number(config, "seed", 0, LIMITS["max_seed"], integer=True)
    layers = config.get("layers", DEFAULT_CONFIG["layers"])
    if not isinstance(layers, list):
        raise ConfigError("layers", "layers must be a list of {units, activation}")
    if len(layers) > LIMITS["max_hidden_layers"]:
        raise ConfigError(
            "layers", f"at most {LIMITS['max_hidden_layers']} hidden layers; this network has {len(layers)}"
        )
    checked_layers = []
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict):
            raise ConfigError("layers", f"hidden layer {i} must be an object {{units, activation}}")
        units = layer.get("units")
        if (isinstance(units, bool) or not isinstance(units, (int, float)) or not math.isfinite(units)
                or units != int(units) or units < 1):
            raise ConfigError(f"layer{i}", f"hidden layer {i}: the number of neurons must be a whole number >= 1")
        if units > LIMITS["max_neurons"]:
            raise ConfigError(
                f"layer{i}", f"hidden layer {i} has {int(units)} neurons; the limit is {LIMITS['max_neurons']}"
            )
        activation = layer.get("activation", "tanh")
        if activation == "step":
            raise ConfigError(
                f"layer{i}",
                f"hidden layer {i}: the step activation cannot be trained by backpropagation (its slope is 0 "
                "everywhere, so no error flows back); pick tanh, relu or sigmoid",
            )
        if activation not in HIDDEN_ACTIVATIONS:
            raise ConfigError(
                f"layer{i}",
                f"hidden layer {i}: activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}; got {activation!r}",
            )
        checked_layers.append({"units": int(units), "activation": activation})
    out["layers"] = checked_layers
    out["cost"] = _choice(config, "cost", COSTS)
    out["optimizer"] = _choice(config, "optimizer", OPTIMIZERS)
    out["learning_rate"] = _number(config, "learning_rate", 0, LIMITS["max_learning_rate"], low_open=True)
    batch = config.get("batch_size", DEFAULT_CONFIG["batch_size"])
    out["batch_size"] = None if batch in (None, 0) else _number(
        config, "batch_size", 1, LIMITS["max_batch_size"], integer=True
    )
    out["l2"] = _number(config, "l2", 0, LIMITS["max_l2"])
    points = config.get("points") or []
    if not isinstance(points, list) or len(points) > LIMITS["max_points"]:
        raise ConfigError("points", f"at most {LIMITS['max_points']} drawn points, each [x1, x2, class]")
    checked_points = []
    for p in points:
        if (not isinstance(p, list) or len(p) != 3
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p)
                or p[2] != int(p[2]) or not 0 <= p[2] < out["classes"]
                or abs(p[0]) > PLANE_HALF_WIDTH or abs(p[1]) > PLANE_HALF_WIDTH):
            raise ConfigError(
                "points", f"each drawn point must be [x1, x2, class] inside the plane with a class below "
                f"{out['classes']}; got {p!r}"
            )
        checked_points.append([float(p[0]), float(p[1]), int(p[2])])
    out["points"] = checked_points
    target = config.get("target")
    if target is not None and (not isinstance(target, str) or len(target) > 200):
        raise ConfigError("target", "the target column must be a column name")
    out["target"] = target
    return out


# ---------------------------------------------------------------------------------------------- data


@dataclass
class Upload:
    """A CSV file the user sent: its name, text and the Dataset read from it."""

    filename: str
    text: str
    target: str
    dataset: Any


def read_upload(text: str, filename: str = "upload.csv", target: str | None = None) -> Upload:
    """Read CSV text (header row first; ``target`` column, default the last) within the upload limits."""
    from ..datasets import load_csv

    size = len(text.encode("utf-8"))
    if size > LIMITS["max_upload_bytes"]:
        raise ConfigError("upload", f"the file is {size:,} bytes; the limit is {LIMITS['max_upload_bytes']:,}")
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        raise ConfigError("upload", "the file needs a header row and at least one row of numbers")
    if len(lines) - 1 > LIMITS["max_upload_rows"]:
        raise ConfigError(
            "upload", f"the file has {len(lines) - 1:,} rows; the limit is {LIMITS['max_upload_rows']:,}"
        )
    try:  # the csv module's reading of the header, as load_csv's: quoted names keep their commas, lose their quotes
        header = next(
            [cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), skipinitialspace=True) if any(row)
        )
    except csv.Error as e:
        raise ConfigError("upload", f"the header row is not valid CSV ({e})") from None
    if len(header) > LIMITS["max_upload_columns"]:
        raise ConfigError(
            "upload", f"the file has {len(header)} columns; the limit is {LIMITS['max_upload_columns']}"
        )
    if target is None:
        target = header[-1]
    safe_name = re.sub(r"[^A-Za-z0-9_.\- ]", "_", os.path.basename(filename or "upload.csv"))[:100] or "upload.csv"
    with tempfile.TemporaryDirectory(prefix="glassnet-upload-") as folder:
        path = os.path.join(folder, "upload.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            dataset = load_csv(path, target)
        except (InputError, ValueError) as e:
            raise ConfigError("upload", str(e).replace(path, safe_name)) from None
    if dataset.n_samples < 4:
        raise ConfigError("upload", f"{safe_name} has {dataset.n_samples} rows; at least 4 are needed")
    if not np.isfinite(dataset.y.astype(np.float64)).all():
        raise ConfigError("upload", f"{safe_name}: the target column holds NaN or infinite values")
    if dataset.task == "classification" and dataset.n_classes > 20:
        raise ConfigError("upload", f"{safe_name}: {dataset.n_classes} classes; the playground takes at most 20")
    return Upload(safe_name, text, target, dataset)


def _generate(config: dict):
    from ..datasets import synthetic

    name = config["dataset"]
    maker = getattr(synthetic, name)
    kwargs = {"n_samples": config["samples"], "noise": config["noise"], "seed": config["seed"]}
    if name in MULTICLASS_SETS:
        kwargs["n_classes"] = config["classes"]
    return maker(**kwargs)


def _b64(array: np.ndarray) -> str:
    """An array as base64 of little-endian float32 (the page reads it with a Float32Array)."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def _floats(array: np.ndarray) -> list:
    """Exact float values for JSON (float32 numbers widen to float64 without change)."""
    return np.asarray(array, dtype=np.float64).tolist()


# ---------------------------------------------------------------------------------------------- session


class PlaygroundSession:
    """The state of one browser tab: settings, data, network, optimizer and the position in the epoch."""

    def __init__(self) -> None:
        self.config: dict[str, Any] | None = None
        self.upload: Upload | None = None
        self.selected: tuple[str, int] | None = None
        self.network = None

    # -- building ---------------------------------------------------------------------------------------
    def set_upload(self, upload: Upload) -> dict:
        self.upload = upload
        d = upload.dataset
        return {
            "filename": upload.filename, "rows": d.n_samples, "features": list(d.feature_names),
            "target": upload.target, "task": d.task, "classes": list(d.target_names) if d.n_classes else None,
        }

    def configure(self, config: object) -> dict:
        """Check ``config``, build the data and a fresh network from its seed; returns the data message."""
        config = check_config(config)
        X, y, info = self._data(config)
        task = info["task"]
        n_classes = info["n_classes"]
        cost = config["cost"]
        if task == "regression" and cost != "mse":
            raise ConfigError("cost", f"{info['name']} is a regression set (numbers to predict); use the mse cost")
        if task == "classification" and cost == "mse":
            raise ConfigError(
                "cost", "mse is the cost for regression; for classes pick cross_entropy (or binary_cross_entropy "
                "for two classes)"
            )
        if cost == "binary_cross_entropy" and n_classes != 2:
            raise ConfigError(
                "cost", f"binary_cross_entropy takes two classes; this data has {n_classes}: use cross_entropy"
            )
        from ..datasets import Standardizer, train_test_split

        try:
            X_train, X_test, y_train, y_test = train_test_split(
                X, y, test_size=config["test_fraction"], seed=config["seed"]
            )
        except InputError as e:
            raise ConfigError("test_fraction", str(e)) from None
        if len(X_train) < 2 or len(X_test) < 1:
            raise ConfigError("test_fraction", "too few rows to split into training and test parts")
        if info["standardize"]:
            scaler = Standardizer().fit(X_train)
            X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
        saved = dict(self.__dict__)
        try:
            self.config, self.info = config, info
            self.X_train_raw, self.y_train, self.X_test_raw, self.y_test = X_train, y_train, X_test, y_test
            self.selected = None
            self.reset()
            self.X_test, self.Y_test = self.network.check_XY(X_test, y_test)
            self._extent = self._plane_extent()
        except InputError as e:  # keep the session as it was: the page still shows the last good run
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise e if isinstance(e, ConfigError) else ConfigError("config", str(e)) from None
        return self.data_message()

    def _data(self, config: dict):
        name = config["dataset"]
        if name == "upload":
            if self.upload is None:
                raise ConfigError("upload", "no file uploaded yet: choose a CSV file first")
            if config["target"] not in (None, self.upload.target):
                self.upload = read_upload(self.upload.text, self.upload.filename, config["target"])
            d = self.upload.dataset
            info = {"name": self.upload.filename, "task": d.task, "n_classes": d.n_classes,
                    "features": list(d.feature_names), "class_names": list(d.target_names), "standardize": True}
            return d.X, d.y, info
        if name == "draw":
            points = config["points"]
            k = config["classes"]
            if len(points) < 4:
                raise ConfigError("points", f"click at least 4 points onto the plane (there are {len(points)})")
            arr = np.array(points, dtype=np.float64)
            labels = arr[:, 2].astype(np.int64)
            if len(np.unique(labels)) < 2:
                raise ConfigError("points", "the drawn points need at least two different classes")
            info = {"name": "your points", "task": "classification", "n_classes": k, "features": ["x1", "x2"],
                    "class_names": [f"class {i}" for i in range(k)], "standardize": False}
            return arr[:, :2], labels, info
        d = _generate(config)
        info = {"name": name, "task": d.task, "n_classes": d.n_classes, "features": list(d.feature_names),
                "class_names": list(d.target_names), "standardize": False}
        return d.X, d.y, info

    def _build_network(self):
        from ..layers import Dense
        from ..network import Network

        c = self.config
        n_in = len(self.info["features"])
        widths = [n_in] + [layer["units"] for layer in c["layers"]]
        layers = [Dense(widths[i], widths[i + 1], c["layers"][i]["activation"]) for i in range(len(c["layers"]))]
        output, n_out = self._output()
        layers.append(Dense(widths[-1], n_out, output))
        return Network(layers, cost=c["cost"], seed=c["seed"])

    def _output(self) -> tuple[str, int]:
        cost = self.config["cost"]
        if cost == "cross_entropy":
            return "softmax", self.info["n_classes"]
        if cost == "binary_cross_entropy":
            return "sigmoid", 1
        return "identity", 1

    def reset(self) -> None:
        """A fresh network and optimizer from the seed: the same seed always gives the same start."""
        from ..training import Trainer

        c = self.config
        self.network = self._build_network()
        self.trainer = Trainer(self.network, self.X_train_raw, self.y_train, batch_size=c["batch_size"],
                               optimizer=c["optimizer"], learning_rate=c["learning_rate"], l2=c["l2"])
        self.X_train, self.Y_train = self.trainer.X, self.trainer.Y
        self.optimizer = self.trainer.optimizer
        self.epoch = 0
        self.steps = 0
        self.batch = 0               # the next batch's number within the epoch
        self._batches = None         # this epoch's batches, from the fit loop's own generator
        self._last_good = None

    # -- training ---------------------------------------------------------------------------------------
    def step(self) -> float:
        """Train one mini-batch; returns its cost (measured before the step, as the fit loop does)."""
        net, trainer = self.network, self.trainer
        if self._batches is None:  # a new epoch, begun as Trainer.run_epoch begins one
            self.optimizer.start_epoch(self.epoch)
            self._batches = trainer._batches()
            self._last_good = net.params.copy()
        xb, yb, wb = next(self._batches)
        out = net.propagate(xb)
        cost = net.cost_function.value(net.layers[-1].s, out, yb)
        if not math.isfinite(cost):
            self._diverged()
        net.backpropagate(yb)
        net.add_l2_gradient(self.config["l2"], len(self.X_train))
        self.optimizer.step(net.params, net.grads)
        self.steps += 1
        self.batch += 1
        if self.batch >= self.batches_per_epoch:
            if not np.isfinite(net.params).all():
                self._diverged()
            self._batches = None
            self.batch = 0
            self.epoch += 1
            trainer.epoch = self.epoch
        return float(cost)

    def _diverged(self) -> None:
        self.network.params[...] = self._last_good
        self._batches = None
        self.batch = 0
        raise DivergenceError(
            f"training diverged in epoch {self.epoch + 1}: the cost became NaN or infinite. Lower the "
            f"learning rate (it is {self.config['learning_rate']:g}); the network is back at the weights "
            "it had when that epoch began",
            epoch=self.epoch + 1,
        )

    @property
    def position(self) -> int:
        """How many training rows of the current epoch have been used."""
        size = self.config["batch_size"] or len(self.X_train)
        return min(self.batch * size, len(self.X_train))

    @property
    def batches_per_epoch(self) -> int:
        n = len(self.X_train)
        size = self.config["batch_size"] or n
        return -(-n // size)

    def train(self, batches: int) -> None:
        """Train ``batches`` mini-batches."""
        for _ in range(batches):
            self.step()

    # -- what the page draws ----------------------------------------------------------------------------
    def _plane_extent(self) -> list[float]:
        X = np.concatenate([self.X_train_raw, self.X_test_raw])
        d = X.shape[1]
        if d > 2:
            return []
        if not self.info["standardize"] and self.config["dataset"] != "sine":
            half = max(PLANE_HALF_WIDTH, 1.05 * float(np.abs(X).max()))
            return [-half, half] * d
        lo, hi = X.min(axis=0), X.max(axis=0)
        pad = np.maximum(0.1 * (hi - lo), 0.1)
        return [v for j in range(d) for v in (float(lo[j] - pad[j]), float(hi[j] + pad[j]))]

    def _grid(self, res: int) -> np.ndarray:
        e = self._extent
        if len(e) == 2:
            return np.linspace(e[0], e[1], res)[:, None]
        xs = np.linspace(e[0], e[1], res)
        ys = np.linspace(e[3], e[2], res)  # row 0 is the top of the picture: the largest x2
        gx, gy = np.meshgrid(xs, ys)
        return np.column_stack([gx.ravel(), gy.ravel()])

    def _over_plane(self, res: int) -> list[np.ndarray]:
        """Each layer's activations at the grid points (fresh arrays: the layers' kept arrays are untouched)."""
        a = self._grid(res).astype(self.network.dtype)
        out = []
        for layer in self.network.layers:
            _, a = layer.evaluate(a)
            out.append(a)
        return out

    def data_message(self) -> dict:
        info = self.info
        n_in = len(info["features"])
        def points(X, y):
            return {"X": _floats(X) if n_in <= 2 else [], "y": np.asarray(y).tolist()}
        Xtr, Xte = self.X_train_raw, self.X_test_raw  # (standardized already for uploads)
        y_all = np.concatenate([self.y_train, self.y_test]).astype(np.float64)
        return {
            "type": "data",
            "config": self.config,
            "name": info["name"],
            "task": info["task"],
            "n_classes": info["n_classes"],
            "class_names": info["class_names"],
            "features": info["features"],
            "standardized": info["standardize"],
            "extent": self._extent,
            "target_range": [float(y_all.min()), float(y_all.max())],
            "sizes": self.network.sizes,
            "activations": [layer.activation.name for layer in self.network.layers],
            "output": self._output()[0],
            "n_params": int(self.network.n_params),
            "batches_per_epoch": self.batches_per_epoch,
            "train": points(Xtr, self.y_train),
            "test": points(Xte, self.y_test),
        }

    def frame(self) -> dict:
        """Costs, the output and each hidden neuron over the input plane, and the weights, as they are now."""
        net = self.network
        l2 = self.config["l2"]
        n = len(self.X_train)
        _, train_cost, train_acc = net._evaluate(self.X_train, self.Y_train)
        _, test_cost, test_acc = net._evaluate(self.X_test, self.Y_test)
        penalty = net.l2_penalty(l2, n)
        frame: dict[str, Any] = {
            "type": "frame",
            "epoch": self.epoch,
            "steps": self.steps,
            "progress": self.epoch + self.position / n,
            "train_cost": train_cost + penalty,
            "test_cost": test_cost + penalty,
            "train_accuracy": train_acc,
            "test_accuracy": test_acc,
            "weights": [{"w": _b64(layer.weights), "b": _b64(layer.bias)} for layer in net.layers],
        }
        if self._extent:
            one_d = len(self._extent) == 2
            out_res = 200 if one_d else OUTPUT_GRID
            frame["output"] = {"res": out_res, "values": _b64(self._over_plane(out_res)[-1])}
            hidden = sum(layer.n_out for layer in net.layers[:-1])
            if hidden:
                res = 60 if one_d else int(min(24, max(8, math.sqrt(HIDDEN_CELLS / hidden))))
                # (res*res, units) per layer -> (units, res*res): one picture per neuron
                frame["hidden"] = {"res": res, "layers": [_b64(a.T) for a in self._over_plane(res)[:-1]]}
        if self.selected is not None:
            frame["backward"] = self.backward(*self.selected)
        return frame

    # -- the backward view ------------------------------------------------------------------------------
    def backward(self, part: str, index: int) -> dict:
        """Every number of backpropagation for one example, from ``net.gradients(x, y)`` (no L2).

        For each layer: the inputs ``a_prev``, ``s``, ``a``, the slope ``f'(s)``, ``delta`` (BP1 at the
        output, BP2 below), ``grad_bias = delta`` (BP3), ``grad_weights = a_prev^T delta`` (BP4), and the
        values one plain gradient-descent step with the learning rate would give.
        """
        if part not in ("train", "test"):
            raise ConfigError("point", "the point must come from the training or the test part")
        X, Y, labels = (self.X_train, self.Y_train, self.y_train) if part == "train" else (
            self.X_test, self.Y_test, self.y_test)
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(X):
            raise ConfigError("point", f"there is no {part} point number {index!r}")
        net = self.network
        x, y = X[index : index + 1], Y[index : index + 1]
        grads = net.gradients(x, y)  # leaves each layer's a_prev, s, a and delta for this one example
        lr = self.config["learning_rate"]
        cost = net.cost_function.value(net.layers[-1].s, net.layers[-1].a, y)
        layers = []
        for i, (layer, (dW, db)) in enumerate(zip(net.layers, grads, strict=True)):
            above = net.layers[i + 1] if i + 1 < len(net.layers) else None
            # BP2's terms: what neuron k of this layer receives from each neuron j above, w_kj * delta_j
            contributions = None if above is None else _floats(above.weights * above.delta[0])
            fused = layer is net.layers[-1] and net.cost_function.fused_with is not None
            slope = None if fused or not layer.activation.elementwise else layer.activation.slope(layer.s, layer.a)
            layers.append({
                "activation": layer.activation.name,
                "a_prev": _floats(layer.a_prev[0]),
                "s": _floats(layer.s[0]),
                "a": _floats(layer.a[0]),
                "slope": None if slope is None else _floats(slope[0]),
                "delta": _floats(layer.delta[0]),
                "contributions": contributions,
                "weights": _floats(layer.weights),
                "bias": _floats(layer.bias),
                "grad_weights": _floats(dW),
                "grad_bias": _floats(db),
                "new_weights": _floats(layer.weights - lr * dW),
                "new_bias": _floats(layer.bias - lr * db),
            })
        # the worked numbers of "See inside", for the page's step-through
        traced = net.trace(x, y, learning_rate=lr, input_names=self.info["features"])
        return {
            "type": "backward",
            "trace": traced.to_dict(),  # the page renders the backward view from this record
            "trace_text": traced.to_text(),
            "part": part,
            "index": index,
            "x": _floats(x[0]),
            "y": _floats(y[0]),
            "label": np.asarray(labels[index]).item(),
            "cost": float(cost),
            "cost_name": net.cost_function.name,
            "fused": net.cost_function.fused_with is not None,
            "learning_rate": lr,
            "layers": layers,
        }

    # -- taking the run home ----------------------------------------------------------------------------
    def model_file(self) -> tuple[bytes, str]:
        """The trained network as a glassnet model file: (bytes, suggested file name)."""
        net = self.network
        with tempfile.TemporaryDirectory(prefix="glassnet-model-") as folder:
            path = os.path.join(folder, "playground.glassnet")
            net.save(path)
            with open(path, "rb") as f:
                return f.read(), "playground.glassnet"

    def snippet(self) -> str:
        """Python that rebuilds this run with glassnet: the same data, split, network, seed and training."""
        c, info = self.config, self.info
        lines = ["# Reproduces a glassnet playground run.", "import numpy as np", "", "import glassnet"]
        split = f"test_size={c['test_fraction']!r}, seed={c['seed']}"
        if c["dataset"] == "upload":
            lines += [
                "from glassnet.datasets import Standardizer, load_csv, train_test_split",
                "",
                f"data = load_csv({self.upload.filename!r}, target={self.upload.target!r})  # the file you uploaded",
                f"X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, {split})",
                "scaler = Standardizer().fit(X_train)",
                "X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)",
            ]
        elif c["dataset"] == "draw":
            pts = ",\n    ".join(f"[{x!r}, {y!r}, {int(k)}]" for x, y, k in c["points"])
            lines += [
                "from glassnet.datasets import train_test_split",
                "",
                f"points = np.array([\n    {pts},\n])",
                "X, y = points[:, :2], points[:, 2].astype(np.int64)",
                f"X_train, X_test, y_train, y_test = train_test_split(X, y, {split})",
            ]
        else:
            extra = f", n_classes={c['classes']}" if c["dataset"] in MULTICLASS_SETS else ""
            lines += [
                f"from glassnet.datasets import {c['dataset']}, train_test_split",
                "",
                f"data = {c['dataset']}(n_samples={c['samples']}, noise={c['noise']!r}, seed={c['seed']}{extra})",
                f"X_train, X_test, y_train, y_test = train_test_split(data.X, data.y, {split})",
            ]
        sizes = self.network.sizes
        dense = [f"    glassnet.Dense({sizes[i]}, {sizes[i + 1]}, {layer.activation.name!r}),"
                 for i, layer in enumerate(self.network.layers)]
        lines += ["", "net = glassnet.Network(["] + dense + [f"], cost={c['cost']!r}, seed={c['seed']})"]
        epochs = self.epoch
        if epochs:
            lines += [
                f"history = net.fit(X_train, y_train, epochs={epochs}, batch_size={c['batch_size']!r}, "
                f"optimizer={c['optimizer']!r},",
                f"                  learning_rate={c['learning_rate']!r}, l2={c['l2']!r})",
            ]
        else:
            lines.append("# not trained yet: the playground had run no whole epoch")
        if self.position:
            lines.append(f"# (the playground was {self.position} rows into epoch {epochs + 1}; "
                         "the snippet stops at the last whole epoch)")
        lines += [
            'print("training cost", net.cost(X_train, y_train), " test cost", net.cost(X_test, y_test))',
        ]
        if info["task"] == "classification":
            lines.append('print("test accuracy", net.accuracy(X_test, y_test))')
        return "\n".join(lines) + "\n"
