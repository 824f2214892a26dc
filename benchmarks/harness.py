"""What every benchmark shares: timing, targets with their verdicts, ratios and side-by-side tables.

A benchmark script imports this module (it sits beside them) and keeps only what it measures.
Importing it also puts the repository root on sys.path, so the scripts can use the reference
implementations the tests use (`tests.support`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def per_call(fn: Callable[[], object], seconds: float, *, warmup: int = 5, min_calls: int = 20) -> float:
    """Median seconds per call of fn() over about `seconds` (at least `min_calls`), after a warm-up."""
    for _ in range(warmup):
        fn()
    times: list[float] = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end or len(times) < min_calls:
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class Rate:
    """How often a step ran in a time budget, and how many items it handled."""

    calls: int
    seconds: float
    per_s: float  # calls per second
    items_per_s: float


def rate(step: Callable[[], int], budget_s: float, *, max_calls: int, warmup: int = 0) -> Rate:
    """Run step() (returning the items it handled) for `budget_s` seconds or `max_calls` calls."""
    for _ in range(warmup):
        step()
    calls = items = 0
    start = time.perf_counter()
    while calls < max_calls and time.perf_counter() - start < budget_s:
        items += step()
        calls += 1
    elapsed = max(time.perf_counter() - start, 1e-9)
    return Rate(calls, round(elapsed, 3), calls / elapsed, items / elapsed)


def ratio(ours: float, theirs: float) -> float:
    """ours / theirs, guarded against a zero denominator."""
    return ours / theirs if theirs else float("inf")


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


@dataclass(frozen=True)
class Target:
    """A target a figure must meet: `at_least` (>=) or at most (<=) `value`, shown with `fmt`."""

    name: str
    value: float
    at_least: bool = True
    fmt: str = "{:.2f}"

    def met(self, figure: float) -> bool:
        """Whether `figure` meets the target."""
        return figure >= self.value if self.at_least else figure <= self.value

    def line(self, figure: float, width: int = 10) -> str:
        """'name   figure  target >= value  PASS'."""
        sign = ">=" if self.at_least else "<="
        return (f"{self.name:<{width}} {self.fmt.format(figure)}  target {sign} "
                f"{self.fmt.format(self.value)}  {verdict(self.met(figure))}")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned text columns: the first left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths,
                                                                                           strict=True)))
             for r in cells]
    return "\n".join(lines)


def _cell(value: object) -> str:
    """A table cell: floats with two decimals (or none when large), everything else as str."""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"
    return str(value)


def arguments(doc: str | None, *, quick: str = "short budgets, for a smoke test") -> argparse.ArgumentParser:
    """A parser with the options every benchmark has: --quick and --json."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    return parser


def finish(report: dict[str, Any], show: Callable[[dict[str, Any]], None], as_json: bool) -> int:
    """Print the report (JSON or through `show`); exit status 0 when report['passed'] is true, else 1."""
    if as_json:
        print(json.dumps(report, indent=2, default=str))
    else:
        show(report)
    return 0 if report.get("passed", True) else 1
