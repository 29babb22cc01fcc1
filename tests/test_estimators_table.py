"""The guide's table of scikit-learn's MLP parameters, methods and fitted attributes cannot go stale.

The names come from the installed scikit-learn (``get_params()``, the public methods, the attributes its
docstrings document), and each must be a row of ``docs/guide/estimators.md``; so must glassnet's own
additions, and no row may name something neither library has. The attributes scikit-learn documents are
also checked for behaviour: after each solver, with and without early stopping, glassnet's estimator has
exactly the ones scikit-learn's has.
"""

from __future__ import annotations

import pathlib
import re
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network as sk  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402

from glassnet.estimators import MLPClassifier, MLPRegressor  # noqa: E402

PAGE = pathlib.Path(__file__).resolve().parent.parent / "docs" / "guide" / "estimators.md"
PAIRS = [(MLPClassifier, sk.MLPClassifier), (MLPRegressor, sk.MLPRegressor)]
STATUSES = {"same", "different", "glassnet only"}


def table(heading: str) -> dict[str, tuple[str, str]]:
    """``{name: (status, notes)}`` for the rows of the table under ``### heading``."""
    text = PAGE.read_text(encoding="utf-8")
    section = text.split(f"### {heading}\n", 1)[1].split("\n### ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        for name in re.findall(r"`(\w+)`", cells[0]):
            assert name not in rows, f"{name} is listed twice under {heading}"
            rows[name] = (cells[1], cells[2])
    return rows


def documented_attributes(cls) -> list[str]:
    doc = cls.__doc__
    section = doc[doc.index("Attributes\n    ----------"):doc.index("See Also")]
    return re.findall(r"^    (\w+) :", section, re.M)


def public_methods(cls) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") and callable(getattr(cls, name))}


def test_every_row_has_a_status_and_every_difference_a_reason():
    for heading in ("Parameters", "Methods", "Fitted attributes"):
        rows = table(heading)
        assert rows, heading
        for name, (status, notes) in rows.items():
            assert status in STATUSES, f"{heading}: {name} has status {status!r}"
            if status != "same":
                assert notes, f"{heading}: {name} is {status!r} without saying why"


def test_the_parameters_are_every_parameter_of_both_libraries():
    rows = table("Parameters")
    ours = set().union(*(ours().get_params() for ours, _ in PAIRS))
    theirs = set().union(*(theirs().get_params() for _, theirs in PAIRS))
    assert theirs <= ours, f"scikit-learn parameters glassnet lacks: {sorted(theirs - ours)}"
    assert set(rows) == ours, f"missing rows {sorted(ours - set(rows))}, stale rows {sorted(set(rows) - ours)}"
    assert {name for name, (status, _) in rows.items() if status == "glassnet only"} == ours - theirs


def test_the_methods_are_every_public_method():
    rows = table("Methods")
    for ours, theirs in PAIRS:
        missing = public_methods(theirs) - public_methods(ours)
        assert not missing, f"{theirs.__name__} methods glassnet lacks: {sorted(missing)}"
    names = set().union(*(public_methods(ours) for ours, _ in PAIRS))
    assert set(rows) == names, f"missing rows {sorted(names - set(rows))}, stale rows {sorted(set(rows) - names)}"


def test_the_attributes_are_every_documented_attribute():
    rows = table("Fitted attributes")
    theirs = {name for _, cls in PAIRS for name in documented_attributes(cls)}
    extras = {name for name, (status, _) in rows.items() if status == "glassnet only"}
    assert theirs <= set(rows), f"missing rows {sorted(theirs - set(rows))}"
    assert set(rows) == theirs | extras, f"stale rows {sorted(set(rows) - theirs - extras)}"
    for ours, _ in PAIRS:  # glassnet's own docstrings name each attribute they add
        text = (MLPClassifier.__doc__ or "") + (ours.__doc__ or "")
        assert all(name in text for name in extras), ours.__name__


@pytest.mark.parametrize("solver, early_stopping", [("adam", False), ("sgd", True), ("lbfgs", False)])
def test_the_fitted_attributes_are_sklearns(solver, early_stopping):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    targets = {MLPClassifier: (X[:, 0] > 0).astype(int), MLPRegressor: X[:, 1] * 2}
    for ours, theirs in PAIRS:
        kw = dict(hidden_layer_sizes=(3,), solver=solver, early_stopping=early_stopping, max_iter=5, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a = ours(**kw).fit(X, targets[ours])
            b = theirs(**kw).fit(X, targets[ours])
        for name in documented_attributes(theirs):
            assert hasattr(a, name) == hasattr(b, name), f"{ours.__name__}({solver}, {early_stopping}): {name}"
            if hasattr(b, name) and getattr(b, name) is None:
                assert getattr(a, name) is None, name
