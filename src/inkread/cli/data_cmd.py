"""`inkread data ...`: list, check, preview and fetch datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from inkread.cli.output import console, print_json
from inkread.core.errors import DataError
from inkread.data.catalog import CATALOGUE, find_files
from inkread.data.check import check_dataset
from inkread.data.collections import COLLECTIONS, find_collection
from inkread.data.download import fetch_dataset
from inkread.data.preview_dataset import preview_dataset

app = typer.Typer(help="List, verify, preview and fetch datasets.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Folder holding <dataset>/ files (default: $INKREAD_DATA, "
                 "the repository's data/, then ~/.cache/inkread)."),
]
Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result.")]


@app.command("list")
def list_cmd(data_dir: DataDir = None, json: Json = False) -> None:
    """List the catalogued datasets and whether their files are present."""

    rows = []
    for spec in CATALOGUE.values():
        try:
            where = str(find_files(spec, data_dir)["train-images"].parent)
        except DataError:
            where = None
        rows.append({"name": spec.name, "classes": len(spec.classes),
                     "description": spec.description, "found_in": where})
    for name, c in COLLECTIONS.items():
        try:
            found: str | None = str(find_collection(name, data_dir).parent)
        except DataError:
            found = None
        rows.append({"name": name, "classes": None, "description": c.description, "found_in": found,
                     "terms": c.terms})
    if json:
        print_json(rows)
        return
    for r in rows:
        fix = f"inkread data fetch {r['name']}" if r["name"] in CATALOGUE else "place it in a data folder"
        place = r["found_in"] or f"[red]not found[/] ({fix})"
        console.print(f"[bold]{r['name']:<14}[/] {r['description']}\n{'':<15}{place}")
    console.print("Also: any folder of class sub-folders (root/<label>/*.png) or an .npz file path.")


@app.command("check")
def check_cmd(name: str, data_dir: DataDir = None, json: Json = False) -> None:
    """Verify a dataset's files by content hash and report counts per class and mean/std."""

    report = check_dataset(name, data_dir)
    if json:
        print_json(report)
    else:
        _print_check(report)
    if report["verified"] is False:
        raise typer.Exit(2)


def _print_check(report: dict[str, Any]) -> None:
    """Human-readable form of a check report."""
    for f in report["files"]:
        mark = {True: "[green]ok[/]", False: "[red]MISMATCH[/]", None: "[yellow]unlisted[/]"}[f["ok"]]
        console.print(f"{mark} {f['path']}  sha256 {f['sha256'][:16]}...")
    for split, s in report["splits"].items():
        console.print(f"[bold]{split}[/]: {s['images']} images {s['shape']}, "
                      f"mean {s['mean']:.4f} std {s['std']:.4f}")
        console.print("  per class: " + ", ".join(f"{c}={n}" for c, n in s["per_class"].items()))
    verdict = {True: "[green]verified[/]", False: "[red]NOT verified[/]", None: "no reference hashes"}
    console.print(f"{report['name']}: {verdict[report['verified']]}")


@app.command("preview")
def preview_cmd(
    name: str,
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write.")] = Path(
        "preview.png"),
    augment: Annotated[bool, typer.Option("--augment", help="Show augmented samples.")] = False,
    split: Annotated[str, typer.Option(help="train or test.")] = "train",
    count: Annotated[int, typer.Option(min=1, max=400, help="Number of samples.")] = 64,
    seed: Annotated[int, typer.Option(help="Random seed for sample choice and augmentation.")] = 0,
    data_dir: DataDir = None,
    json: Json = False,
) -> None:
    """Write a labelled grid of samples (optionally augmented) to a PNG."""

    result = preview_dataset(name, output, augment=augment, split=split, count=count, seed=seed,
                             data_dir=data_dir)
    if json:
        print_json(result)
    else:
        console.print(f"wrote {result['path']} ({result['count']} samples from {name}/{split})")


@app.command("fetch")
def fetch_cmd(
    name: str,
    mirror: Annotated[str | None, typer.Option(help="Base URL serving the dataset's files.")] = None,
    data_dir: DataDir = None,
    json: Json = False,
) -> None:
    """Download a catalogued dataset into the data folder, verifying every file's hash."""

    result = fetch_dataset(name, data_dir=data_dir, mirror=mirror)
    if json:
        print_json(result)
    else:
        for path in result["files"]:
            console.print(f"[green]ok[/] {path}")
