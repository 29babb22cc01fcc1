"""ONNX export: onnxruntime, an independent engine, must predict what glassnet predicts.

Tolerances: 1e-5 in float32 and 1e-9 in float64 (absolute), on rows the model was not trained on.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="ONNX export needs glassnet[onnx] (onnx)")
ort = pytest.importorskip("onnxruntime", reason="the ONNX checks need glassnet[onnx] (onnxruntime)")

from glassnet import Dense, InputError, InputTypeError, MissingExtraError, Network  # noqa: E402
from glassnet.activations import Activation  # noqa: E402
from glassnet.export import to_onnx  # noqa: E402

TOL = {"float32": 1e-5, "float64": 1e-9}
HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus"]
DTYPES = ["float32", "float64"]


def run(proto, X):
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"X": X}), strict=True))


def data(rng, n=300, features=3, spread=3.0):
    X = rng.normal(size=(n, features)) * spread
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] - 0.2 * X[:, 2] ** 2 / spread
    return X, y


def trained(net, X, Y, epochs=15):
    net.fit(X, Y, epochs=epochs, batch_size=32, learning_rate=0.01, optimizer="adam")
    return net


# -- networks -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_network_with_each_activation_matches_onnxruntime(activation, dtype, rng):
    X, y = data(rng)
    Y = np.column_stack([y, -y])
    # the activation on the hidden layers and on the output, so each one's whole range is crossed
    net = Network.from_sizes([3, 8, 6, 2], activation=activation, output=activation, seed=3, dtype=dtype)
    trained(net, X[:200], Y[:200])
    held_out = (X[200:] * 4).astype(dtype)  # past the training range too: s far from 0 on every layer
    got = run(to_onnx(net), held_out)["variable"]
    assert got.dtype == np.dtype(dtype) and got.shape == (100, 2)
    assert np.max(np.abs(got - net.predict(held_out))) <= TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_network_gives_label_and_probabilities(dtype, rng):
    X, y = data(rng)
    labels = np.digitize(y, [-0.5, 0.5])
    net = trained(Network.from_sizes([3, 10, 3], activation="tanh", cost="cross_entropy", seed=1, dtype=dtype),
                  X[:200], labels[:200])
    held_out = X[200:].astype(dtype)
    out = run(to_onnx(net), held_out)
    assert np.max(np.abs(out["probabilities"] - net.predict(held_out))) <= TOL[dtype]
    assert out["label"].dtype == np.int64 and np.array_equal(out["label"], net.predict_classes(held_out))
    named = run(to_onnx(net, classes=["low", "mid", "high"]), held_out)
    assert named["label"].tolist() == [["low", "mid", "high"][k] for k in net.predict_classes(held_out)]


@pytest.mark.parametrize("dtype", DTYPES)
def test_arctan_and_softplus_far_from_zero(dtype):
    """The float64 graph spells arctan and softplus with other ops: checked against numpy's libm over 20 decades."""
    s = np.concatenate([[0.0, 1.0, -1.0, 2 - np.sqrt(3), 1 / np.sqrt(3), 700.0, -700.0],
                        np.logspace(-10, 10, 401), -np.logspace(-10, 10, 401)])
    s = s[np.abs(s) < (80 if dtype == "float32" else np.inf)].astype(dtype)[:, None]
    for name, reference in (("arctan", np.arctan), ("softplus", lambda v: np.logaddexp(0, v))):
        net = Network([Dense(1, 1, name, weights=[[1.0]], bias=[0.0])], dtype=dtype)
        got = run(to_onnx(net), s)["variable"]
        expected = reference(s.astype(np.float64))
        tolerance = 2e-16 * np.maximum(1.0, np.abs(expected)) * 4 if dtype == "float64" else TOL[dtype] * np.maximum(
            1.0, np.abs(expected))
        assert np.all(np.abs(got - expected) <= tolerance), name


