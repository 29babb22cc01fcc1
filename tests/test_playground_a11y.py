"""The playground for a person who does not use a mouse or does not see colours: axe-core finds no serious or
critical violation in the page's main states, and every action works from the keyboard alone.

axe-core (tests/package.json, installed from the npm registry by tests/install_browser.sh) runs inside the page.
"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import playground_pages as pages  # noqa: E402
from playground_pages import XOR_HASH, axe_violations, store  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def ready(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")


@pytest.mark.parametrize("size", [(1440, 900), (390, 844)])
def test_axe_finds_no_serious_violation_in_the_main_states(page, server_url, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    ready(page, server_url + XOR_HASH)
    found = {"start": serious(axe_violations(page))}
    page.select_option("#speed", "20")
    page.click("#play")
    page.wait_for_function("(s) => s.playing && s.frame.steps > 0", arg=store(page))
    found["training"] = serious(axe_violations(page))
    page.click("#play")
    page.wait_for_function("(s) => !s.playing", arg=store(page))
    page.click("#plane", position={"x": 60, "y": 60})   # a point chosen: the backward view opens
    page.wait_for_function("(s) => s.backward !== null && document.querySelectorAll('.bp-layer').length === 2",
                           arg=store(page))
    found["point chosen"] = serious(axe_violations(page))
    page.click("#trace-next")
    found["backward view, stepping through"] = serious(axe_violations(page))
    page.select_option("#dataset", "draw")   # drawn points: the class picker and the hints
    page.wait_for_selector("#draw-row:not([hidden])")
    found["drawing"] = serious(axe_violations(page))
    page.click('#lesson-list button[data-lesson="race"]')   # a guided lesson, with its race's table
    page.click("#lesson-race")
    page.wait_for_selector("#lesson-race-result:not([hidden])")
    found["a lesson"] = serious(axe_violations(page))
    assert all(not v for v in found.values()), {state: v for state, v in found.items() if v}


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has the focus (as a keyboard user reaches it)."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def test_every_action_from_the_keyboard(page, server_url):
    ready(page, server_url + XOR_HASH)
    tab_to(page, "step")
    page.keyboard.press("Enter")
    page.wait_for_function("(s) => s.frame.steps === 1", arg=store(page))
    # a screen reader hears the readouts (a polite live region, not 20 announcements a second)
    page.wait_for_function("document.getElementById('announce').textContent.startsWith('epoch 0, training cost')")

    # choosing a point: the arrow keys move a cursor over the plane, Enter chooses the point nearest to it
    tab_to(page, "plane")
    for key in ["ArrowRight"] * 7 + ["ArrowUp"] * 7:
        page.keyboard.press(key)
    assert "cursor at x1 = " in page.inner_text("#plane-cursor")
    page.keyboard.press("Enter")
    page.wait_for_function(
        """(s) => {
            const box = document.getElementById('bp-point');
            if (!box.dataset.x || !s.selected) return false;
            const x = JSON.parse(box.dataset.x);
            return box.dataset.index === String(s.selected.index) && x[0] > 0 && x[1] > 0;
        }""", arg=store(page))
    assert page.get_attribute("#view-backward", "aria-selected") == "true"
    assert page.get_attribute("#view-forward", "aria-selected") == "false"

    # the diagram's tooltips by focus: arrows walk the neurons, W the weights into one; Enter edits a weight
    tab_to(page, "diagram")
    page.wait_for_selector("#tooltip:not([hidden])")
    assert page.inner_text("#tooltip").startswith("input x1")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.inner_text("#tooltip").startswith("layer 1, neuron 1")
    assert "δ = " in page.inner_text("#tooltip")   # the backward view's numbers for the chosen point
    page.keyboard.press("w")
    page.keyboard.press("w")
    assert page.inner_text("#tooltip").startswith("w[1, 1]: from neuron 1 (layer 0) to neuron 1 (layer 1)")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "weight-value"
    page.keyboard.press("Control+a")
    page.keyboard.type("2.5")
    page.keyboard.press("Enter")
    # the server set it: weights[1, 1] of layer 1 (6 neurons wide) is 2.5 in the next frame
    page.wait_for_function("(s) => s.weights[0].w[1 * 6 + 1] === 2.5", arg=store(page))
    assert page.evaluate("document.activeElement.id") == "diagram"

    # the tabs: arrow keys move between forward and backward
    tab_to(page, "view-backward")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("(s) => s.view === 'forward'", arg=store(page))
    assert page.evaluate("document.activeElement.id") == "view-forward"
    assert page.get_attribute("#view-forward", "aria-selected") == "true"
    assert page.is_hidden("#backward-panel")


def test_each_class_has_a_shape_and_a_name_as_well_as_a_colour(page, server_url):
    ready(page, server_url + "#data=spiral&classes=4&n=200&noise=0.1&test=0.3&seed=1&layers=4:tanh&cost=cross_entropy"
          "&opt=sgd&lr=0.3&batch=10&l2=0")
    items = page.evaluate("""Array.from(document.querySelectorAll('#plane-legend li')).map((e) => ({
        shape: e.dataset.shape, color: e.dataset.color, text: e.textContent.trim()}))""")
    names = page.evaluate("(s) => s.data.class_names", store(page))
    assert [i["text"] for i in items] == names and len(names) == 4
    assert len({i["shape"] for i in items}) == 4 and len({i["color"] for i in items}) == 4
    # the drawn points' class picker names the shape too (its text is not coloured: contrast)
    page.select_option("#dataset", "draw")
    options = page.evaluate("Array.from(document.querySelectorAll('#draw-class option')).map((o) => o.textContent)")
    assert options[:2] == ["0 (circle)", "1 (square)"]
