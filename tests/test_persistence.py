"""Saving and loading networks and estimators: exact round trips, and every damaged file refused cleanly."""

from __future__ import annotations

import io
import json
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from glassnet import ModelFileError, Network
from glassnet.persistence import load, read_header

sklearn = pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

RNG = np.random.default_rng(3)
X = RNG.normal(size=(30, 4))


def _fit(est, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _models():
    labels = np.digitize(X[:, 0], [-0.5, 0.5])
    return {
        "network": Network.from_sizes([4, 3, 2], activation="leaky_relu", cost="cross_entropy", seed=4),
        "strings": _fit(MLPClassifier((5,), max_iter=5, random_state=0), np.array(["no", "yes", "maybe"])[labels]),
        "bools": _fit(MLPClassifier((3,), max_iter=5, solver="sgd", random_state=0), labels > 0),
        "ints": _fit(MLPClassifier((3,), max_iter=5, class_weight={0: 2.0}, dtype="float64", random_state=0),
                     labels * 3),
        "regressor": _fit(MLPRegressor((4, 3), activation="tanh", max_iter=6, early_stopping=True, random_state=0),
                          X[:, :2]),
    }


MODELS = _models()


def _assert_same(a, b):
    assert type(a) is type(b)
    net_a, net_b = (a, b) if isinstance(a, Network) else (a.network_, b.network_)
    assert net_a.config() == net_b.config()
    assert net_a.params.dtype == net_b.params.dtype and np.array_equal(net_a.params, net_b.params)
    if isinstance(a, Network):
        assert np.array_equal(a.predict(X), b.predict(X))  # bit for bit
        return
    assert a.get_params() == b.get_params()
    out_a = a.predict_proba(X) if hasattr(a, "predict_proba") else a.predict(X)
    out_b = b.predict_proba(X) if hasattr(b, "predict_proba") else b.predict(X)
    assert out_a.dtype == out_b.dtype and np.array_equal(out_a, out_b)
    assert np.array_equal(a.predict(X), b.predict(X))
    for name in ("n_iter_", "loss_", "loss_curve_", "best_loss_", "validation_scores_", "validation_loss_curve_",
                 "n_features_in_", "n_outputs_", "out_activation_", "t_"):
        assert getattr(a, name) == getattr(b, name), name
    if hasattr(a, "classes_"):
        assert a.classes_.dtype == b.classes_.dtype and a.classes_.tolist() == b.classes_.tolist()
        assert [type(c) for c in a.classes_.tolist()] == [type(c) for c in b.classes_.tolist()]


@pytest.mark.parametrize("name", list(MODELS))
def test_round_trip_is_exact(tmp_path, name):
    model = MODELS[name]
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = load(path)
    _assert_same(model, loaded)
    if name == "bools":
        assert loaded.classes_.tolist() == [False, True]
    # training continues exactly as it would have: optimizer state and random generator were saved
    if not isinstance(model, Network) and not model.early_stopping:
        y = model.predict(X)
        model.partial_fit(X, y)
        loaded.partial_fit(X, y)
        assert np.array_equal(model.network_.params, loaded.network_.params)


def test_header_is_json_with_the_architecture_and_extras(tmp_path):
    path = tmp_path / "net.npz"
    MODELS["network"].save(path, preprocessing={"mean": [0.5] * 4, "scale": [2.0] * 4},
                           training={"epochs": 3})
    header = read_header(path)
    assert header["kind"] == "network" and header["network"]["sizes"] == [4, 3, 2]
    assert header["network"]["activations"][0]["name"] == "leaky_relu"
    assert header["preprocessing"]["scale"] == [2.0] * 4 and header["training"] == {"epochs": 3}
    MODELS["strings"].save(tmp_path / "clf.npz")
    fitted = read_header(tmp_path / "clf.npz")["estimator"]["fitted"]
    assert fitted["classes_"] == ["maybe", "no", "yes"]
    with zipfile.ZipFile(tmp_path / "clf.npz") as zf:
        assert all(not n.endswith(".pkl") for n in zf.namelist())
        json.loads(zf.read("header.json"))


def _rewrite(data: bytes, edit) -> bytes:
    """The same zip with its header.json replaced by edit(header) (a valid zip, valid CRC)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "header.json":
                content = json.dumps(edit(json.loads(content))).encode()
            zf.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize("edit, words", [
    (lambda h: h["network"].update(sizes=[4, 0, 2]), "sizes"),
    (lambda h: h["network"].update(sizes=[4, True, 2]), "sizes"),
    (lambda h: h["network"].update(sizes=[4, 6, 3]), "layer 0"),
    (lambda h: h["network"]["activations"][0].update(name="os.system"), "activation"),
    (lambda h: h["network"].update(cost="hinge"), "cost"),
    (lambda h: h["network"].update(activations=[{"name": "softmax"}, {"name": "softmax"}]), "softmax"),
    (lambda h: h["network"].update(dtype="float16"), "dtype"),
    (lambda h: h["network"]["activations"].pop(), "activations"),
    (lambda h: h["estimator"]["fitted"].update(classes_=["a", "b"]), "classes"),
    (lambda h: h["estimator"]["fitted"].update(classes_=["no", "no", "yes"]), "classes"),
    (lambda h: h["estimator"]["params"].update(hidden_layer_sizes=[7]), "hidden_layer_sizes"),
    (lambda h: h["estimator"]["params"].update(solver="lbfgs"), "lbfgs"),
    (lambda h: h["estimator"]["params"].update(evil=1), "unknown"),
    (lambda h: h["estimator"]["fitted"].update(n_features_in_=9), "n_features_in_"),
    (lambda h: h.update(kind="MLPRegressor"), "parameters"),
])
def test_edited_headers_are_refused(tmp_path, edit, words):
    path = tmp_path / "clf.npz"
    MODELS["strings"].save(path)
    target = tmp_path / "edited.npz"
    target.write_bytes(_rewrite(path.read_bytes(), lambda h: (edit(h), h)[1]))
    with pytest.raises(ModelFileError, match=words) as info:
        load(target)
    assert "edited.npz" in str(info.value)


def test_saving_refuses_what_it_cannot_hold(tmp_path):
    with pytest.raises(ModelFileError, match="not fitted"):
        MLPClassifier().save(tmp_path / "x.npz")
    from glassnet.persistence import save
    with pytest.raises(ModelFileError, match="dict"):
        save({"a": 1}, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()


_FILES = {}


def _file_bytes(name: str, tmp_path_factory) -> bytes:
    if name not in _FILES:
        path = tmp_path_factory.mktemp("src") / f"{name}.npz"
        MODELS[name].save(path)
        _FILES[name] = path.read_bytes()
    return _FILES[name]


def _mutations():
    flip = st.tuples(st.just("flip"), st.integers(0, 10**9), st.integers(0, 7))
    cut = st.tuples(st.just("truncate"), st.integers(0, 10**9), st.just(0))
    junk = st.tuples(st.just("overwrite"), st.integers(0, 10**9), st.integers(0, 255))
    return st.lists(st.one_of(flip, cut, junk), min_size=1, max_size=3)


def _json_edit():
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 10**6), st.floats(allow_nan=False),
                     st.text(max_size=5), st.lists(st.integers(-1, 5), max_size=4))
    return st.tuples(st.sampled_from(["set", "delete"]), st.integers(0, 10**6), leaf)


def _apply_json_edit(header, edit):
    """Set or delete one value somewhere in the header, picked by index among all paths."""
    op, index, value = edit
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                paths.append((node, k))
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                paths.append((node, i))
                walk(v, path + [i])

    walk(header, [])
    parent, key = paths[index % len(paths)]
    if op == "delete" and isinstance(parent, dict):
        del parent[key]
    else:
        parent[key] = value
    return header


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(list(MODELS)), mutations=_mutations())
def test_fuzz_damaged_bytes(tmp_path_factory, name, mutations):
    data = bytearray(_file_bytes(name, tmp_path_factory))
    for op, where, value in mutations:
        if not data:
            break
        where %= len(data)
        if op == "flip":
            data[where] ^= 1 << value
        elif op == "truncate":
            del data[where:]
        else:
            data[where] = value
    path = tmp_path_factory.mktemp("fuzz") / "damaged.npz"
    path.write_bytes(bytes(data))
    try:
        loaded = load(path)
    except ModelFileError:
        return
    _assert_same(MODELS[name], loaded)  # a change that mattered was caught (zip CRCs, checks)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(list(MODELS)), edits=st.lists(_json_edit(), min_size=1, max_size=3))
def test_fuzz_edited_headers(tmp_path_factory, name, edits):
    data = _file_bytes(name, tmp_path_factory)

    def edit(header):
        for one in edits:
            header = _apply_json_edit(header, one)
        return header

    path = tmp_path_factory.mktemp("fuzz") / "edited.npz"
    path.write_bytes(_rewrite(data, edit))
    try:
        loaded = load(path)
    except ModelFileError:
        return
    # an edit that still describes a valid model gives that model, and it works; no other error escapes
    assert type(loaded).__name__ in ("Network", "MLPClassifier", "MLPRegressor")
    (loaded if isinstance(loaded, Network) else loaded).predict(X)


# -- each kind owns its part ------------------------------------------------------------------------------
def test_a_network_rebuilt_from_its_file_form_predicts_and_draws_as_the_original():
    net = Network.from_sizes([4, 6, 2], activation="tanh", cost="binary_cross_entropy", seed=9, dtype="float64")
    net.fit(X, (X[:, :2] > 0).astype(float), epochs=2, batch_size=8)
    header, arrays = net.to_file()
    header = json.loads(json.dumps(header))  # through JSON, as a file holds it
    rebuilt = Network.from_file(header, {name: array.copy() for name, array in arrays.items()})
    assert rebuilt.config() == net.config()
    assert np.array_equal(rebuilt.predict(X), net.predict(X))
    assert np.array_equal(rebuilt.rng.random(3), net.rng.random(3))  # the generator carries on where it was
    with pytest.raises(ModelFileError, match="layer 1 are missing"):
        Network.from_file(header, {name: a for name, a in arrays.items() if name.startswith("layers.0.")})
    with pytest.raises(ModelFileError, match="float32"):
        Network.from_file({**header, "dtype": "float32"}, arrays)
    with pytest.raises(ModelFileError, match="rng_state"):
        Network.from_file({**header, "rng_state": {"bit_generator": "PCG64"}}, arrays)


def test_saving_and_loading_a_network_needs_no_estimators(tmp_path):
    """The dispatcher reaches the estimators only for their own kinds (they need scikit-learn)."""
    import subprocess
    import sys

    path = tmp_path / "net.npz"
    code = (
        "import sys, glassnet\n"
        f"net = glassnet.Network.from_sizes([2, 3, 1], seed=0); net.save({str(path)!r}); glassnet.load({str(path)!r})\n"
        "from glassnet import checkpoint\n"
        "assert 'glassnet.estimators' not in sys.modules and 'sklearn' not in sys.modules, sorted(sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
