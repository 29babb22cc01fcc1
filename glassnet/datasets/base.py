"""The Dataset record every loader returns and the errors of this package (argument checks: glassnet.validation).

This is the lowest room of ``glassnet.datasets``: it imports nothing of glassnet but ``glassnet.errors``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..errors import InputError, MissingExtraError

if TYPE_CHECKING:
    from numpy.typing import NDArray

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = ("classification", "regression")

# What to install for each optional dependency; the names match pyproject.toml's extras.
EXTRAS = {
    "sklearn": 'pip install "glassnet[sklearn]"',
    "pooch": 'pip install "glassnet[data]"',
}


class DatasetError(InputError):
    """A data set could not be made, found or read; the message names the file or value and the fix."""


def require(module: str, purpose: str) -> ModuleType:
    """Import the optional ``module`` (``"sklearn.datasets"``, ``"pooch"``) or say which extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise MissingExtraError(
            f"{purpose} needs the optional package {top!r}, which is not installed; install it with "
            f"{EXTRAS.get(top, f'pip install {top}')}"
        ) from None


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A table of examples: the inputs ``X``, the targets ``y`` and the names that say what they mean.

    It unpacks as a triple, ``X, y, feature_names = dataset``, and keeps the rest as attributes.

    Attributes
    ----------
    X : ndarray, shape (n_samples, n_features)
        One example per row.
    y : ndarray, shape (n_samples,)
        int64 class labels ``0 .. n_classes - 1`` for classification, float64 values for regression.
    feature_names : tuple of str
        The name of each column of ``X``.
    target_names : tuple of str
        The class names (``target_names[k]`` is class ``k``), or the one name of the regression target.
    task : {"classification", "regression"}
    name : str
        A short name, such as ``"xor"`` or the file it came from.
    description : str
        One or two sentences on where the data came from.
    image_shape : tuple of int or None
        For pictures, the shape each row of ``X`` folds back into (``X[i].reshape(image_shape)``).
    """

    X: NDArray
    y: NDArray
    feature_names: tuple[str, ...]
    target_names: tuple[str, ...]
    task: Task
    name: str
    description: str = ""
    image_shape: tuple[int, ...] | None = field(default=None)

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__, once, here.
        object.__setattr__(self, "feature_names", tuple(str(n) for n in self.feature_names))
        object.__setattr__(self, "target_names", tuple(str(n) for n in self.target_names))
        X, y = self.X, self.y
        if not isinstance(X, np.ndarray) or X.ndim != 2:
            raise DatasetError(f"dataset {self.name!r}: X must be a 2-D array (n_samples, n_features)")
        if not isinstance(y, np.ndarray) or y.ndim != 1:
            raise DatasetError(f"dataset {self.name!r}: y must be a 1-D array (n_samples,)")
        if len(X) != len(y):
            raise DatasetError(f"dataset {self.name!r}: X has {len(X)} rows but y has {len(y)} values")
        if len(self.feature_names) != X.shape[1]:
            raise DatasetError(
                f"dataset {self.name!r}: {len(self.feature_names)} feature names, {X.shape[1]} columns in X"
            )
        if self.task not in TASKS:
            raise DatasetError(f"dataset {self.name!r}: task must be one of {TASKS}, not {self.task!r}")
        if self.task == "classification":
            if y.dtype.kind not in "iu":
                raise DatasetError(f"dataset {self.name!r}: class labels y must be integers, not {y.dtype}")
            if len(y) and (y.min() < 0 or y.max() >= len(self.target_names)):
                raise DatasetError(
                    f"dataset {self.name!r}: class labels must lie in 0..{len(self.target_names) - 1} "
                    f"(one per target name), but they span {y.min()}..{y.max()}"
                )
        elif len(self.target_names) != 1:
            raise DatasetError(f"dataset {self.name!r}: a regression target has exactly one name")

    def __iter__(self) -> Iterator[object]:
        """``X, y, feature_names = dataset``."""
        return iter((self.X, self.y, self.feature_names))

    def __repr__(self) -> str:
        return (
            f"Dataset(name={self.name!r}, task={self.task!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, target_names={self.target_names!r})"
        )

    @property
    def n_samples(self) -> int:
        """The number of examples (rows of X)."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """The number of inputs per example (columns of X)."""
        return int(self.X.shape[1])

    @property
    def n_classes(self) -> int | None:
        """The number of classes, or None for regression."""
        return len(self.target_names) if self.task == "classification" else None

    def split(
        self,
        test_size: float = 0.25,
        seed: int | np.random.Generator | None = None,
        stratify: bool | None = None,
    ) -> tuple[Dataset, Dataset]:
        """Split into ``(train, test)`` Datasets; see :func:`glassnet.datasets.train_test_split`."""
        from .preprocessing import train_test_split  # here, not at the top: preprocessing imports this module

        X_train, X_test, y_train, y_test = train_test_split(
            self.X, self.y, test_size=test_size, seed=seed, stratify=stratify
        )
        return replace(self, X=X_train, y=y_train), replace(self, X=X_test, y=y_test)
