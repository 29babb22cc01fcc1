"""benchmarks/epoch_account.py on tiny synthetic data: its copy of Trainer.step must train as Trainer.step does.

No timing is asserted (speed belongs to the benchmark); the account is checked to run the library's own step,
phase by phase: after its epochs the parameters equal a plain Trainer's bit for bit, else it stops.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import epoch_account  # noqa: E402

TINY = {"data": "synthetic", "sizes": [12, 16, 8, 3], "n_synthetic": 600, "n_test_synthetic": 50, "batch_size": 32}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_accounted_epochs_train_as_trainer_step_does(dtype):
    result = epoch_account.run(None, 2, dtype, config=TINY, memory_bytes=1 << 20)
    assert result["bit_for_bit"] and result["steps"] == 600 // 32 + 1
    names = result["names"]
    assert names[0] == "gather" and names[-2:] == ["Adam", "rest"] and len(set(names)) == len(names)
    assert "forward product 12x16" in names and "BP2 product 8x16" in names and "BP2 product 16x12" not in names
    assert all(seconds >= 0 for seconds in result["glassnet"].values())
    assert set(result["gemm"]) == {name for name in names if "product" in name}
    params = sum(a * b + b for a, b in zip(TINY["sizes"][:-1], TINY["sizes"][1:], strict=True))
    assert result["bytes"]["Adam"] == 7 * params * np.dtype(dtype).itemsize * result["steps"]
    text = epoch_account.report(result)
    assert "bit for bit: True" in text and f"| {names[1]} |" in text


def test_an_account_that_drifts_from_trainer_step_is_refused(monkeypatch):
    def drifted(trainer, acc, names):  # one step that skips the optimizer: not Trainer.step any more
        real_step = trainer.optimizer.step
        trainer.optimizer.step = lambda params, grads: None
        try:
            original(trainer, acc, names)
        finally:
            trainer.optimizer.step = real_step

    original = epoch_account.accounted_step
    monkeypatch.setattr(epoch_account, "accounted_step", drifted)
    with pytest.raises(SystemExit, match="bit for bit"):
        epoch_account.run(None, 1, "float32", config=TINY, memory_bytes=1 << 20)
