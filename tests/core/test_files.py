"""Atomic writes leave no half-written file, and a killed save's leftovers are removed at the next one."""

from __future__ import annotations

from pathlib import Path

import pytest
from torch import nn

from inkread.core.files import atomic_open, atomic_write_text, remove_stale_temporaries
from inkread.train.checkpoint import save_checkpoint


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    atomic_write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half")
        raise RuntimeError("killed")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_stale_temporaries_are_removed_and_nothing_else(tmp_path: Path) -> None:
    stale = tmp_path / ".epoch-0003.safetensors.k2j4.tmp"
    keep = [tmp_path / "epoch-0003.safetensors", tmp_path / "notes.tmp"]
    for f in [stale, *keep]:
        f.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path) == [stale]
    assert sorted(tmp_path.iterdir()) == sorted(keep)
    assert remove_stale_temporaries(tmp_path / "missing") == []


def test_the_next_checkpoint_save_removes_a_killed_saves_leftovers(tmp_path: Path) -> None:
    (tmp_path / "checkpoints").mkdir()
    leftovers = [tmp_path / ".checkpoint.json.a1.tmp",
                 tmp_path / "checkpoints" / ".epoch-0001.safetensors.b2.tmp"]
    for f in leftovers:
        f.write_bytes(b"half")
    save_checkpoint(tmp_path, epoch=2, model=nn.Linear(2, 2), trainer_state={}, info={}, best_epoch=None)
    assert not any(f.exists() for f in leftovers)
    assert (tmp_path / "checkpoints" / "epoch-0002.safetensors").is_file()
