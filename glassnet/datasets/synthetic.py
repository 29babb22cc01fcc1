"""Small made-up data sets, seeded, for learning and for the playground.

Every generator has the signature ``(n_samples=..., noise=..., seed=None, ...)`` and draws all of its
randomness from ``numpy.random.default_rng(seed)``: the same seed gives the same data, bit for bit.
``noise`` is the standard deviation of Gaussian noise added to every coordinate of ``X`` for the
classification sets, and to ``y`` for the regression sets.

The 2-D classification sets (xor, circles, moons, spiral, gaussians) lie roughly in ``[-1, 1]^2``
before noise; their classes are as balanced as ``n_samples`` allows and their rows come shuffled.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..validation import check_number
from .base import Dataset

_XY = ("x1", "x2")

Seed = int | np.random.Generator | None


def _start(n_samples: object, noise: object, seed: Seed) -> tuple[int, float, np.random.Generator]:
    n = check_number("n_samples", n_samples, integer=True, low=1)
    return n, check_number("noise", noise, low=0), np.random.default_rng(seed)


def _class_sizes(n_samples: int, n_classes: int) -> np.ndarray:
    """How many examples each class gets: as equal as possible, the first classes taking the remainder."""
    return np.array([n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)])


def _classification(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    noise: float,
    rng: np.random.Generator,
    target_names: tuple[str, ...],
    description: str,
) -> Dataset:
    """Add the coordinate noise, shuffle the rows and wrap them up."""
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return Dataset(
        X=np.ascontiguousarray(X[order], dtype=np.float64),
        y=y[order].astype(np.int64),
        feature_names=_XY,
        target_names=target_names,
        task="classification",
        name=name,
        description=description,
    )


def xor(n_samples: int = 200, noise: float = 0.05, seed: Seed = None) -> Dataset:
    """The exclusive-or pattern: class 1 where exactly one coordinate is negative.

    Points are drawn in the four quadrants of ``[-1, 1]^2`` (at least 0.1 from the axes, before noise);
    class 0 where ``x1 * x2 > 0``, class 1 where ``x1 * x2 < 0``. No straight line separates the classes,
    so a network needs a hidden layer.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y int64 in {0, 1}.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    y = np.repeat([0, 1], _class_sizes(n, 2))
    magnitude = rng.uniform(0.1, 1.0, size=(n, 2))
    sign1 = rng.choice([-1.0, 1.0], size=n)
    sign2 = np.where(y == 0, sign1, -sign1)
    X = magnitude * np.column_stack([sign1, sign2])
    return _classification(
        "xor", X, y, noise, rng, ("same sign", "opposite signs"), "Exclusive or: class 1 where x1 * x2 < 0."
    )


def circles(n_samples: int = 200, noise: float = 0.05, seed: Seed = None, factor: float = 0.5) -> Dataset:
    """A ring around a disc: class 0 on the circle of radius 1, class 1 on the circle of radius ``factor``.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.
    factor : float
        Radius of the inner circle, 0 < factor < 1.

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y int64: 0 outer, 1 inner.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    factor = check_number("factor", factor, low=0, low_open=True)
    if factor >= 1.0:
        raise InputError(f"factor must be less than 1 (the outer circle's radius), not {factor}")
    y = np.repeat([0, 1], _class_sizes(n, 2))
    radius = np.where(y == 0, 1.0, factor)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _classification(
        "circles", X, y, noise, rng, ("outer", "inner"), f"Two circles, radii 1 and {factor:g}."
    )


def moons(n_samples: int = 200, noise: float = 0.05, seed: Seed = None) -> Dataset:
    """Two interleaving half circles, scaled to ``x1`` in [-1, 1] and ``x2`` in [-0.5, 0.5].

    Class 0 is the upper moon ``(cos t, sin t)``, class 1 the lower ``(1 - cos t, 0.5 - sin t)``, for
    ``t`` uniform in ``[0, pi]``; both are then shifted by ``(-0.5, -0.25)`` and divided by 1.5.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate (after scaling), >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y int64: 0 upper, 1 lower.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    y = np.repeat([0, 1], _class_sizes(n, 2))
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = (np.where((y == 0)[:, None], upper, lower) - [0.5, 0.25]) / 1.5
    return _classification("moons", X, y, noise, rng, ("upper", "lower"), "Two interleaving half circles.")