def test_binary_and_multilabel_networks(rng):
    X, y = data(rng)
    binary = trained(Network.from_sizes([3, 6, 1], activation="relu", cost="binary_cross_entropy", seed=2),
                     X[:200], (y[:200] > 0).astype(float))
    held_out = X[200:].astype(np.float32)
    out = run(to_onnx(binary), held_out)
    p = binary.predict(held_out)
    assert np.max(np.abs(out["probabilities"] - np.hstack([1 - p, p]))) <= TOL["float32"]
    assert np.array_equal(out["label"], binary.predict_classes(held_out))
    Y = np.column_stack([y > 0, X[:, 0] > 0]).astype(float)
    multi = trained(Network.from_sizes([3, 6, 2], activation="tanh", cost="binary_cross_entropy", seed=2),
                    X[:200], Y[:200])
    out = run(to_onnx(multi), held_out)
    assert out["label"].shape == (100, 2) and np.array_equal(out["label"], multi.predict_classes(held_out))
    assert np.max(np.abs(out["probabilities"] - multi.predict(held_out))) <= TOL["float32"]


def test_standardization_is_folded_in(rng):
    from glassnet.datasets import Standardizer

    X, y = data(rng)
    X = X * [100.0, 0.01, 5.0] + [1000.0, -3.0, 0.0]
    inputs, target = Standardizer().fit(X[:200]), Standardizer().fit(y[:200])
    net = trained(Network.from_sizes([3, 8, 1], activation="tanh", seed=0, dtype="float64"),
                  inputs.transform(X[:200]), target.transform(y[:200]))
    proto = to_onnx(net, inputs=inputs, target=target)
    raw = X[200:]
    expected = target.inverse_transform(net.predict(inputs.transform(raw))[:, 0])
    assert np.max(np.abs(run(proto, raw)["variable"][:, 0] - expected)) <= TOL["float64"]


def test_written_atomically_and_loadable(tmp_path, rng):
    net = Network.from_sizes([3, 4, 1], activation="tanh", seed=0)
    path = tmp_path / "net.onnx"
    proto = net.to_onnx(path)
    assert onnx.load(str(path)).SerializeToString() == proto.SerializeToString()
    X = rng.normal(size=(5, 3)).astype(np.float32)
    assert np.max(np.abs(run(onnx.load(str(path)), X)["variable"] - net.predict(X))) <= TOL["float32"]
    assert [p.name for p in tmp_path.iterdir()] == ["net.onnx"]  # no temporary file left behind


# -- estimators ---------------------------------------------------------------------------------------------
ESTIMATOR_ACTIVATIONS = ["identity", "logistic", "tanh", "relu", "leaky_relu", "arctan", "softplus"]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # short fits, on purpose
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ESTIMATOR_ACTIVATIONS)
def test_estimators_match_onnxruntime(activation, dtype, rng):
    from glassnet.estimators import MLPClassifier, MLPRegressor

    X, y = data(rng)
    train, held_out = slice(0, 200), slice(200, None)
    Xh = X[held_out].astype(dtype)
    options = dict(hidden_layer_sizes=(7, 5), activation=activation, max_iter=30, random_state=0, dtype=dtype)
    reg = MLPRegressor(**options).fit(X[train], y[train])
    out = run(reg.to_onnx(None), Xh)["variable"]
    assert out.shape == (100, 1) and np.max(np.abs(out[:, 0] - reg.predict(Xh))) <= TOL[dtype]

    labels = np.array(["low", "mid", "high"])[np.digitize(y, [-0.5, 0.5])]
    clf = MLPClassifier(**options).fit(X[train], labels[train])
    out = run(to_onnx(clf), Xh)
    assert np.max(np.abs(out["probabilities"] - clf.predict_proba(Xh))) <= TOL[dtype]
    assert out["label"].tolist() == clf.predict(Xh).tolist()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("dtype", DTYPES)
def test_classifier_label_kinds(dtype, rng):
    from glassnet.estimators import MLPClassifier, MLPRegressor

    X, y = data(rng)
    Xh = X[200:].astype(dtype)
    options = dict(hidden_layer_sizes=(6,), activation="tanh", max_iter=300, random_state=1, dtype=dtype)
    for labels in (np.where(y > 0, 7, -3), np.where(y > 0, 2.0, -1.0), y > 0):  # ints, floats, bools
        clf = MLPClassifier(**options).fit(X[:200], labels[:200])
        out = run(to_onnx(clf), Xh)
        assert np.max(np.abs(out["probabilities"] - clf.predict_proba(Xh))) <= TOL[dtype]
        assert out["label"].shape == (100,) and np.array_equal(out["label"], clf.predict(Xh))
    multilabel = np.column_stack([y > 0, X[:, 0] > 0, X[:, 1] < 0]).astype(int)
    clf = MLPClassifier(**options).fit(X[:200], multilabel[:200])
    out = run(to_onnx(clf), Xh)
    assert out["label"].dtype == np.int64 and np.array_equal(out["label"], clf.predict(Xh))
    assert np.max(np.abs(out["probabilities"] - clf.predict_proba(Xh))) <= TOL[dtype]
    reg = MLPRegressor(**options).fit(X[:200], np.column_stack([y, 2 * y])[:200])
    out = run(to_onnx(reg), Xh)["variable"]
    assert out.shape == (100, 2) and np.max(np.abs(out - reg.predict(Xh))) <= TOL[dtype]


