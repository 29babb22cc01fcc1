"""PyTorch out and in: ``to_torch`` predicts what glassnet predicts; ``from_torch`` reads a model trained in
PyTorch, and glassnet's trace of it shows the gradients PyTorch's autograd computes."""

from __future__ import annotations

import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch export and import need glassnet[torch] (torch)")
nn = torch.nn

from glassnet import Dense, InputError, InputTypeError, MissingExtraError, Network  # noqa: E402
from glassnet.export import from_torch, to_torch  # noqa: E402
from glassnet.export.torch_layers import Arctan  # noqa: E402

TOL = {"float32": 1e-5, "float64": 1e-9}
HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "arctan", "softplus"]
DTYPES = ["float32", "float64"]


def predict(module, X):
    with torch.no_grad():
        return module(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", HIDDEN)
def test_to_torch_predicts_as_glassnet(activation, dtype, rng):
    X = rng.normal(size=(300, 3)) * 3
    Y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2] / 9])
    net = Network.from_sizes([3, 8, 6, 2], activation=activation, output=activation, seed=4, dtype=dtype)
    net.fit(X[:200], Y[:200], epochs=10, batch_size=32, optimizer="adam", learning_rate=0.01)
    module = net.to_torch()
    assert isinstance(module, nn.Sequential) and len(module) == 6
    held_out = (X[200:] * 10).astype(dtype)  # softplus beyond torch's default threshold of 20 too
    got = predict(module, held_out)
    assert got.dtype == np.dtype(dtype)
    assert np.max(np.abs(got - net.predict(held_out))) <= TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_output_and_dtype_conversion(dtype, rng):
    X = rng.normal(size=(50, 4)).astype(dtype)
    net = Network.from_sizes([4, 5, 3], activation="relu", cost="cross_entropy", seed=0, dtype=dtype)
    module = to_torch(net)
    assert isinstance(module[-1], nn.Softmax)
    assert np.max(np.abs(predict(module, X) - net.predict(X))) <= TOL[dtype]
    wide = to_torch(net, dtype="float64")
    assert wide[0].weight.dtype == torch.float64


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", [*HIDDEN, {"name": "leaky_relu", "alpha": 0.2}])
def test_round_trip_keeps_every_parameter(activation, dtype):
    net = Network.from_sizes([3, 7, 5, 2], activation=activation, seed=9, dtype=dtype)
    back = Network.from_torch(net.to_torch())
    assert back.dtype == net.dtype and back.sizes == net.sizes
    assert [layer.activation.config() for layer in back.layers] == [layer.activation.config() for layer in net.layers]
    assert np.array_equal(back.params, net.params)  # bit for bit
    assert back.cost_function.name == "mse"
    classifier = Network.from_sizes([3, 4, 3], activation=activation, cost="cross_entropy", seed=1, dtype=dtype)
    again = from_torch(to_torch(classifier))
    assert again.cost_function.name == "cross_entropy" and np.array_equal(again.params, classifier.params)


def _torch_trained(loss_name: str):
    """A small model trained in PyTorch (float64), as a learner would bring one."""
    generator = torch.Generator().manual_seed(0)
    layers = [nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.Softplus(), nn.Linear(4, 3)]
    layers.append(nn.Softmax(dim=1) if loss_name == "cross_entropy" else nn.Identity())
    model = nn.Sequential(*layers).double()
    X = torch.randn(64, 3, generator=generator, dtype=torch.float64)
    if loss_name == "cross_entropy":
        Y = nn.functional.one_hot((X[:, 0] > 0).long() + (X[:, 1] > 0).long(), 3).double()

        def loss(out, y):
            return -(y * torch.log(out)).sum(dim=1).mean()  # glassnet's J = -1/n sum y ln a
    else:
        Y = torch.stack([X[:, 0] * X[:, 1], torch.sin(X[:, 2]), X[:, 0]], dim=1)
        loss = nn.MSELoss()  # the mean over samples and outputs, as glassnet's mse
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(30):
        optimizer.zero_grad()
        loss(model(X), Y).backward()
        optimizer.step()
    return model, X, Y, loss


