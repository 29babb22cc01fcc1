"""The documentation site builds strictly, and every code block of the guide and the start page runs as written.

- ``mkdocs build --strict`` into a temporary folder (warnings are errors: broken links, missing API objects,
  unreadable notebooks); skipped, saying why, when mkdocs is not installed (it comes with the ``test`` extra).
- The ```` ```python ```` blocks of each page in ``docs/guide/`` and of ``docs/index.md`` run in order, in one
  fresh namespace per page, in a temporary working folder (so files they write land there), with matplotlib on
  the Agg backend.
- The ```` ```console ```` / ```` ```bash ```` lines that start with ``glassnet `` run through the command line
  (``python -m glassnet ...``) in the same folder, after the page's Python blocks, and must exit with 0.
- A block right after an ``<!-- no-run -->`` line is not run (used sparingly: installing, serving, a file the
  reader brings). The marker must be followed by a fence, so it cannot silently drop prose.
"""

from __future__ import annotations

import importlib.util
import os
import pathlib
import re
import shlex
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NO_RUN = "<!-- no-run -->"
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)
PAGES = sorted((DOCS / "guide").glob("*.md")) + [DOCS / "index.md"]


def blocks(page: pathlib.Path) -> list[tuple[str, str, bool]]:
    """``(language, code, runs)`` for each fenced block of ``page``, in order."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        found.append((match.group(1), match.group(2), before != NO_RUN))
    return found


def commands(code: str) -> list[list[str]]:
    """The ``glassnet ...`` lines of a console block as argument lists (a trailing ``# comment`` dropped)."""
    lines = []
    for line in code.splitlines():
        line = line.strip()
        if line.startswith("glassnet "):
            lines.append(shlex.split(line, comments=True)[1:])
    return lines


def test_the_pages_have_blocks_to_run() -> None:
    assert len(PAGES) >= 9
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(re.escape(NO_RUN), text):
            assert text[match.end() :].lstrip(" ").startswith("\n```"), f"{page.name}: {NO_RUN} must precede a fence"
    runnable = [b for page in PAGES for b in blocks(page) if b[2] and b[0] == "python"]
    assert len(runnable) >= 15


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_code_blocks_run(page: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    found = blocks(page)
    namespace: dict = {"__name__": "__docs__"}
    for number, (language, code, runs) in enumerate(found):
        if runs and language == "python":
            try:
                exec(compile(code, f"{page.name} block {number}", "exec"), namespace)
            except Exception as error:  # say which block failed, with its code
                raise AssertionError(f"{page.name}, block {number} failed: {error!r}\n{code}") from error
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    for number, (language, code, runs) in enumerate(found):
        if not (runs and language in ("console", "bash", "shell", "sh")):
            continue
        for args in commands(code):
            done = subprocess.run(
                [sys.executable, "-m", "glassnet", *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                timeout=120,
            )
            assert done.returncode == 0, f"{page.name}, block {number}: glassnet {shlex.join(args)}\n{done.stderr}"


@pytest.mark.skipif(importlib.util.find_spec("mkdocs") is None,
                    reason='mkdocs is not installed: pip install "glassnet[docs]"')
def test_site_builds_strictly(tmp_path: pathlib.Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
         "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "GLASSNET_DOCS_EXECUTE": "false", "NO_MKDOCS_2_WARNING": "1",
             "GLASSNET_DOCS_CACHE": str(tmp_path / "cache")},
    )
    assert done.returncode == 0, done.stderr[-4000:]
    site = tmp_path / "site"
    assert "backpropagate" in (site / "reference" / "network" / "index.html").read_text(encoding="utf-8")
    assert "MLPClassifier" in (site / "reference" / "estimators" / "index.html").read_text(encoding="utf-8")
    for lesson in sorted((DOCS / "lessons").glob("*.ipynb")):
        assert (site / "lessons" / lesson.stem / "index.html").is_file(), f"{lesson.name} was not rendered"
