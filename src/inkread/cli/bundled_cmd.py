"""`inkread models info default` and `inkread models bundle RUN`: the model shipped inside inkread."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from inkread.cli.output import console, err_console, print_json
from inkread.core.errors import InkreadError
from inkread.registry.bundled import DEFAULT, model_card

Json = Annotated[bool, typer.Option("--json", help="Print the whole card as JSON.")]


def info_cmd(name: Annotated[str, typer.Argument(help="The bundled model's name: default.")] = DEFAULT,
             json: Json = False) -> None:
    """Show the bundled model's card: what it was trained on, with what recipe, and what it measured."""
    if name != DEFAULT:
        raise InkreadError(f"no bundled model named '{name}'", expected=f"'{DEFAULT}'",
                           fix="registered models are shown by `inkread models show NAME`")
    card = model_card()
    if json:
        print_json(card)
        return
    _print_card(card)


def bundle_cmd(run: Annotated[Path, typer.Argument(help="A finished run (runs/<name>), trained on data "
                                                   "that may be shipped.")],
               out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write default.onnx "
                                                        "and default.json to (default: the package's).")]
               = None,
               data_dir: Annotated[str | None, typer.Option("--data-dir", help="Folder holding the "
                                                            "datasets.")] = None) -> None:
    """Export a run as the bundled default model and measure it for its card (used by `make model`)."""
    from inkread.registry.packaging import bundle  # torch and the export: only for this command

    path = bundle(run, out, data_dir)
    err_console.print(f"bundled {run} as {path}")


def _print_card(card: dict[str, Any]) -> None:
    """A short human-readable view of the card."""
    t = card["trained"]
    console.print(f"[bold]{card['name']}[/bold]: {card['model']}, classes {''.join(card['classes'])}, "
                  f"{card['onnx']['bytes'] / 1e6:.1f} MB, sha256 {card['onnx']['sha256'][:12]}…")
    parts = ", ".join(f"{k} ({v})" for k, v in t["terms"].items())
    commit = (t["code"] or {}).get("git_commit")
    console.print(f"trained on: {parts}; finished {t['finished']}, commit {commit}")
    console.print(f"calibration: temperature {card['calibration']['temperature']:.3f}, reject below "
                  f"{card['calibration']['threshold']:.3f}")
    f = card["figures"]
    console.print(f"measured {f['measured']} ({f['how']}):")
    for k, v in f.items():
        if isinstance(v, dict):
            console.print(f"  {k}: {v['accuracy']:.2%} of {v['images']:,} images")
    console.print("data files and their SHA-256: `inkread models info default --json`")
