"""The `inkread` command line: thin wrappers that parse options and call the library."""

from __future__ import annotations

import sys

import typer

from inkread.cli.data_cmd import app as data_app
from inkread.cli.export_cmd import export_cmd
from inkread.cli.models_cmd import app as models_app
from inkread.cli.output import err_console
from inkread.cli.read_cmd import read_cmd
from inkread.cli.scratch_cmd import app as scratch_app
from inkread.cli.serve_cmd import serve_cmd
from inkread.cli.train_cmd import evaluate_cmd, train_cmd
from inkread.cli.tune_cmd import tune_cmd
from inkread.core.errors import InkreadError

app = typer.Typer(
    name="inkread",
    help="Train, evaluate and serve networks that read handwritten characters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data_app, name="data")
app.add_typer(scratch_app, name="scratch")
app.command("train")(train_cmd)
app.command("evaluate")(evaluate_cmd)
app.command("read")(read_cmd)
app.command("export")(export_cmd)
app.command("serve")(serve_cmd)
app.command("tune")(tune_cmd)
app.add_typer(models_app, name="models")


def main() -> None:
    """Run the CLI; user mistakes print one clear message and exit with code 2, no traceback."""
    try:
        app()  # standalone: usage errors exit 2 with click's message, success exits 0
    except InkreadError as exc:
        err_console.print(f"[bold red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("[yellow]interrupted[/]")
        sys.exit(130)
