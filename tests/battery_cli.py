"""The command-line battery of issue 17: every subcommand with bad paths (missing, folders, named pipes, device
nodes), bad numbers, huge sizes and bad CSV, NPZ and model files. Data for :mod:`battery`; not collected.

Each line is one command; ``{name}`` is a path of :func:`battery.make_context` (``{folder}`` its folder). Every
command must end with exit code 2 (usage) or 1 (data or model), one ``glassnet: error:`` line, no traceback,
no RuntimeWarning and nothing written in the folder.
"""

from __future__ import annotations

import shlex

from battery import Entry

_TRAIN = "train moons --epochs 2 --quiet --force --out {folder}/out.glassnet "
_OUT = " --quiet --force --out {folder}/out.glassnet"
COMMANDS = """
train {missing}.csv --target y OUT
train {dir} --target y OUT
train {fifo} --target y OUT
train {device} --target y OUT
train {folder}/empty.csv --target y OUT
train {folder}/header.csv --target y OUT
train {folder}/ragged.csv --target y OUT
train {folder}/nan.csv --target y OUT
train {folder}/huge.csv --target y OUT
train {folder}/oneclass.csv --target y OUT
train {folder}/binary.csv --target y OUT
train {folder}/notutf8.csv --target y OUT
train {csv} --target nope OUT
train {csv} OUT
train {csv} --target y --columns nope OUT
train {csv} --target y --drop nope OUT
train {folder}/pickle.npz OUT
train {folder}/nox.npz OUT
train {folder}/rows.npz OUT
train {folder}/threed.npz OUT
train {folder}/nan.npz OUT
train {folder}/bom.npz OUT
train no-such-data-set OUT
TRAIN --epochs 0
TRAIN --epochs -1
TRAIN --epochs abc
TRAIN --epochs 1e999
TRAIN --epochs 2.5
TRAIN --learning-rate nan
TRAIN --learning-rate inf
TRAIN --learning-rate 0
TRAIN --learning-rate 1e30
TRAIN --batch-size 0
TRAIN --batch-size x
TRAIN --samples 0
TRAIN --samples 100000000
TRAIN --samples 1000000000000000000000000000000
TRAIN --layers 100000,100000
TRAIN --layers -1
TRAIN --layers a,b
TRAIN --seed -1
TRAIN --seed x
TRAIN --noise -1
TRAIN --noise nan
TRAIN --noise 1e308
TRAIN --validation-split 1.5
TRAIN --test-split 1
TRAIN --max-memory abc
TRAIN --max-memory=-1G
TRAIN --l2 -1
TRAIN --l1 nan
TRAIN --dropout 1.5
TRAIN --dropout abc
TRAIN --early-stopping 0
TRAIN --checkpoint-every -1
TRAIN --dtype float16
TRAIN --activation swish
TRAIN --checkpoint-dir {csv}
TRAIN --report {dir}
TRAIN --resume
train moons --quiet --epochs 2 --force --out {dir}
train moons --quiet --epochs 2 --force --out {fifo}
train moons --quiet --epochs 2 --force --out {device}
train moons --quiet --epochs 2 --force --out {folder}/nowhere/m.glassnet
train moons --quiet --epochs 2 --out {model}
evaluate {missing} moons
evaluate {dir} moons
evaluate {fifo} moons
evaluate {device} moons
evaluate {folder}/empty.glassnet moons
evaluate {folder}/garbage.glassnet moons
evaluate {truncated} moons
evaluate {checkpoint} moons
evaluate {csv} moons
evaluate {cli_model} {missing}.csv
evaluate {cli_model} {folder}/nan.csv
evaluate {cli_model} {folder}/ragged.csv
evaluate {cli_model} {csv} --target nope
evaluate {cli_model} {fifo}
evaluate {model} moons
predict {cli_model} {fifo}
predict {cli_model} {missing}.csv
predict {cli_model} {folder}/nan.csv
predict {cli_model} {folder}/huge.csv
predict {cli_model} {csv} --out {dir}
predict {cli_model} {csv} --out {fifo}
predict {cli_model} {csv} --out {device}
predict {folder}/garbage.glassnet {csv}
predict {cli_model} {csv} --out {folder}/nowhere/p.csv
predict {cli_model} {folder}/text.csv
info {missing}
info {dir}
info {fifo}
info {device}
info {folder}/empty.glassnet
info {folder}/garbage.glassnet
info {truncated}
info {csv}
info {folder}/pickle.npz
gradcheck --rows 0
gradcheck --eps 0
gradcheck --eps nan
gradcheck --tolerance -1
gradcheck --layers x
gradcheck --seed -1
gradcheck --shock nonsense
gradcheck --shock "layer 9 w[0, 0]"
gradcheck --l2 -1
gradcheck {missing}
gradcheck {cli_model} {missing}.csv
gradcheck {model} moons
explain --demo --row -1
explain
explain {cli_model} {csv} --row 1000000
explain {missing}
explain {cli_model} {csv} --learning-rate 0
explain --demo --format pdf
explain --demo --shock nonsense
explain {fifo}
plot nope
plot network
plot network {missing}
plot activations --out {dir}
plot activations --out {fifo}
plot boundary {cli_model} {fifo}
plot curves {folder}/garbage.glassnet
report {missing}
report {cli_model} --out {dir}
report {cli_model} --out {fifo}
report {folder}/garbage.glassnet
report {cli_model} {fifo}
compare-training --budget 0
compare-training --budget nan
compare-training --methods foo
compare-training --hidden x
compare-training --max-steps 0
compare-training --task nope
compare-training --target-cost -1
compare-training --seed -1
export {missing} --to onnx {folder}/out.onnx
export {cli_model} --to pdf {folder}/out.pdf
export {checkpoint} --to onnx {folder}/out.onnx
export {cli_model} --to onnx {dir}
export {cli_model} --to onnx {fifo}
export {cli_model} --to onnx {device}
export {cli_model} --to onnx {model}
export {cli_model} --to onnx --force {dir}
export {cli_model} --to torch --force {fifo}
export {cli_model} --to onnx --force {folder}/nowhere/out.onnx
export {folder}/garbage.glassnet --to torch {folder}/out.pt
demo --epochs 0
demo --epochs x
playground --port abc
nope
"""

XFAIL: dict[str, str] = {}


def cli_entries() -> list[Entry]:
    out = []
    for line in COMMANDS.strip().splitlines():
        argv = tuple(shlex.split(line.replace("TRAIN ", _TRAIN).replace(" OUT", _OUT)))
        name = "glassnet " + line.replace("TRAIN ", "train moons ").replace(" OUT", "")
        out.append(Entry(name, argv=argv, xfail=XFAIL.get(line)))
    out.append(Entry("glassnet (no command)", argv=()))
    return out


# a few run as real processes, for the exit code the shell sees
SUBPROCESS = ["info {fifo}", "train {folder}/nan.csv --target y OUT", "TRAIN --epochs 0", "explain --demo --row -1",
              "predict {cli_model} {folder}/huge.csv"]
