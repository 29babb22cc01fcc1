"""Data to learn from: made-up sets, real sets, the MNIST family, your own files, and tools to prepare them.

Every loader returns a :class:`Dataset`, which unpacks as ``X, y, feature_names = spiral(seed=0)`` and
also carries ``target_names``, ``task`` and ``name``.

- made up, seeded: :func:`xor`, :func:`circles`, :func:`moons`, :func:`spiral`, :func:`gaussians`
  (classification), :func:`sine`, :func:`plane`, :func:`houses` (regression);
- shipped with scikit-learn: :func:`load_digits`, :func:`load_iris`, :func:`load_wine`,
  :func:`load_breast_cancer`, :func:`load_diabetes`;
- the MNIST family: :func:`load_mnist`, :func:`load_fashion_mnist`, :func:`read_idx`,
  :func:`find_dataset_files`;
- your files: :func:`load_csv`, :func:`load_csv_features` (no target), :func:`load_npz`, :func:`save_npz`;
  any of the above by name or path: :func:`load`, :func:`available`;
- preparing: :class:`Standardizer`, :func:`one_hot`, :func:`train_test_split`.

This package imports nothing of glassnet but ``glassnet.errors``, ``glassnet.validation`` and ``glassnet.fileio``:
it is the lowest room (tests/test_architecture.py checks it).
"""

from .base import Dataset, DatasetError, MissingExtraError
from .bundled import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine
from .files import load_csv, load_csv_features, load_npz, save_npz
from .idx import (
    cache_dir,
    find_dataset_files,
    load_fashion_mnist,
    load_idx_dataset,
    load_mnist,
    read_idx,
    search_dirs,
    write_idx,
)
from .preprocessing import Standardizer, one_hot, train_test_split
from .registry import available, load
from .synthetic import circles, gaussians, houses, moons, plane, sine, spiral, xor

__all__ = [
    "Dataset",
    "DatasetError",
    "MissingExtraError",
    "Standardizer",
    "available",
    "cache_dir",
    "circles",
    "find_dataset_files",
    "gaussians",
    "houses",
    "load",
    "load_breast_cancer",
    "load_csv",
    "load_csv_features",
    "load_diabetes",
    "load_digits",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_iris",
    "load_mnist",
    "load_npz",
    "load_wine",
    "moons",
    "one_hot",
    "plane",
    "read_idx",
    "save_npz",
    "search_dirs",
    "sine",
    "spiral",
    "train_test_split",
    "write_idx",
    "xor",
]
