"""The command line starts light: heavy packages load inside the commands that need them."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "scipy", "mlflow", "optuna", "fastapi", "onnxruntime", "matplotlib")
PROBE = f"import sys, inkread.cli; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"


def test_importing_the_cli_loads_no_heavy_package() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
