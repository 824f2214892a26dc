"""benchmarks/real_handwriting.py end to end on a few real images: every set, form and contender."""

from __future__ import annotations

import importlib
import json
from types import ModuleType

import pytest

from inkread.core.errors import InkreadError
from inkread.data.real import load_real


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """The benchmark module, when the collections it reads are here."""
    try:
        load_real("pendigits"), load_real("uji")
    except InkreadError as exc:
        pytest.skip(f"the real collections are not here: {exc}")
    return importlib.import_module("real_handwriting")


@pytest.mark.slow
def test_a_quick_run_reports_every_form_and_the_rejection(bench: ModuleType,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = bench.main(["--count", "4", "--no-peers", "--sets", "pendigits", "uji", "--json"])
    report = json.loads(capsys.readouterr().out)
    cells = report["cells"]["inkread"]
    assert set(cells) == {"pendigits", "uji"} and len(cells["uji"]) == 8  # the eight forms
    assert all(0.0 <= f["accuracy"] <= 1.0 for s in cells.values() for f in s.values())
    rejected = report["rejection"]["inkread"]["at 98% of digits"]["rejected"]
    assert report["model"] == "default" and "letters" in rejected
    assert code == (0 if report["passed"] else 1) and "peers not measured (--no-peers)" in report["notes"]


def test_a_missing_model_is_a_clear_error(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--model", "no/such/run", "--count", "1", "--no-peers"]) == 2
    assert "no/such/run: no checkpoint found" in capsys.readouterr().err
