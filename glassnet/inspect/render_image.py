"""An input image beside the network's prediction, as text: the picture in shades of characters, the class
probabilities as bars, and the true class when it is known.

For image data sets (digits' 8x8, MNIST's 28x28; any ``image_shape``): each pixel becomes two characters of
:data:`SHADES`, from blank for no ink to ``@`` for the most ink in the image, so the digit can be read in a
terminal. It reads the input and the outputs it is given and computes nothing of the network's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError

__all__ = ["image_text", "prediction_text", "SHADES"]

SHADES = " .:-=+*#%@"  # from no ink to the most ink in the image


def image_text(x: object, shape: Sequence[int]) -> list[str]:
    """The image ``x`` (one row of pixels) folded into ``shape`` (rows, columns), one line per pixel row.

    Pixels are scaled between the image's smallest and largest value; each is two characters wide, so the
    picture keeps its proportions in a terminal.
    """
    pixels = np.asarray(x, dtype=np.float64).ravel()
    rows, columns = (int(v) for v in tuple(shape)[:2])
    if rows * columns != pixels.size:
        raise InputError(f"an image of shape {rows}x{columns} has {rows * columns} pixels; the input has {pixels.size}")
    lo, hi = float(np.min(pixels)), float(np.max(pixels))
    scaled = np.zeros_like(pixels) if hi <= lo else (pixels - lo) / (hi - lo)
    levels = np.minimum((scaled * len(SHADES)).astype(int), len(SHADES) - 1).reshape(rows, columns)
    return ["".join(SHADES[level] * 2 for level in row) for row in levels]


def prediction_text(
    x: object,
    shape: Sequence[int],
    probabilities: object,
    class_names: Sequence[str] | None = None,
    true_class: int | None = None,
    width: int = 20,
) -> str:
    """The picture on the left and, on the right, each class's output as a bar (largest first), the predicted
    class marked ``<- predicted`` and the true one ``<- true`` (when given)."""
    picture = image_text(x, shape)
    outputs = np.asarray(probabilities, dtype=np.float64).ravel()
    names = [str(c) for c in class_names] if class_names is not None else [str(j) for j in range(len(outputs))]
    if len(names) != len(outputs):
        raise InputError(f"{len(names)} class names for {len(outputs)} outputs")
    predicted = int(np.argmax(outputs))
    order = np.argsort(-outputs, kind="stable")
    name_width = max(len(n) for n in names)
    bars = []
    for j in order:
        marks = [m for m, yes in (("predicted", j == predicted), ("true", j == true_class)) if yes]
        bar = "#" * int(round(max(0.0, min(1.0, float(outputs[j]))) * width))
        bars.append(f"{names[j]:>{name_width}}  {outputs[j]:.4f}  {bar:<{width}}" + (
            f"  <- {' and '.join(marks)}" if marks else ""))
    verdict = ""
    if true_class is not None:
        right = "right" if predicted == true_class else "wrong"
        verdict = f"predicted {names[predicted]}, true {names[int(true_class)]}: {right}"
    rows, columns = (int(v) for v in tuple(shape)[:2])
    head = f"the input, {rows}x{columns} pixels"
    head += " " * max(0, 2 * columns + 2 - len(head))
    lines = [f"{head}   the network's outputs, largest first"]
    blank = " " * (2 * columns)
    for i in range(max(len(picture), len(bars) + 1)):
        left = picture[i] if i < len(picture) else blank
        right = bars[i] if i < len(bars) else (verdict if i == len(bars) else "")
        lines.append(f"|{left}|  {right}".rstrip())
    return "\n".join(lines)
