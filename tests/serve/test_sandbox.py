"""The sandbox child: answers jobs, is killed at the deadline, replaced when it dies or holds memory."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from inkread.serve.errors import ApiError
from inkread.serve.sandbox import Sandbox
from tests.serve import sandbox_jobs

OVERRUN = ApiError(503, "too slow")


@pytest.fixture
def box() -> Iterator[tuple[Sandbox, list[str]]]:
    reasons: list[str] = []
    sandbox = Sandbox(sandbox_jobs.setup, ("t",), sandbox_jobs.work, reasons.append)
    sandbox.start()
    try:
        yield sandbox, reasons
    finally:
        sandbox.stop()


def call(box: Sandbox, job: tuple[str, Any], seconds: float = 30.0) -> Any:
    return box.call(job, time.monotonic() + seconds, OVERRUN)


def test_jobs_run_in_one_child_set_up_once(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    first, second = call(sandbox, ("echo", 1)), call(sandbox, ("echo", 2))
    assert first[:2] == ("t", 1) and second[:2] == ("t", 2)
    assert first[2] == second[2] and reasons == []


def test_a_job_past_its_deadline_is_killed_and_the_child_replaced(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    pid = call(sandbox, ("echo", 0))[2]
    start = time.monotonic()
    with pytest.raises(ApiError) as err:
        call(sandbox, ("sleep", 60), seconds=0.5)
    assert err.value is OVERRUN and time.monotonic() - start < 10  # not the 60 s the job wanted
    assert reasons == ["overrun"]
    assert call(sandbox, ("echo", 1))[2] != pid  # a fresh child answers


def test_refusals_pass_through_and_faults_are_not_user_errors(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    with pytest.raises(ApiError) as refused:
        call(sandbox, ("refuse", "no, send a PNG"))
    assert (refused.value.status, refused.value.detail) == (422, "no, send a PNG")
    with pytest.raises(RuntimeError):
        call(sandbox, ("crash", "bug"))
    assert call(sandbox, ("echo", 3))[1] == 3 and reasons == []


def test_a_child_that_dies_is_replaced_with_a_503(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    with pytest.raises(ApiError) as err:
        call(sandbox, ("exit", None))
    assert err.value.status == 503 and reasons == ["stopped"]
    assert call(sandbox, ("echo", 4))[1] == 4


def test_a_child_holding_much_more_memory_than_at_start_is_recycled(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    pid = call(sandbox, ("hold", 400 * 1024 * 1024))  # far over 1.5x what a small child holds
    assert reasons == ["memory"]
    assert call(sandbox, ("echo", 5))[2] != pid


def test_a_job_whose_time_ran_out_in_the_queue_leaves_the_child_alone(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, reasons = box
    pid = call(sandbox, ("echo", 0))[2]
    with pytest.raises(ApiError) as err:
        sandbox.call(("echo", 1), time.monotonic() - 1.0, OVERRUN)
    assert err.value is OVERRUN and reasons == []
    assert call(sandbox, ("echo", 2))[2] == pid


def test_set_up_says_when_the_first_child_is_ready_without_waiting(box: tuple[Sandbox, list[str]]) -> None:
    sandbox, _ = box
    deadline = time.monotonic() + 60
    while not sandbox.set_up():
        assert time.monotonic() < deadline, "the child never said it was ready"
        time.sleep(0.05)
    assert call(sandbox, ("echo", 6))[1] == 6
