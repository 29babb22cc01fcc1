"""The ``glassnet`` command: train, evaluate, predict, inspect and explain networks from a shell.

A thin layer over the library: it parses arguments, loads data (:mod:`glassnet.datasets`), builds and
trains a :class:`~glassnet.network.Network` with a :class:`~glassnet.training.Trainer`, and writes files
through :mod:`glassnet.modelfile` and :mod:`glassnet.checkpoint`. It holds no maths of its own.

This module assembles the parser and runs a command; the commands live beside it, one module per group:
:mod:`~glassnet.cli.train` (train, resume, Ctrl-C), :mod:`~glassnet.cli.models` (the model file; evaluate,
predict, info), :mod:`~glassnet.cli.inspect_cmds` (gradcheck, explain, plot, report, compare-training),
:mod:`~glassnet.cli.data` (loading data; datasets), :mod:`~glassnet.cli.demo` (demo, playground), and
:mod:`~glassnet.cli.common` (exit codes, errors, output, argparse types).

Exit codes: 0 success; 1 a data or model problem, reported as one line ``glassnet: error: ...`` (the
traceback only with ``--debug``); 2 a usage error (from argparse); 130 interrupted (Ctrl-C).

Run ``glassnet --help`` and ``glassnet COMMAND --help`` for the options.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import GlassnetError
from .common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    MODEL_HELP,
    TASK_NAMES,
    _batch,
    _count,
    _fraction,
    _int_list,
    _name_list,
    _non_negative,
    _positive,
    _say,
    _size,
)
from .data import cmd_datasets
from .demo import LESSONS_HELP, cmd_demo, cmd_playground
from .inspect_cmds import _PLOT_NEEDS, _rate_list, cmd_compare, cmd_explain, cmd_gradcheck, cmd_plot, cmd_report
from .models import cmd_evaluate, cmd_info, cmd_predict
from .train import DROPOUT_HELP, L1_HELP, _rates, cmd_train

__all__ = ["build_parser", "main"]

TARGET_HELP = "the target column of a CSV file (default: the model's)"
ROWS_HELP = ("which rows of the data the model was trained on to measure: held-out (default: the test rows its "
             "training held out, as the model file records them) or all")
UNSEEN_HELP = ("a CSV category the model never saw: error (default) stops naming it; zeros encodes it as all "
               "zeros, with a warning")


def _methods() -> tuple[str, ...]:
    from ..compare import METHODS

    return tuple(METHODS)


def _method_list(text: str) -> list[str]:
    """Method names, comma-separated; spaces or hyphens between words (finite-differences)."""
    known = {m.replace(" ", "-"): m for m in _methods()}
    names = []
    for part in _name_list(text):
        key = "-".join(part.lower().replace("_", "-").split())
        if key not in known:
            raise argparse.ArgumentTypeError(f"unknown method {part!r}; the methods are: {', '.join(known)}")
        names.append(known[key])
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``glassnet`` command and its subcommands."""
    from ..activations import ACTIVATIONS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback on errors")
    parser = argparse.ArgumentParser(
        prog="glassnet",
        description="Neural networks that learn by backpropagation, with every number inside in plain view.",
        epilog="Start with: glassnet demo. Each command has --help. " + LESSONS_HELP,
    )
    parser.add_argument("--debug", action="store_true", default=False, help="show the full traceback on errors")
    parser.add_argument("--version", action="version", version=f"glassnet {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    hidden_activations = sorted(set(ACTIVATIONS) - {"softmax"})

    def add(name: str, function: Any, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help, parents=[common])
        p.set_defaults(func=function)
        return p

    # train
    p = add("train", cmd_train, "train a network on a data set or a CSV/NPZ file",
            "Train a network by backpropagation. DATA is a data set name (see glassnet datasets) or a "
            ".csv/.npz file. The model file keeps the standardization and the class names, so evaluate "
            "and predict work on raw data. Ctrl-C saves a checkpoint and the best model so far; --resume "
            "carries on exactly where it stopped.")
    p.add_argument("data", metavar="DATA", help="a data set name or a .csv/.npz path")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV file")
    p.add_argument("--task", choices=sorted(TASK_NAMES), help="classify or regress (default: guessed from the target)")
    p.add_argument("--columns", type=_name_list, metavar="A,B",
                   help="the CSV's feature columns to use, comma-separated (default: all but the target)")
    p.add_argument("--drop", type=_name_list, metavar="A,B", help="CSV columns to leave out, comma-separated")
    p.add_argument("--fill-missing", choices=["mean", "median", "most-frequent"],
                   help="fill missing CSV values with the column's mean, median or most frequent value (text "
                        "columns: their most frequent category), recorded in the model file; default: refuse "
                        "them, naming the row and column")
    p.add_argument("--layers", type=_int_list, metavar="64,32",
                   help="hidden layer widths, comma-separated ('' or 0: none, i.e. logistic/linear regression); "
                        "default 64,32")
    p.add_argument("--activation", choices=hidden_activations, help="the hidden layers' activation (default relu)")
    p.add_argument("--optimizer", choices=["adam", "sgd"], help="default adam")
    p.add_argument("--learning-rate", type=_positive(float), metavar="LR",
                   help="default: the optimizer's own (adam 0.001, sgd 0.1)")
    p.add_argument("--epochs", type=_positive(int), metavar="N", help="default 20")
    p.add_argument("--batch-size", type=_batch, metavar="N", help="rows per step, or 'full' (default 32)")
    p.add_argument("--l2", type=_non_negative, metavar="L2", help="L2 strength: adds l2/(2n) sum W^2 to the cost")
    p.add_argument("--l1", type=_non_negative, metavar="L1", help=L1_HELP)
    p.add_argument("--dropout", type=_rates, metavar="P", help=DROPOUT_HELP)
    p.add_argument("--early-stopping", type=_positive(int), metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a better validation cost; keep the best weights")
    p.add_argument("--validation-split", type=_fraction, metavar="F",
                   help="fraction of the training rows held out to validate each epoch (default 0.1 with "
                        "--early-stopping, else 0)")
    p.add_argument("--test-split", type=_fraction, metavar="F",
                   help="fraction of the rows held out for the final test (default 0.2; 0: none)")
    p.add_argument("--seed", type=_count, metavar="N", help="seeds everything: split, weights, shuffles (default 0)")
    p.add_argument("--dtype", choices=["float32", "float64"], help="default float32")
    p.add_argument("--samples", type=_positive(int), metavar="N", help="rows of a made-up data set")
    p.add_argument("--max-memory", type=_size, metavar="SIZE",
                   help="the memory a run may take, like 8G (default: $GLASSNET_MAX_MEMORY, else a quarter of this "
                        "machine's memory); a run estimated to need more is refused before it starts")
    p.add_argument("--noise", type=_non_negative, help="noise of a made-up data set")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")
    p.add_argument("--out", metavar="FILE", help="the model file (default DATA-NAME.glassnet)")
    p.add_argument("--checkpoint-dir", metavar="DIR",
                   help="write DIR/checkpoint.glassnet (default: FILE's stem + .checkpoint.glassnet beside --out)")
    p.add_argument("--checkpoint-every", type=_count, metavar="N",
                   help="checkpoint every N epochs (default 1 with --checkpoint-dir, else only on Ctrl-C)")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument("--force", action="store_true", help="replace the model file if it exists (default: refuse)")
    p.add_argument("--report", metavar="FILE.html", help="also write an HTML report")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    # demo
    p = add("demo", cmd_demo, "the tour: learn handwritten digits in a few seconds",
            "Train a small network on scikit-learn's handwritten digits, show the progress and the "
            "results, and save the model.")
    p.add_argument("--out", metavar="FILE", help="the model file (default digits.glassnet)")
    p.add_argument("--epochs", type=_positive(int), metavar="N", help="default 30")
    p.add_argument("--force", action="store_true",
                   help="replace the model file even if it is not an earlier demo's (default: refuse)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    # evaluate / predict / info
    p = add("evaluate", cmd_evaluate, "measure a model on data (cost, accuracy or rmse/mae/r2)")
    p.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("data", metavar="DATA", help="a data set name or a .csv/.npz path (named sets: their test split "
                   "where they have one)")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV (default: the model's)")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")
    p.add_argument("--rows", choices=["held-out", "all"], default="held-out", help=ROWS_HELP)
    p.add_argument("--unseen", choices=["error", "zeros"], default="error", help=UNSEEN_HELP)

    p = add("predict", cmd_predict, "predict for each row of the data (CSV to stdout or --out)")
    p.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("data", metavar="DATA", help="a .csv (the target column may be absent), .npz or data set name")
    p.add_argument("--out", metavar="FILE.csv", help="write the predictions here (atomically)")
    p.add_argument("--target", metavar="COL", help="the target column of a CSV, to leave out")
    p.add_argument("--data-dir", metavar="DIR", help="where to look first for MNIST-family files")
    p.add_argument("--unseen", choices=["error", "zeros"], default="error", help=UNSEEN_HELP)

    p = add("info", cmd_info, "what is inside a model file: layers, shapes, parameters, training")
    p.add_argument("model", metavar="MODEL", help=MODEL_HELP)

    # gradcheck
    p = add("gradcheck", cmd_gradcheck, "check backpropagation against finite differences ('small shocks')",
            "Compare backpropagation's gradients with central finite differences, layer by layer, on a small "
            "built-in network with random data, or on a model and the first rows of some data.")
    p.add_argument("model", metavar="MODEL", nargs="?", help="a model file (default: a small built-in network)")
    p.add_argument("data", metavar="DATA", nargs="?", help="a data set name or CSV/NPZ file (with MODEL)")
    p.add_argument("--target", metavar="COL", help=TARGET_HELP)
    p.add_argument("--rows", type=_positive(int), default=8, help="examples to check on (default 8)")
    p.add_argument("--layers", type=_int_list, default=[5, 4], metavar="5,4",
                   help="the built-in network's hidden widths (default 5,4)")
    p.add_argument("--activation", choices=hidden_activations, default="tanh", help="the built-in network's (tanh)")
    p.add_argument("--eps", type=_positive(float), default=1e-6, help="the shock size (default 1e-6)")
    p.add_argument("--tolerance", type=_positive(float), default=1e-6, help="the largest relative error passed")
    p.add_argument("--l2", type=_non_negative, default=0.0, metavar="L2",
                   help="check the gradient of the cost with this L2 term, l2/(2n) sum W^2 (default 0)")
    p.add_argument("--seed", type=_count, default=0, metavar="N",
                   help="seeds the built-in network and its random examples (default 0)")
    p.add_argument("--full", action="store_true",
                   help="check every parameter (by default a network of more than 2000 is checked on a random 2000)")
    p.add_argument("--shock", metavar="PARAM", help="instead, one small shock on one parameter as worked numbers: "
                   "'layer L w[K, J]' or 'layer L b[J]', as the trace names them")
    p.add_argument("--shock-size", type=_positive(float), default=1e-4, metavar="H",
                   help="the size h of that shock (default 1e-4)")

    p = add("datasets", cmd_datasets, "the data sets glassnet knows, and where each was found")
    p.add_argument("--data-dir", metavar="DIR", help="a folder to look in first for MNIST-family files")

    # the inside views (issue 6) and the playground (issue 7)
    p = add("explain", cmd_explain, "the worked numbers of one training step on one example",
            "Print the trace of one gradient-descent step: each neuron's inputs, s and activation, the "
            "cost, every delta (BP1, BP2), every gradient (BP3, BP4) and each parameter after the update.")
    p.add_argument("model", metavar="MODEL", nargs="?", help=MODEL_HELP)
    p.add_argument("data", metavar="DATA", nargs="?",
                   help="a data set name or CSV/NPZ file (default: the data MODEL was trained on)")
    p.add_argument("--demo", action="store_true", help="a tiny built-in 2-2-2 network (Mazur's worked example)")
    p.add_argument("--row", type=_count, default=0, help="which row of DATA (default 0)")
    p.add_argument("--target", metavar="COL", help=TARGET_HELP)
    p.add_argument("--learning-rate", type=_positive(float), default=None,
                   help="for the update shown (default: the rate MODEL was trained with, else 0.1)")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                   help="plain text (default), Markdown tables, or JSON for programs")
    p.add_argument("--full", action="store_true", help="show every neuron and weight")
    p.add_argument("--matrices", action=argparse.BooleanOptionalAction, default=None,
                   help="write the forward pass as matrices too, s = a @ W + b (default: for a small network)")
    p.add_argument("--shock", metavar="PARAM", help="then a small shock on this parameter: J(p - h), J(p + h), "
                   "their slope beside backpropagation's ('layer L w[K, J]' or 'layer L b[J]', as the trace "
                   "names them)")
    p.add_argument("--shock-size", type=_positive(float), default=1e-4, metavar="H", help="its h (default 1e-4)")

    p = add("plot", cmd_plot, "draw a picture (PNG or SVG; needs glassnet[plots])",
            "Draw one of: " + ", ".join(_PLOT_NEEDS) + ". activations and cost-surface need nothing; network, "
            "curves and weights need a MODEL; boundary, hidden, confusion and blame need a MODEL and data (DATA, or "
            "by default the data the model was trained on).")
    p.add_argument("kind", metavar="KIND", choices=list(_PLOT_NEEDS), help=", ".join(_PLOT_NEEDS))
    p.add_argument("model", metavar="MODEL", nargs="?", help="a model file (for every KIND but activations and "
                   "cost-surface)")
    p.add_argument("data", metavar="DATA", nargs="?", help="a data set name or CSV/NPZ file (default: the data "
                   "the model was trained on)")
    p.add_argument("--out", metavar="FILE", help="a .png or .svg file (default KIND.png)")
    p.add_argument("--target", metavar="COL", help=TARGET_HELP)
    p.add_argument("--rows", choices=["held-out", "all"], default="held-out", help="confusion: " + ROWS_HELP)
    p.add_argument("--row", type=_count, default=0, help="the example the network diagram shows (with DATA)")
    p.add_argument("--view", choices=["weights", "forward", "backward"],
                   help="the network diagram's view (default: backward with DATA, else weights)")
    p.add_argument("--learning-rate", type=_rate_list, metavar="LR[,LR...]",
                   help="cost-surface: gradient descent's learning rate (0.5), or several side by side, e.g. "
                   "0.05,0.5,3")

    p = add("report", cmd_report, "one self-contained HTML page about a model")
    p.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("data", metavar="DATA", nargs="?",
                   help="examples to measure it on (adds blame, confusion, ...); default: the data it was trained "
                   "on, if that can still be found")
    p.add_argument("--out", metavar="FILE.html", default="report.html", help="where to write it (report.html)")
    p.add_argument("--target", metavar="COL", help=TARGET_HELP)
    p.add_argument("--rows", choices=["held-out", "all"], default="held-out", help=ROWS_HELP)
    p.add_argument("--title", help="the page's title (default: the model's name and the rows measured)")
    p.add_argument("--image-format", choices=["png", "svg"], default="png",
                   help="pictures inlined as PNG (default) or SVG")

    p = add("compare-training", cmd_compare, "backpropagation against finite differences and evolution",
            "Train one small network by backpropagation, by finite differences and by random search "
            "(tweak-and-keep, population), each for the same wall time, and compare.")
    p.add_argument("--task", default="xor", choices=["xor", "circles", "moons", "spiral", "digits"],
                   help="the problem to learn (default xor)")
    p.add_argument("--budget", type=_positive(float), default=2.0, metavar="SECONDS", help="per method (2)")
    p.add_argument("--seed", type=_count, default=0, metavar="N",
                   help="seeds the data, the weights and the searches (0)")
    p.add_argument("--target-cost", type=_positive(float), default=0.1, metavar="COST",
                   help="a method reaches the goal when its cost falls to this (default 0.1)")
    p.add_argument("--methods", type=_method_list, metavar="A,B",
                   help="comma-separated subset of: " + ", ".join(m.replace(" ", "-") for m in _methods()))
    p.add_argument("--hidden", type=_int_list, metavar="8", help="hidden widths (default per task)")
    p.add_argument("--learning-rate", type=_positive(float), metavar="LR",
                   help="backpropagation's and finite differences' step size (default per task)")
    p.add_argument("--max-steps", type=_positive(int), metavar="N", help="also cap each method's steps")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")

    p = add("playground", cmd_playground, "the browser playground (needs glassnet[playground])")
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this "
                   "machine only)")
    p.add_argument("--port", type=int, default=8765, help="the port to listen on (default 8765)")
    p.add_argument("--open", action="store_true", help="open a browser tab")

    from .export_cmd import add_export_parser  # export (issue 13) registers its own options

    add_export_parser(add)
    return parser


def _version() -> str:
    """The one version string: pyproject.toml's, as ``glassnet.__version__`` reads it from the package metadata."""
    from .. import __version__

    return __version__


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, KeyError) and exc.args:
        text = str(exc.args[0])
    elif isinstance(exc, OSError) and not isinstance(exc, GlassnetError) and exc.filename and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"  # the file first, as the data errors say it; no "[Errno 21]"
    return " ".join(text.split())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``glassnet`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)  # usage errors exit 2 here
    except KeyboardInterrupt:  # Ctrl-C while the command starts: nothing begun, nothing to save
        _say("\nglassnet: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    # numpy's overflow/invalid/divide warnings are silenced (--debug shows them): where they matter, glassnet's
    # own checks say so clearly (non-finite data, a diverging cost, values too large to standardize)
    warnings = contextlib.nullcontext() if args.debug else np.errstate(all="ignore")
    try:
        with warnings:
            return int(args.func(args) or EXIT_OK)
    except KeyboardInterrupt:
        _say("\nglassnet: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `glassnet predict ... | head`: the reader left; nothing to report
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_OK
    except (GlassnetError, OSError, ImportError, ValueError) as exc:
        if args.debug:
            traceback.print_exc()
        _say(f"glassnet: error: {_one_line(exc)}", file=sys.stderr)
        return EXIT_ERROR
