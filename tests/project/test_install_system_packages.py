"""scripts/install-system-packages.sh installs what is missing as root, through sudo, or skips with a note."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "install-system-packages.sh"


def _tool(bin_dir: Path, name: str, body: str) -> None:
    """Write an executable stand-in for a system command that logs its arguments."""
    path = bin_dir / name
    path.write_text(f'#!/bin/sh\necho "{name} $*" >> "$LOG"\n{body}\n')
    path.chmod(0o755)


Done = tuple[subprocess.CompletedProcess[str], str]  # the finished script and what the stand-ins logged


def _run(tmp_path: Path, uid: int, sudo: int | None, apt: int | None = 0) -> Done:
    """Run the script against an empty system root as user uid, with stand-ins exiting with these statuses.

    sudo: the status of its passwordless probe (None: no sudo); apt: apt-get's status (None: no apt-get).
    """
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # Only these real commands are reachable, so a real sudo or apt-get on this machine never takes part.
    for name in ("bash", "env", "ls"):
        os.symlink(shutil.which(name) or name, bin_dir / name)
    log = tmp_path / "log"
    log.touch()
    _tool(bin_dir, "id", f"echo {uid}")
    if apt is not None:
        _tool(bin_dir, "apt-get", f'echo "DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> "$LOG"; exit {apt}')
    if sudo is not None:
        # `sudo -n -k env true` is the script's probe; anything else runs, so apt-get logs its own line.
        _tool(bin_dir, "sudo", f'[ "$2" = -k ] && exit {sudo}; shift; exec "$@"')
    env = {"PATH": str(bin_dir), "LOG": str(log), "INKREAD_SYSROOT": str(tmp_path / "empty-root")}
    done = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)
    return done, log.read_text()


def test_as_root_apt_get_installs_every_missing_package(tmp_path: Path) -> None:
    done, log = _run(tmp_path, uid=0, sudo=None)
    assert done.returncode == 0, done.stderr
    assert "sudo" not in log and "DEBIAN_FRONTEND=noninteractive" in log
    install = [line for line in log.splitlines() if line.startswith("apt-get install")]
    assert len(install) == 1
    for package in ("dataset-fashion-mnist", "chromium", "postgresql"):
        assert package in install[0]


def test_without_root_apt_get_runs_through_passwordless_sudo(tmp_path: Path) -> None:
    done, log = _run(tmp_path, uid=1000, sudo=0)
    assert done.returncode == 0, done.stderr
    assert "sudo -n -k env true" in log  # cached credentials do not count as passwordless
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install" in log
    assert any(line.startswith("apt-get install") and "chromium" in line for line in log.splitlines())


@pytest.mark.parametrize("sudo", [None, 1], ids=["no-sudo", "sudo-asks-for-a-password"])
def test_without_root_or_sudo_it_skips_with_a_note_and_succeeds(tmp_path: Path, sudo: int | None) -> None:
    done, log = _run(tmp_path, uid=1000, sudo=sudo)
    assert done.returncode == 0
    assert "apt-get" not in log
    assert "cannot install dataset-fashion-mnist chromium" in done.stderr
    assert "needs root or passwordless sudo" in done.stderr


@pytest.mark.parametrize(("apt", "why"), [(None, "apt-get not found"), (100, "apt-get update failed")])
def test_without_a_working_apt_get_it_skips_with_the_reason(tmp_path: Path, apt: int | None,
                                                            why: str) -> None:
    done, _ = _run(tmp_path, uid=0, sudo=None, apt=apt)
    assert done.returncode == 0
    everything = "dataset-fashion-mnist chromium fonts-dejavu-core postgresql"
    assert f"cannot install {everything} ({why})" in done.stderr
