"""The ways in for a learner: ``glassnet demo`` (the tour) and ``glassnet playground`` (the browser)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, _command, _say
from .train import TRAIN_DEFAULTS, _run_training

DEMO_OPTIONS: dict[str, Any] = {
    "layers": [64], "activation": "relu", "optimizer": "adam", "learning_rate": 0.003, "epochs": 30,
    "batch_size": 32, "seed": 0, "test_split": 0.2, "validation_split": 0.1,
}


def cmd_demo(args: argparse.Namespace) -> int:
    spec = {**TRAIN_DEFAULTS, **DEMO_OPTIONS, "data": "digits"}
    if args.epochs is not None:
        spec["epochs"] = args.epochs
    note = ""
    try:
        import sklearn  # noqa: F401  (the digits ship inside scikit-learn)
    except ImportError:
        spec.update(data="spiral", layers=[32, 32], learning_rate=0.01, epochs=args.epochs or 60)
        note = ('(scikit-learn is not installed, so the demo learns a made-up spiral instead of handwritten '
                'digits; pip install "glassnet[demo]" for the digits)\n')
    banner = (
        "glassnet demo: a network learns to read handwritten digits (8x8 pixel images, shipped with "
        "scikit-learn)\nby backpropagation, one mini-batch at a time.\n" + note
        if spec["data"] == "digits" else "glassnet demo: a network learns to tell the arms of a spiral apart.\n" + note
    )
    args.resume, args.checkpoint_dir, args.checkpoint_every, args.report = False, None, None, None
    out = Path(args.out or f"{spec['data']}.glassnet")
    # an earlier demo's model, made with the same options and seed, is the very file this run writes again:
    # replacing it loses nothing; any other file stays unless --force
    args.force = args.force or _same_demo(out, spec)
    code = _run_training(args, spec, set(), out, banner=banner)
    model, prepared = args._result
    t = model.training
    _say("")
    _say(f"the cost falling as it learns: 'cost' is the mean over the epoch's batches of the {t['n_train']} "
         "training rows,\neach measured just before its step (so it runs a little above the cost after the last "
         f"step);\n'val cost' is measured on the {t['n_validation']} validation rows after the epoch:")
    _say(_cost_table(model.training["history"]))
    if prepared.X_test is not None and model.task == "classification":
        shown = min(12, len(prepared.X_test))
        predicted = model.predict(prepared.X_test[:shown])
        names = model.classes or []
        _say("")
        _say(f"the first {shown} of the {len(prepared.X_test)} held-out test rows (never seen in training):")
        _say("  true       " + " ".join(f"{names[i]:>3}" for i in prepared.y_test[:shown]))
        _say("  predicted  " + " ".join(f"{names[i]:>3}" for i in predicted))
    _say("")
    _say("next:")
    glassnet = _command()  # as this shell can type it: glassnet, or .venv/bin/glassnet before activating
    wider = out.with_name(f"{out.stem}-wider{out.suffix}")
    steps = [
        (f"{glassnet} info {out}", "what is inside the model"),
        (f"{glassnet} evaluate {out} {spec['data']}", f"measure it on {spec['data']}"),
        (f"{glassnet} explain {out} {spec['data']} --row 0", "the worked numbers of one training step"),
        (f"{glassnet} plot confusion {out} {spec['data']} --out confusion.png", "which classes it confuses"),
        (f"{glassnet} train {spec['data']} --layers 128,64 --epochs 50 --out {wider}", "another network, another file"),
    ]
    for command, what in steps:
        _say(f"  # {what}\n  {command}")
    return code


def _same_demo(out: Path, spec: dict) -> bool:
    """Whether ``out`` is a model an earlier ``glassnet demo`` wrote with the same data, options and seed."""
    from .models import Model

    if not out.is_file():
        return False
    try:
        training = Model.load(out).training
    except Exception:  # not a model file at all: certainly not the demo's
        return False
    return training.get("data") == spec["data"] and training.get("options") == {k: spec[k] for k in TRAIN_DEFAULTS}


def _cost_table(history: dict, rows: int = 8) -> str:
    """A few epochs' costs, first to last, spread evenly, so the fall can be read at a glance."""
    n = len(history["cost"])
    shown = sorted({round(i * (n - 1) / (rows - 1)) for i in range(rows)}) if n > 1 else [0]
    lines = ["  epoch      cost   val cost"]
    for i in shown:
        val = history["val_cost"][i] if i < len(history["val_cost"]) else None
        lines.append(f"  {i + 1:>5}  {history['cost'][i]:>8.4f}   " + ("" if val is None else f"{val:>8.4f}"))
    return "\n".join(lines)


def cmd_playground(args: argparse.Namespace) -> int:
    from ..playground import serve

    serve(host=args.host, port=args.port, open_browser=args.open)
    return EXIT_OK
