"""One self-contained HTML page about a network: summary, training curves, diagram, blame, confusion matrix.

Everything the page shows is inside the file: pictures are inlined (base64 PNG or inline SVG), the style
sheet too, and nothing is fetched from anywhere, so the file can be mailed, archived or opened offline.
Without matplotlib (``pip install "glassnet[plots]"``) the page still has every table, and says what
would add the pictures.
"""

from __future__ import annotations

import base64
import datetime
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .errors import InputError, InputTypeError, NotTrainableError
from .inspect.render_html import esc as _esc
from .inspect.render_html import number as _fmt

__all__ = ["render_report", "write_report"]

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
.meta { color: #666; font-size: 0.9em; } pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
td, th { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: right; }
th { background: #f0f0f0; } td.left, th.left { text-align: left; }
figure { margin: 1em 0; } figure img, figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; } .note { color: #8a5300; }
"""
_SCATTER_ROWS = 2000  # pictures over the input plane draw at most this many points


class _Pictures:
    """Draws the report's pictures and turns them into HTML, or notes why it cannot."""

    def __init__(self, image_format: str, dpi: float) -> None:
        if image_format not in ("png", "svg"):
            raise InputError(f"image_format must be 'png' or 'svg', got {image_format!r}")
        self.format = image_format
        self.dpi = dpi
        self.missing: str | None = None
        try:
            from .plots import require_matplotlib

            require_matplotlib()
        except ImportError as exc:  # MissingExtraError is an ImportError
            self.missing = str(exc)

    def figure(self, draw: Any, caption: str) -> str:
        """``<figure>`` with the picture ``draw()`` returns inlined, and its caption."""
        if self.missing:
            return f'<p class="note">{_esc(caption)}: no picture, because {_esc(self.missing)}.</p>'
        from .plots import figure_bytes

        fig = draw()
        data = figure_bytes(fig, self.format, self.dpi)
        if self.format == "png":
            encoded = base64.b64encode(data).decode("ascii")
            body = f'<img alt="{_esc(caption)}" src="data:image/png;base64,{encoded}">'
        else:
            svg = data.decode("utf-8")
            body = svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG needs neither
            body = re.sub(r"<metadata>.*?</metadata>", "", body, flags=re.S)
        return f"<figure>{body}<figcaption>{_esc(caption)}</figcaption></figure>"


def _subsample(n: int) -> np.ndarray:
    return np.arange(n) if n <= _SCATTER_ROWS else np.linspace(0, n - 1, _SCATTER_ROWS).astype(np.intp)


def render_report(
    network: Any,
    history: Any = None,
    X: object | None = None,
    Y: object | None = None,
    class_names: list[str] | None = None,
    title: str = "glassnet report",
    *,
    image_format: str = "png",
    dpi: float = 80,
    feature_names: list[str] | None = None,
    inputs: Any = None,
    targets: Any = None,
) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    from . import __version__
    from .inspect import blame
    from .training import History

    if not hasattr(network, "layers") or not hasattr(network, "summary"):
        raise InputTypeError(f"the report is about a glassnet Network, got {type(network).__name__}")
    if isinstance(history, dict):
        history = History.from_dict(history)
    if (X is None) != (Y is None):
        raise InputError("give both X and Y (the examples the report measures the network on), or neither")
    cost_fn = network.cost_function
    if class_names is not None:
        class_names = [str(name) for name in class_names]
        k = 2 if cost_fn.name == "binary_cross_entropy" and network.n_outputs == 1 else network.n_outputs
        if len(class_names) != k:
            raise InputError(
                f"class_names has {len(class_names)} names but the network tells {k} classes apart"
            )
    if feature_names is not None:
        feature_names = [str(name) for name in feature_names]
        if len(feature_names) != network.n_inputs:
            raise InputError(f"feature_names has {len(feature_names)} names; the network has {network.n_inputs} "
                             "inputs")
    X_checked: np.ndarray | None = None
    if X is not None:
        X_checked, Y_checked = network.check_XY(X, Y)
    pictures = _Pictures(image_format, dpi)
    arch = "-".join(str(n) for n in network.sizes)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">network {_esc(arch)}, cost {_esc(cost_fn.name)}, {network.n_params} parameters; '
        f"made by glassnet {_esc(__version__)} on {_esc(now)}</p>",
        "<h2>Summary</h2>",
        f"<pre>{_esc(network.summary())}</pre>",
    ]
    if pictures.missing:
        out.append(f'<p class="note">The pictures are left out: {_esc(pictures.missing)}.</p>')

    if X_checked is not None:
        outputs, cost, accuracy = network.evaluate_checked(X_checked, Y_checked)
        rows = [
            f"<tr><th class=left>examples</th><td>{len(X_checked)}</td></tr>",
            f"<tr><th class=left>cost J ({_esc(cost_fn.name)})</th><td>{_fmt(cost)}</td></tr>",
        ]
        if accuracy is not None:
            rows.append(f"<tr><th class=left>accuracy</th><td>{accuracy:.2%}</td></tr>")
        out += ["<h2>On the data given</h2>", f"<table>{''.join(rows)}</table>"]

    if history is not None and len(history.cost):
        from .plots import plot_history

        rows = [
            f"<tr><th class=left>epochs</th><td>{len(history.cost)}</td></tr>",
            f"<tr><th class=left>first / last training cost</th><td>{_fmt(history.cost[0])} / "
            f"{_fmt(history.cost[-1])}</td></tr>",
        ]
        if history.val_cost:
            rows.append(
                f"<tr><th class=left>last validation cost</th><td>{_fmt(history.val_cost[-1])}</td></tr>"
            )
        if history.best_epoch is not None:
            rows.append(
                f"<tr><th class=left>best epoch</th><td>{history.best_epoch + 1}"
                f"{' (stopped early)' if history.stopped_early else ''}</td></tr>"
            )
        out += [
            "<h2>Training</h2>",
            f"<table>{''.join(rows)}</table>",
            pictures.figure(lambda: plot_history(history), "cost and accuracy after each epoch"),
        ]

    from .plots import plot_network

    out += [
        "<h2>The network</h2>",
        _names_table(network, feature_names, class_names),
        pictures.figure(
            lambda: plot_network(network, view="weights"),
            "connections: line width |w|, blue positive, orange negative",
        ),
    ]
    if X_checked is not None and network.trainable:
        out.append(
            pictures.figure(
                lambda: plot_network(network, X_checked[0], Y_checked[0], view="backward"),
                "the first example's backward pass: each neuron filled by its delta = dJ/ds",
            )
        )

    if X_checked is not None:
        out.append("<h2>Blame</h2>")
        try:
            result = blame(network, X_checked, Y_checked, input_names=feature_names)
        except NotTrainableError as exc:
            out.append(f'<p class="note">{_esc(exc)}</p>')
        else:
            from .plots import plot_blame

            out += [
                f"<p>Each neuron's mean |delta| (its error dJ/ds per example) over the {len(X_checked)} examples, "
                "and the upstream neurons that carry most of its input, ranked by mean |w a|"
                + (f" (the output neurons: {_esc(_output_legend(network, class_names))})" if class_names else "")
                + ".</p>",
                result.to_html(max_neurons=20),
                pictures.figure(lambda: plot_blame(result), "mean |delta| per neuron, and input shares"),
            ]

    # independent sigmoid outputs (multi-label) have no single class: no confusion matrix, no boundary
    multi_label = cost_fn.name == "binary_cross_entropy" and network.n_outputs > 1
    if X_checked is not None and cost_fn.is_classification and not multi_label:
        from .plots import confusion_matrix, plot_confusion_matrix

        predicted = cost_fn.classes(outputs)
        truth = cost_fn.classes(Y_checked) if Y_checked.shape[1] > 1 else (Y_checked[:, 0] > 0.5).astype(int)
        k = max(network.n_outputs, 2)
        counts = confusion_matrix(truth, predicted, k)
        names = class_names or [str(i) for i in range(k)]
        header = "".join(f"<th>{_esc(n)}</th>" for n in names)
        body = "".join(
            f"<tr><th>{_esc(names[i])}</th>" + "".join(f"<td>{c}</td>" for c in counts[i]) + "</tr>"
            for i in range(k)
        )
        out += [
            "<h2>Confusion matrix</h2>",
            f"<table><tr><th>true \\ predicted</th>{header}</tr>{body}</table>",
            pictures.figure(
                lambda: plot_confusion_matrix(truth, predicted, class_names=names),
                "rows: the true class; columns: the predicted class",
            ),
        ]

    if X_checked is not None and network.n_inputs == 2 and not multi_label:
        from .plots import plot_decision_boundary

        shown = _subsample(len(X_checked))
        labels = truth if cost_fn.is_classification else Y_checked[:, 0]
        if targets is not None and not cost_fn.is_classification:
            labels = np.asarray(targets.inverse_transform(labels.astype(np.float64)), dtype=np.float64)
        kind = "decision boundary" if cost_fn.is_classification else "regression surface"
        # in the data's own units: the inputs' scaling undone, x = mean + scale * z, and the axes named
        points = X_checked[shown] if inputs is None else inputs.inverse_transform(X_checked[shown].astype(np.float64))
        units = "" if inputs is None else ", in the data's units"
        out += [
            f"<h2>The {kind}</h2>",
            pictures.figure(
                lambda: plot_decision_boundary(network, points, labels[shown], class_names=class_names,
                                               feature_names=feature_names, inputs=inputs,
                                               targets=None if cost_fn.is_classification else targets),
                f"the network's {kind} over the plane of its two inputs{units}, with the data",
            ),
        ]

    out.append("</body></html>")
    return "\n".join(out)


def _output_legend(network: Any, class_names: list[str] | None) -> str:
    """Which class each output neuron stands for: "0 = 'a', 1 = 'b'", or for one sigmoid output its P()."""
    if not class_names:
        return ""
    if network.n_outputs == 1 and len(class_names) == 2:
        return f"0 = P({class_names[1]!r}), against {class_names[0]!r}"
    return ", ".join(f"{j} = {name!r}" for j, name in enumerate(class_names))


def _names_table(network: Any, feature_names: list[str] | None, class_names: list[str] | None) -> str:
    """The inputs by name (layer 0) and the output neurons by class, as the tables and pictures number them."""
    rows = []
    if feature_names is not None:
        rows.append("<tr><th class=left>inputs</th><td class=left>"
                    + ", ".join(f"{k} = {_esc(name)}" for k, name in enumerate(feature_names)) + "</td></tr>")
    if class_names:
        rows.append(f"<tr><th class=left>output neurons</th><td class=left>{_esc(_output_legend(network, class_names))}"
                    "</td></tr>")
    return f"<table>{''.join(rows)}</table>" if rows else ""


def write_report(
    path: str | os.PathLike[str],
    network: Any,
    history: Any = None,
    X: object | None = None,
    Y: object | None = None,
    class_names: list[str] | None = None,
    title: str = "glassnet report",
    *,
    image_format: str = "png",
    dpi: float = 80,
    feature_names: list[str] | None = None,
    inputs: Any = None,
    targets: Any = None,
) -> Path:
    """Write one self-contained HTML report about ``network`` to ``path`` (atomically); returns the path.

    Parameters
    ----------
    network : the Network the report is about.
    history : its training History (adds the training curves).
    X, Y : examples to measure it on (adds cost and accuracy, a backward-pass diagram of the first
        example, the blame table and picture, the confusion matrix for classifiers, and the decision
        boundary or regression surface for 2-D inputs).
    class_names : names of the classes, one per output neuron (two for one sigmoid output): the output
        neurons are labelled by them, the confusion matrix and the boundary's legend too.
    image_format : ``"png"`` (inlined as base64) or ``"svg"`` (inlined as markup).
    feature_names : the inputs' names, one per input: the blame tables name the inputs by them, and the
        boundary's axes.
    inputs : the scaling X went through (a :class:`~glassnet.datasets.Standardizer`; X is what the network
        is given, z = (x - mean) / scale): the boundary is drawn in the data's own units, x = mean + scale * z.
    targets : the scaling of a regression's targets (Y is as the network is trained on them): the regression
        surface and the points' colours are in the target's units.
    """
    from .plots._mpl import atomic_write

    page = render_report(network, history, X, Y, class_names, title, image_format=image_format, dpi=dpi,
                         feature_names=feature_names, inputs=inputs, targets=targets)
    return atomic_write(path, page.encode("utf-8"))
