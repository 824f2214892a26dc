"""`inkread read IMAGE|DIR... [--model MODEL]`: read the characters in images of handwriting."""

from __future__ import annotations

import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from inkread.cli.output import progress
from inkread.cli.read_output import Format, RowWriter
from inkread.core.limits import MAX_PIXELS
from inkread.registry.bundled import DEFAULT
from inkread.registry.loader import load_model

if TYPE_CHECKING:
    from inkread.read.batch import Row

Images = Annotated[list[Path], typer.Argument(help="Image files (one character or a line of them) and "
                                              "folders, searched recursively for images by content.")]
Model = Annotated[str, typer.Option("--model", "-m", help="default (the model bundled with inkread), a "
                                    "training run (its folder or checkpoint.json), an ONNX file from "
                                    "`inkread export`, or models:/NAME@ALIAS.")]
Json = Annotated[bool, typer.Option("--json", help="The same as --format json.")]
OutFormat = Annotated[Format, typer.Option("--format", "-f", help="text; json (one document); jsonl (a "
                                           "line per image, as read); csv (image, text, characters, "
                                           "min_confidence, error).")]
Annotate = Annotated[Path | None, typer.Option(
    "--annotate", help="Write the image with boxes and readings to this PNG (with several images, "
    "each gets its name added: out-<image>.png).")]
MaxPixels = Annotated[int, typer.Option("--max-pixels", min=1, help="Largest image read, in pixels "
                                        "(width x height, from the header before decoding).")]
Threshold = Annotated[float | None, typer.Option(
    min=0.0, max=1.0, help="Reject readings less confident than this (default: the checkpoint's).")]
DigitsOnly = Annotated[bool, typer.Option("--digits-only", help="Keep the digits (and unreadable "
                                          "characters, \"?\") alone: no punctuation.")]
Jobs = Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Processes reading at once "
                                          "(default: one per core, for many images).")]


def read_cmd(images: Images, model: Model = DEFAULT, json: Json = False, fmt: OutFormat = Format.text,
             annotate: Annotate = None, threshold: Threshold = None, max_pixels: MaxPixels = MAX_PIXELS,
             jobs: Jobs = None, digits_only: DigitsOnly = False) -> None:
    """Read each image as a line of characters; unsure characters read as "?". Exit code 1 when some
    images could not be read (each says why in its row)."""
    # the library loads on demand: torch only for a run's checkpoint, never for `inkread --help`
    from inkread.preprocess import to_pil
    from inkread.read.batch import find_images, read_images

    paths = find_images(images)
    single = len(paths) == 1 and not images[0].is_dir()
    if single:
        to_pil(paths[0], max_pixels)  # a missing or unreadable image is the error, before a model loads
    loaded = load_model(model)
    rows = read_images(paths, loaded, partial(load_model, model), threshold, max_pixels, jobs)
    if single:  # one file: its problem is the command's error
        rows = iter([_raise_error(next(rows))])
    out = RowWriter(Format.json if json else fmt)
    failed = 0
    # a bar when the rows go elsewhere than the terminal (on it, the rows themselves show progress)
    shown = len(paths) > 1 and sys.stderr.isatty() and not sys.stdout.isatty()
    with progress() as bar:
        task = bar.add_task("reading", total=len(paths), info="", visible=shown)
        for row in rows:
            failed += row.error is not None
            if digits_only and row.reading is not None:
                row = replace(row, reading=row.reading.only(("digit", "unknown")))
            out.write(_row_dict(row, loaded.threshold if threshold is None else threshold,
                                _annotation_path(annotate, Path(row.image), len(paths))))
            bar.advance(task)
    out.close()
    if failed:
        raise typer.Exit(1)


def _raise_error(row: Row) -> Row:
    """The row, or its error raised as the command's (the file is named in it)."""
    from inkread.core.errors import InkreadError

    if row.error is not None:
        raise InkreadError(row.error)
    return row


def _row_dict(row: Row, threshold: float, out: Path | None) -> dict[str, Any]:
    """The JSON-ready row of one image (and its annotated copy, if asked)."""
    from inkread.read.annotate import write_annotated

    if row.reading is None:
        return {"image": row.image, "error": row.error}
    result: dict[str, Any] = {"image": row.image, **row.reading.to_dict(), "threshold": threshold}
    if out is not None:
        result["annotated"] = str(write_annotated(Path(row.image), row.reading, out))
    return result


def _annotation_path(annotate: Path | None, image: Path, count: int) -> Path | None:
    """Where the annotated copy of `image` goes: the given path, or one per image when several."""
    if annotate is None or count == 1:
        return annotate
    return annotate.with_name(f"{annotate.stem}-{image.stem}{annotate.suffix or '.png'}")
