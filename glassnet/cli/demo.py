"""The ways in for a learner: ``glassnet demo`` (the tour) and ``glassnet playground`` (the browser)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from .common import EXIT_OK, _command, _say
from .train import TRAIN_DEFAULTS, _run_training

# The course map: the ideas in the order the tutorials tell them, each with its lesson (a Jupyter notebook in
# docs/lessons/) and the command that shows it (``{g}`` the command, ``{model}`` the demo's model, ``{data}`` its data)
COURSE: tuple[tuple[str, str, str], ...] = (
    ("one neuron is logistic regression", "01_one_neuron", "{g} plot cost-surface --out cost-surface.png"),
    ("forward propagation, by hand and as matrices", "02_forward_propagation", "{g} explain --demo --matrices"),
    ("the cost and gradient descent: a learning rate too small, right, too large", "03_cost_and_gradient_descent",
     "{g} plot cost-surface --learning-rate 0.05,0.6,8 --out learning-rates.png"),
    ("why the step function cannot learn; activations and their slopes", "04_activations",
     "{g} plot activations --out activations.png"),
    ("backpropagation's four equations, BP1-BP4, on a worked example", "05_four_equations", "{g} explain --demo"),
    ("the blame game: who gets the error, and dead neurons", "06_blame_game",
     "{g} plot blame {model} {data} --out blame.png"),
    ("small shocks: finite differences confirm backpropagation", "07_small_shocks",
     '{g} explain --demo --no-matrices --shock "layer 2 w[0, 0]"'),
    ("the slow alternatives: tweak-and-keep and populations", "08_slow_alternatives",
     "{g} compare-training --task xor"),
    ("house prices: regression in currency units", "09_house_prices",
     "{g} train houses --task regress --out houses.glassnet"),
    ("pictures as inputs: 3s against 7s", "10_pictures", "{g} train 3-vs-7 --out 3-vs-7.glassnet"),
    ("overfitting and regularisation", "11_overfitting",
     "{g} train {data} --l2 1 --early-stopping 5 --out {stem}-l2.glassnet"),
)
LESSONS_HELP = "The lessons, Jupyter notebooks in docs/lessons/, in order: " + "; ".join(
    f"{number} {idea}" for number, (idea, _, _) in enumerate(COURSE, start=1)
) + ". glassnet demo ends with a command for each."

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
    _say("  # the lessons, in the order the tutorials tell the story (Jupyter notebooks in docs/lessons/, and on the")
    _say("  # documentation site), each with a command that shows its idea:")
    for number, (idea, lesson, command) in enumerate(COURSE, start=1):
        text = command.format(g=glassnet, model=out, data=spec["data"], stem=out.stem)
        if number == 10 and spec["data"] != "digits":  # the 3s and 7s ship with scikit-learn, not installed here
            lesson += '.ipynb; the 3s and 7s ship with scikit-learn: pip install "glassnet[demo]"'
            text = f"{glassnet} datasets"
        else:
            lesson += ".ipynb"
        _say(f"  # {number}. {idea} ({lesson})\n  {text}")
    _say(f"  # everything at once, in the browser\n  {glassnet} playground")
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