def spiral(n_samples: int = 300, noise: float = 0.05, seed: Seed = None, n_classes: int = 3) -> Dataset:
    """``n_classes`` spiral arms winding out from the centre, one class per arm.

    Arm ``k`` holds the points ``r (cos a, sin a)`` with ``r`` uniform in [0.05, 1] and
    ``a = 2 pi (k / n_classes + r)``: each arm makes one full turn.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1, shared as evenly as possible between the arms.
    noise : float
        Standard deviation of Gaussian noise added to each coordinate, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.
    n_classes : int
        Number of arms, >= 2 (the playground offers 2 to 5).

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y int64 in 0..n_classes-1.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    k = check_number("n_classes", n_classes, integer=True, low=2)
    y = np.repeat(np.arange(k), _class_sizes(n, k))
    r = rng.uniform(0.05, 1.0, size=n)
    angle = 2.0 * np.pi * (y / k + r)
    X = r[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    names = tuple(f"arm {i}" for i in range(k))
    return _classification("spiral", X, y, noise, rng, names, f"{k} spiral arms, one turn each.")


def gaussians(n_samples: int = 200, noise: float = 0.15, seed: Seed = None, n_classes: int = 2) -> Dataset:
    """``n_classes`` round Gaussian blobs, their centres evenly spaced on the circle of radius 0.6.

    Blob ``k`` is centred at ``0.6 (cos a, sin a)`` with ``a = 2 pi k / n_classes + pi / 4``; ``noise`` is
    each blob's standard deviation.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1, shared as evenly as possible between the blobs.
    noise : float
        Standard deviation of each blob along each coordinate, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.
    n_classes : int
        Number of blobs, >= 2 (the playground offers 2 to 5).

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y int64 in 0..n_classes-1.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    k = check_number("n_classes", n_classes, integer=True, low=2)
    y = np.repeat(np.arange(k), _class_sizes(n, k))
    angle = 2.0 * np.pi * y / k + np.pi / 4
    X = 0.6 * np.column_stack([np.cos(angle), np.sin(angle)])
    names = tuple(f"blob {i}" for i in range(k))
    return _classification(
        "gaussians", X, y, noise, rng, names, f"{k} Gaussian blobs on a circle of radius 0.6."
    )


def _regression(
    name: str, X: np.ndarray, y: np.ndarray, feature_names: tuple[str, ...], target: str, description: str
) -> Dataset:
    return Dataset(
        X=np.ascontiguousarray(X, dtype=np.float64),
        y=np.asarray(y, dtype=np.float64),
        feature_names=feature_names,
        target_names=(target,),
        task="regression",
        name=name,
        description=description,
    )


def sine(n_samples: int = 200, noise: float = 0.05, seed: Seed = None) -> Dataset:
    """One period of a sine wave: ``y = sin(pi x) + noise * N(0, 1)`` for ``x`` uniform in [-1, 1].

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to ``y``, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n_samples, 1), y float64 (n_samples,).
    """
    n, noise, rng = _start(n_samples, noise, seed)
    x = rng.uniform(-1.0, 1.0, size=n)
    y = np.sin(np.pi * x) + noise * rng.standard_normal(n)
    return _regression("sine", x[:, None], y, ("x",), "y", "y = sin(pi x) + noise.")


def plane(n_samples: int = 200, noise: float = 0.05, seed: Seed = None) -> Dataset:
    """A tilted plane: ``y = 0.6 x1 - 0.3 x2 + 0.2 + noise * N(0, 1)`` for ``x`` uniform in ``[-1, 1]^2``.

    A single linear neuron can learn it exactly: weights (0.6, -0.3), bias 0.2.

    Parameters
    ----------
    n_samples : int
        Number of points, >= 1.
    noise : float
        Standard deviation of Gaussian noise added to ``y``, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n_samples, 2), y float64 (n_samples,).
    """
    n, noise, rng = _start(n_samples, noise, seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = X @ np.array([0.6, -0.3]) + 0.2 + noise * rng.standard_normal(n)
    return _regression("plane", X, y, _XY, "y", "y = 0.6 x1 - 0.3 x2 + 0.2 + noise.")


HOUSE_PRICE_FORMULA = "price = 60 + 2.5 area + 8 rooms - 0.8 age - 3 distance + noise"


def houses(n_samples: int = 200, noise: float = 15.0, seed: Seed = None) -> Dataset:
    """House prices, made up from a known formula, in the spirit of the tutorials' first regression.

    Each house has

    - ``area``: floor area in square metres, uniform in [40, 200];
    - ``rooms``: a whole number, ``round(area / 30 + N(0, 0.7^2))`` kept within 1..8;
    - ``age``: whole years, uniform in 0..60;
    - ``distance``: kilometres to the town centre, uniform in [0.5, 30];

    and its price, in thousands, is::

        price = 60 + 2.5 area + 8 rooms - 0.8 age - 3 distance + noise * N(0, 1)

    so bigger, newer and closer houses cost more. The features have very different scales: standardize
    them (:class:`~glassnet.datasets.Standardizer`) before training.

    Parameters
    ----------
    n_samples : int
        Number of houses, >= 1.
    noise : float
        Standard deviation of the price noise, in thousands, >= 0.
    seed : int, Generator or None
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    Dataset
        X float64 (n_samples, 4) with columns area, rooms, age, distance; y float64 price in thousands.
    """
    n, noise, rng = _start(n_samples, noise, seed)
    area = rng.uniform(40.0, 200.0, size=n)
    rooms = np.clip(np.round(area / 30.0 + rng.normal(0.0, 0.7, size=n)), 1, 8)
    age = rng.integers(0, 61, size=n).astype(np.float64)
    distance = rng.uniform(0.5, 30.0, size=n)
    price = 60.0 + 2.5 * area + 8.0 * rooms - 0.8 * age - 3.0 * distance + noise * rng.standard_normal(n)
    X = np.column_stack([area, rooms, age, distance])
    return _regression(
        "houses",
        X,
        price,
        ("area", "rooms", "age", "distance"),
        "price",
        f"Made-up house prices in thousands: {HOUSE_PRICE_FORMULA}.",
    )
