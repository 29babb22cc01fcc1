"""Memory needs estimated before allocating (issue 17): a run or a network too big is refused with the estimate,
the limit and how to raise it, before its arrays exist; the estimate is checked against tracemalloc's peak."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import glassnet
from glassnet.cli import main
from glassnet.errors import InputError
from glassnet.memory import (
    MEMORY_ENV,
    MemoryLimitError,
    check_memory,
    format_size,
    memory_limit,
    network_bytes,
    parse_size,
    training_bytes,
)


@pytest.mark.parametrize(("text", "expected"), [("512M", 512 * 2**20), ("8G", 8 * 2**30), ("1.5T", 3 * 2**39),
                                                ("4e9", 4 * 10**9), ("100", 100), ("2GiB", 2 * 2**30),
                                                ("3 gb", 3 * 2**30), (123, 123)])
def test_sizes_are_read_in_powers_of_1024(text, expected):
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["", "12X", "-1G", "0", "nan", "inf", None, True, 2.5, "1e999"])
def test_what_is_not_a_size_is_named(text):
    with pytest.raises(InputError, match="size"):
        parse_size(text)


def test_sizes_read_for_a_person():
    assert [format_size(n) for n in (812, 3.42 * 2**20, 74.5 * 2**30, 336 * 2**30)] == [
        "812 bytes", "3.42 MiB", "74.5 GiB", "336 GiB"]


def test_the_limit_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "3G")
    assert memory_limit() == (3 * 2**30, f"${MEMORY_ENV}")
    assert memory_limit("1G") == (2**30, "--max-memory")
    monkeypatch.delenv(MEMORY_ENV)
    limit, source = memory_limit()
    assert limit >= 2 * 2**30 and "machine" in source or source == "the default"


def test_the_network_estimate_counts_parameters_by_hand():
    # 2-3-1: (2 + 1) * 3 + (3 + 1) * 1 = 13 parameters; float32 training keeps 7 * 4 + 8 = 36 bytes each
    assert network_bytes([2, 3, 1], "float32") == 13 * 36
    assert network_bytes([2, 3, 1], "float64", training=False) == 13 * (2 * 8 + 8)


def test_the_estimate_is_near_what_training_takes(tmp_path, monkeypatch):
    """The estimate against tracemalloc's peak of a real run (numpy reports its allocations to tracemalloc):
    within a factor of two either way."""
    monkeypatch.chdir(tmp_path)
    n = 20_000
    argv = ["train", "moons", "--samples", str(n), "--epochs", "1", "--quiet", "--layers", "64,32",
            "--out", str(tmp_path / "m.glassnet")]
    tracemalloc.start()
    try:
        assert main(argv) == 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = training_bytes(n, 2, [2, 64, 32, 1], "float32", 32)
    assert 0.5 * peak < estimate < 2 * peak, (estimate, peak)


def test_a_refused_estimate_states_both_and_the_fix():
    with pytest.raises(MemoryLimitError) as info:
        check_memory(5 * 2**30, "training this", limit="1G")
    message = str(info.value)
    assert "training this would need about 5 GiB" in message and "limit of 1 GiB (--max-memory)" in message
    assert "--max-memory SIZE" in message and MEMORY_ENV in message


def _refused_run(capsys, argv):
    tracemalloc.start()
    try:
        code = main(argv)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return code, capsys.readouterr().err, peak


@pytest.mark.parametrize(("options", "words"), [
    (["--samples", "1e8"], "training a 2-64-32-1 network on 100000000 rows would need about 10.4 GiB"),
    (["--samples", "100000000"], "on 100000000 rows would need about 10.4 GiB"),
    (["--layers", "100000,100000"], "training a 2-100000-100000-1 network on 200 rows would need about 336 GiB"),
])
def test_the_command_line_refuses_a_run_too_big_before_allocating(tmp_path, monkeypatch, capsys, options, words):
    monkeypatch.setenv(MEMORY_ENV, "4G")
    out = tmp_path / "m.glassnet"
    code, err, peak = _refused_run(capsys, ["train", "moons", *options, "--out", str(out), "--quiet"])
    assert code == 1 and "Traceback" not in err
    assert words in err and "limit of 4 GiB ($GLASSNET_MAX_MEMORY)" in err and "--max-memory" in err
    assert peak < 32 << 20 and not out.exists()   # refused before the rows or the weights were made


def test_max_memory_on_the_command_line_wins(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(MEMORY_ENV, "400G")
    code, err, _ = _refused_run(capsys, ["train", "moons", "--samples", "1e8", "--max-memory", "2G",
                                         "--out", str(tmp_path / "m.glassnet")])
    assert code == 1 and "limit of 2 GiB (--max-memory)" in err


def test_samples_in_scientific_notation_must_still_be_whole(capsys):
    with pytest.raises(SystemExit):
        main(["train", "moons", "--samples", "2.5"])
    assert "expected a whole number, got '2.5'" in capsys.readouterr().err


def test_the_python_api_refuses_a_network_too_big_before_allocating(monkeypatch):
    monkeypatch.setenv(MEMORY_ENV, "4G")
    tracemalloc.start()
    try:
        with pytest.raises(MemoryLimitError, match=r"a network of widths \[2, 100000, 100000, 1\] would need about"):
            glassnet.Network.from_sizes([2, 100_000, 100_000, 1])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20
    assert glassnet.Network.from_sizes(np.array([2, 3, 1]), seed=0).sizes == [2, 3, 1]   # an array of widths
