"""Schemathesis over the live server's OpenAPI schema: generated requests never get a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_no_5xx_and_documented_answers(server: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_url(f"{server}/openapi.json")
    results = list(schema.get_all_operations())
    assert all(isinstance(r, Ok) for r in results), results  # every operation's schema parses
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert {op.path for op in operations} >= {"/v1/recognize", "/v1/read"}
    for op in operations:
        if op.method.upper() != "POST" and mode == GenerationMode.NEGATIVE:
            continue  # a GET without parameters has no invalid form

        @given(case=op.as_strategy(mode))
        @settings(max_examples=50 if op.method.upper() == "POST" else 2, deadline=None, database=None,
                  derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(checks=CHECKS, timeout=30)

        call()
