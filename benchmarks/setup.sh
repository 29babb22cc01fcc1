#!/usr/bin/env bash
# Install what `make bench` needs into a venv: glassnet with its "bench" extras (scikit-learn,
# threadpoolctl, numba), PyTorch's CPU build pinned to 2.13.0 and JAX with optax (CPU; for benchmarking
# only: neither enters `make test`), and Fashion-MNIST: Debian's dataset-fashion-mnist package when the files are missing
# and we are root, otherwise a message saying where the loader looks.
#
#   usage: bash benchmarks/setup.sh [VENV]        (default .venv; run from the repository root)
set -euo pipefail

VENV="${1:-.venv}"
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --quiet --disable-pip-version-check)

[ -x "$PY" ] || python3 -m venv "$VENV"
"${PIP[@]}" -e ".[bench]"
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" "jax==0.10.2" "jaxlib==0.10.2" "optax==0.2.8"

have_data() {
    "$PY" - <<'PY'
import sys
from glassnet.datasets.idx import find_dataset_files
sys.exit(0 if all(find_dataset_files("fashion-mnist").values()) else 1)
PY
}

if ! have_data; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Fashion-MNIST not found: installing Debian's dataset-fashion-mnist" >&2
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q dataset-fashion-mnist
    else
        echo "Fashion-MNIST not found. Install Debian's dataset-fashion-mnist (as root), or put the four" >&2
        echo "IDX files in ~/.cache/glassnet/fashion-mnist or \$GLASSNET_DATA/fashion-mnist." >&2
        exit 1
    fi
fi
