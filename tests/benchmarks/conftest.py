"""The benchmark scripts import `harness` from their own folder, as they do when run as scripts."""

from __future__ import annotations

import sys

from tests.conftest import REPO

if str(REPO / "benchmarks") not in sys.path:
    sys.path.insert(0, str(REPO / "benchmarks"))
