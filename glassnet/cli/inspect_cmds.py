"""The inside views: ``gradcheck``, ``explain``, ``plot``, ``report`` and ``compare-training``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..fileio import check_writable
from .common import EXIT_OK, CommandError, _describe_network, _say
from .data import _labelled_data, _measured_data
from .models import Model

if TYPE_CHECKING:
    from ..optimizers import Optimizer


def _rate_list(text: str) -> list[float]:
    """``--learning-rate 0.05,0.5,3`` for the cost surface: positive numbers separated by commas."""
    import math

    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected learning rates separated by commas, like 0.05,0.5,3; got "
                                         f"{text!r}") from None
    if not values or any(not (math.isfinite(v) and v > 0) for v in values):
        raise argparse.ArgumentTypeError(f"learning rates must be finite numbers > 0, got {text!r}")
    return values


def _row(args: argparse.Namespace, n: int) -> int:
    if not -n <= args.row < n:
        raise CommandError(f"--row {args.row} is out of range: the data has {n} rows")
    return args.row % n


def _data_of(args: argparse.Namespace, model: Model, what: str) -> str:
    """DATA as given, or else the data the model was trained on, as ``glassnet train`` recorded it."""
    if args.data is not None:
        return args.data
    recorded = model.training.get("data")
    if not recorded:
        raise CommandError(f"{what} needs DATA: {args.model} does not record the data it was trained on")
    # beside JSON on standard output, the note goes to standard error, so that the output stays JSON
    _say(f"data     {recorded} (recorded in {args.model})",
         file=sys.stderr if getattr(args, "format", None) == "json" else None)
    return recorded


def cmd_gradcheck(args: argparse.Namespace) -> int:
    from ..gradcheck import gradcheck
    from ..network import Network

    if (args.model is None) != (args.data is None):
        raise CommandError("give both MODEL and DATA, or neither (for a small built-in network)")
    if args.model is None:
        rng = np.random.default_rng(args.seed)
        layers = [int(n) for n in args.layers]
        net = Network.from_sizes([3, *layers, 3], activation=args.activation, cost="cross_entropy",
                                 seed=args.seed, dtype="float64")
        X, y = rng.normal(size=(args.rows, 3)), rng.integers(0, 3, size=args.rows)
        _say(f"gradcheck on a built-in {_describe_network(net)}, {args.rows} random examples")
    else:
        model = Model.load(args.model)
        X, y = _labelled_data(model, args.data, args.target)
        X, y = model.prepare(X[: args.rows]), model.prepare_targets(y[: args.rows])
        net = model.network
        _say(f"gradcheck on {args.model}: {_describe_network(net)}, the first {len(X)} rows of {args.data}")
    if args.shock:
        from ..gradcheck import shock

        _say(str(shock(net, X, y, args.shock, h=args.shock_size, l2=args.l2)))
        return EXIT_OK
    result = gradcheck(net, X, y, eps=args.eps, tolerance=args.tolerance, l2=args.l2, full=args.full,
                       seed=args.seed)
    _say("relative error |numerical - backprop| / (|numerical| + |backprop|) per layer, eps "
         f"{args.eps:g}, float64:")
    _say(str(result))
    if not result.passed:
        raise CommandError(f"gradient check failed: the worst relative error {result.worst:.3e} is above "
                           f"the tolerance {args.tolerance:g}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from ..inspect import explain, explain_demo

    if args.demo:
        if args.model is not None:
            raise CommandError("give --demo or a MODEL, not both")
        _say(explain_demo(format=args.format, full=args.full, matrices=args.matrices))
        if args.shock:
            from ..inspect import demo_example, demo_network

            _say("")
            _say(_shock_text(args, demo_network(), *demo_example()))
        return EXIT_OK
    if args.model is None:
        raise CommandError("give MODEL (and DATA, and --row N), or --demo for a tiny built-in network")
    model = Model.load(args.model)
    X, y = _labelled_data(model, _data_of(args, model, "glassnet explain"), args.target)
    i = _row(args, len(X))
    x, target = model.prepare(X[i : i + 1])[0], model.prepare_targets(y[i : i + 1])[0]
    classes = model.classes if model.classes and len(model.classes) == model.network.n_outputs else None
    optimizer, dropout = _training_step_of(args, model)
    text = explain(model.network, x, target, learning_rate=args.learning_rate, format=args.format,
                   full=args.full, input_names=model.feature_names, class_names=classes, matrices=args.matrices,
                   optimizer=optimizer, dropout=dropout)
    _say(text)
    if model.image_shape and model.task == "classification" and args.format == "text":
        from ..inspect.render_image import prediction_text
        from ..plots.prediction import class_outputs

        outputs = class_outputs(model.network.predict(x.reshape(1, -1))[0])
        _say("")
        _say(prediction_text(X[i], model.image_shape[:2], outputs, _class_names(model), true_class=int(y[i])))
    if args.shock:
        _say("")
        _say(_shock_text(args, model.network, x, target))
    return EXIT_OK


def _class_names(model: Model) -> list[str] | None:
    """The model's class names, one per class the picture shows (a single sigmoid output shows two)."""
    n = max(2, model.network.n_outputs)
    return [str(c) for c in model.classes] if model.classes and len(model.classes) == n else None


