"""The playground's guided lessons: their content (glassnet/playground/static/lessons.json) is sound, covers
what a learner needs, and shares its titles and order with the notebook lessons of docs/lessons; in the browser,
the XOR lesson is walked from start to end by driving the real controls, and the race runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from glassnet.errors import InputError
from glassnet.playground.lessons import LESSONS_FILE, check_lessons, load_lessons
from glassnet.playground.race import race
from glassnet.playground.session import PlaygroundSession

NOTEBOOKS = Path(__file__).resolve().parent.parent / "docs" / "lessons"


def notebook_title(name: str) -> tuple[int, str]:
    """(number, title) of a notebook lesson, from its first heading: '# Lesson 4: why the step function ...'."""
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())["cells"]
    heading = "".join(cells[0]["source"]).splitlines()[0]
    m = re.fullmatch(r"# Lesson (\d+): (.+)", heading)
    assert m, heading
    return int(m.group(1)), m.group(2)


def test_the_lessons_cover_the_ideas_and_share_the_notebooks_titles_and_order():
    lessons = load_lessons()
    titles = [lesson["title"] for lesson in lessons]
    assert titles[0] == "A hidden layer solves XOR"
    shared = [(notebook_title(lesson["notebook"]), lesson["title"]) for lesson in lessons if lesson["notebook"]]
    # the same title as the notebook (capitalised as the site's navigation writes it) ...
    for (_, title), ours in shared:
        assert ours == title[0].upper() + title[1:]
    # ... and in the notebooks' order
    numbers = [number for (number, _), _ in shared]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    assert {lesson["notebook"] for lesson in lessons if lesson["notebook"]} == {
        "03_cost_and_gradient_descent", "04_activations", "06_blame_game", "08_slow_alternatives"}
    # what each lesson is about shows in what it waits for
    waits = {lesson["id"]: [s.get("until", {}).get("kind") for s in lesson["steps"]] for lesson in lessons}
    assert "hidden_layers" in waits["xor"] and "test_accuracy" in waits["xor"]
    assert "hint" in waits["learning-rate"] and "refused" in waits["step-function"]
    assert "point_chosen" in waits["blame"] and "trace_stage" in waits["blame"] and "race" in waits["race"]


@pytest.mark.parametrize(("change", "words"), [
    (lambda ls: ls[1].update(id=ls[0]["id"]), "an id of its own"),
    (lambda ls: ls[0]["setup"]["config"].update(learning_rate=1000), "its settings are refused"),
    (lambda ls: ls[0]["steps"][0]["until"].update(kind="magic"), "'until' must be one of"),
    (lambda ls: ls[0]["steps"][0]["until"].update(colour="red"), "takes ['at_least']"),
    (lambda ls: ls[0]["steps"][-1].update(until={"kind": "race"}), "the last step waits for nothing"),
    (lambda ls: ls[0]["setup"].update(offer=["tanh"]), "beyond the trainable ones"),
    (lambda ls: ls[0]["steps"][0].update(text=" "), "a step needs a text"),
])
def test_a_faulty_lesson_is_named_with_what_is_wrong(change, words):
    lessons = json.loads(LESSONS_FILE.read_text())["lessons"]
    change(lessons)
    with pytest.raises(InputError, match=re.escape(words)):
        check_lessons(lessons)


def test_the_race_gives_backpropagation_and_tweak_and_keep_the_same_start_and_steps():
    s = PlaygroundSession()
    s.configure({"dataset": "xor", "seed": 2, "layers": [{"units": 4, "activation": "tanh"}], "batch_size": 0,
                 "learning_rate": 0.5})
    r = race(s, 300)
    net = s.build_network()
    start = net.cost(s.X_train, s.Y_train)
    assert r["backpropagation"]["start"] == pytest.approx(start, rel=1e-6)
    assert r["tweak_and_keep"]["start"] == pytest.approx(start, rel=1e-6)
    assert r["backpropagation"]["final"] < r["tweak_and_keep"]["final"] < start
    curve = r["backpropagation"]["curve"]
    assert len(curve) <= 51 and curve[-1] == r["backpropagation"]["final"]
    assert race(s, 300) == r   # steps, not seconds: the same every time
    with pytest.raises(InputError, match="from 1 to 2000 steps"):
        race(s, 10**6)


# -- in the browser
pytest.importorskip("playwright.sync_api", reason="playwright (python) is not installed")
import playground_pages as pages  # noqa: E402
from playground_pages import store  # noqa: E402

browser_context, page, server_url = pages.browser_context, pages.page, pages.server_url   # the fixtures


def step_text(page) -> str:
    return page.inner_text("#lesson-text")


def next_step(page) -> None:
    page.wait_for_selector("#lesson-next:not([disabled])", timeout=60_000)
    page.click("#lesson-next")


def test_the_xor_lesson_from_start_to_end(page, server_url):
    page.goto(server_url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.click('#lesson-list button[data-lesson="xor"]')
    # the lesson sets the playground up: xor, no hidden layer
    page.wait_for_function("(s) => s.data.name === 'xor' && s.data.sizes.length === 2", arg=store(page))
    assert page.inner_text("#lesson-progress") == "step 1 of 4" and "no hidden layer" in step_text(page)
    assert page.is_disabled("#lesson-next")   # it waits for the learner to train
    page.select_option("#speed", "0")
    page.click("#play")
    next_step(page)
    page.click("#play")   # pause: without a hidden layer the accuracy stayed near a coin's
    page.wait_for_function("(s) => !s.playing", arg=store(page))
    assert page.evaluate("(s) => s.frame.test_accuracy", store(page)) < 0.75
    assert "+ layer" in step_text(page) and page.is_disabled("#lesson-next")
    page.click("#add-layer")
    next_step(page)
    assert "Press Play again" in step_text(page)
    page.click("#play")
    next_step(page)   # opens once the test accuracy passes 90%
    assert page.evaluate("(s) => s.frame.test_accuracy", store(page)) >= 0.9
    assert page.inner_text("#lesson-progress") == "step 4 of 4" and "Solved" in step_text(page)
    assert page.is_disabled("#lesson-next") and page.inner_text("#lesson-status") == "the end of this lesson"
    page.click("#play")
    page.click("#lesson-close")
    assert page.is_visible("#lesson-list") and page.is_hidden("#lesson-card")


def test_the_race_lesson_shows_backpropagation_ahead(page, server_url):
    page.goto(server_url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.click('#lesson-list button[data-lesson="race"]')
    page.wait_for_function("(s) => s.data.config.batch_size === null", arg=store(page))
    page.click("#lesson-race")
    page.wait_for_selector("#lesson-race-result:not([hidden])")
    finals = page.evaluate("""Object.fromEntries(
        Array.from(document.querySelectorAll('#lesson-race-result tr[data-method]'))
            .map((r) => [r.dataset.method, Number(r.lastChild.dataset.value)]))""")
    assert finals["backpropagation"] < finals["tweak_and_keep"]
    next_step(page)
    assert "Backpropagation's cost fell much further" in step_text(page)


def test_the_step_function_and_learning_rate_lessons_open_each_step_on_what_the_learner_does(page, server_url):
    page.goto(server_url)
    page.wait_for_function("document.getElementById('test-cost').dataset.value !== ''")
    page.click('#lesson-list button[data-lesson="step-function"]')
    page.wait_for_function("(s) => s.data.activations[0] === 'sigmoid'", arg=store(page))
    for _ in range(15):
        page.click("#step")
    page.wait_for_function("(s) => s.frame.steps === 15", arg=store(page))
    assert page.is_disabled("#lesson-next")   # 10 epochs wanted; 15 steps are one
    page.select_option("#speed", "0")
    page.click("#play")
    next_step(page)
    page.click("#play")
    page.click("#plane", position={"x": 60, "y": 60})
    next_step(page)
    page.select_option('.layer-card[data-layer="1"] select', "step")   # offered in this lesson only
    page.wait_for_function("document.getElementById('error').textContent.includes('slope is 0 everywhere')")
    next_step(page)
    assert "Refused" in step_text(page)
    assert page.input_value('.layer-card[data-layer="1"] select') == "sigmoid"   # the setting in force
    page.click("#lesson-close")
    assert "step" not in page.evaluate("Array.from(document.querySelectorAll('.layer-card select option'))"
                                       ".map((o) => o.value)")

    page.click('#lesson-list button[data-lesson="learning-rate"]')
    page.wait_for_function("(s) => s.data.name === 'spiral' && s.data.config.learning_rate === 0.3", arg=store(page))
    page.click("#play")
    next_step(page)
    page.click("#play")
    page.fill("#learning_rate", "10")
    page.press("#learning_rate", "Tab")
    next_step(page)
    page.click("#play")
    next_step(page)   # the oscillation (or rising) hint appeared
    page.click("#play")
    page.click('.hint-action[data-hint="oscillating"], .hint-action[data-hint="rising"]')   # (it stays up)
    next_step(page)
    assert page.inner_text("#lesson-progress") == "step 5 of 5"
