"""Real data sets that ship inside scikit-learn, as glassnet Datasets; no download needed.

These need the optional scikit-learn (``pip install "glassnet[sklearn]"``); it is imported only when a
loader is called.
"""

from __future__ import annotations

import numpy as np

from .base import Dataset, Task, require


def _load(
    loader_name: str,
    name: str,
    task: Task,
    description: str,
    target_names: tuple[str, ...] | None = None,
    image_shape: tuple[int, ...] | None = None,
) -> Dataset:
    """scikit-learn's ``loader_name()`` as a Dataset; a regression data set names its target."""
    sk_datasets = require("sklearn.datasets", f"{loader_name}()")
    bunch = getattr(sk_datasets, loader_name)()
    if task == "classification":
        y = np.asarray(bunch.target, dtype=np.int64)
        target_names = tuple(str(n) for n in bunch.target_names)
    else:
        y = np.asarray(bunch.target, dtype=np.float64)
        if target_names is None:
            raise ValueError(f"{loader_name}: a regression data set needs target_names")  # a glassnet bug
    return Dataset(
        X=np.ascontiguousarray(bunch.data, dtype=np.float64),
        y=y,
        feature_names=tuple(bunch.feature_names),
        target_names=target_names,
        task=task,
        name=name,
        description=description,
        image_shape=image_shape,
    )


def load_digits() -> Dataset:
    """Handwritten digits, 8x8 pixels: 1,797 images, 64 features (ink 0..16), 10 classes.

    Returns
    -------
    Dataset
        X float64 (1797, 64), y int64 in 0..9, ``image_shape`` (8, 8).
    """
    return _load(
        "load_digits",
        "digits",
        "classification",
        "UCI optical recognition of handwritten digits, 8x8 pixels, ink 0..16.",
        image_shape=(8, 8),
    )


def load_threes_and_sevens() -> Dataset:
    """Handwritten 3s and 7s, 8x8 pixels: the digits' 3s and 7s as a two-class task (3 is class 0, 7 class 1).

    The tutorials' picture task: is this image a 3 or a 7? The rows are the :func:`load_digits` images whose
    label is 3 or 7, in their order there (183 threes and 179 sevens).

    Returns
    -------
    Dataset
        X float64 (362, 64), ink 0..16; y int64 in {0, 1} (``target_names`` ``("3", "7")``), ``image_shape`` (8, 8).
    """
    digits = load_digits()
    keep = (digits.y == 3) | (digits.y == 7)
    return Dataset(
        X=np.ascontiguousarray(digits.X[keep]),
        y=(digits.y[keep] == 7).astype(np.int64),
        feature_names=digits.feature_names,
        target_names=("3", "7"),
        task="classification",
        name="3-vs-7",
        description="The 3s and 7s of the UCI handwritten digits (8x8 pixels, ink 0..16): two classes, 3 and 7.",
        image_shape=(8, 8),
    )


def load_iris() -> Dataset:
    """Fisher's iris flowers: 150 flowers, 4 measurements in cm, 3 species.

    Returns
    -------
    Dataset
        X float64 (150, 4), y int64 in 0..2.
    """
    return _load("load_iris", "iris", "classification", "Fisher's iris flowers: sepal and petal sizes in cm.")


def load_wine() -> Dataset:
    """Wines from three cultivars: 178 wines, 13 chemical measurements on very different scales.

    Returns
    -------
    Dataset
        X float64 (178, 13), y int64 in 0..2.
    """
    return _load("load_wine", "wine", "classification", "UCI wine recognition: chemical analysis of wines.")


def load_breast_cancer() -> Dataset:
    """Wisconsin breast cancer diagnosis: 569 tumours, 30 features, malignant (0) or benign (1).

    Returns
    -------
    Dataset
        X float64 (569, 30), y int64 in {0, 1}.
    """
    return _load(
        "load_breast_cancer",
        "breast-cancer",
        "classification",
        "Wisconsin diagnostic breast cancer: features of cell nuclei in a scan.",
    )


def load_diabetes() -> Dataset:
    """Diabetes progression: 442 patients, 10 features (already centred and scaled), regression target.

    The target is a measure of disease progression one year after baseline (about 25 to 346).

    Returns
    -------
    Dataset
        X float64 (442, 10), y float64 (442,).
    """
    return _load(
        "load_diabetes",
        "diabetes",
        "regression",
        "Efron et al. diabetes data: disease progression one year after baseline.",
        target_names=("disease progression",),
    )
