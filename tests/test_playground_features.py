"""What the playground offers as TensorFlow Playground does, in the browser: extra input features, the
training share from 10 to 90%, the show-test-points and discretize-output toggles, editing a weight by clicking
it, a hovered neuron's picture large on the output plane, and classroom links that hide controls. (L1 is not
offered: glassnet's Trainer has no L1 term yet.)"""

from __future__ import annotations

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import playground_pages as pages  # noqa: E402
from playground_pages import XOR_HASH, store  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures


def ready(page, url: str) -> None:
    page.goto("about:blank")   # (a new hash alone would not load the page again)
    page.goto(url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")


PIXELS = """() => {   // the plane's pixels on a coarse grid (device pixels), as [r, g, b] lists
    const c = document.getElementById('plane'), ctx = c.getContext('2d');
    const out = [];
    for (let y = 5; y < c.height; y += 9) for (let x = 5; x < c.width; x += 9) {
        const d = ctx.getImageData(x, y, 1, 1).data; out.push([d[0], d[1], d[2]]);
    }
    return out;
}"""


def test_extra_features_and_the_training_share(page, server_url):
    ready(page, server_url + XOR_HASH)
    page.check("#feature-x1\\*x2")
    page.wait_for_function("(s) => s.data.sizes[0] === 3", arg=store(page))
    assert page.evaluate("(s) => s.data.features", store(page)) == ["x1", "x2", "x1*x2"]
    assert "features=x1%2Cx2%2Cx1*x2" in page.evaluate("location.hash")
    page.wait_for_function("(s) => s.frame.inputValues && s.frame.inputValues.length === 3 * 144", arg=store(page))
    page.uncheck("#feature-x1")
    page.uncheck("#feature-x2")
    page.wait_for_function("(s) => s.data.sizes[0] === 1", arg=store(page))   # x1*x2 alone solves xor
    page.click("#feature-x1\\*x2")   # the last input stays: a network needs one
    assert page.is_checked("#feature-x1\\*x2")
    # the training share: 10% to 90% of the points
    page.fill("#train_share", "10")
    page.dispatch_event("#train_share", "change")
    page.wait_for_function("(s) => s.data.train.y.length === 20 && s.data.test.y.length === 180", arg=store(page))
    assert page.inner_text("#train-share-value") == "10% / 90%"
    page.fill("#train_share", "90")
    page.dispatch_event("#train_share", "change")
    page.wait_for_function("(s) => s.data.train.y.length === 180", arg=store(page))


def test_show_test_points_and_discretize_output(page, server_url):
    ready(page, server_url + XOR_HASH)
    before = page.evaluate(PIXELS)
    page.uncheck("#show-test")
    without_test = page.evaluate(PIXELS)
    assert before != without_test
    # with the test points hidden, a click chooses only training points
    page.click("#plane", position={"x": 180, "y": 180})
    page.wait_for_function("(s) => s.selected !== null && s.backward !== null", arg=store(page))
    assert page.evaluate("(s) => s.selected.part", store(page)) == "train"
    page.click("#view-forward")
    page.check("#discretize")
    discrete = page.evaluate(PIXELS)
    palette = page.evaluate("(s) => s.palette", store(page))
    # each cell painted in one class's colour alone: the background takes (about) two colours, not a gradient
    assert len(palette) == 2
    common = {}
    for p in discrete:
        common[tuple(p)] = common.get(tuple(p), 0) + 1
    two = sorted(common.values(), reverse=True)[:2]
    assert sum(two) > 0.6 * len(discrete)
    smooth = {}
    for p in without_test:
        smooth[tuple(p)] = smooth.get(tuple(p), 0) + 1
    assert sum(sorted(smooth.values(), reverse=True)[:2]) < 0.3 * len(without_test)


def test_clicking_a_weight_edits_it_and_hovering_a_neuron_shows_its_picture(page, server_url):
    ready(page, server_url + XOR_HASH)
    line = page.evaluate("""import('/static/diagram.js').then((m) => {
        const ln = m.diagramLayout().lines.find((q) => q.l === 2 && q.k === 3 && q.j === 1);
        return {x: (ln.x1 + ln.x2) / 2, y: (ln.y1 + ln.y2) / 2};
    })""")
    page.click("#diagram", position=line)
    page.wait_for_selector("#weight-editor:not([hidden])")
    assert page.inner_text("#weight-label") == "w[3, 1] of layer 2"
    page.fill("#weight-value", "-3")
    page.press("#weight-value", "Enter")
    page.wait_for_function("(s) => s.weights[1].w[3 * 2 + 1] === -3", arg=store(page))
    # a weight out of bounds is refused by the server and named
    page.click("#diagram", position=line)
    page.fill("#weight-value", "1000")
    page.press("#weight-value", "Enter")
    page.wait_for_function("document.getElementById('error').textContent.includes('from -100 to 100')")

    output = page.evaluate(PIXELS)
    node = page.evaluate("""import('/static/diagram.js').then((m) => {
        const n = m.diagramLayout().nodes[1][2]; return {x: n.x + 17, y: n.y + 17}; })""")
    page.mouse.move(0, 0)
    box = page.locator("#diagram").bounding_box()
    page.mouse.move(box["x"] + node["x"], box["y"] + node["y"])
    page.wait_for_function("(s) => s.hoverNeuron && s.hoverNeuron.l === 1 && s.hoverNeuron.i === 2", arg=store(page))
    assert page.evaluate(PIXELS) != output   # the plane paints that neuron's activation now
    page.mouse.move(box["x"] - 20, box["y"] - 20)
    page.wait_for_function("(s) => s.hoverNeuron === null", arg=store(page))
    assert page.evaluate(PIXELS) == output


def test_a_classroom_link_hides_the_controls_it_names(page, server_url):
    ready(page, server_url + XOR_HASH + "&hide=data,layers,take-home")
    assert page.is_hidden(".data-panel") and page.is_hidden("#add-layer") and page.is_hidden("#share")
    assert page.is_visible("#learning_rate") and page.is_visible("#plane")
    page.fill("#learning_rate", "0.1")
    page.press("#learning_rate", "Tab")
    page.wait_for_function("(s) => s.data.config.learning_rate === 0.1", arg=store(page))
    assert "hide=data%2Clayers%2Ctake-home" in page.evaluate("location.hash")   # the link keeps hiding them
    # the classroom box builds such a link
    ready(page, server_url + XOR_HASH)
    page.click("#classroom summary")
    page.check("#hide-data")
    page.check("#hide-l2")
    link = page.input_value("#classroom-link")
    assert link.startswith(server_url) and "hide=data%2Cl2" in link
    ready(page, link)
    assert page.is_hidden(".data-panel") and page.is_hidden("#l2") and page.is_visible("#learning_rate")
