"""`inkread tune`: placeholder until implemented."""

from __future__ import annotations

from inkread.errors import InkreadError


def tune_cmd() -> None:
    """Not implemented yet."""
    raise InkreadError("`inkread tune` is not implemented yet")
