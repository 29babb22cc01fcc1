"""Sparse X (scipy.sparse): the first layer works on the sparse matrix itself, never on a dense copy of X.

Text and one-hot features are mostly zeros: a TF-IDF matrix of 200,000 documents over a 50,000-word
vocabulary holds perhaps ten nonzeros a row, a few MB, where its dense form would need 40 GB. Only the
first layer ever sees X, so only its two products involve it::

    s_1 = X_b @ W_1 + b_1            forward propagation of a batch X_b (m rows, n_in columns)
    BP4  dJ/dW_1 = X_b^T @ delta_1   the first layer's weight gradient

Both are products of a sparse matrix with a dense one, which scipy computes in time proportional to the
batch's nonzeros times the layer's width; their results (``s_1``, shape (m, n_out), and ``dJ/dW_1``, shape
(n_in, n_out)) are dense, as they are for a dense X. Everything above the first layer, the costs and the
optimizers never know X was sparse, and the numbers are those of the dense path (the same sums, in another
order: equal to rounding).

A checked sparse X is held as :class:`CSRRows`, a ``scipy.sparse.csr_array`` whose ``len()`` is its number
of rows, as a numpy array's is, so the engine counts and slices sparse and dense X alike. CSR keeps each
row's nonzeros together: a batch of rows, a slice or the sorted rows of a shuffled batch, is a small CSR
holding only that batch's nonzeros. Every scipy sparse format is accepted (CSR and CSC, matrices and
arrays); any other than CSR is converted once, when X is checked.

scipy is optional: it is imported only when a sparse X arrives, and :func:`is_sparse` asks
``sys.modules`` first, since no sparse matrix can exist before ``scipy.sparse`` has been imported.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError

__all__ = ["check_sparse_X", "is_sparse", "sparse_gradient", "sparse_product", "sparse_rows"]

_ROWS_CLASS: Any = None


def is_sparse(X: object) -> bool:
    """True when X is a scipy.sparse matrix or array (without importing scipy when it is not loaded)."""
    module = sys.modules.get("scipy.sparse")
    return module is not None and bool(module.issparse(X))


def _rows_class() -> Any:
    """:class:`CSRRows`, made on first use so that importing glassnet never imports scipy."""
    global _ROWS_CLASS
    if _ROWS_CLASS is None:
        from scipy.sparse import csr_array

        class CSRRows(csr_array):
            """A CSR array of samples, one per row, whose ``len()`` is its number of rows (as for numpy).

            A slice of rows (``X[a:b]``) holds just those rows' nonzeros, cut straight from X's arrays: it
            shares them when it is most of X (a full batch is X itself, not a copy), and scipy copies the
            smaller ones so that they do not keep a big X alive. Other selections are scipy's (copies of the
            rows chosen), CSRRows too.
            """

            def __len__(self) -> int:
                return int(self.shape[0])

            def __getitem__(self, key: Any) -> Any:
                if isinstance(key, slice) and key.step in (None, 1):
                    begin, end, _ = key.indices(self.shape[0])
                    end = max(begin, end)
                    offsets = self.indptr[begin : end + 1]
                    first, last = int(offsets[0]), int(offsets[-1])
                    return type(self)(
                        (self.data[first:last], self.indices[first:last], offsets - offsets[0]),
                        shape=(end - begin, self.shape[1]), copy=False,
                    )
                return super().__getitem__(key)

        # found again by name (pickle, a fitted layer's last batch) through this module's __getattr__
        CSRRows.__module__, CSRRows.__qualname__ = __name__, "CSRRows"
        _ROWS_CLASS = CSRRows
    return _ROWS_CLASS


def __getattr__(name: str) -> Any:
    if name == "CSRRows":
        return _rows_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sparse_rows(X: Any) -> Any:
    """X itself when it is not sparse; a sparse X as :class:`CSRRows` (its arrays shared, not copied).

    The scikit-learn face calls this on what scikit-learn's checks return, so that ``len(X)`` counts rows.
    """
    if not is_sparse(X):
        return X
    rows_class = _rows_class()
    if isinstance(X, rows_class):
        return X
    csr = X if X.format == "csr" else X.tocsr()
    return rows_class((csr.data, csr.indices, csr.indptr), shape=csr.shape, copy=False)


def check_sparse_X(X: Any, n_features: int | None, dtype: np.dtype | None = None, name: str = "X") -> Any:
    """A sparse X checked as :func:`glassnet.validation.check_X` checks a dense one, as :class:`CSRRows`.

    2-D, at least one row, ``n_features`` columns (when given), real numbers (cast to ``dtype``, or to
    float64 when no dtype is given and they are not floats), every stored value finite. Only the stored
    values are read and converted: X is never made dense.
    """
    shape = tuple(X.shape)
    if len(shape) != 2:
        raise InputError(f"{name} must be 2-D, shaped (n_samples, n_features); got a {len(shape)}-D sparse {shape}")
    kind = np.dtype(X.dtype).kind
    if kind == "c":
        raise InputTypeError(f"{name} holds complex numbers; glassnet works with real numbers")
    if kind not in "biuf":
        raise InputTypeError(
            f"{name} must hold numbers, but this sparse matrix holds {np.dtype(X.dtype).name} values that are not "
            "numbers; encode text as numbers first (e.g. TfidfVectorizer, OneHotEncoder)"
        )
    if shape[0] == 0:
        raise InputError(f"{name} is empty (0 samples); pass at least one row")
    if n_features is not None and shape[1] != n_features:
        raise InputError(f"{name} has {shape[1]} columns but the network's first layer takes {n_features} inputs")
    csr = X if X.format == "csr" else X.tocsr()
    target = dtype if dtype is not None else (csr.dtype if kind == "f" else np.dtype(np.float64))
    with np.errstate(over="ignore"):  # a finite value beyond the dtype is named below, not warned of
        data = csr.data if csr.data.dtype == target else csr.data.astype(target)
    finite = np.isfinite(data)
    if not finite.all():
        k = int(np.flatnonzero(~finite)[0])
        row = int(np.searchsorted(csr.indptr, k, side="right")) - 1
        if data is not csr.data and np.isfinite(csr.data[k]):
            from .validation import _beyond_dtype

            raise InputError(_beyond_dtype(name, float(csr.data[k]), (row, int(csr.indices[k])), data.dtype))
        what = "NaN" if np.isnan(data[k]) else "an infinite value"
        raise InputError(
            f"{name} contains {what} at index ({row}, {int(csr.indices[k])}) among its stored values; remove or "
            "impute missing values before training"
        )
    return _rows_class()((data, csr.indices, csr.indptr), shape=shape, copy=False)


def sparse_product(X: Any, weights: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out = X @ weights`` for a sparse batch X (m, n_in): the first layer's ``s_1`` before its bias."""
    out[...] = X @ weights
    return out


def sparse_gradient(X: Any, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
    """BP4 for the first layer, ``out = X^T @ delta``: dJ/dW_1 (n_in, n_out) from a sparse batch X (m, n_in)."""
    out[...] = X.T @ delta
    return out