# -- refusals -----------------------------------------------------------------------------------------------
def test_step_and_foreign_activations_are_refused(tmp_path):
    path = tmp_path / "out.onnx"
    path.write_bytes(b"before")
    step = Network([Dense(2, 2, "step"), Dense(2, 1, "identity")])
    with pytest.raises(InputError, match="step activation.*sigmoid"):
        to_onnx(step, path)

    class Cube(Activation):
        name = "cube"

        def value(self, s, out=None):
            return np.power(s, 3, out=out)

        def slope(self, s, a, out=None):
            return np.multiply(3 * s, s, out=out)

    with pytest.raises(InputError, match="cube.*use one of"):
        to_onnx(Network([Dense(2, 1, Cube())]), path)
    assert path.read_bytes() == b"before"  # a refused export writes nothing


def test_unfitted_and_foreign_models_are_refused():
    from glassnet.estimators import MLPClassifier

    with pytest.raises(InputError, match="not fitted"):
        to_onnx(MLPClassifier())
    with pytest.raises(InputTypeError, match="Network or a fitted"):
        to_onnx("model.glassnet")
    net = Network.from_sizes([2, 3, 1], seed=0)
    with pytest.raises(InputError, match="inputs has 3 means"):
        to_onnx(net, inputs={"mean": [0, 0, 0], "scale": [1, 1, 1]})
    with pytest.raises(InputError, match="classes apply to a classification"):
        to_onnx(net, classes=["a", "b"])


def test_missing_onnx_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    with pytest.raises(MissingExtraError, match=r"glassnet\[onnx\]"):
        to_onnx(Network.from_sizes([2, 1], seed=0))


# -- the command line ---------------------------------------------------------------------------------------
def test_cli_export_folds_the_recorded_preprocessing(tmp_path, capsys):
    from glassnet.cli import main
    from glassnet.cli.models import Model
    from glassnet.datasets import load

    model_path, out = tmp_path / "wine.glassnet", tmp_path / "wine.onnx"
    assert main(["train", "wine", "--epochs", "3", "--layers", "8", "--quiet", "--out", str(model_path)]) == 0
    assert main(["export", str(model_path), "--to", "onnx", str(out)]) == 0
    model = Model.load(model_path)
    assert model.inputs is not None  # wine's columns are on very different scales: standardized
    X = np.asarray(load("wine").X, dtype=np.float32)
    got = run(onnx.load(str(out)), X)
    assert np.max(np.abs(got["probabilities"] - model.probabilities(model.outputs(X)))) <= TOL["float32"]
    assert got["label"].tolist() == [model.classes[k] for k in model.predict(X)]

    before = out.read_bytes()
    capsys.readouterr()
    assert main(["export", str(model_path), "--to", "onnx", str(out)]) == 1
    assert "--force" in capsys.readouterr().err and out.read_bytes() == before
    out.write_bytes(b"old")
    assert main(["export", str(model_path), "--to", "onnx", str(out), "--force"]) == 0
    assert out.read_bytes() == before


def test_cli_export_of_a_regression_model(tmp_path):
    from glassnet.cli import main
    from glassnet.cli.models import Model
    from glassnet.datasets import load

    model_path, out = tmp_path / "houses.glassnet", tmp_path / "houses.onnx"
    args = ["train", "houses", "--epochs", "3", "--layers", "6", "--quiet", "--dtype", "float64"]
    assert main([*args, "--out", str(model_path)]) == 0
    assert main(["export", str(model_path), "--to", "onnx", str(out)]) == 0
    model = Model.load(model_path)
    assert model.target_scaler is not None
    X = np.asarray(load("houses").X, dtype=np.float64)
    got = run(onnx.load(str(out)), X)["variable"][:, 0]
    assert np.max(np.abs(got - model.predict(X))) <= TOL["float64"] * np.max(np.abs(model.predict(X)))
