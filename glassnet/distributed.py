"""Beyond one machine's memory and cores, on Dask: out-of-core training and sweeps on a cluster.

Out-of-core training. :func:`partial_fit_blocks` trains an estimator on a Dask array (or any array, read
in blocks of ``block_rows`` rows, e.g. an ``np.memmap`` or a zarr array) one block of rows at a time::

    for epoch in range(epochs):
        for X_i, y_i in the row blocks of (X, y), in order:
            estimator.partial_fit(X_i, y_i)          # one pass of mini-batch steps over the block

so only one block is ever in memory (as numpy arrays), whatever the size of X. With ``shuffle=False`` and a
block size that is a multiple of ``batch_size``, the steps are exactly those of ``fit`` on the whole array
held in memory, for the same number of epochs (``max_iter``, with ``tol=0`` and ``n_iter_no_change`` above
it so that fit does not stop sooner): the same batches in the same order, the optimizer's state carried from
block to block, the same weights bit for bit. (``n_iter_`` differs: each ``partial_fit`` counts one.)

Dask is needed only for Dask arrays: an ``np.memmap``, zarr or h5py array is sliced directly, ``block_rows``
rows at a time. Do not wrap an ``np.memmap`` in ``dask.array.from_array``: Dask copies it into memory.

Sweeps. glassnet's estimators are ordinary scikit-learn estimators, so a search runs on a Dask cluster
through joblib's Dask backend, with no glassnet code in between::

    from dask.distributed import Client
    import joblib
    client = Client("tcp://scheduler:8786")          # or Client(LocalCluster(...)) on one machine
    with joblib.parallel_backend("dask"):
        search = GridSearchCV(MLPClassifier(random_state=0), grid, n_jobs=-1).fit(X, y)

Each fit is seeded by ``random_state``, so the search's results equal those of the default backend.
Needs ``pip install "glassnet[dask]"``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError

__all__ = ["partial_fit_blocks"]


def _is_dask(values: Any) -> bool:
    """Whether ``values`` is a Dask array (without importing dask: if it is not loaded, nothing is one)."""
    da = sys.modules.get("dask.array")
    return da is not None and isinstance(values, da.Array)


def _check_rows(name: str, values: Any, n_rows: int) -> Any:
    if values is None:
        return None
    if not hasattr(values, "shape"):
        values = np.asarray(values)
    if len(values.shape) not in (1, 2) or values.shape[0] != n_rows:
        raise InputError(f"{name} has shape {tuple(values.shape)}; it needs one row per row of X ({n_rows})")
    return values


def _is_classifier(estimator: Any) -> bool:
    try:
        from sklearn.base import is_classifier
    except ImportError:  # not a scikit-learn estimator, then: it says itself whether it needs classes
        return bool(getattr(estimator, "_is_classifier", False))
    return bool(is_classifier(estimator))


def partial_fit_blocks(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    epochs: int = 1,
    block_rows: int | None = None,
    classes: Any = None,
    sample_weight: Any = None,
    **compute_options: Any,
) -> Any:
    """Train ``estimator`` by ``partial_fit`` over the row blocks of ``X``, in order, ``epochs`` times.

    Parameters
    ----------
    estimator : anything with ``partial_fit`` (glassnet's MLPClassifier or MLPRegressor).
    X : a Dask array (its row chunks are the blocks; column chunks are joined), or any array with
        ``shape`` and row slicing (``np.memmap``, zarr, h5py), read ``block_rows`` rows at a time.
    y, sample_weight : a Dask array or any array with one row per row of X (cut into the same blocks).
    epochs : passes over the whole of X.
    block_rows : the block size for an X that is not a Dask array (ignored, and not needed, for one).
    classes : for a classifier, every label y holds; by default the unique values of a 1-D y (one pass
        over y, computed by Dask).
    **compute_options : passed to ``dask.compute`` for each block (e.g. ``scheduler="synchronous"``).

    Returns the estimator. Memory: one block of X, y (and sample_weight) at a time, plus the network.
    """
    if not hasattr(estimator, "partial_fit"):
        raise InputTypeError(f"{type(estimator).__name__} has no partial_fit; use glassnet's MLPClassifier or "
                             "MLPRegressor")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise InputError(f"epochs must be a whole number >= 1, got {epochs!r}")
    if not hasattr(X, "shape"):
        X = np.asarray(X)
    if len(X.shape) != 2:
        raise InputError(f"X must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}")
    n_rows = int(X.shape[0])
    if _is_dask(X):
        ends = np.cumsum(X.chunks[0]).tolist()  # its row chunks
    else:
        if block_rows is None:
            raise InputError("X is not a Dask array: say how many rows to read at a time with block_rows=")
        if isinstance(block_rows, bool) or not isinstance(block_rows, (int, np.integer)) or block_rows < 1:
            raise InputError(f"block_rows must be a whole number >= 1, got {block_rows!r}")
        ends = list(range(int(block_rows), n_rows, int(block_rows))) + [n_rows]
    if y is None:
        raise InputError("partial_fit_blocks needs y, the targets: one per row of X")
    y = _check_rows("y", y, n_rows)
    weights = _check_rows("sample_weight", sample_weight, n_rows)
    options: dict[str, Any] = {}
    if _is_classifier(estimator):
        if classes is None and "network_" not in getattr(estimator, "__dict__", {}):
            if len(y.shape) != 1:
                raise InputError("give classes= for a 2-D y (the labels of a multilabel indicator: range(n_labels))")
            classes = _unique(y, compute_options)
        options["classes"] = classes
    # a Dask array's blocks as one Delayed each, made once: slicing it anew for every block and epoch would
    # grow Dask's graph (and its memory) with every pass
    pieces = [_pieces(a, ends) if _is_dask(a) else a for a in (X, y, weights)]
    for _ in range(int(epochs)):
        start = 0
        for i, end in enumerate(ends):
            block = _read(pieces, i, start, end, compute_options)
            if weights is not None:
                options["sample_weight"] = block[2]
            estimator.partial_fit(block[0], block[1], **options)
            start = end
    return estimator


def _pieces(values: Any, ends: list[int]) -> list[Any]:
    """The row blocks ``[0:ends[0]], [ends[0]:ends[1]], ...`` of a Dask array, whole rows, as Delayed objects."""
    starts = [0, *ends[:-1]]
    chunks = tuple(end - start for start, end in zip(starts, ends, strict=True))
    values = values.rechunk({0: chunks, **{axis: -1 for axis in range(1, values.ndim)}})
    return list(values.to_delayed().ravel())


def _read(pieces: list[Any], i: int, start: int, end: int, compute_options: dict[str, Any]) -> list[Any]:
    """Block ``i`` (rows ``start:end``) of each array as numpy arrays; the Dask ones computed together."""
    parts: list[Any] = [None if p is None else p[i] if isinstance(p, list) else p[start:end] for p in pieces]
    lazy = [k for k, p in enumerate(pieces) if isinstance(p, list)]
    if lazy:
        import dask

        for k, value in zip(lazy, dask.compute(*[parts[k] for k in lazy], **compute_options), strict=True):
            parts[k] = value
    return [None if part is None else np.asarray(part) for part in parts]


def _unique(y: Any, compute_options: dict[str, Any]) -> np.ndarray:
    if _is_dask(y):
        import dask
        import dask.array as da

        return np.unique(dask.compute(da.unique(y), **compute_options)[0])
    return np.unique(np.asarray(y))
