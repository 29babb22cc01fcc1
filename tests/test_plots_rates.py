"""The cost surface at several learning rates side by side: each panel's path is gradient descent by hand, and
the last panel's costs are the binary cross-entropy along those paths, in mpmath."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="the pictures need the plots extra (matplotlib)")

from glassnet import InputError, plots  # noqa: E402
from glassnet.cli import main  # noqa: E402

RATES = [0.05, 0.6, 8.0]


def _by_hand(x, y, start, rate, steps):
    """b <- b - rate * dJ/db with dJ/db0 = mean(a - y), dJ/db1 = mean((a - y) x), a = sigmoid(b0 + b1 x)."""
    b = np.array(start, dtype=float)
    path = [b.copy()]
    for _ in range(steps):
        a = 1 / (1 + np.exp(-(b[0] + b[1] * x)))
        b = b - rate * np.array([np.mean(a - y), np.mean((a - y) * x)])
        path.append(b.copy())
    return np.array(path)


def test_each_rate_has_its_own_surface_and_path() -> None:
    x, y = plots.surfaces.HOURS_STUDIED, plots.surfaces.PASSED
    fig = plots.plot_cost_surface(start=(0.0, -1.0), learning_rates=RATES, epochs=25, resolution=20, dpi=40)
    assert len(fig.axes) == len(RATES) + 1  # one panel per rate, and the costs
    mpmath = pytest.importorskip("mpmath")

    def cost(b0: float, b1: float) -> float:  # -1/n sum [y ln a + (1 - y) ln(1 - a)], in 50 digits (no clipping)
        with mpmath.workdps(50):
            terms = []
            for xi, yi in zip(x, y, strict=True):
                a = 1 / (1 + mpmath.exp(-(mpmath.mpf(b0) + mpmath.mpf(b1) * mpmath.mpf(xi))))
                terms.append(yi * mpmath.log(a) + (1 - yi) * mpmath.log(1 - a))
            return float(-mpmath.fsum(terms) / len(terms))

    curves = {line.get_label(): line for line in fig.axes[len(RATES)].get_lines()}
    for ax, rate in zip(fig.axes[: len(RATES)], RATES, strict=True):
        assert f"learning rate {rate:g}" in ax.get_title()
        drawn = [line for line in ax.get_lines() if line.get_label() == "gradient descent"][0]
        expected = _by_hand(x, y, (0.0, -1.0), rate, 25)
        np.testing.assert_allclose(drawn.get_xdata(), expected[:, 0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(drawn.get_ydata(), expected[:, 1], rtol=1e-9, atol=1e-12)
        costs = curves[f"learning rate {rate:g}"].get_ydata()
        reference = [cost(b0, b1) for b0, b1 in expected]
        np.testing.assert_allclose(costs, reference, rtol=1e-7)
        assert f"{reference[-1]:.4g}" in ax.get_title()
    small, right, large = (curves[f"learning rate {r:g}"].get_ydata() for r in RATES)
    assert right[-1] < small[-1]  # the good rate gets further in the same number of steps
    assert np.any(np.diff(large) > 0)  # the rate too large climbs somewhere: it overshoots the valley
    assert np.all(np.diff(right) <= 1e-12)


def test_one_rate_in_a_list_is_drawn_side_by_side_and_a_plain_number_as_before() -> None:
    fig = plots.plot_cost_surface(learning_rates=[0.5], epochs=5, resolution=12, dpi=40)
    assert len(fig.axes) == 2 and "learning rate 0.5" in fig.axes[0].get_title()
    assert "learning rate 0.5" in plots.plot_cost_surface(learning_rate=0.5, epochs=5, resolution=12, dpi=40)\
        .axes[0].get_title()


@pytest.mark.parametrize("bad", [[], [0.1] * 7, [0.1, 0], [0.1, float("nan")], ["fast"], "0.1"])
def test_bad_learning_rates_are_refused(bad) -> None:
    with pytest.raises(InputError, match="learning rate"):
        plots.plot_cost_surface(learning_rates=bad, epochs=2, resolution=12)


def test_the_command_line_draws_several_rates(tmp_path, capsys) -> None:
    out = tmp_path / "rates.png"
    assert main(["plot", "cost-surface", "--learning-rate", "0.05,0.5,4", "--out", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SystemExit):
        main(["plot", "cost-surface", "--learning-rate", "0.1,-1"])
    assert "finite numbers > 0" in capsys.readouterr().err
