"""The playground's guided lessons: their content is data (``static/lessons.json``), checked here.

A lesson sets the playground up (``setup.config``: settings merged into :data:`~.config.DEFAULT_CONFIG`, which
:func:`~.config.check_config` must accept; ``setup.offer``: activations the menu offers besides the trainable
ones, for a lesson that shows why one is refused) and walks through ``steps`` while the learner drives the
real controls: a step's ``until`` names what must be true of the run before the next step opens (one of
:data:`UNTIL`), and the last step has none. ``notebook`` names the notebook lesson of docs/lessons that covers
the same idea (the titles are shared).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import InputError
from .config import DEFAULT_CONFIG, HIDDEN_ACTIVATIONS, ConfigError, check_config

__all__ = ["LESSONS_FILE", "UNTIL", "load_lessons", "check_lessons"]

LESSONS_FILE = Path(__file__).parent / "static" / "lessons.json"
# each kind of condition and the fields it takes (the page's lessons.js reads the same)
UNTIL: dict[str, set[str]] = {
    "epochs": {"at_least"}, "steps": {"at_least"}, "hidden_layers": {"at_least"}, "test_accuracy": {"at_least"},
    "setting": {"key", "at_least", "at_most"}, "hint": {"ids"}, "point_chosen": set(), "refused": {"field"},
    "trace_stage": {"at_least"}, "race": set(),
}


def load_lessons(path: Path = LESSONS_FILE) -> list[dict[str, Any]]:
    """The lessons of ``path``, checked (:func:`check_lessons`)."""
    with open(path, encoding="utf-8") as f:
        lessons = json.load(f)["lessons"]
    check_lessons(lessons)
    return lessons


def check_lessons(lessons: object) -> None:
    """Raise an InputError naming the lesson and step at fault, or return None when every lesson is sound."""
    if not isinstance(lessons, list) or not lessons:
        raise InputError("the lessons must be a non-empty list")
    seen: set[str] = set()
    for lesson in lessons:
        if not isinstance(lesson, dict) or not isinstance(lesson.get("id"), str) or lesson["id"] in seen:
            raise InputError(f"each lesson needs an id of its own; got {lesson!r:.80}")
        name = lesson["id"]
        seen.add(name)
        if not isinstance(lesson.get("title"), str) or not lesson["title"]:
            raise InputError(f"lesson {name}: a title is needed")
        if lesson.get("notebook") is not None and not isinstance(lesson["notebook"], str):
            raise InputError(f"lesson {name}: notebook must be a notebook's name or null")
        setup = lesson.get("setup", {})
        offer = setup.get("offer", [])
        if not isinstance(offer, list) or any(a in HIDDEN_ACTIVATIONS or not isinstance(a, str) for a in offer):
            raise InputError(f"lesson {name}: setup.offer lists activations beyond the trainable ones")
        try:
            check_config({**DEFAULT_CONFIG, **setup.get("config", {})})
        except ConfigError as e:
            raise InputError(f"lesson {name}: its settings are refused: {e}") from None
        steps = lesson.get("steps")
        if not isinstance(steps, list) or not steps:
            raise InputError(f"lesson {name}: it needs steps")
        for number, step in enumerate(steps, start=1):
            _check_step(name, number, step, last=number == len(steps))


def _check_step(name: str, number: int, step: object, last: bool) -> None:
    where = f"lesson {name}, step {number}"
    if not isinstance(step, dict) or not isinstance(step.get("text"), str) or not step["text"].strip():
        raise InputError(f"{where}: a step needs a text")
    until = step.get("until")
    if last:
        if until is not None:
            raise InputError(f"{where}: the last step waits for nothing (it has no 'until')")
        return
    if not isinstance(until, dict) or until.get("kind") not in UNTIL:
        raise InputError(f"{where}: 'until' must be one of {', '.join(UNTIL)}")
    extra = set(until) - {"kind"} - UNTIL[until["kind"]]
    if extra or (UNTIL[until["kind"]] and not set(until) - {"kind"}):
        raise InputError(f"{where}: 'until' of kind {until['kind']} takes {sorted(UNTIL[until['kind']])}")
    if until["kind"] == "race" and not isinstance(step.get("race"), int):
        raise InputError(f"{where}: a race step names its number of steps ('race')")