@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_trace_of_a_torch_trained_model_shows_autograds_gradients(loss_name):
    model, X, Y, loss = _torch_trained(loss_name)
    net = Network.from_torch(model)
    assert net.cost_function.name == loss_name and net.dtype == np.float64
    assert np.max(np.abs(predict(model, X.numpy()) - net.predict(X.numpy()))) <= TOL["float64"]
    x, y = X[:1], Y[:1]
    trace = net.trace(x.numpy()[0], y.numpy()[0])
    model.zero_grad()
    value = loss(model(x), y)
    value.backward()
    assert abs(trace.cost - value.item()) <= 1e-12
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for (grad_w, grad_b), linear in zip(trace.gradients(), linears, strict=True):
        assert np.max(np.abs(grad_w - linear.weight.grad.numpy().T)) <= 1e-12
        assert np.max(np.abs(grad_b - linear.bias.grad.numpy())) <= 1e-12


def test_arctan_module_and_bias_free_linear(rng):
    module = nn.Sequential(nn.Linear(2, 3, bias=False), Arctan(), nn.Sequential(nn.Linear(3, 1)))
    net = from_torch(module)
    assert [layer.activation.name for layer in net.layers] == ["arctan", "identity"]
    assert np.all(net.layers[0].bias == 0)
    X = rng.normal(size=(20, 2)).astype(np.float32) * 5
    assert np.max(np.abs(predict(module, X) - net.predict(X))) <= TOL["float32"]


@pytest.mark.parametrize(
    ("module", "pattern"),
    [
        (nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1)), "Dropout.*Remove it"),
        (nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1)), "BatchNorm1d"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Tanh(), nn.Linear(3, 1)), "does not follow a Linear"),
        (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), "does not follow a Linear"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softplus(beta=2.0), nn.Linear(3, 1)), "beta=1"),
        (nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)), "GELU"),
        (nn.Sequential(nn.Linear(2, 3), nn.Linear(4, 1)), "takes 4 inputs"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=0)), "dim=1"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1), nn.Linear(3, 1)), "output layer"),
        (nn.Sequential(nn.Linear(2, 3).half()), "dtype='float32'"),
        (nn.Sequential(), "no Linear layer"),
    ],
)
def test_from_torch_refuses_what_glassnet_cannot_hold(module, pattern):
    with pytest.raises(InputError, match=pattern):
        from_torch(module)


def test_refusals_on_the_way_out():
    with pytest.raises(InputError, match="step activation"):
        to_torch(Network([Dense(2, 2, "step"), Dense(2, 1, "identity")]))
    with pytest.raises(InputTypeError, match="torch.nn.Sequential"):
        from_torch([nn.Linear(2, 1)])
    with pytest.raises(InputTypeError, match="Network or a fitted"):
        to_torch(object())


def test_missing_torch_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(MissingExtraError, match=r"glassnet\[torch\]"):
        to_torch(Network.from_sizes([2, 1], seed=0))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_estimator_and_folded_standardization(rng):
    from glassnet.datasets import Standardizer
    from glassnet.estimators import MLPRegressor

    X = rng.normal(size=(200, 3)) * [50.0, 1.0, 0.1] + [10.0, 0.0, -4.0]
    y = X[:, 0] / 50 + np.sin(X[:, 1])
    inputs, target = Standardizer().fit(X), Standardizer().fit(y)
    reg = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", max_iter=50, random_state=0, dtype="float64")
    reg.fit(inputs.transform(X), target.transform(y))
    module = to_torch(reg, inputs=inputs, target=target)
    expected = target.inverse_transform(reg.predict(inputs.transform(X)))
    assert np.max(np.abs(predict(module, X)[:, 0] - expected)) <= 1e-9 * np.max(np.abs(expected))


def test_cli_export_to_torch(tmp_path):
    from glassnet.cli import main
    from glassnet.cli.models import Model
    from glassnet.datasets import load

    model_path, out = tmp_path / "wine.glassnet", tmp_path / "wine.pt"
    assert main(["train", "wine", "--epochs", "3", "--layers", "8", "--quiet", "--out", str(model_path)]) == 0
    assert main(["export", str(model_path), "--to", "torch", str(out)]) == 0
    model = Model.load(model_path)
    module = to_torch(model.network)
    module.load_state_dict(torch.load(out, weights_only=True))
    X = np.asarray(load("wine").X, dtype=np.float32)
    # the standardization is folded into the first layer: the module takes raw rows
    assert np.max(np.abs(predict(module, X) - model.outputs(X))) <= TOL["float32"]
    assert main(["export", str(model_path), "--to", "torch", str(out)]) == 1  # exists: refused without --force