def _shock_text(args: argparse.Namespace, net: object, x: object, y: object) -> str:
    from ..gradcheck import shock

    if args.format == "json":
        raise CommandError("--shock prints worked numbers as text: leave out --format json, or use the library's "
                           "glassnet.gradcheck.shock(...).to_dict()")
    return str(shock(net, x, y, args.shock, h=args.shock_size))


def _training_step_of(args: argparse.Namespace, model: Model) -> tuple[Optimizer | None, object]:
    """The optimizer (None: plain gradient descent) and dropout rates of the training ``glassnet train`` recorded.

    The model file keeps the optimizer's name and rate but not its memory, so an Adam or momentum step is
    shown from empty moments (its first step), and said so.
    """
    from ..optimizers import get_optimizer

    recorded = model.training.get("options")
    options: dict = recorded if isinstance(recorded, dict) else {}
    name, rate = options.get("optimizer"), options.get("learning_rate")
    optimizer: Optimizer | None = None
    if name == "adam" or (name == "sgd" and rate is not None):
        optimizer = get_optimizer(name, rate if args.learning_rate is None else args.learning_rate)
        if name == "adam":
            _say(f"note     {args.model} was trained with adam but keeps no moments: the update shown is adam's "
                 "first step, from empty moments", file=sys.stderr if args.format == "json" else None)
    dropout = options.get("dropout") or None
    return optimizer, dropout


_PLOT_NEEDS = {  # kind -> (needs a model, needs data)
    "activations": (False, False), "cost-surface": (False, False), "network": (True, False),
    "curves": (True, False), "weights": (True, False), "boundary": (True, True), "hidden": (True, True),
    "confusion": (True, True), "blame": (True, True), "prediction": (True, True),
}


