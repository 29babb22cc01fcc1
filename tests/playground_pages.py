"""The playground in a real browser, shared by its browser tests: a server on a free port, Debian's chromium driven
by playwright (headless; playwright never downloads a browser), a page that fails its test on a JavaScript error,
and a handle on the page's store.

``make test`` runs tests/install_browser.sh first, which installs /usr/bin/chromium when it can (and axe-core, the
accessibility checker, into tests/node_modules). Without a browser these tests skip and say why. Screenshots go to
test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
uvicorn = pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
pytest.importorskip("websockets", reason="the playground extra (websockets) is not installed")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import glassnet  # noqa: E402
from glassnet.playground import create_app  # noqa: E402

BROWSER = Path(os.environ.get("GLASSNET_TEST_BROWSER", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
# A run the test can reproduce: the settings in the URL, as a shared link carries them.
XOR_HASH = "#data=xor&n=200&noise=0.1&test=0.3&seed=2&layers=6:tanh&cost=cross_entropy&opt=sgd&lr=0.5&batch=10&l2=0"
TEST_COST_GOAL = 0.15
STATIC = Path(glassnet.__file__).parent / "playground" / "static"


@pytest.fixture(scope="module")
def server_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):
        if server.started:
            started.set()
            break
        started.wait(0.05)
    assert started.is_set(), "the playground server did not start"
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_context():
    if not BROWSER.exists():
        pytest.skip(f"no browser at {BROWSER}: run tests/install_browser.sh as root (apt-get install chromium)")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory(prefix="glassnet-chromium-") as profile:
        try:
            context = p.chromium.launch_persistent_context(
                profile, executable_path=str(BROWSER), headless=True, args=FLAGS,
                viewport={"width": 1400, "height": 1000}, accept_downloads=True,
            )
        except Exception as e:  # a browser that will not start: skip, saying why
            pytest.skip(f"{BROWSER} would not start: {str(e).splitlines()[0]}")
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(60_000)  # a loaded 2-core machine (other test workers) can slow the page a lot
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert not errors, f"the page raised JavaScript errors: {errors}"


def store(page):
    """A handle on the page's store: its own state module, imported (the same module instance the page runs).

    Pass it to ``page.wait_for_function(..., arg=...)``, whose condition must be synchronous: a condition that
    returns a promise counts as true at once.
    """
    return page.evaluate_handle("import('/static/state.js').then((module) => module.store)")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000  # a real picture, not an empty one
    return path


def choose_a_point(page, position: dict, signs: tuple[int, int]) -> None:
    """Click the plane at ``position`` and wait until the backward view shows the point chosen there.

    Opening the backward view chooses training point 0 at once; the click then chooses the point nearest to it,
    but the page may handle the click a moment after playwright sent it. So the wait asks for the point shown to
    lie on the side clicked (``signs``: those of x1 and x2), which point 0 of these runs does not.
    """
    page.click("#plane", position=position)
    page.wait_for_function(
        f"""(s) => {{
            const box = document.getElementById('bp-point');
            if (!s.selected || !box.dataset.x) return false;
            const x = JSON.parse(box.dataset.x);
            return box.dataset.index === String(s.selected.index) && box.dataset.part === s.selected.part
                && Math.sign(x[0]) === {signs[0]} && Math.sign(x[1]) === {signs[1]}
                && document.querySelectorAll('.bp-layer').length === 2;
        }}""",
        arg=store(page),
    )


AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the page as it is now: [{id, impact, help, targets}], each with the elements.

    axe-core comes from the npm registry (tests/package.json, installed by tests/install_browser.sh); the test
    injects it from tests/node_modules, so the test itself needs no network.
    """
    if not AXE.exists():
        pytest.skip(f"axe-core is not installed at {AXE}: run tests/install_browser.sh (npm ci in tests/)")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(' ') + ': '
                    + n.failureSummary.split('\\n').slice(1).join(' '))}));
        }"""
    )
