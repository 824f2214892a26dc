"""How `inkread read` writes its rows: readable text, one JSON document, JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from typing import Any

from inkread.cli.output import console, print_json


class Format(StrEnum):
    """The output formats of `inkread read`."""

    text = "text"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"


CSV_COLUMNS = ("image", "text", "characters", "min_confidence", "error")


class RowWriter:
    """Writes rows as they come (text, jsonl, csv) or all at the end (json)."""

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.kept: list[dict[str, Any]] = []
        self.csv = csv.writer(sys.stdout, lineterminator="\n") if fmt is Format.csv else None
        if self.csv is not None:
            self.csv.writerow(CSV_COLUMNS)

    def write(self, row: dict[str, Any]) -> None:
        """Write one image's row."""
        if self.fmt is Format.json:
            self.kept.append(row)
        elif self.fmt is Format.jsonl:
            print(json.dumps(row), flush=True)
        elif self.csv is not None:
            chars = row.get("chars", [])
            low = min((c["confidence"] for c in chars), default="")
            self.csv.writerow([row["image"], row.get("text", ""), len(chars), low, row.get("error", "")])
        else:
            _print_text(row)

    def close(self) -> None:
        """Finish the output (the JSON document: one object for one image, else a list)."""
        if self.fmt is Format.json:
            print_json(self.kept[0] if len(self.kept) == 1 else self.kept)


def _print_text(r: dict[str, Any]) -> None:
    """Human-readable form of one reading."""
    if "error" in r:
        console.print(f"[red]{r['error']}[/]", highlight=False, soft_wrap=True)  # it names the file
        return
    text = r["text"] or "[dim](no ink found)[/]"
    console.print(f"[bold]{r['image']}[/]: {text}", highlight=False, soft_wrap=True)
    for c in r["chars"]:
        guesses = ", ".join(f"{label} {p:.2f}" for label, p in c["top3"])
        mark = "[red]rejected[/]" if c["rejected"] else "[green]ok[/]"
        console.print(f"  {c['label']} {c['confidence']:.3f} {mark}  (top 3: {guesses})",
                      highlight=False, soft_wrap=True)
    if "annotated" in r:
        console.print(f"  wrote {r['annotated']}", highlight=False, soft_wrap=True)
