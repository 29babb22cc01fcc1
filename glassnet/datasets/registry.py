"""Every data set by name, and :func:`load`, which turns a name or a file path into a Dataset.

This is what the command line uses: ``glassnet train spiral``, ``glassnet train houses.csv --target price``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import bundled, idx, synthetic
from .base import Dataset, DatasetError
from .files import load_csv, load_npz

# name -> (kind, loader). Synthetic loaders take (n_samples, noise, seed, ...); the others read data.
# The MNIST family's loaders give (train, test); load() reads one split of them with load_idx_dataset.
_CATALOGUE: dict[str, tuple[str, Callable[..., Dataset | tuple[Dataset, Dataset]]]] = {
    "xor": ("synthetic", synthetic.xor),
    "circles": ("synthetic", synthetic.circles),
    "moons": ("synthetic", synthetic.moons),
    "spiral": ("synthetic", synthetic.spiral),
    "gaussians": ("synthetic", synthetic.gaussians),
    "sine": ("synthetic", synthetic.sine),
    "plane": ("synthetic", synthetic.plane),
    "houses": ("synthetic", synthetic.houses),
    "digits": ("scikit-learn", bundled.load_digits),
    "3-vs-7": ("scikit-learn", bundled.load_threes_and_sevens),
    "iris": ("scikit-learn", bundled.load_iris),
    "wine": ("scikit-learn", bundled.load_wine),
    "breast-cancer": ("scikit-learn", bundled.load_breast_cancer),
    "diabetes": ("scikit-learn", bundled.load_diabetes),
    "mnist": ("idx", idx.load_mnist),
    "fashion-mnist": ("idx", idx.load_fashion_mnist),
}
FILE_SUFFIXES = (".csv", ".npz")


def available() -> dict[str, str]:
    """Each data set's name -> where it comes from and the first line of its loader's docstring."""
    return {
        name: f"[{kind}] {(loader.__doc__ or '').strip().splitlines()[0]}"
        for name, (kind, loader) in _CATALOGUE.items()
    }


def _key(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def load(name_or_path: str | os.PathLike, *, target: str | None = None, **options: Any) -> Dataset:
    """A Dataset from a name in :func:`available` or from a ``.csv`` or ``.npz`` file.

    Parameters
    ----------
    name_or_path : str or path-like
        A data set name (``"spiral"``, ``"iris"``, ``"fashion-mnist"``; case and ``_``/``-`` do not
        matter) or a path ending in ``.csv`` or ``.npz``.
    target : str, optional
        The target column, for a CSV file (required there, refused elsewhere).
    **options
        Passed on to the loader: ``n_samples``, ``noise``, ``seed``, ``n_classes`` for the synthetic sets;
        ``task``, ``delimiter`` for files; ``split`` ("train", the default, or "test"), ``data_dir``,
        ``download``, ``scale`` for the MNIST family.

    Returns
    -------
    Dataset
    """
    text = os.fspath(name_or_path)
    suffix = Path(text).suffix.lower()
    if suffix in FILE_SUFFIXES or (isinstance(name_or_path, os.PathLike) and suffix):
        if suffix == ".csv":
            if target is None:
                raise DatasetError(f"{text}: name the target column, e.g. load({text!r}, target='price')")
            return load_csv(text, target, **options)
        if suffix == ".npz":
            _refuse_target(text, target)
            return load_npz(text, **options)
        raise DatasetError(f"{text}: glassnet reads {' and '.join(FILE_SUFFIXES)} files, not {suffix}")
    key = _key(text)
    if key not in _CATALOGUE:
        hint = " (a file? give its path ending in .csv or .npz)" if Path(text).exists() else ""
        raise DatasetError(
            f"unknown data set {text!r}{hint}; the names are: {', '.join(_CATALOGUE)}, "
            "or give a path to a .csv or .npz file"
        )
    _refuse_target(text, target)
    kind, loader = _CATALOGUE[key]
    if kind == "idx":
        split = options.pop("split", "train")
        return idx.load_idx_dataset(key, split, **options)
    dataset = loader(**options)
    assert isinstance(dataset, Dataset)  # only the idx loaders, handled above, give a (train, test) pair
    return dataset


def _refuse_target(what: str, target: str | None) -> None:
    if target is not None:
        raise DatasetError(
            f"target= names a CSV column; {what!r} is not a CSV file and has its target already"
        )
