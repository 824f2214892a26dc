"""A run folder's description, checkpoint.json: found, read and updated with json alone (no torch).

The registry, the model loader and the CLI read it without loading a network.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from inkread.core.errors import InkreadError
from inkread.core.files import atomic_write_text

FORMAT = "inkread-checkpoint/1"
INFO_FILE = "checkpoint.json"
METRICS_FILE = "metrics.jsonl"  # one line per epoch, written by inkread.train.run_log


class CheckpointError(InkreadError):
    """A checkpoint is missing, incomplete or not an inkread checkpoint."""


def update_info(run_dir: Path, **fields: Any) -> None:
    """Add or replace top-level fields of checkpoint.json (e.g. final test metrics) atomically."""
    doc = json.loads((run_dir / INFO_FILE).read_text(encoding="utf-8"))
    doc.update(fields)
    atomic_write_text(run_dir / INFO_FILE, json.dumps(doc, indent=1, default=str))


def find_info(path: str | Path) -> Path:
    """checkpoint.json for a run folder, the JSON itself, or a weights file inside a run folder."""
    p = Path(path)
    for candidate in (p / INFO_FILE, p, p.parent / INFO_FILE, p.parent.parent / INFO_FILE):
        if candidate.name == INFO_FILE and candidate.is_file():
            return candidate
    raise CheckpointError("no checkpoint found", where=p,
                          expected=f"a run folder containing {INFO_FILE}, or that file itself",
                          fix="pass the folder printed by `inkread train` (runs/<run-name>)")


def read_info(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """Locate and parse checkpoint.json, checking its format."""
    info_path = find_info(path)
    try:
        doc = json.loads(info_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"unreadable checkpoint description: {exc}", where=info_path) from None
    if not isinstance(doc, dict):
        raise CheckpointError(f"a JSON {type(doc).__name__}, not an object", where=info_path,
                              expected=f"the object `inkread train` writes ({FORMAT})",
                              fix="restore checkpoint.json from the run, or retrain it")
    if doc.get("format") != FORMAT:
        raise CheckpointError(f"format {doc.get('format')!r}", where=info_path, expected=FORMAT)
    return info_path, doc
