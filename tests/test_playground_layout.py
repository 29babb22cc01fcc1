"""The playground's layout from a phone (390 px) to a wide screen (1920 px): no horizontal scrolling, the
backward view brought into sight when a point is chosen, legends that name the classes in their own colours,
regression colours that keep every value visible, and a cost chart whose axis labels fit (log scale too)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")

import playground_pages as pages  # noqa: E402
from playground_pages import XOR_HASH, store  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures

SIZES = [(390, 844), (768, 1024), (1440, 900), (1920, 1080)]
SCREENSHOTS = {(390, 844), (1440, 900)}   # saved under /tmp for a person to look at (not in the repository)


def ready(page, url: str) -> None:
    page.goto(url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")


def no_horizontal_scrolling(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"the page is {width} px wide in a {inner} px window"


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(f"""() => {{
        const r = document.querySelector({selector!r}).getBoundingClientRect();
        return r.top < innerHeight && r.bottom > 0 && r.top >= 0;
    }}""")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_no_horizontal_scrolling_and_the_backward_view_in_sight(page, server_url, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    ready(page, server_url + XOR_HASH)
    no_horizontal_scrolling(page)
    if size in SCREENSHOTS:
        page.screenshot(path=f"/tmp/glassnet-playground-{size[0]}x{size[1]}.png", full_page=True)
    page.locator("#plane").scroll_into_view_if_needed()
    page.click("#plane", position={"x": 50, "y": 50})
    page.wait_for_function("(s) => s.backward !== null && document.querySelectorAll('.bp-layer').length === 2",
                           arg=store(page))
    page.wait_for_function("document.getElementById('backward-panel').getBoundingClientRect().top < innerHeight")
    assert in_viewport(page, "#backward-panel")
    no_horizontal_scrolling(page)
    if size in SCREENSHOTS:
        page.screenshot(path=f"/tmp/glassnet-playground-{size[0]}x{size[1]}-backward.png", full_page=False)


def test_uploaded_class_names_that_name_colours_are_drawn_in_them(page, server_url):
    ready(page, server_url + XOR_HASH)
    rows = "\n".join(f"{i * 0.1:.2f},{(i * 7) % 5 * 0.3:.2f},{['red', 'green', 'blue'][i % 3]}" for i in range(30))
    page.select_option("#dataset", "upload")
    page.set_input_files("#upload", files=[
        {"name": "colours.csv", "mimeType": "text/csv", "buffer": f"u,v,label\n{rows}\n".encode()},
    ])
    page.wait_for_function("(s) => s.data !== null && s.data.name === 'colours.csv'", arg=store(page))
    legend = page.evaluate("""Array.from(document.querySelectorAll('#plane-legend li')).map((e) =>
        [e.textContent.trim(), e.dataset.color])""")
    red, green, blue = (dict(legend)[name] for name in ("red", "green", "blue"))
    rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in (red, green, blue)]
    assert rgb[0][0] > max(rgb[0][1:]) and rgb[1][1] > max(rgb[1][0], rgb[1][2]) and rgb[2][2] > max(rgb[2][:2])


def contrast(a, b) -> float:
    """WCAG's contrast ratio of two sRGB colours."""
    def luminance(c):
        lin = [(v / 255) / 12.92 if v / 255 <= 0.03928 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_regression_colours_keep_mid_range_points_visible(page, server_url):
    ready(page, server_url + "#data=plane&n=200&noise=0.1&test=0.3&seed=1&layers=4:tanh&cost=mse&opt=sgd&lr=0.1"
          "&batch=10&l2=0")
    colours = page.evaluate("""import('/static/util.js').then((u) =>
        [0, 0.25, 0.5, 0.75, 1].map((t) => u.valueColor(-1 + 2 * t, -1, 1)))""")
    # every value, the middle one included, stands apart from the white page (the old diverging map was white)
    assert min(contrast(c, (255, 255, 255)) for c in colours[:4]) > 1.9
    # and neighbouring values differ
    assert all(contrast(a, b) > 1.3 for a, b in zip(colours[:-1], colours[1:], strict=True))
    assert page.is_visible("#plane-legend li.scale")


def test_the_cost_chart_has_a_log_scale_and_labels_that_fit(page, server_url):
    page.set_viewport_size({"width": 1440, "height": 900})
    ready(page, server_url + "#data=plane&n=200&noise=0.1&test=0.3&seed=1&layers=" + ",".join(["4:identity"] * 8)
          + "&cost=mse&opt=sgd&lr=0.3&batch=0&l2=0")   # a run whose cost grows to 1e+03 and more
    for _ in range(4):
        page.click("#step")
    page.wait_for_function("(s) => s.frame.steps === 4", arg=store(page))
    layout = page.evaluate("import('/static/chart.js').then((c) => c.chartLayout)")
    assert all(label["right"] - label["width"] >= 0 for label in layout["labels"]), layout
    page.check("#log-scale")
    layout = page.evaluate("import('/static/chart.js').then((c) => c.chartLayout)")
    assert layout["log"] and all(label["right"] - label["width"] >= 0 for label in layout["labels"]), layout
    ticks = [float(label["text"]) for label in layout["labels"]]
    ratios = [b / a for a, b in zip(ticks[:-1], ticks[1:], strict=True)]
    assert all(r == pytest.approx(10 ** round(math.log10(r))) and r >= 10 for r in ratios)   # powers of ten
    assert ticks[-1] / ticks[0] >= 100   # several decades
