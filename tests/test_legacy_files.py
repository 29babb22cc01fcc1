"""Model files and checkpoints written by an earlier glassnet still load, and give what they gave then.

The files in tests/data/legacy were written by glassnet at commit 43ef5fe (see make_files.py there);
expected.npz holds the outputs the models gave in the process that wrote them, before any file was read
back: an independent record of what loading must reproduce. Since then the activations and costs were
made exact to a few ulps (sigmoid, tanh's slope, softmax), so outputs are compared to within float
rounding: ``ULPS`` units in the last place straight after loading, ``TRAINED`` relative error after more
training steps (the same steps, on rounding-level different gradients). The random generators, the
labels and the architecture still reproduce exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import glassnet
from glassnet import Network
from glassnet.checkpoint import load_checkpoint, restore_trainer
from glassnet.optimizers import SGD, StepDecay
from glassnet.training import EarlyStopping, Trainer

LEGACY = Path(__file__).resolve().parent / "data" / "legacy"
ULPS = 4
TRAINED = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}


def same_outputs(actual: np.ndarray, recorded: np.ndarray) -> None:
    """``actual`` is ``recorded`` up to ``ULPS`` units in the last place of its dtype."""
    assert actual.dtype == recorded.dtype and actual.shape == recorded.shape
    np.testing.assert_array_max_ulp(actual, recorded, maxulp=ULPS)


def close_after_training(actual: np.ndarray, recorded: np.ndarray) -> None:
    assert actual.dtype == recorded.dtype and actual.shape == recorded.shape
    np.testing.assert_allclose(actual, recorded, rtol=TRAINED[actual.dtype], atol=0)


@pytest.fixture(scope="module")
def expected():
    with np.load(LEGACY / "expected.npz", allow_pickle=False) as data:
        arrays = dict(data)
    return arrays, json.loads((LEGACY / "expected.json").read_text())


def test_a_legacy_network_file_loads_with_its_weights_and_random_generator(expected):
    arrays, _ = expected
    net = glassnet.load(LEGACY / "network.glassnet")
    assert isinstance(net, Network) and net.sizes == [3, 5, 3]
    out = net.predict(arrays["X"])
    same_outputs(out, arrays["network.predict"])
    assert np.array_equal(net.rng.random(4), arrays["network.rng_next"])
    header = glassnet.persistence.read_header(LEGACY / "network.glassnet")
    assert header["preprocessing"] == {"mean": [0.0] * 3, "scale": [1.0] * 3} and header["training"] == {"epochs": 3}


def test_a_legacy_adam_classifier_predicts_and_trains_on_as_it_did(expected):
    pytest.importorskip("sklearn")
    arrays, summary = expected
    X = arrays["X"]
    names = np.array(["low", "mid", "high"])[arrays["labels"]]
    clf = glassnet.load(LEGACY / "classifier_adam.glassnet")
    assert type(clf).__name__ == "MLPClassifier" and clf.solver == "adam"
    same_outputs(clf.predict_proba(X), arrays["classifier.predict_proba"])
    assert clf.predict(X).tolist() == summary["classifier.predict"]
    assert clf.loss_curve_ == summary["classifier.loss_curve_"]
    clf.partial_fit(X, names)  # one more epoch: the saved Adam memory and random generator at work
    close_after_training(clf.predict_proba(X), arrays["classifier.after_partial_fit"])


def test_a_legacy_sgd_momentum_regressor_predicts_and_trains_on_as_it_did(expected):
    pytest.importorskip("sklearn")
    arrays, summary = expected
    X, targets = arrays["X"], arrays["targets"]
    reg = glassnet.load(LEGACY / "regressor_sgd.glassnet")
    assert type(reg).__name__ == "MLPRegressor" and reg.solver == "sgd" and reg.n_outputs_ == 2
    out = reg.predict(X)
    assert out.dtype == np.float64
    same_outputs(out, arrays["regressor.predict"])
    assert reg.loss_curve_ == summary["regressor.loss_curve_"]
    reg.partial_fit(X, targets)  # the saved velocity, learning rate and random generator at work
    close_after_training(reg.predict(X), arrays["regressor.after_partial_fit"])


def test_a_legacy_checkpoint_resumes_to_the_uninterrupted_run(expected):
    arrays, summary = expected
    saved = load_checkpoint(LEGACY / "checkpoint.glassnet")
    assert (saved.epoch, saved.total_epochs, saved.finished) == (3, 6, False)
    # built as glassnet 0.1 built it (its default scheme), so that the validation rows drawn are the same
    net = Network.from_sizes([3, 4, 3], activation="tanh", cost="cross_entropy", seed=7, init="glorot_he")
    trainer = Trainer(net, arrays["X"], arrays["labels"], batch_size=16,
                      optimizer=SGD(StepDecay(0.2, factor=0.5, every=2), momentum=0.9, nesterov=True),
                      validation_split=0.2, early_stopping=EarlyStopping(patience=50), l2=0.01)
    restore_trainer(trainer, saved)
    trainer.run(saved.total_epochs - saved.epoch)
    np.testing.assert_allclose(trainer.history.cost, summary["checkpoint.final_cost"], rtol=1e-5)
    close_after_training(trainer.network.params, arrays["checkpoint.final_params"])
