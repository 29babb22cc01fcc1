"""One codec for random-generator state, used by every file that stores one (networks, estimators, checkpoints).

All randomness in glassnet comes from a seed through ``numpy.random.Generator`` (PCG64); storing the
generator's state with a model lets training continue exactly where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["rng_state_from_json", "rng_state_to_json"]

def rng_state_to_json(state: Mapping[str, Any]) -> dict[str, Any]:
    """A PCG64 generator's state (``rng.bit_generator.state``) as header JSON.

    The 128-bit integers are written as decimal text: JSON readers elsewhere may hold only 64-bit integers.
    """
    inner = state["state"]
    return {"bit_generator": state["bit_generator"], "state": {k: str(int(v)) for k, v in inner.items()},
            "has_uint32": int(state["has_uint32"]), "uinteger": str(int(state["uinteger"]))}


def rng_state_from_json(spec: Any) -> dict[str, Any]:
    """The generator state :func:`rng_state_to_json` wrote, checked, ready for ``rng.bit_generator.state``.

    Reads the integers as decimal text or as JSON numbers (as checkpoints of glassnet 0.1 stored them).
    Raises ValueError naming the problem.
    """
    if not isinstance(spec, dict) or spec.get("bit_generator") != "PCG64":
        raise ValueError("rng_state does not describe this network's random generator")
    inner = spec.get("state")
    if not isinstance(inner, dict) or set(inner) != {"state", "inc"}:
        raise ValueError("rng_state lacks the generator's state")
    try:
        numbers = {k: _whole(inner[k]) for k in ("state", "inc")}
        uinteger = _whole(spec["uinteger"])
        if not all(0 <= v < 2**128 for v in numbers.values()) or not 0 <= uinteger < 2**32:
            raise ValueError("out of range")
        state: dict[str, Any] = {"bit_generator": "PCG64", "state": numbers,
                                 "has_uint32": _whole(spec["has_uint32"]), "uinteger": uinteger}
        setattr(np.random.PCG64(), "state", state)  # noqa: B010 - what numpy itself refuses, refused here
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"rng_state is not valid ({exc})") from None
    return state


def _whole(value: Any) -> int:
    """A whole number from JSON: an int or its decimal text (never a bool or a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{value!r} is not a whole number")
    return int(value)
