"""The README's commands and Python, run as written, so that the README cannot drift from glassnet.

Every fenced ``sh`` block runs, in order, in one bash shell, in a temporary copy of the checkout (so that
``make demo``, ``. .venv/bin/activate`` and the files the commands write carry from one block to the next);
every ``python`` block then runs, in order, in one Python process. A block right after the line
``<!-- readme-test: skip (why) -->`` is left out (installs, servers, the whole suite). ``text`` blocks are
output, not run.

The copy's ``.venv`` lends this test environment's ``bin`` (its python and its ``glassnet``) with the make
stamps fresh, so ``make demo`` runs the demo without installing anything: nothing touches the network.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SKIP = re.compile(r"<!--\s*readme-test:\s*skip\b.*?-->")


def readme_blocks(text: str) -> list[tuple[str, str]]:
    """``[(language, code), ...]`` of the fenced blocks not marked to skip, in order."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = re.match(r"^```(\w*)\s*$", lines[i])
        if not match:
            i += 1
            continue
        language = match.group(1)
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        previous = next((lines[k] for k in range(i - 1, -1, -1) if lines[k].strip()), "")
        if not SKIP.search(previous):
            blocks.append((language, "\n".join(lines[i + 1 : end])))
        i = end + 1
    return blocks


def test_the_block_reader_honours_the_marker():
    text = "a\n```sh\necho 1\n```\n<!-- readme-test: skip (no) -->\n```sh\necho 2\n```\n```python\nx = 1\n```\n"
    assert readme_blocks(text) == [("sh", "echo 1"), ("python", "x = 1")]


def test_every_readme_block_is_run_or_marked():
    blocks = readme_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    assert {language for language, _ in blocks} <= {"sh", "python", "text"}, "a block without sh/python/text"
    assert any(language == "sh" for language, _ in blocks) and any(language == "python" for language, _ in blocks)


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    if shutil.which("make") is None or shutil.which("bash") is None:
        pytest.skip("needs make and bash")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "glassnet").exists() or not (bin_dir / "activate").exists():
        pytest.skip("the tests do not run from a virtual environment with glassnet installed")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    copy = tmp_path_factory.mktemp("checkout") / "glassnet"
    shutil.copytree(REPO, copy, symlinks=True, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "*.glassnet", "dist", "build", "*.egg-info", ".pytest_cache",
        ".ruff_cache", ".hypothesis", "test-artifacts", "ckpt"))
    venv = copy / ".venv"
    venv.mkdir()
    (venv / "bin").symlink_to(bin_dir, target_is_directory=True)
    later = time.time() + 5
    for stamp in (".demo", ".test"):
        (venv / stamp).touch()
        os.utime(venv / stamp, (later, later))  # newer than pyproject.toml: make installs nothing
    return copy


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "GLASSNET_DATA")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if Path(p).resolve() != Path(sys.executable).parent.resolve())
    env.update(MPLBACKEND="Agg", PIP_NO_INDEX="1")
    return env


def test_the_readme_shell_blocks_run_as_written(checkout):
    script = "\n".join(code for language, code in readme_blocks((checkout / "README.md").read_text("utf-8"))
                       if language == "sh")
    result = subprocess.run(["bash", "-e", "-x", "-c", script], cwd=checkout, env=_env(), capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{result.stderr[-4000:]}\n{result.stdout[-2000:]}"
    # what a newcomer is told after make demo works as printed, and the pictures were made again
    assert "glassnet is installed in .venv" in result.stdout
    for picture in ("boundary", "curves", "confusion"):
        assert (checkout / "docs" / "images" / f"{picture}.png").stat().st_size > 1000
    assert (checkout / "homes.glassnet").is_file() and (checkout / "predictions.csv").is_file()


def test_the_readme_python_blocks_run_as_written(checkout):
    script = "\n\n".join(code for language, code in readme_blocks((checkout / "README.md").read_text("utf-8"))
                         if language == "python")
    result = subprocess.run([sys.executable, "-c", script], cwd=checkout, env=_env(), capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "->" in result.stdout  # the tour's cost, first to last
