"""Saving and loading networks and estimators: ``net.save(path)``, ``glassnet.load(path)``.

A model is stored in glassnet's safe container (:mod:`glassnet.modelfile`): one ``.npz`` file holding a
JSON header and plain numeric arrays, never a pickle. ``load`` returns what was saved: a
:class:`~glassnet.network.Network`, an ``MLPClassifier`` or an ``MLPRegressor``.

This module only dispatches on the file's kind; each kind writes and reads its own part:

- ``network`` (every file): :meth:`Network.to_file <glassnet.network.Network.to_file>` and
  :meth:`Network.from_file <glassnet.network.Network.from_file>` (``sizes``, ``activations``, ``cost``,
  ``dtype``, ``seed``, ``rng_state``; arrays ``layers.<i>.weights`` and ``layers.<i>.bias``);
- ``estimator`` (kinds ``"MLPClassifier"`` and ``"MLPRegressor"``): :mod:`glassnet.estimators.state`
  (parameters, fitted attributes, the optimizer's config and its arrays ``optimizer.<name>``);
- ``preprocessing`` and ``training``: any JSON the caller gives (e.g. a Standardizer's means and scales,
  a training summary); read them back with :func:`read_header`.

Loading checks everything before it builds anything; besides the container's own checks (format, version,
manifest, sizes, finite values), each part checks its meaning, and arrays no part uses are refused. Every
problem raises :class:`~glassnet.errors.ModelFileError` naming the file. The round trip is exact: the
loaded model's predictions equal the saved model's bit for bit.
"""

from __future__ import annotations

import os
import pathlib
import sys
from typing import Any

import numpy as np

from .errors import GlassnetError, ModelFileError
from .modelfile import check_header_allocation, read_model_file, write_model_file
from .network import Network

__all__ = ["save", "load", "read_header", "KINDS"]

KINDS = ("network", "MLPClassifier", "MLPRegressor")
"""The kinds of file :func:`load` reads."""


def save(model: Any, path: str | os.PathLike[str], *, preprocessing: Any = None, training: Any = None) -> pathlib.Path:
    """Save a Network, MLPClassifier or MLPRegressor to ``path`` (atomically); returns the path.

    ``preprocessing`` and ``training`` are optional JSON values stored in the header (for example a
    Standardizer's ``{"mean": [...], "scale": [...]}`` and ``history.as_dict()``).
    """
    if isinstance(model, Network):
        kind, net = "network", model
        header, arrays = {}, {}
    else:
        state = _estimator_state()  # only a loaded glassnet.estimators can have made an estimator
        kind = type(model).__name__
        if state is None or state.KINDS.get(kind) is not type(model):
            raise ModelFileError(
                f"cannot write '{path}': glassnet saves a Network, MLPClassifier or MLPRegressor, not a {kind}"
            )
        if "network_" not in model.__dict__:
            raise ModelFileError(f"cannot write '{path}': this {kind} is not fitted yet; call fit first")
        net = model.network_
        estimator, arrays = state.to_file(model)
        header = {"estimator": estimator}
    net_header, net_arrays = net.to_file()
    header = {"network": net_header, **header, "preprocessing": preprocessing, "training": training}
    return write_model_file(path, header, {**net_arrays, **arrays}, kind=kind)


def _estimator_state():
    """glassnet.estimators.state if the estimators are loaded, else None (saving a Network needs no sklearn)."""
    if "glassnet.estimators" not in sys.modules:
        return None
    from .estimators import state

    return state


def read_header(path: str | os.PathLike[str]) -> dict:
    """The fully checked header of a model file (including ``preprocessing`` and ``training``)."""
    return read_model_file(path)[0]


def _check_network_size(spec: Any, arrays: dict) -> None:
    """Refuse a header whose layer sizes describe more weights than the file's arrays hold, before the
    network is built: its weights are allocated from the sizes, and a few bytes of header could ask for GBs."""
    sizes = spec.get("sizes") if isinstance(spec, dict) else None
    if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
        return  # Network.from_file names the problem
    count = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:], strict=False))
    check_header_allocation(count, np.dtype(np.float32), "the network's sizes",
                            limit=sum(int(a.nbytes) for a in arrays.values()))


def load(path: str | os.PathLike[str]) -> Any:
    """Load what :func:`save` wrote: a Network, MLPClassifier or MLPRegressor (checked before it is built)."""
    header, arrays = read_model_file(path)
    try:
        kind = header["kind"]
        if kind not in KINDS:
            raise ModelFileError(f"it holds a {kind!r}; glassnet.load reads {', '.join(KINDS)}")
        if "network" not in header:
            raise ModelFileError("the header lacks 'network'")
        _check_network_size(header["network"], arrays)
        net = Network.from_file(header["network"], arrays)
        model: Any = net
        used = set(net.file_arrays())
        if kind != "network":
            from .estimators import state  # needs scikit-learn; imported only when an estimator file is loaded

            if "estimator" not in header:
                raise ModelFileError("the header lacks 'estimator'")
            model, more = state.from_file(kind, header["estimator"], net, arrays)
            used |= more
        unknown = sorted(set(arrays) - used)
        if unknown:
            raise ModelFileError(f"it holds arrays this model does not use: {unknown}")
        return model
    except ModelFileError as exc:
        raise ModelFileError(f"cannot load '{path}': {exc}") from None
    except (GlassnetError, ValueError, TypeError, KeyError, OverflowError) as exc:
        raise ModelFileError(f"cannot load '{path}': its header does not describe a valid model ({exc})") from None
