"""examples/logistic_regression.py: one sigmoid neuron trained with binary cross-entropy is logistic regression.

The example's coefficients must agree with scikit-learn's unpenalised LogisticRegression (an independent
implementation) to 1e-3, with 1 and with 5 features.
"""

from __future__ import annotations

import importlib.util
import pathlib

import numpy as np
import pytest

pytest.importorskip("sklearn")

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "examples" / "logistic_regression.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("logistic_regression_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_neuron_is_logistic_regression(capsys):
    results = _load_example().main()
    printed = capsys.readouterr().out
    assert "Logistic regression with 1 feature" in printed and "5 features" in printed
    for title, n_features in (("1 feature", 1), ("5 features", 5)):
        fits = results[title]
        neuron, reference = fits["glassnet (one neuron)"], fits["scikit-learn"]
        assert neuron.shape == reference.shape == (n_features + 1,)
        np.testing.assert_allclose(neuron, reference, atol=1e-3, rtol=0)
        np.testing.assert_allclose(fits["Newton's method"], reference, atol=1e-3, rtol=0)
