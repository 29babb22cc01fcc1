"""Logistic regression is one neuron.

A single sigmoid neuron, ``a = sigmoid(w . x + b)``, trained with binary cross-entropy,
``J = -1/n sum [y ln a + (1 - y) ln(1 - a)]``, *is* logistic regression: the same model and the same cost
(the negative log-likelihood). Train it with glassnet's gradient descent and its weights land on the
coefficients a statistics package finds. This example shows it with 1 and with 5 features, next to two
independent fits: Newton's method written out below (iteratively reweighted least squares), and
scikit-learn's LogisticRegression without a penalty when scikit-learn is installed.

Run:  python examples/logistic_regression.py
"""

from __future__ import annotations

import numpy as np

import glassnet


def make_data(n_samples: int, coefficients: list[float], intercept: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features drawn from N(0, 1); labels drawn from the logistic model with the given coefficients."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, len(coefficients)))
    p = 1.0 / (1.0 + np.exp(-(X @ np.asarray(coefficients) + intercept)))
    y = (rng.random(n_samples) < p).astype(np.int64)
    return X, y


def one_neuron(X: np.ndarray, y: np.ndarray, epochs: int = 4000, learning_rate: float = 2.0) -> np.ndarray:
    """Fit one sigmoid neuron by full-batch gradient descent; return ``[b, w_1, ..., w_d]``."""
    d = X.shape[1]
    neuron = glassnet.Dense(d, 1, "sigmoid", weights=np.zeros((d, 1)), bias=np.zeros(1))
    net = glassnet.Network([neuron], cost="binary_cross_entropy", dtype="float64")
    net.fit(X, y, epochs=epochs, learning_rate=learning_rate)  # batch_size=None: full-batch gradient descent
    return np.concatenate([neuron.bias, neuron.weights[:, 0]])


def newton(X: np.ndarray, y: np.ndarray, iterations: int = 50) -> np.ndarray:
    """Maximum likelihood by Newton's method, written independently of glassnet: ``[b, w_1, ..., w_d]``.

    With ``A = [1, X]``, ``p = sigmoid(A beta)``: gradient ``A^T (p - y)``, Hessian ``A^T diag(p (1 - p)) A``.
    """
    A = np.column_stack([np.ones(len(X)), X])
    beta = np.zeros(A.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(A @ beta)))
        gradient = A.T @ (p - y)
        hessian = A.T @ (A * (p * (1 - p))[:, None])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-12:
            break
    return beta


def scikit_learn(X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """scikit-learn's unpenalised LogisticRegression, ``[b, w_1, ..., w_d]``, or None if not installed."""
    try:
        import sklearn
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        return None
    major, minor = (int(part) for part in sklearn.__version__.split(".")[:2])
    # no penalty: penalty=None until scikit-learn 1.8, which spells it C=inf
    unpenalised = {"C": np.inf} if (major, minor) >= (1, 8) else {"penalty": None}
    model = LogisticRegression(**unpenalised, tol=1e-10, max_iter=10_000).fit(X, y)
    return np.concatenate([model.intercept_, model.coef_[0]])


def compare(X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray | None]:
    return {
        "glassnet (one neuron)": one_neuron(X, y),
        "Newton's method": newton(X, y),
        "scikit-learn": scikit_learn(X, y),
    }


def show(title: str, fits: dict[str, np.ndarray | None]) -> None:
    print(title)
    names = ["intercept b"] + [f"w_{k + 1}" for k in range(len(fits["Newton's method"]) - 1)]
    columns = [name for name, values in fits.items() if values is not None]
    print(f"  {'':<12}" + "".join(f"{name:>24}" for name in columns))
    for i, name in enumerate(names):
        print(f"  {name:<12}" + "".join(f"{fits[c][i]:>24.6f}" for c in columns))
    reference = fits["Newton's method"]
    gap = np.max(np.abs(fits["glassnet (one neuron)"] - reference))
    print(f"  largest difference between the neuron and Newton's method: {gap:.2e}\n")


def main() -> dict[str, dict[str, np.ndarray | None]]:
    X1, y1 = make_data(300, [2.0], intercept=-0.5, seed=1)
    X5, y5 = make_data(500, [1.5, -2.0, 0.5, 0.0, 1.0], intercept=0.3, seed=5)
    results = {"1 feature": compare(X1, y1), "5 features": compare(X5, y5)}
    for title, fits in results.items():
        show(f"Logistic regression with {title}: coefficients", fits)
    if results["1 feature"]["scikit-learn"] is None:
        print("(scikit-learn is not installed: pip install scikit-learn to add its column)")
    return results


if __name__ == "__main__":
    main()
