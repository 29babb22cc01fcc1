"""The package as a newcomer gets it: a wheel built from the checkout, installed in a fresh virtual environment,
runs ``glassnet demo``; one version string; the package's face (``glassnet.datasets`` without an import).

Offline throughout: the wheel is built without build isolation and installed with ``--no-index --no-deps``;
numpy (and the demo's scikit-learn) are lent to the fresh environment by a ``.pth`` line pointing at the
directory that holds the test environment's numpy.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_NO_INDEX"] = "1"  # never the network
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout (so the checkout gains no build/ or egg-info)."""
    pytest.importorskip("setuptools")
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "glassnet", source / "glassnet", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "--wheel-dir", str(out), str(source)], cwd=source)
    wheels = list(out.glob("glassnet-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_carries_the_version_licence_and_playground_files(wheel):
    import zipfile

    version = _pyproject()["project"]["version"]
    assert wheel.name.startswith(f"glassnet-{version}-")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith("/licenses/LICENSE") for n in names)
    assert "glassnet/playground/static/index.html" in names
    assert "glassnet/py.typed" in names
    metadata = zipfile.ZipFile(wheel).read(f"glassnet-{version}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata


def test_a_fresh_venv_runs_glassnet_demo_from_the_wheel(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     cwd=tmp_path).stdout.strip())
    # numpy (and scikit-learn for the digits) from the test environment; glassnet only from the wheel
    (site / "lent.pth").write_text(str(Path(np.__file__).resolve().parents[1]) + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
         cwd=tmp_path)
    where = _run([str(python), "-c", "import glassnet; print(glassnet.__file__); print(glassnet.__version__)"],
                 cwd=tmp_path).stdout.split()
    assert Path(where[0]).is_relative_to(env_dir), f"glassnet came from {where[0]}, not the fresh venv"
    assert where[1] == _pyproject()["project"]["version"]

    work = tmp_path / "work"
    work.mkdir()
    command = env_dir / "bin" / "glassnet"
    version = _run([str(command), "--version"], cwd=work).stdout.strip()
    assert version == f"glassnet {_pyproject()['project']['version']}"
    demo = _run([str(command), "demo", "--quiet", "--epochs", "3"], cwd=work).stdout
    model = "digits.glassnet" if "handwritten digits" in demo else "spiral.glassnet"
    assert (work / model).is_file()
    assert re.search(r"test\s.*accuracy \d+\.\d+%", demo), demo
    # the hints name the command as this shell can type it: not on PATH, so by its path
    hints = [line for line in demo[demo.index("next:"):].splitlines()[1:] if not line.lstrip().startswith("#")]
    assert hints and all(line.split()[0] == str(command) for line in hints), hints
    info = subprocess.run(hints[0].split()[:3], cwd=work, env=_clean_env(), capture_output=True, text=True)
    assert info.returncode == 0 and "inputs" in info.stdout, info.stderr


def test_one_version_string(tmp_path):
    import glassnet
    from glassnet.cli import main

    assert glassnet.__version__ == _pyproject()["project"]["version"]
    assert not hasattr(glassnet, "version"), "glassnet.version would shadow nothing useful; __version__ is it"
    result = subprocess.run([sys.executable, "-m", "glassnet", "--version"], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.stdout.strip() == f"glassnet {glassnet.__version__}"
    with pytest.raises(SystemExit):
        main(["--version"])


def test_subpackages_are_reached_without_an_import_and_load_lazily():
    code = ("import sys, glassnet\n"
            "assert 'glassnet.datasets' not in sys.modules and 'matplotlib' not in sys.modules\n"
            "X = glassnet.datasets.xor().X\n"
            "assert X.ndim == 2 and X.shape[1] == 2\n"
            "assert 'matplotlib' not in sys.modules\n"
            "assert not hasattr(glassnet, 'no_such_room')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr


def test_make_help_lists_the_targets():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), "help"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    for target in ("demo", "test", "lint", "dist", "bench", "clean"):
        assert re.search(rf"^\s*make {target}\s+\S", result.stdout, re.M), result.stdout


def test_licence_and_changelog_are_there():
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "the glassnet authors" in licence
    assert _pyproject()["project"]["license"] == "MIT"
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {_pyproject()['project']['version']}" in changelog
