"""Atomic writes: the target holds the old bytes or the new ones, and no temporary file is left."""

import os

import pytest

from glassnet.errors import InputError, ModelFileError
from glassnet.fileio import atomic_file, atomic_write_bytes


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "f.bin"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_a_failure_inside_keeps_the_old_file(tmp_path):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError, match="boom"), atomic_file(target) as f:
        f.write(b"half")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_os_errors_pass_through_or_become_the_given_error(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def full(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    with pytest.raises(ModelFileError, match=r"cannot write '.*f\.bin': disk full"):
        atomic_write_bytes(target, b"new", ModelFileError)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_a_missing_folder_is_named(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        atomic_write_bytes(tmp_path / "nowhere" / "f.bin", b"x")