def cmd_plot(args: argparse.Namespace) -> int:
    from .. import plots

    kind = args.kind
    needs_model, needs_data = _PLOT_NEEDS[kind]
    out = args.out or f"{kind}.png"
    if needs_model and args.model is None:
        raise CommandError(f"glassnet plot {kind} needs a MODEL")
    check_writable(out, CommandError)  # before any drawing: a folder, a named pipe, a folder that is not there
    if kind == "activations":
        plots.plot_activations(path=out)
    elif kind == "cost-surface":
        rates = getattr(args, "learning_rate", None) or [0.5]
        plots.plot_cost_surface(learning_rate=rates if len(rates) > 1 else rates[0], path=out)
    else:
        model = Model.load(args.model)
        net = model.network
        X = y = raw = raw_y = None
        # the weights' picture greys the pixels constant over DATA, by default the data the model was trained on
        greyed = kind == "weights" and model.image_shape and model.training.get("data")
        if args.data is not None or needs_data or greyed:
            data = _data_of(args, model, f"glassnet plot {kind}")
            if kind == "confusion":  # measured, like evaluate: the held-out rows by default
                X, y, which = _measured_data(model, data, args.target, rows=args.rows)
                _say(f"data     {which}")
            else:
                X, y = _labelled_data(model, data, args.target)
            raw, raw_y = X, y  # in the data's units, for the boundary's axes and a regression's surface
            X, y = model.prepare(X), model.prepare_targets(y)
        if kind == "network":
            x1 = y1 = None
            if X is not None and y is not None:
                i = _row(args, len(X))
                x1, y1 = X[i], y[i]
            plots.plot_network(net, x1, y1, view=args.view, class_names=_class_names(model), path=out)
        elif kind == "curves":
            history = model.training.get("history")
            if not history:
                raise CommandError(f"{args.model} keeps no training history to draw")
            plots.plot_history(history, path=out)
        elif kind == "weights":
            shape = (int(model.image_shape[0]), int(model.image_shape[1])) if model.image_shape else None
            side = int(round(np.sqrt(net.n_inputs)))
            if shape is None and side * side != net.n_inputs:
                raise CommandError(
                    f"glassnet plot weights draws the first layer's weights as images, one per hidden neuron, "
                    f"which needs inputs that are an image's pixels (digits, fashion-mnist); {args.model} takes "
                    f"{net.n_inputs} inputs of a table: try glassnet plot network {args.model}, or plot blame "
                    f"{args.model} DATA"
                )
            plots.plot_first_layer_weights(net, X, shape=shape, path=out)  # with DATA, its constant pixels grey
        elif kind == "boundary":
            regression = model.task == "regression"
            plots.plot_decision_boundary(net, raw, raw_y if regression else y, class_names=model.classes,
                                         feature_names=model.feature_names, inputs=model.inputs,
                                         targets=model.target_scaler if regression else None, path=out)
        elif kind == "hidden":
            plots.plot_hidden_activations(net, X, y, path=out)
        elif kind == "confusion":
            if model.task != "classification":
                raise CommandError("a confusion matrix is for classifiers; this model does regression")
            predicted = net.cost_function.classes(net.predict(X))
            plots.plot_confusion_matrix(y, predicted, class_names=model.classes, path=out)
        elif kind == "blame":
            names = list(model.feature_names) if model.feature_names else None
            picture = (int(model.image_shape[0]), int(model.image_shape[1])) if model.image_shape else None
            plots.plot_blame(net, X, y, input_names=names, image_shape=picture, path=out)
        elif kind == "prediction":
            if not model.image_shape or model.task != "classification":
                raise CommandError(f"glassnet plot prediction draws an input image beside the predicted classes; "
                                   f"{args.model} is not a classifier of images (digits, 3-vs-7, mnist, "
                                   "fashion-mnist)")
            assert X is not None and y is not None  # a kind that needs data has read it above
            i = _row(args, len(X))
            raw, _ = _labelled_data(model, data, args.target)  # the pixels as they are, before standardizing
            rows, columns = (int(v) for v in model.image_shape[:2])
            plots.plot_prediction(net, X[i], image=raw[i], shape=(rows, columns),
                                  class_names=_class_names(model), true_class=int(y[i]), path=out)
    _say(f"wrote {out}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ..report import write_report
    from ..training import History

    check_writable(args.out, CommandError)  # before the work of the page
    model = Model.load(args.model)
    X = y = None
    recorded = model.training.get("data")
    # The report is richer with data: without DATA it uses the recorded training data when that can still be
    # found (a data set name, or a file that is still there), and otherwise reports on the model alone.
    if args.data is not None or (recorded and (Path(recorded).suffix.lower() not in (".csv", ".npz")
                                               or Path(recorded).exists())):
        X, y, which = _measured_data(model, _data_of(args, model, "glassnet report"), args.target, rows=args.rows)
        X, y = model.prepare(X), model.prepare_targets(y)
        _say(f"data     {which}")
    history = model.training.get("history")
    title = args.title or f"glassnet: {Path(args.model).name}" + ("" if X is None else f", measured on {which}")
    written = write_report(
        args.out, model.network, History.from_dict(history) if history else None, X, y,
        class_names=model.classes, title=title,
        image_format=args.image_format, feature_names=model.feature_names, inputs=model.inputs,
        targets=model.target_scaler,
    )
    _say(f"wrote {written}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    import json

    from ..compare import METHODS, compare_training

    methods = tuple(args.methods) if args.methods else METHODS
    result = compare_training(
        task=args.task, budget_seconds=args.budget, seed=args.seed, target_cost=args.target_cost,
        methods=methods, hidden=args.hidden, learning_rate=args.learning_rate, max_steps=args.max_steps,
    )
    _say(json.dumps(result.to_dict(), indent=2) if args.json else str(result))
    return EXIT_OK
