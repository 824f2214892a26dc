"""`inkread read IMAGE... [--model MODEL]`: read the characters in images of handwriting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inkread.cli.output import console, print_json
from inkread.core.limits import MAX_PIXELS
from inkread.registry.bundled import DEFAULT
from inkread.registry.loader import load_model

if TYPE_CHECKING:
    from inkread.core.model import LoadedModel

Images = Annotated[list[Path], typer.Argument(help="Image files: one character or a line of them.")]
Model = Annotated[str, typer.Option("--model", "-m", help="default (the model bundled with inkread), a "
                                    "training run (its folder or checkpoint.json), an ONNX file from "
                                    "`inkread export`, or models:/NAME@ALIAS.")]
Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result.")]
Annotate = Annotated[Path | None, typer.Option(
    "--annotate", help="Write the image with boxes and readings to this PNG (with several images, "
    "each gets its name added: out-<image>.png).")]
MaxPixels = Annotated[int, typer.Option("--max-pixels", min=1, help="Largest image read, in pixels "
                                        "(width x height, from the header before decoding).")]
Threshold = Annotated[float | None, typer.Option(
    min=0.0, max=1.0, help="Reject readings less confident than this (default: the checkpoint's).")]


def read_cmd(images: Images, model: Model = DEFAULT, json: Json = False, annotate: Annotate = None,
             threshold: Threshold = None, max_pixels: MaxPixels = MAX_PIXELS) -> None:
    """Read each image as a line of characters; unsure characters read as "?"."""
    # the library loads on demand: torch only for a run's checkpoint, never for `inkread --help`
    from inkread.preprocess import to_pil

    for path in images:
        to_pil(path, max_pixels)  # refuse missing, unreadable or outsized images before the model loads
    loaded = load_model(model)
    limit = loaded.threshold if threshold is None else threshold
    results = [_read_one(path, loaded, limit, _annotation_path(annotate, path, len(images)), max_pixels)
               for path in images]
    if json:
        print_json(results if len(results) > 1 else results[0])
        return
    for r in results:
        _print_result(r)


def _read_one(path: Path, model: LoadedModel, threshold: float, out: Path | None,
              max_pixels: int) -> dict[str, Any]:
    """Read one image (and annotate it if asked): the JSON-ready result."""
    # scipy loads when reading, not for --help
    from inkread.preprocess import to_pil
    from inkread.read.annotate import write_annotated
    from inkread.read.reader import read_line

    reading = read_line(to_pil(path, max_pixels), model.classify, model.classes, threshold)
    result: dict[str, Any] = {"image": str(path), **reading.to_dict(), "threshold": threshold}
    if out is not None:
        result["annotated"] = str(write_annotated(path, reading, out))
    return result


def _annotation_path(annotate: Path | None, image: Path, count: int) -> Path | None:
    """Where the annotated copy of `image` goes: the given path, or one per image when several."""
    if annotate is None or count == 1:
        return annotate
    return annotate.with_name(f"{annotate.stem}-{image.stem}{annotate.suffix or '.png'}")


def _print_result(r: dict[str, Any]) -> None:
    """Human-readable form of one reading."""
    text = r["text"] or "[dim](no ink found)[/]"
    console.print(f"[bold]{r['image']}[/]: {text}", highlight=False, soft_wrap=True)
    for c in r["chars"]:
        guesses = ", ".join(f"{label} {p:.2f}" for label, p in c["top3"])
        mark = "[red]rejected[/]" if c["rejected"] else "[green]ok[/]"
        console.print(f"  {c['label']} {c['confidence']:.3f} {mark}  (top 3: {guesses})",
                      highlight=False, soft_wrap=True)
    if "annotated" in r:
        console.print(f"  wrote {r['annotated']}", highlight=False, soft_wrap=True)
