"""The one activation glassnet has and PyTorch lacks as a module: ``Arctan``, ``a = arctan(s)``.

Imported only by :func:`glassnet.export.to_torch` and :func:`~glassnet.export.from_torch` (it needs torch).
A model that uses it needs this module to run: ``from glassnet.export.torch_layers import Arctan``.
"""

from __future__ import annotations

import torch

__all__ = ["Arctan"]


class Arctan(torch.nn.Module):
    """``a = arctan(s)`` elementwise, glassnet's ``arctan`` activation as a PyTorch module."""

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return torch.atan(s)
