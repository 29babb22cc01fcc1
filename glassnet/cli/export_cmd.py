"""``glassnet export MODEL --to onnx|torch OUT``: a model file as an ONNX graph or a PyTorch state_dict.

The standardization ``glassnet train`` records in the model file is folded in, so the exported model
takes raw rows as ``glassnet predict`` does; class names become the ONNX ``label`` output. OUT is written
atomically and never replaces an existing file unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import InputError, ModelFileError
from ..fileio import check_writable
from .common import EXIT_OK, MODEL_HELP, _describe_network, _say
from .models import WRITTEN_BY, Model

__all__ = ["add_export_parser", "cmd_export"]


def add_export_parser(add: Any) -> None:
    """Register ``export`` with ``add(name, function, help, description)`` of :func:`glassnet.cli.build_parser`."""
    p = add("export", cmd_export, "write a model as ONNX (glassnet[onnx]) or a PyTorch state_dict (glassnet[torch])",
            "Export a model file. --to onnx writes an ONNX graph with input X (raw rows: the recorded "
            "standardization is folded in) and the outputs scikit-learn's ONNX converters give: label and "
            "probabilities for a classifier, variable for a regressor. --to torch writes the state_dict of an "
            "nn.Sequential (torch.save) with the standardization folded into the first layer.")
    p.add_argument("model", metavar="MODEL", help=MODEL_HELP)
    p.add_argument("--to", required=True, choices=["onnx", "torch"], help="the format")
    p.add_argument("out", metavar="OUT", help="the file to write (.onnx, or .pt for torch)")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")


def _source(path: str) -> tuple[Any, dict]:
    """The model in the file (a Network or an estimator) and what the command line recorded with it."""
    from ..persistence import load, read_header

    header = read_header(path)
    if header["kind"] == "checkpoint":
        raise ModelFileError(
            f"'{path}' is a training checkpoint, not a model; export the model file it was saved beside"
        )
    pre = header.get("preprocessing")
    if header["kind"] == "network" and isinstance(pre, dict) and pre.get("written_by") == WRITTEN_BY:
        model = Model.load(path)  # reads and checks the recorded standardization and names
        classes = model.classes if model.task == "classification" else None
        return model.network, {"inputs": model.inputs, "target": model.target_scaler, "classes": classes}
    return load(path), {}


def cmd_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not args.force:
        raise InputError(f"'{out}' already exists; pass --force to replace it, or choose another OUT")
    check_writable(out, InputError)  # with --force too: never a folder, a named pipe or a device
    model, options = _source(args.model)
    network = getattr(model, "network_", model)
    if args.to == "onnx":
        from ..export import to_onnx

        proto = to_onnx(model, out, **options)
        names = ", ".join(o.name for o in proto.graph.output)
        _say(f"wrote {out}: ONNX opset {proto.opset_import[0].version}, input X ({network.n_inputs} columns, "
             f"{network.dtype.name}), outputs {names}")
    else:
        from ..export import to_torch
        from ..export._common import require
        from ..fileio import atomic_file

        torch = require("torch", "torch", "glassnet export --to torch")
        module = to_torch(model, inputs=options.get("inputs"), target=options.get("target"))
        with atomic_file(out) as f:
            torch.save(module.state_dict(), f)
        _say(f"wrote {out}: the state_dict of")
        _say(f"  {module}".replace("\n", "\n  "))
        _say("load it with module.load_state_dict(torch.load(OUT, weights_only=True))")
        if options.get("classes"):
            _say(f"outputs: the probabilities of {', '.join(options['classes'])}")
    _say(f"from     {args.model}: {_describe_network(network)}")
    return EXIT_OK
