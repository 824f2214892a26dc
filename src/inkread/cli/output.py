"""Shared output helpers: rich consoles, JSON results and progress bars."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()
err_console = Console(stderr=True)


def print_json(result: Any) -> None:
    """Print a machine-readable result on stdout (nothing else goes to stdout with --json)."""
    print(json.dumps(result, indent=2, sort_keys=False, default=str))


def progress(transient: bool = True) -> Progress:
    """A progress bar on stderr, so it never mixes with --json output on stdout."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=transient,
    )
