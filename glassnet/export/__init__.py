"""Taking a glassnet model elsewhere, and bringing a PyTorch one in: ONNX and PyTorch, out and in.

- :func:`to_onnx` writes a Network or a fitted MLPClassifier/MLPRegressor as an ONNX graph (MatMul, Add and
  the activations), with an input standardization folded in; outputs named as scikit-learn's ONNX
  converters name them (``label``, ``probabilities``; ``variable`` for regression). Needs ``glassnet[onnx]``.
- :func:`to_torch` gives an ``nn.Sequential`` with the same predictions; :func:`from_torch` reads a
  Sequential of Linear layers and glassnet's activations back into a Network. Needs ``glassnet[torch]``.

Nothing here imports onnx or torch until it is called; a missing one raises
:class:`~glassnet.errors.MissingExtraError` naming the extra that installs it.
"""

from __future__ import annotations

from .onnx import to_onnx
from .torch import from_torch, to_torch

__all__ = ["to_onnx", "to_torch", "from_torch"]
