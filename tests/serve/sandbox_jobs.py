"""Jobs for the sandbox tests: top-level functions a spawned child can import."""

from __future__ import annotations

import os
import time
from typing import Any

from inkread.serve.errors import ApiError


def setup(tag: str) -> dict[str, Any]:
    """The child's state: a tag and somewhere to keep memory."""
    return {"tag": tag, "kept": []}


def work(state: dict[str, Any], job: tuple[str, Any]) -> Any:
    """Do what the job says: answer, sleep, refuse, fail, hold memory or die."""
    kind, arg = job
    if kind == "echo":
        return state["tag"], arg, os.getpid()
    if kind == "sleep":
        time.sleep(arg)
        return "woke"
    if kind == "refuse":
        raise ApiError(422, arg)
    if kind == "crash":
        raise ValueError(arg)
    if kind == "hold":  # bytes written, so resident: kept past the job
        state["kept"].append(b"\x01" * arg)
        return os.getpid()
    if kind == "exit":
        os._exit(3)
    raise AssertionError(kind)
