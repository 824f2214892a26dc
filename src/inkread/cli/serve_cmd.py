"""`inkread serve`: placeholder until implemented."""

from __future__ import annotations

from inkread.errors import InkreadError


def serve_cmd() -> None:
    """Not implemented yet."""
    raise InkreadError("`inkread serve` is not implemented yet")
