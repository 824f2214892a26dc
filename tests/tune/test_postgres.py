"""Two `inkread tune` processes share one study in a throwaway PostgreSQL cluster (Debian's binaries)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tune.helpers import load, write_recipe

BINARIES = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def _free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run `cmd` as the postgres user when we are root (PostgreSQL refuses to run as root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh cluster on a free port with an empty database `tune`; stopped and deleted afterwards."""
    if not BINARIES:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin "
                    "(scripts/install-system-packages.sh installs them)")
    bin_dir = Path(BINARIES[-1]).parent
    home = Path(tempfile.mkdtemp(prefix="inkread-pg-", dir="/tmp"))  # reachable by the postgres user
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
    data, port = home / "data", _free_port()
    run = {"check": True, "capture_output": True, "timeout": 120}
    subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                 "--no-sync", "-E", "UTF8"]), **run)  # type: ignore[call-overload]
    opts = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l",
                                 str(home / "log"), "-w", "start"]), **run)  # type: ignore[call-overload]
    try:
        subprocess.run(_as_postgres([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                                     "postgres", "tune"]), **run)  # type: ignore[call-overload]
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/tune"
    finally:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(home, ignore_errors=True)


def test_two_tune_processes_share_a_postgres_study(tmp_path: Path, postgres_url: str) -> None:
    recipe = write_recipe(tmp_path)
    cmd = [sys.executable, "-m", "inkread", "tune", "--config", str(recipe), "--study", "shared", "--storage",
           postgres_url, "--trials", "6", "--no-mlflow", "--json"]
    # as on two machines: one process with one worker, one that starts two worker processes
    procs = [subprocess.Popen([*cmd, *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for extra in ([], ["--workers", "2"])]
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    study = load(postgres_url, "shared")
    done = [t for t in study.trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert 6 <= len(done) == len(study.trials) <= 8  # the budget, plus trials already started elsewhere
    pids = {int(t.user_attrs["worker"].split(":")[-1]) for t in done}
    assert procs[0].pid in pids and pids - {procs[0].pid, procs[1].pid}  # the single worker and a spawned one
    assert len({t.user_attrs["run_dir"] for t in done}) == len(done)  # each trial its own run folder
    assert json.loads(outputs[1][0])["trials"]["finished"] >= 6
    assert (tmp_path / "runs" / "shared" / "best.yaml").is_file()
