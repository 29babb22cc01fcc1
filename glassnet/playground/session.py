"""One playground session: its data, network and training, with no web code and no drawing in it.

A :class:`PlaygroundSession` turns checked settings (:mod:`.config`) into a data set, a train/test split and
a network, and trains it one mini-batch at a time through :meth:`glassnet.training.Trainer.step`, the fit
loop's own step: each batch goes forward (``s = a_{l-1} @ W + b``, ``a = f(s)``), back (BP1-BP4), gets the
L2 slope and the optimizer's step, and an epoch ends after ``trainer.n_batches`` of them. So ``epochs``
whole epochs here give bit for bit the weights of ``net.fit(X_train, y_train, epochs, ...)`` with the same
settings; the Python snippet the page offers (:mod:`.snippet`) relies on that. What the page draws of a
session is in :mod:`.views`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import DivergenceError, InputError
from .config import MULTICLASS_SETS, PLAIN_FEATURES, ConfigError, check_config, feature_columns, short_repr
from .uploads import Upload, read_upload

if TYPE_CHECKING:
    from ..network import Network
    from ..training import Trainer

__all__ = ["PlaygroundSession", "MAX_WEIGHT"]

MAX_WEIGHT = 100.0   # a weight set by hand lies in [-100, 100]


class PlaygroundSession:
    """The state of one browser tab: settings, data, network and its Trainer (the position in the epoch).

    After :meth:`configure`: ``config`` and ``info`` (name, task, n_classes, features, class_names,
    standardize, featured), the raw split ``X_train_raw, y_train, X_test_raw, y_test`` (the points'
    coordinates; standardized for uploads), the checked arrays ``X_train, Y_train, X_test, Y_test`` (X as the
    network's inputs, :meth:`inputs`; Y as its outputs) and ``extent``,
    the input plane the pictures cover ([] for more than two inputs).
    """

    def __init__(self) -> None:
        self.config: dict[str, Any] = {}
        self.info: dict[str, Any] = {}
        self.upload: Upload | None = None
        self.selected: tuple[str, int] | None = None  # the point whose backward view each frame carries
        self.network: Network | None = None
        self.steps = 0
        self.diverged: DivergenceError | None = None  # set at the first non-finite cost or weight; reset clears it
        self.history: list[float] = []   # the training cost of each frame since the start (for the hints)
        self.history_steps = 0             # the steps at the last cost recorded

    @property
    def net(self) -> Network:
        """The network, once the settings have been accepted."""
        if self.network is None:
            raise ConfigError("config", "send the settings first")
        return self.network

    # -- building ---------------------------------------------------------------------------------------
    def set_upload(self, upload: Upload) -> dict:
        """Keep ``upload`` for the 'upload' data set; returns what the page shows of it."""
        self.upload = upload
        d = upload.dataset
        return {
            "filename": upload.filename, "rows": d.n_samples, "features": list(d.feature_names),
            "target": upload.target, "task": d.task, "classes": list(d.target_names) if d.n_classes else None,
        }

    def configure(self, config: object) -> None:
        """Check ``config``, build the data and a fresh network from its seed; a refusal changes nothing."""
        from .views import plane_extent

        config = check_config(config)
        X, y, info = self._data(config)
        # two-input data may feed the network other inputs made from x1, x2 (x1^2, sin x1, ...)
        info["featured"] = X.shape[1] == 2 and config["dataset"] != "upload" and config["features"] != PLAIN_FEATURES
        if info["featured"]:
            info["features"] = list(config["features"])
        _check_cost(config["cost"], info)
        X_train, X_test, y_train, y_test = _split(X, y, config, info["standardize"])
        saved = dict(self.__dict__)
        try:
            self.config, self.info = config, info
            self.X_train_raw, self.y_train, self.X_test_raw, self.y_test = X_train, y_train, X_test, y_test
            self.selected = None
            net = self.reset()
            self.X_test, self.Y_test = net.check_XY(self.inputs(X_test), self.targets(y_test))
            self.extent = plane_extent(np.concatenate([X_train, X_test]), info["standardize"], config["dataset"])
        except InputError as e:  # keep the session as it was: the page still shows the last good run
            self.__dict__.clear()
            self.__dict__.update(saved)
            raise e if isinstance(e, ConfigError) else ConfigError("config", str(e)) from None

    def _data(self, config: dict) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        name = config["dataset"]
        if name == "upload":
            return self._uploaded(config)
        if name == "draw":
            return _drawn(config)
        d = _generate(config)
        info = {"name": name, "task": d.task, "n_classes": d.n_classes, "features": list(d.feature_names),
                "class_names": list(d.target_names), "standardize": False}
        return d.X, d.y, info

    def _uploaded(self, config: dict) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        if self.upload is None:
            raise ConfigError("upload", "no file uploaded yet: choose a CSV file first")
        if config["target"] not in (None, self.upload.target):
            self.upload = read_upload(self.upload.text, self.upload.filename, config["target"])
        d = self.upload.dataset
        info = {"name": self.upload.filename, "task": d.task, "n_classes": d.n_classes,
                "features": list(d.feature_names), "class_names": list(d.target_names), "standardize": True}
        return d.X, d.y, info

    def build_network(self) -> Network:
        from ..layers import Dense
        from ..network import Network

        c = self.config
        n_in = len(self.info["features"])
        widths = [n_in] + [layer["units"] for layer in c["layers"]]
        layers = [Dense(widths[i], widths[i + 1], c["layers"][i]["activation"]) for i in range(len(c["layers"]))]
        output, n_out = self.output()
        layers.append(Dense(widths[-1], n_out, output))
        return Network(layers, cost=c["cost"], seed=c["seed"])

    def output(self) -> tuple[str, int]:
        """The output layer the cost calls for: (activation, number of neurons).

        Classes with the mse cost get one sigmoid output per class, trained against one-hot targets (the
        classic way: ``J = 1/(n k) sum (a - y)^2`` with ``a = sigmoid(s)``); the predicted class is the largest.
        """
        cost = self.config["cost"]
        if cost == "cross_entropy":
            return "softmax", self.info["n_classes"]
        if cost == "binary_cross_entropy":
            return "sigmoid", 1
        if self.one_hot:
            return "sigmoid", self.info["n_classes"]
        return "identity", 1

    def inputs(self, X: np.ndarray) -> np.ndarray:
        """The network's inputs for points ``X`` (their coordinates): the chosen features of x1, x2, or X."""
        return feature_columns(X, self.info["features"]) if self.info.get("featured") else X

    @property
    def one_hot(self) -> bool:
        """Whether the targets are one-hot rows the session makes from the labels (classes with mse)."""
        return self.config["cost"] == "mse" and self.info["task"] == "classification"

    def targets(self, y: np.ndarray) -> np.ndarray:
        """What the network is trained against: the labels, or their one-hot rows (:attr:`one_hot`)."""
        return np.eye(self.info["n_classes"])[y] if self.one_hot else y

    def reset(self) -> Network:
        """A fresh network and Trainer from the seed: the same seed always gives the same start."""
        from ..training import Trainer

        c = self.config
        net = self.network = self.build_network()
        self.trainer: Trainer = Trainer(net, self.inputs(self.X_train_raw), self.targets(self.y_train),
                                        batch_size=c["batch_size"], optimizer=c["optimizer"],
                                        learning_rate=c["learning_rate"], l2=c["l2"], l1=c["l1"])
        self.X_train, self.Y_train = self.trainer.X, self.trainer.Y
        self.steps = 0
        self.diverged = None
        self.history, self.history_steps = [], 0
        return net

    def set_weight(self, layer: object, row: object, column: object, value: object) -> None:
        """Set one weight by hand: ``weights[row, column]`` of hidden or output layer ``layer`` (from 1), the
        ``w_{column,row}`` of the tutorials' notation, to ``value`` (finite, at most ``MAX_WEIGHT`` in size).
        The training goes on from there (the optimizer's state is kept)."""
        layers = self.net.layers

        def index(name: str, v: object, n: int) -> int:
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < n:
                raise ConfigError("weight", f"the weight's {name} must be a whole number from 0 to {n - 1}; "
                                  f"got {short_repr(v)}")
            return v

        number = index("layer", layer, len(layers) + 1)
        if number == 0:
            raise ConfigError("weight", "the inputs have no weights: the layers are numbered from 1")
        weights = layers[number - 1].weights
        assert weights is not None  # a built network's layers hold their arrays
        k, j = index("row", row, weights.shape[0]), index("column", column, weights.shape[1])
        # (abs first: a huge int compares with a float exactly, where math.isfinite would overflow)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) > MAX_WEIGHT \
                or not math.isfinite(value):
            raise ConfigError("weight", f"a weight must be a number from -{MAX_WEIGHT:g} to {MAX_WEIGHT:g}; "
                              f"got {short_repr(value)}")
        weights[k, j] = value

    # -- training ---------------------------------------------------------------------------------------
    def step(self) -> float:
        """Train one mini-batch (:meth:`Trainer.step`); returns its cost, measured before the step.

        The first non-finite cost or weight stops the training: this step and every later one raise the
        DivergenceError :meth:`diverge` makes, until :meth:`reset` (or new settings) start again.
        """
        if self.diverged is not None:
            raise self.diverged
        try:
            cost = float(self.trainer.step())
        except DivergenceError as e:  # the cost measured before this step; the step before made it so
            raise self.diverge(e.epoch - 1 if e.batch == 1 and e.epoch > 1 else e.epoch) from None
        self.steps += 1
        if not math.isfinite(cost) or not self.finite_weights():
            raise self.diverge()
        return cost

    def record_cost(self, cost: float) -> None:
        """Keep the training cost of a frame (once per step count; the last 200) for the hints."""
        if self.steps > self.history_steps:
            self.history = [*self.history[-199:], cost]
            self.history_steps = self.steps

    def finite_weights(self) -> bool:
        """Whether every weight and bias of the network is a finite number."""
        return all(np.isfinite(layer.weights).all() and np.isfinite(layer.bias).all()
                   for layer in self.net.layers)

    def diverge(self, epoch: int | None = None) -> DivergenceError:
        """Stop the training here (the first non-finite number): the error every later step raises.

        ``epoch`` (counted from 1) is the one the training was in; by default the one the last step ran in.
        """
        if self.diverged is None:
            if epoch is None:
                epoch = max(1, self.epoch + (self.trainer.batch > 0))
            self.diverged = DivergenceError(
                f"the cost diverged at epoch {epoch}: the numbers grew past what floating point holds. Try a "
                f"smaller learning rate (it is {self.config['learning_rate']:g}), then press Reset to start again",
                epoch=epoch,
            )
        return self.diverged

    def train(self, batches: int) -> None:
        """Train ``batches`` mini-batches."""
        for _ in range(batches):
            self.step()

    @property
    def epoch(self) -> int:
        """Whole epochs trained."""
        return self.trainer.epoch

    @property
    def position(self) -> int:
        """How many training rows of the current epoch have been used."""
        n = len(self.X_train)
        return min(self.trainer.batch * (self.trainer.batch_size or n), n)

    @property
    def batches_per_epoch(self) -> int:
        return self.trainer.n_batches

    def rows(self, part: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(X, Y, labels)`` of the 'train' or the 'test' part."""
        if part == "train":
            return self.X_train, self.Y_train, self.y_train
        if part == "test":
            return self.X_test, self.Y_test, self.y_test
        raise ConfigError("point", "the point must come from the training or the test part")


def _check_cost(cost: str, info: dict[str, Any]) -> None:
    """The cost must suit the data: mse for numbers; for classes a cross-entropy (binary for two) or mse."""
    if info["task"] == "regression" and cost != "mse":
        raise ConfigError("cost", f"{info['name']} is a regression set (numbers to predict); use the mse cost")
    if cost == "binary_cross_entropy" and info["n_classes"] != 2:
        raise ConfigError(
            "cost", f"binary_cross_entropy takes two classes; this data has {info['n_classes']}: use cross_entropy"
        )


def _split(X: np.ndarray, y: np.ndarray, config: dict, standardize: bool) -> tuple[np.ndarray, ...]:
    """The seeded train/test split, standardized with the training part's mean and spread if asked."""
    from ..datasets import Standardizer, train_test_split

    try:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=config["test_fraction"], seed=config["seed"]
        )
    except InputError as e:
        raise ConfigError("test_fraction", str(e)) from None
    if len(X_train) < 2 or len(X_test) < 1:
        raise ConfigError("test_fraction", "too few rows to split into training and test parts")
    if standardize:
        scaler = Standardizer().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    return X_train, X_test, y_train, y_test


def _drawn(config: dict) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
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


def _generate(config: dict) -> Any:
    from ..datasets import synthetic

    name = config["dataset"]
    maker = getattr(synthetic, name)
    kwargs = {"n_samples": config["samples"], "noise": config["noise"], "seed": config["seed"]}
    if name in MULTICLASS_SETS:
        kwargs["n_classes"] = config["classes"]
    return maker(**kwargs)
