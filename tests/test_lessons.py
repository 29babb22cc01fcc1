"""The lessons (Jupyter notebooks in docs/lessons/) are stored without outputs and run top to bottom.

Each lesson ends with exercises: a cell tagged ``answer`` that sets ``answer_1 = None``, ... (the learner fills it
in), a cell tagged ``checker`` that defines ``check(exercise, answer)``, and a cell tagged ``check`` that checks
every answer. Here each notebook runs in a fresh kernel (nbclient) with its answer cell replaced by the solutions
below, worked out by hand from the lesson's formulas and the published numbers it uses; every check must then say
"right". One extra cell at the end asks the checker about no answer and a wrong one, which must say so. The
lessons' own asserts (against scikit-learn, published worked examples, finite differences) run as part of it.
"""

from __future__ import annotations

import importlib.util
import math
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "docs" / "lessons").glob("*.ipynb"))

needs_jupyter = pytest.mark.skipif(
    any(importlib.util.find_spec(name) is None for name in ("nbclient", "nbformat", "ipykernel")),
    reason="the lessons need nbclient, nbformat and ipykernel (pip install nbclient nbformat ipykernel)",
)


def _sigmoid(s: float) -> float:
    return 1 / (1 + math.exp(-s))


# The answers, worked by hand. Lesson 1: the published fit b0 = -4.0777, b1 = 1.5046.
SOLUTIONS: dict[str, dict[int, float]] = {
    "01_one_neuron": {1: _sigmoid(-4.0777 + 1.5046 * 3), 2: 4.0777 / 1.5046, 3: 6},
    # lesson 2: -0.5*0 + 0.3*1 + 0.8*1 - 0.1*0 + 0.2*(-1) - 0.2; layer 2 is 3 x 2; w_21 is weights[0, 1] = -0.5
    "02_forward_propagation": {1: 0.7, 2: 6, 3: -0.5},
    # lesson 3: x = 1, 2, 3, 4 and y = 2, 3, 5, 6 at B0 = B1 = 0: 2 * mean(-y) and 2 * mean(-x y); |1 - 2 eta| < 1
    "03_cost_and_gradient_descent": {1: -8.0, 2: -23.5, 3: 1.0},
    # lesson 4: sigmoid'(0) = 1/4, tanh'(0) = 1, arctan'(2) = 1/5
    "04_activations": {1: 0.25, 2: 1.0, 3: 0.2},
    # lesson 5: Mazur's published a_o2 = 0.772928465, a_h2 = 0.596884378, delta_o1 = 0.138498562
    "05_four_equations": {
        1: (0.772928465 - 0.99) * 0.772928465 * (1 - 0.772928465),
        2: 0.596884378 * 0.138498562,
        3: 0.60 - 0.5 * 0.138498562,
    },
    # lesson 6: BP4 0.5 * (-0.2); relu's slope at s < 0 is 0; BP2 (0.5 * 0.2 + 1.0 * 0.1) * 0.25
    "06_blame_game": {1: -0.1, 2: 0.0, 3: 0.05},
    # lesson 7: (2.1^3 - 1.9^3) / 0.2 = 12.01; 2P for P = 235,146; (eps/2)^2 = eps^2 / 4
    "07_small_shocks": {1: 12.01, 2: 470292, 3: 4},
    # lesson 8: 2P for P = 33; 3000 // 2502 whole steps; 64 + 32 + 1024 + 32 + 96 + 3
    "08_slow_alternatives": {1: 66, 2: 1, 3: 1251},
    # lesson 9: 60 + 250 + 24 - 8 - 15; sqrt(0.04) * 120; 350 + 1.5 * 120
    "09_house_prices": {1: 311.0, 2: 24.0, 3: 530.0},
    # lesson 10: 784 pixels; 64*16 + 16 + 16 + 1; e^2 / (e^2 + e + 1) = 7.389 / 11.107
    "10_pictures": {1: 784, 2: 1057, 3: 0.6652},
    # lesson 11: 0.5 / 40 * 8; 0.3^2; 0.5 / 20 * 2
    "11_overfitting": {1: 0.1, 2: 0.09, 3: 0.05},
}


def _tagged(nb, tag: str) -> list:
    return [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]


def _text(cell) -> str:
    return "".join(out.get("text", "") for out in cell.get("outputs", []) if out.get("output_type") == "stream")


def test_there_are_lessons_and_each_has_solutions() -> None:
    names = [lesson.stem for lesson in LESSONS]
    assert len(names) >= 1
    assert sorted(SOLUTIONS) == names


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_stored_without_outputs(lesson: pathlib.Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(lesson, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{lesson.name}: cell {i} has outputs"
    (answer,) = _tagged(nb, "answer")
    assert len(_tagged(nb, "checker")) == 1 and len(_tagged(nb, "check")) == 1
    numbers = [int(k) for k in re.findall(r"^answer_(\d+) = None$", answer.source, re.MULTILINE)]
    assert numbers == sorted(SOLUTIONS[lesson.stem]), f"{lesson.name}: the answer cell must set each answer to None"


@needs_jupyter
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_and_checks_answers(
    lesson: pathlib.Path, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("MPLBACKEND", "Agg")  # the kernel inherits it: pictures are drawn, never shown
    nb = nbformat.read(lesson, as_version=4)
    solutions = SOLUTIONS[lesson.stem]
    (answer,) = _tagged(nb, "answer")
    answer.source = "\n".join(f"answer_{k} = {value!r}" for k, value in solutions.items())
    first = min(solutions)
    probe = nbformat.v4.new_code_cell(f"check({first}, None)\ncheck({first}, {solutions[first] + 1000.5!r})")
    nb.cells.append(probe)
    # a generous per-cell timeout only guards against a hang; the lessons' run times are measured, not asserted
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    checked = _text(_tagged(nb, "check")[0])
    for k in solutions:
        assert f"exercise {k}: right" in checked, f"{lesson.name}: exercise {k}\n{checked}"
    assert "not yet" not in checked
    probed = _text(nb.cells[-1])
    assert f"exercise {first}: not answered yet" in probed and f"exercise {first}: not yet" in probed, probed
