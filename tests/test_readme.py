"""The README's commands and Python, run as written, so that the README cannot drift from glassnet.

Every fenced ``sh`` block runs, in order, in one fresh bash shell, in a fresh copy of the checkout (the files
git tracks, as they are in the work tree, and new files git does not ignore: what ``git clone`` of a commit of
this tree gives), starting from the README's own set-up command, ``make demo``: the Makefile makes the copy's
``.venv`` with ``python3 -m venv`` and pip installs ``-e ".[demo]"`` into it, and the later blocks reach
glassnet as the README says (``.venv/bin/glassnet``, or ``. .venv/bin/activate`` and plain ``glassnet``). The
shell's PATH lacks this test environment's ``bin``, so nothing runs from here by mistake. Every ``python``
block then runs, in order, in one Python process. A block right after the line ``<!-- readme-test: skip
(why) -->`` is left out (installs, servers, the whole suite). ``text`` blocks are output, not run.

Offline, as tests must be. What differs from a newcomer's ``make demo``, and only this: pip finds the
packages in a local folder instead of the package index (``PIP_NO_INDEX=1``, ``PIP_FIND_LINKS``, the
machine's pip configuration ignored). The folder holds one wheel per package ``glassnet[demo]`` needs and
setuptools (the build backend pip's isolated build of glassnet installs), each packed from this test
environment's installed copy (its files as listed in its RECORD, its metadata): the same versions a
newcomer would get today, resolved and installed by pip itself, glassnet built from the copy's files. The
packed wheels leave out console scripts (none of the README's commands use numpy's ``f2py`` and the like),
and pip does not byte-compile them (``PIP_NO_COMPILE``: Python compiles on first import instead).

The Python blocks run in this test environment's python, in the copy's folder: they use the onnx and torch
extras, which ``make demo`` does not install (the README says to add them), and this environment has them.
The sh test takes the longest of the suite's files (a venv, pip, then every command); it runs once, on one
worker (``--dist loadfile`` keeps a file together).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomllib

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


def _tracked_files(repo: Path) -> list[str] | None:
    """The files a clone of the work tree holds: tracked (as they are now) and new files git does not ignore."""
    if shutil.which("git") is None:
        return None
    result = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return sorted({name for name in result.stdout.split("\0") if name and (repo / name).is_file()})


def _copy_checkout(destination: Path) -> None:
    names = _tracked_files(REPO)
    if names is None:  # not a git checkout (an unpacked sdist): everything but what the build leaves
        shutil.copytree(REPO, destination, symlinks=True, ignore=shutil.ignore_patterns(
            ".venv", ".git", "__pycache__", "*.glassnet", "dist", "build", "*.egg-info", ".pytest_cache",
            ".ruff_cache", ".hypothesis", "test-artifacts", "ckpt"))
        return
    for name in names:
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target, follow_symlinks=False)


def _needed_distributions(extras: tuple[str, ...] = ("demo",)) -> list[Any]:
    """The installed distributions ``glassnet[extras]`` needs, its own requirements followed to the end, and
    the build backend's (setuptools)."""
    import importlib.metadata as metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    wanted = [Requirement(r) for r in project["project"]["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in project["project"]["optional-dependencies"][extra]]
    wanted += [Requirement(r) for r in project["build-system"]["requires"]]
    found: dict[str, Any] = {}
    while wanted:
        requirement = wanted.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            pytest.skip(f"the test environment lacks {requirement.name}, which make demo installs")
        found[name] = dist
        for line in dist.requires or []:
            needed = Requirement(line)
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in ("", *requirement.extras)):
                wanted.append(needed)
    return list(found.values())


def _pack_wheel(dist: Any, folder: Path) -> Path:
    """A wheel of an installed distribution: its files in site-packages, as its RECORD lists them (compiled
    bytecode and files outside site-packages, such as console scripts, left out) and its dist-info."""
    import zipfile

    from packaging.tags import sys_tags

    if not dist.files:
        pytest.skip(f"{dist.metadata['Name']} is installed without a RECORD of its files, so it cannot be packed")

    tags = [line.split(":", 1)[1].strip() for line in (dist.read_text("WHEEL") or "").splitlines()
            if line.startswith("Tag:")]
    ours = {str(tag) for tag in sys_tags()}
    tags = [tag for tag in tags if tag in ours] or ["py3-none-any"]  # one this interpreter takes ("py2.py3")
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    path = folder / f"{name}-{dist.version}-{tags[0]}.whl"
    site = Path(str(dist.locate_file("")))
    info = next(str(f).split("/")[0] for f in dist.files if str(f).split("/")[0].endswith(".dist-info"))
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wheel:
        for entry in dist.files:
            relative = str(entry)
            if relative.startswith("..") or "__pycache__" in relative or relative.endswith(".pyc"):
                continue
            if relative.startswith(info + "/") and relative.split("/")[-1] in ("RECORD", "INSTALLER", "REQUESTED",
                                                                                 "direct_url.json"):
                continue
            source = site / relative
            if source.is_file():
                wheel.write(source, relative)
                record.append(f"{relative},,")
        record.append(f"{info}/RECORD,,")
        wheel.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A fresh copy of the checkout, and beside it the folder ``wheels`` its ``make demo`` installs from."""
    for tool in ("make", "bash"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    pytest.importorskip("packaging")
    python3 = shutil.which("python3", path=_env()["PATH"])
    if python3 is None:
        pytest.skip("make demo needs python3 on PATH")
    version = subprocess.run([python3, "-c", "import sys, ensurepip; print(sys.version_info[:2])"],
                             capture_output=True, text=True, env=_env(), cwd=tmp_path_factory.getbasetemp())
    if version.stdout.strip() != str(sys.version_info[:2]):
        pytest.skip(f"the python3 make demo would use ({python3}: {version.stdout.strip() or version.stderr[-200:]})"
                    f" is not this test environment's Python {sys.version_info[:2]}, whose packages it would "
                    "install")
    copy = tmp_path_factory.mktemp("checkout") / "glassnet"
    _copy_checkout(copy)
    assert not (copy / ".venv").exists() and (copy / "Makefile").is_file()
    wheels = copy.parent / "wheels"
    wheels.mkdir()
    for dist in _needed_distributions():
        _pack_wheel(dist, wheels)
    return copy


def _env(wheels: Path | None = None) -> dict[str, str]:
    """The environment of a newcomer's shell, offline: no virtual environment active, this test environment's
    bin off PATH, pip told to use the local wheels only (and not this machine's pip configuration)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "GLASSNET_DATA") and not k.startswith("PIP_")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if p and Path(p).resolve() != Path(sys.executable).parent.resolve())
    env.update(MPLBACKEND="Agg", PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, PIP_NO_COMPILE="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1")
    if wheels is not None:
        env["PIP_FIND_LINKS"] = str(wheels)
    return env


def test_the_readme_shell_blocks_run_as_written(checkout):
    script = "\n".join(code for language, code in readme_blocks((checkout / "README.md").read_text("utf-8"))
                       if language == "sh")
    assert script.lstrip().startswith("make demo"), "the README starts with its set-up command"
    result = subprocess.run(["bash", "-e", "-x", "-c", script], cwd=checkout, env=_env(checkout.parent / "wheels"),
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"{result.stderr[-4000:]}\n{result.stdout[-2000:]}"
    # the commands ran from the copy's own .venv, which make demo made, with glassnet from the copy's files
    python = checkout / ".venv" / "bin" / "python"
    assert not python.parent.is_symlink() and (checkout / ".venv" / ".demo").is_file()
    # from a folder without a glassnet folder in it (python -c puts its folder first on sys.path)
    where = subprocess.run([str(python), "-c", "import glassnet, sklearn, matplotlib; print(glassnet.__file__)"],
                           capture_output=True, text=True, env=_env(), cwd=checkout.parent / "wheels")
    assert where.returncode == 0 and Path(where.stdout.strip()).is_relative_to(checkout), where
    # what a newcomer is told after make demo works as printed, and the pictures were made again
    assert "glassnet is installed in .venv" in result.stdout
    for picture in ("boundary", "curves", "confusion"):
        assert (checkout / "docs" / "images" / f"{picture}.png").stat().st_size > 1000
    assert (checkout / "homes.glassnet").is_file() and (checkout / "predictions.csv").is_file()


def test_the_readme_python_blocks_run_as_written(checkout):
    script = "\n\n".join(code for language, code in readme_blocks((checkout / "README.md").read_text("utf-8"))
                         if language == "python")
    result = subprocess.run([sys.executable, "-c", script], cwd=checkout, env=_env(checkout.parent / "wheels"),
                            capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert "->" in result.stdout  # the tour's cost, first to last
