"""`inkread export`: placeholder until implemented."""

from __future__ import annotations

from inkread.errors import InkreadError


def export_cmd() -> None:
    """Not implemented yet."""
    raise InkreadError("`inkread export` is not implemented yet")
