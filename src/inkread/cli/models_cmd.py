"""`inkread models ...`: placeholder until implemented."""

from __future__ import annotations

import typer

app = typer.Typer(help="The model registry (MLflow): list, show, promote and compare versions.",
                  no_args_is_help=True)
