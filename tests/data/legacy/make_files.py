"""How the model files beside this script were made, and what they must give when loaded.

They were written by glassnet at commit 43ef5fe (before each kind came to own its file form) with
``python tests/data/legacy/make_files.py``; ``expected.npz`` holds the inputs used and the outputs the
saved models gave *in that process* (the in-memory models, before any file was read back). Loading the
files with today's glassnet must give the same outputs, bit for bit (tests/test_legacy_files.py).

Running this script again rewrites the files with the glassnet of the day: do that only on purpose, to
add a new legacy generation (then keep the old files too, under another name).
"""

from __future__ import annotations

import json
import pathlib
import warnings

import numpy as np

import glassnet
from glassnet import Network
from glassnet.checkpoint import Checkpointer
from glassnet.estimators import MLPClassifier, MLPRegressor
from glassnet.optimizers import SGD, StepDecay
from glassnet.training import Callback, EarlyStopping, Trainer

HERE = pathlib.Path(__file__).resolve().parent


def _trainer(X, labels, callbacks=()):
    net = Network.from_sizes([3, 4, 3], activation="tanh", cost="cross_entropy", seed=7)
    return Trainer(net, X, labels, batch_size=16, optimizer=SGD(StepDecay(0.2, factor=0.5, every=2), momentum=0.9,
                   nesterov=True), validation_split=0.2, early_stopping=EarlyStopping(patience=50), l2=0.01,
                   callbacks=list(callbacks))


def main() -> None:
    rng = np.random.default_rng(2026)
    X = rng.normal(size=(40, 3))
    labels = np.digitize(X[:, 0] + 0.5 * X[:, 1] ** 2, [-0.3, 0.6])  # three classes 0, 1, 2
    names = np.array(["low", "mid", "high"])[labels]
    targets = np.stack([X[:, 0] - X[:, 1], X[:, 2] ** 2], axis=1)
    expected: dict[str, np.ndarray] = {"X": X, "labels": labels, "targets": targets}
    summary: dict[str, object] = {"glassnet_commit": "43ef5fe"}

    # a Network, trained a little, saved with preprocessing and training notes
    net = Network.from_sizes([3, 5, 3], activation="leaky_relu", cost="cross_entropy", seed=4)
    net.fit(X, labels, epochs=3, batch_size=8, optimizer="adam", learning_rate=0.01)
    net.save(HERE / "network.glassnet", preprocessing={"mean": [0.0] * 3, "scale": [1.0] * 3},
             training={"epochs": 3})
    expected["network.predict"] = net.predict(X)
    expected["network.rng_next"] = net.copy().rng.random(4)  # the saved generator's next draws

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # a classifier with string labels trained by Adam
        clf = MLPClassifier((4,), max_iter=5, random_state=0, learning_rate_init=0.01).fit(X, names)
        clf.save(HERE / "classifier_adam.glassnet")
        expected["classifier.predict_proba"] = clf.predict_proba(X)
        summary["classifier.predict"] = clf.predict(X).tolist()
        summary["classifier.loss_curve_"] = list(clf.loss_curve_)
        clf.partial_fit(X, names)  # one more epoch: needs the saved Adam state and random generator
        expected["classifier.after_partial_fit"] = clf.predict_proba(X)

        # a regressor with SGD, Nesterov momentum and the adaptive rate, two outputs
        reg = MLPRegressor((3,), solver="sgd", momentum=0.9, learning_rate="adaptive", learning_rate_init=0.01,
                           max_iter=6, random_state=1, dtype="float64").fit(X, targets)
        reg.save(HERE / "regressor_sgd.glassnet")
        expected["regressor.predict"] = reg.predict(X)
        summary["regressor.loss_curve_"] = list(reg.loss_curve_)
        reg.partial_fit(X, targets)  # needs the saved velocity, learning rate and generator
        expected["regressor.after_partial_fit"] = reg.predict(X)

    # a checkpoint at epoch 3 of a 6-epoch run, and the uninterrupted run's final weights
    checkpointer = Checkpointer(HERE / "checkpoint.glassnet", every=0)

    class SaveAfterEpoch3(Callback):
        def on_epoch_end(self, trainer, epoch, logs):
            if epoch == 2:
                checkpointer.save()

    straight = _trainer(X, labels)
    straight.callbacks += [checkpointer, SaveAfterEpoch3()]
    straight.run(6)
    assert checkpointer.saved_epoch == 3
    expected["checkpoint.final_params"] = straight.network.params.copy()
    summary["checkpoint.final_cost"] = list(straight.history.cost)

    np.savez(HERE / "expected.npz", **expected)
    (HERE / "expected.json").write_text(json.dumps(summary, indent=1) + "\n")

    # the old code reads its own files back the same (a check of this script, not of the new code)
    assert np.array_equal(glassnet.load(HERE / "network.glassnet").predict(X), expected["network.predict"])


if __name__ == "__main__":
    main()
