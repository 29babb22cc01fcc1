"""The fit loop: steps against a hand-written gradient-descent loop, reproducibility, dtypes, History,
callbacks, validation split, early stopping, L2 in the reported cost."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from glassnet import SGD, Callback, DivergenceError, EarlyStopping, History, InputError, Network, StepDecay, Trainer


@pytest.fixture
def regression(rng):
    X = rng.normal(size=(40, 3))
    Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:2] * X[:, 2:3]
    return X, Y


@pytest.fixture
def classification(rng):
    X = rng.normal(size=(60, 2))
    labels = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 0] > 1).astype(int)
    return X, labels


def test_minibatch_sgd_equals_a_hand_written_loop(regression):
    X, Y = regression
    net = Network.from_sizes([3, 5, 1], activation="tanh", seed=0, dtype="float64")
    reference = net.copy()
    net.fit(X, Y, epochs=3, batch_size=16, learning_rate=0.2, shuffle=False)
    for _ in range(3):
        for begin in range(0, 40, 16):  # batches of 16, 16 and 8 rows, in order
            grads = reference.gradients(X[begin : begin + 16], Y[begin : begin + 16])
            for layer, (dW, db) in zip(reference.layers, grads, strict=True):
                layer.weights = layer.weights - 0.2 * dW
                layer.bias = layer.bias - 0.2 * db
    np.testing.assert_allclose(net.params, reference.params, rtol=1e-12, atol=1e-14)


def test_full_batch_with_l2_equals_gradient_descent_on_the_regularised_cost(regression):
    X, Y = regression
    net = Network.from_sizes([3, 4, 1], activation="sigmoid", seed=1, dtype="float64")
    reference = net.copy()
    history = net.fit(X, Y, epochs=4, batch_size=None, learning_rate=0.5, l2=0.3)
    for _ in range(4):
        reference.gradients(X, Y, l2=0.3)
        reference.params -= 0.5 * reference.grads
    np.testing.assert_allclose(net.params, reference.params, rtol=1e-12, atol=1e-14)
    # the reported cost: the cost measured before the epoch's step, plus the L2 term at the epoch's end
    replay = Network.from_sizes([3, 4, 1], activation="sigmoid", seed=1, dtype="float64")
    for epoch in range(4):
        before = replay.cost(X, Y)
        replay.gradients(X, Y, l2=0.3)
        replay.params -= 0.5 * replay.grads
        assert history.cost[epoch] == pytest.approx(before + replay.l2_penalty(0.3, 40), rel=1e-12)
        assert replay.l2_penalty(0.3, 40) > 0


def test_same_seed_same_weights_other_seed_other_weights(classification):
    X, labels = classification

    def train(seed, dtype):
        net = Network.from_sizes([2, 6, 3], activation="relu", cost="cross_entropy", seed=seed, dtype=dtype)
        net.fit(X, labels, epochs=5, batch_size=8, optimizer="adam", learning_rate=0.01, validation_split=0.2)
        return net.params

    for dtype in ("float32", "float64"):
        first, again, other = train(3, dtype), train(3, dtype), train(4, dtype)
        assert np.array_equal(first, again)
        assert not np.array_equal(first, other)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_both_dtypes_train_and_keep_their_dtype(dtype, optimizer, classification):
    X, labels = classification
    net = Network.from_sizes([2, 8, 3], activation="tanh", cost="cross_entropy", seed=0, dtype=dtype)
    history = net.fit(X, labels, epochs=30, batch_size=10, optimizer=optimizer,
                      learning_rate=0.5 if optimizer == "sgd" else 0.02)
    assert history.cost[-1] < 0.8 * history.cost[0]
    assert net.params.dtype == dtype and net.grads.dtype == dtype
    assert all(layer.weights.dtype == dtype and layer.grad_weights.dtype == dtype for layer in net.layers)
    assert net.predict(X).dtype == dtype and net.forward(X).dtype == dtype
    assert all(layer.delta.dtype == dtype for layer in net.layers)
    assert all(isinstance(c, float) for c in history.cost)


def test_training_in_pieces_equals_one_run(classification):
    X, labels = classification

    def fresh():
        return Network.from_sizes([2, 5, 3], activation="tanh", cost="cross_entropy", seed=7, dtype="float64")

    whole = fresh()
    whole_history = whole.fit(X, labels, epochs=5, batch_size=16, optimizer=SGD(0.3, momentum=0.9))
    pieces = fresh()
    trainer = Trainer(pieces, X, labels, batch_size=16, optimizer=SGD(0.3, momentum=0.9))
    trainer.run(2)
    history = trainer.run(3)
    assert trainer.epoch == 5
    assert np.array_equal(whole.params, pieces.params)
    assert history.cost == whole_history.cost


def test_history_fields(classification):
    X, labels = classification
    net = Network.from_sizes([2, 4, 3], activation="tanh", cost="cross_entropy", seed=0)
    history = net.fit(X, labels, epochs=6, batch_size=20, learning_rate=StepDecay(0.4, factor=0.5, every=2),
                      validation_data=(X[:10], labels[:10]))
    assert isinstance(history, History)
    assert len(history) == history.epochs == 6
    for name in ("cost", "accuracy", "val_cost", "val_accuracy", "learning_rate", "seconds"):
        assert len(getattr(history, name)) == 6, name
    assert history.learning_rate == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1, 0.1])
    assert all(0 <= a <= 1 for a in history.accuracy + history.val_accuracy)
    assert all(s >= 0 for s in history.seconds)
    assert history.best_epoch is None and history.stopped_early is False
    # the last validation numbers are the network's cost and accuracy on those rows now
    assert history.val_cost[-1] == pytest.approx(net.cost(X[:10], labels[:10]), rel=1e-6)
    assert history.val_accuracy[-1] == net.accuracy(X[:10], labels[:10])
    data = json.loads(json.dumps(history.as_dict()))
    assert History.from_dict(data) == history
    regression = Network.from_sizes([2, 1], seed=0).fit(X, X[:, :1], epochs=2)
    assert regression.accuracy == [None, None] and regression.val_cost == []


def test_validation_split_sizes_and_partition(rng):
    X = np.arange(40.0).reshape(20, 2)
    Y = rng.normal(size=(20, 1))
    net = Network.from_sizes([2, 1], seed=0, dtype="float64")
    trainer = Trainer(net, X, Y, validation_split=0.25)
    X_val = trainer.validation[0]
    assert len(trainer.X) == 15 and len(X_val) == 5
    rows = sorted(np.concatenate([trainer.X[:, 0], X_val[:, 0]]) / 2)
    assert rows == list(range(20))  # every row once, in one part or the other
    for fraction, expected in ((0.1, 2), (0.5, 10), (0.9, 18)):
        trainer = Trainer(Network.from_sizes([2, 1], seed=0), X, Y, validation_split=fraction)
        assert len(trainer.validation[0]) == expected and len(trainer.X) == 20 - expected
    # a different seed draws different validation rows
    other = Trainer(Network.from_sizes([2, 1], seed=1), X, Y, validation_split=0.25)
    assert not np.array_equal(other.validation[0], X_val)


def test_callbacks_functions_and_objects(regression):
    X, Y = regression
    events = []

    class Recorder(Callback):
        def on_train_begin(self, trainer):
            events.append("begin")

        def on_epoch_begin(self, trainer, epoch):
            events.append(f"epoch {epoch}")

        def on_batch_end(self, trainer, batch, cost):
            assert np.isfinite(cost)
            events.append(f"batch {batch}")

        def on_epoch_end(self, trainer, epoch, logs):
            events.append(f"end {epoch}")
            if epoch == 3:
                trainer.stop = True

        def on_train_end(self, trainer):
            events.append("train end")

    seen = []

    def function(epoch, logs):
        seen.append((epoch, sorted(logs)))

    net = Network.from_sizes([3, 1], seed=0)
    history = net.fit(X, Y, epochs=50, batch_size=16, callbacks=[Recorder(), function])
    assert len(history) == 4
    per_epoch = ["batch 0", "batch 1", "batch 2"]
    expected = ["begin"]
    for epoch in range(4):
        expected += [f"epoch {epoch}", *per_epoch, f"end {epoch}"]
    assert events == expected + ["train end"]
    assert [epoch for epoch, _ in seen] == [0, 1, 2, 3]
    assert {"cost", "accuracy", "val_cost", "val_accuracy", "learning_rate"} <= set(seen[0][1])

    def stop_after_two(epoch, logs):
        return epoch == 1

    assert len(Network.from_sizes([3, 1], seed=0).fit(X, Y, epochs=50, callbacks=[stop_after_two])) == 2


def test_early_stopping_restores_the_best_weights(rng):
    # few noisy training rows and a big network: the validation cost turns up as it overfits
    X = rng.uniform(-1, 1, size=(12, 1))
    Y = X + rng.normal(scale=0.4, size=(12, 1))
    X_val = rng.uniform(-1, 1, size=(200, 1))
    Y_val = X_val + rng.normal(scale=0.4, size=(200, 1))
    net = Network.from_sizes([1, 40, 40, 1], activation="tanh", seed=0, dtype="float64")
    stopper = EarlyStopping(patience=15)
    history = net.fit(X, Y, epochs=3000, batch_size=None, optimizer="adam", learning_rate=0.02,
                      validation_data=(X_val, Y_val), early_stopping=stopper)
    assert history.stopped_early
    best = int(np.argmin(history.val_cost))
    assert history.best_epoch == best < len(history) - 15
    assert history.val_cost[-1] > history.val_cost[best]
    # recomputing the monitored cost with the restored weights gives the best one, not the last
    assert net.cost(X_val, Y_val) == pytest.approx(history.val_cost[best], rel=1e-12)
    assert stopper.best == history.val_cost[best]


def test_early_stopping_min_delta_and_no_restore(regression):
    X, Y = regression
    net = Network.from_sizes([3, 4, 1], activation="tanh", seed=0, dtype="float64")
    # an improvement must beat min_delta; a huge min_delta never counts one after the first epoch
    after = []

    def keep(epoch, logs):
        after.append(net.params.copy())

    stopper = EarlyStopping(patience=3, min_delta=1e9, restore_best=False)
    history = net.fit(X, Y, epochs=100, early_stopping=stopper, callbacks=[keep])
    assert history.stopped_early and len(history) == 4 and history.best_epoch == 0
    # restore_best=False: the network keeps the last epoch's weights, not the best epoch's
    assert np.array_equal(net.params, after[-1]) and not np.array_equal(net.params, after[0])


def test_an_early_stopping_object_can_be_reused(regression):
    # a second fit with the same EarlyStopping must not restore (or compare against) the first run's weights
    X, Y = regression
    stopper = EarlyStopping(patience=2)
    first = Network.from_sizes([3, 4, 1], activation="tanh", seed=0, dtype="float64")
    first.fit(X, Y, epochs=5, early_stopping=stopper)
    second = Network.from_sizes([3, 4, 1], activation="tanh", seed=1, dtype="float64")
    history = second.fit(X, 100 * Y, epochs=5, early_stopping=stopper)  # far higher costs than the first run
    assert len(history) == 5 and not history.stopped_early
    assert history.best_epoch == int(np.argmin(history.cost))
    assert not np.array_equal(second.params, first.params)


def test_validation_split_leaving_only_zero_weights_is_refused_and_changes_nothing():
    # the split put every weighted row on one side: the validation cost's weighted mean would be 0/0
    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    weights = np.r_[np.zeros(10), np.ones(10)]
    for seed in range(20):
        net = Network.from_sizes([1, 3, 1], seed=seed, init="glorot_he")  # the seeds' splits as first found
        state = net.rng.bit_generator.state
        if set(np.sort(net.rng.permutation(20)[:4])) <= set(range(10)):  # the split this seed will draw
            net.rng.bit_generator.state = state
            before = net.params.copy()
            with pytest.raises(InputError, match="validation row with sample_weight 0"):
                net.fit(X, X, 2, validation_split=0.2, sample_weight=weights)
            assert net.rng.bit_generator.state == state
            np.testing.assert_array_equal(net.params, before)
            return
    pytest.fail("no seed drew an all-zero validation part")


def test_a_refused_fit_leaves_the_given_optimizer_alone():
    X = np.zeros((4, 2))
    optimizer = SGD(0.1)
    with pytest.raises(InputError):
        Network.from_sizes([2, 1], seed=0).fit(X, X[:, :1], 1, optimizer=optimizer, learning_rate=0.5, l2=-1)
    assert optimizer.learning_rate == 0.1 and optimizer.schedule(0) == 0.1


def test_a_seeded_fit_equals_a_plain_numpy_loop_bit_for_bit(regression):
    # The independent check of the loop: shuffled mini-batches, sample weights and L2, written out with
    # numpy. Each epoch draws an order of the rows from the network's generator; each batch takes its rows
    # in increasing order; J is the weighted mean of (a - y)^2 over the batch and the outputs;
    # BP1-BP4 by hand; the L2 slope (l2 / n) W with n the sum of all the weights; W <- W - lr dJ/dW.
    X, Y = regression
    w = np.linspace(0.5, 2.0, len(X))
    lr, l2, size, epochs = 0.2, 0.05, 16, 4
    net = Network.from_sizes([3, 5, 1], activation="tanh", seed=4, dtype="float64")
    (W1, b1), (W2, b2) = [(layer.weights.copy(), layer.bias.copy()) for layer in net.layers]
    draws = np.random.Generator(type(net.rng.bit_generator)())
    draws.bit_generator.state = net.rng.bit_generator.state
    net.fit(X, Y, epochs=epochs, batch_size=size, learning_rate=lr, l2=l2, sample_weight=w)

    n = w.sum()
    for _ in range(epochs):
        order = draws.permutation(len(X))
        for begin in range(0, len(X), size):
            rows = np.sort(order[begin : begin + size])
            x, y, wb = X[rows], Y[rows], w[rows]
            m = len(rows)
            s1 = x @ W1 + b1
            a1 = np.tanh(s1)
            a2 = a1 @ W2 + b2                                              # identity output
            d2 = (a2 - y) * (2.0 / (m * 1)) * (wb * (m / wb.sum()))[:, None]  # BP1, weighted mean of (a - y)^2
            d1 = (d2 @ W2.T) * (1 / np.cosh(s1) ** 2)                       # BP2, tanh'(s) = 1 / cosh(s)^2
            gW2, gb2 = a1.T @ d2 + (l2 / n) * W2, d2.sum(axis=0)            # BP4 + the L2 slope, BP3
            gW1, gb1 = x.T @ d1 + (l2 / n) * W1, d1.sum(axis=0)
            W1, b1, W2, b2 = W1 - lr * gW1, b1 - lr * gb1, W2 - lr * gW2, b2 - lr * gb2
    np.testing.assert_array_equal(net.params, np.concatenate([W1.ravel(), b1, W2.ravel(), b2]))


@pytest.mark.parametrize("options", [
    {"batch_size": 8, "optimizer": "adam", "learning_rate": 0.01, "validation_split": 0.2},
    {"batch_size": 7, "optimizer": SGD(0.3, momentum=0.9), "sample_weight": np.arange(60) % 3, "l2": 0.1},
    {"batch_size": None, "shuffle": False, "early_stopping": 2},
])
def test_n_batches_steps_are_one_epoch(classification, options):
    X, labels = classification

    def trainer():
        net = Network.from_sizes([2, 5, 3], activation="tanh", cost="cross_entropy", seed=2, dtype="float64")
        opts = {**options, "optimizer": copy.deepcopy(options.get("optimizer", "sgd"))}
        return Trainer(net, X, labels, **opts)

    whole, stepped = trainer(), trainer()
    batches = []
    for _ in range(3):
        logs = whole.run_epoch()
        rows = len(stepped.X)
        assert stepped.batch == 0 and stepped.n_batches == -(-rows // (options["batch_size"] or rows))
        batches += [stepped.step() for _ in range(stepped.n_batches)]
        assert stepped.epoch == whole.epoch and stepped.batch == 0
        assert {k: v for k, v in stepped.logs.items() if k != "seconds"} == {
            k: v for k, v in logs.items() if k != "seconds"}
        np.testing.assert_array_equal(stepped.network.params, whole.network.params)
        assert stepped.network.rng.bit_generator.state == whole.network.rng.bit_generator.state
    assert len(batches) == 3 * stepped.n_batches and all(np.isfinite(batches))
    assert stepped.history.cost == whole.history.cost and stepped.history.val_cost == whole.history.val_cost


def test_a_diverging_step_puts_back_the_weights_the_epoch_began_with(regression):
    X, Y = regression
    net = Network.from_sizes([3, 8, 1], activation="relu", seed=0, dtype="float64")
    trainer = Trainer(net, X, 1e3 * Y, batch_size=8, learning_rate=10.0)
    start = net.params.copy()
    trainer.step()
    with pytest.raises(DivergenceError, match="diverged in epoch"):
        for _ in range(1000):
            if trainer.batch == 0:
                start = net.params.copy()
            trainer.step()
    assert trainer.batch == 0 and np.isfinite(net.params).all()
    np.testing.assert_array_equal(net.params, start)


def test_the_l1_term_and_its_gradient_against_finite_differences(regression):
    X, Y = regression
    net = Network.from_sizes([3, 5, 1], activation="tanh", seed=2, dtype="float64")
    weights = np.concatenate([layer.weights.ravel() for layer in net.layers])
    assert np.abs(weights).min() > 1e-3  # away from 0, where |w| has a slope
    l1, n = 0.7, len(X)
    assert net.l1_penalty(l1, n) == pytest.approx(l1 / n * np.abs(weights).sum(), rel=1e-13)
    assert net.cost(X, Y, l1=l1) == pytest.approx(net.cost(X, Y) + l1 / n * np.abs(weights).sum(), rel=1e-13)
    plain = [(dW.copy(), db.copy()) for dW, db in net.gradients(X, Y)]
    with_l1 = net.gradients(X, Y, l1=l1)
    for layer, (dW, db), (dW1, db1) in zip(net.layers, plain, with_l1, strict=True):
        np.testing.assert_allclose(dW1, dW + l1 / n * np.sign(layer.weights), rtol=1e-13)
        np.testing.assert_array_equal(db1, db)  # biases are not penalised
    grads = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in with_l1])
    eps = 1e-6
    numerical = np.empty(net.n_params)
    for i in range(net.n_params):
        saved = net.params[i]
        net.params[i] = saved + eps
        up = net.cost(X, Y, l1=l1)
        net.params[i] = saved - eps
        down = net.cost(X, Y, l1=l1)
        net.params[i] = saved
        numerical[i] = (up - down) / (2 * eps)
    np.testing.assert_allclose(grads, numerical, rtol=1e-6, atol=1e-9)


def test_full_batch_with_l1_equals_gradient_descent_on_the_regularised_cost(regression):
    X, Y = regression
    net = Network.from_sizes([3, 4, 1], activation="sigmoid", seed=1, dtype="float64")
    reference = net.copy()
    history = net.fit(X, Y, epochs=3, batch_size=None, learning_rate=0.5, l1=0.2, l2=0.1)
    for epoch in range(3):
        before = reference.cost(X, Y)
        for layer, (dW, db) in zip(reference.layers, reference.gradients(X, Y), strict=True):
            step_w = dW + 0.2 / 40 * np.sign(layer.weights) + 0.1 / 40 * layer.weights
            layer.weights = layer.weights - 0.5 * step_w
            layer.bias = layer.bias - 0.5 * db
        after = sum(float(np.abs(layer.weights).sum()) for layer in reference.layers)
        squares = sum(float((layer.weights**2).sum()) for layer in reference.layers)
        assert history.cost[epoch] == pytest.approx(before + 0.2 / 40 * after + 0.1 / 80 * squares, rel=1e-12)
    np.testing.assert_allclose(net.params, reference.params, rtol=1e-12, atol=1e-14)


def test_l1_drives_weights_that_do_not_matter_to_zero(rng):
    X = rng.normal(size=(200, 6))
    Y = X[:, :1] * 2.0  # only the first input matters
    net = Network.from_sizes([6, 1], seed=0, dtype="float64")
    net.fit(X, Y, epochs=300, batch_size=None, learning_rate=0.1, l1=20.0)
    w = net.layers[0].weights[:, 0]
    assert abs(w[0]) > 1.5
    assert np.all(np.abs(w[1:]) < 0.03)  # (l1 / n) lr = 0.01 per step: they hover within a step of 0


def test_a_negative_l1_is_refused(regression, unchanged):
    X, Y = regression
    net = Network.from_sizes([3, 4, 1], seed=0)
    same = unchanged(net)
    with pytest.raises(InputError, match="l1"):
        net.fit(X, Y, epochs=1, l1=-1.0)
    with pytest.raises(InputError, match="l1"):
        net.cost(X, Y, l1=-1.0)
    same()


@pytest.mark.parametrize("optimizer", [SGD(0.01, momentum=0.9), "adam"])
def test_a_diverging_epoch_puts_back_the_optimizers_memory_too(regression, optimizer):
    X, Y = regression
    net = Network.from_sizes([3, 8, 1], activation="relu", seed=0, dtype="float64")
    trainer = Trainer(net, X, Y, batch_size=8, optimizer=optimizer, learning_rate=0.01)
    trainer.run(2)  # a good start: the optimizer has a memory worth keeping
    before = {key: np.array(value, copy=True) for key, value in trainer.optimizer.state().items()}
    assert set(before) > {"iterations"} and int(before["iterations"]) == 2 * trainer.n_batches
    trainer.optimizer.schedule = StepDecay(1e200, factor=1.0)  # from now on, a rate that must diverge
    with pytest.raises(DivergenceError), np.errstate(over="ignore", invalid="ignore"):  # it overflows, as meant
        trainer.run(1)
    after = trainer.optimizer.state()
    assert set(after) == set(before)
    for key, value in before.items():
        np.testing.assert_array_equal(after[key], value)
    # the same trainer, at a small rate, carries on from there without diverging again
    trainer.optimizer.schedule = StepDecay(1e-6, factor=1.0)
    trainer.run(1)
    assert np.isfinite(net.params).all() and trainer.epoch == 3


def test_after_divergence_momentum_does_not_carry_the_blow_up_into_the_next_try(regression):
    X, Y = regression
    net = Network.from_sizes([3, 8, 1], activation="relu", seed=0, dtype="float64")
    trainer = Trainer(net, X, 1e3 * Y, batch_size=8, optimizer=SGD(10.0, momentum=0.9))
    with pytest.raises(DivergenceError):
        trainer.run(5)
    assert trainer.optimizer.velocity is None and trainer.optimizer.iterations == 0  # as the first epoch began
    trainer.optimizer.schedule = StepDecay(1e-6, factor=1.0)
    trainer.run(1)
    assert np.isfinite(net.params).all()


def test_steps_and_epochs_take_numpys_settings_back_as_they_found_them(classification):
    # the fit loop opens one errstate per epoch (and per step when step() is called alone); a callback that
    # raises, a divergence or the end of the epoch all leave numpy's error settings as they were
    import warnings

    X, labels = classification
    before = np.geterr()
    net = Network.from_sizes([2, 6, 3], activation="tanh", cost="cross_entropy", seed=0)
    trainer = Trainer(net, X, labels, batch_size=10, optimizer=SGD(0.1))
    net.layers[0].weights *= 1e6  # tanh saturates: its slope 1 / cosh(s)^2 overflows to 0 on purpose
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.step()
        assert np.geterr() == before
        trainer.run_epoch()
    assert np.geterr() == before and trainer.epoch == 1

    class Boom(Callback):
        def on_batch_end(self, trainer, batch, cost):
            assert np.geterr() == before  # a callback runs with its caller's settings, not the epoch's
            raise KeyboardInterrupt

    trainer.callbacks.append(Boom())
    with pytest.raises(KeyboardInterrupt):
        trainer.run_epoch()
    assert np.geterr() == before


def test_callbacks_compute_under_their_callers_numpy_settings(classification):
    # inside the epoch numpy's overflow is quiet; a callback's own numbers are not, and glassnet's functions
    # called from it (a sigmoid whose exp(-s) overflows to give 0 on purpose) keep their own errstate
    X, labels = classification
    seen = []

    class Probe(Callback):
        def on_epoch_begin(self, trainer, epoch):
            seen.append(np.geterr())

        def on_batch_end(self, trainer, batch, cost):
            seen.append(np.geterr())

        def on_epoch_end(self, trainer, epoch, logs):
            seen.append(np.geterr())
            with np.errstate(all="raise"):
                out = trainer.network.predict(np.full((1, 2), -1e3) * np.sign(trainer.network.layers[0].weights[:, 0]))
                assert np.isfinite(out).all()
                with pytest.raises(FloatingPointError):
                    np.float32(3e38) * np.float32(10)  # the callback's own overflow is not hidden

    net = Network.from_sizes([2, 6, 3], activation="sigmoid", cost="cross_entropy", seed=0)
    with np.errstate(over="warn", under="ignore"):
        before = np.geterr()
        net.fit(X, labels, epochs=2, batch_size=10, callbacks=[Probe()])
    assert len(seen) == 2 * (2 + len(X) // 10) and all(s == before for s in seen)
