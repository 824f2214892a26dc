"""The real-handwriting collections inkread knows by name: where each file is and how it is split.

Loading them (inkread.data.real) needs the preprocessing; this table does not, so the catalogue can
name them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from inkread.core.errors import DataError
from inkread.data.locate import search_roots


@dataclass(frozen=True)
class Collection:
    """Where a collection's file is, and which of its writers are for testing only."""

    folder: str
    file: str
    test_split: str | None  # the official writer-disjoint test split's name; None: chosen by writer hash
    terms: str
    description: str


COLLECTIONS = {
    "cvl": Collection("cvl_single_digits", "cvl_single_digits.npz", "test", "research only: not shipped",
                      "CVL single digits, scanned, 303 writers (176 for testing)"),
    "pendigits": Collection("uci_pendigits", "uci_pendigits.npz", "tes", "CC BY 4.0",
                            "UCI pen-based digits, drawn on a tablet, 44 writers (14 for testing)"),
    "unipen": Collection("unipen_chars", "unipen_chars.npz", None, "research only: not shipped",
                         "UNIPEN characters 0-9, A-Z, a-z, drawn on a tablet, 295 writers"),
    "uji": Collection("uji_pen_v1", "uji_pen_v1.npz", None, "CC BY 4.0",
                      "UJI pen characters 0-9, A-Z, a-z, 11 writers"),
}


def shared_datasets() -> Path:
    """The `shared/datasets` folder beside a source checkout of inkread."""
    return Path(__file__).resolve().parents[4] / "shared" / "datasets"


def find_collection(name: str, data_dir: str | Path | None = None) -> Path:
    """The collection's .npz file, from the data folders in order; a DataError naming them when absent."""
    if name not in COLLECTIONS:
        raise DataError(f"unknown collection '{name}'", expected="one of " + ", ".join(COLLECTIONS))
    c = COLLECTIONS[name]
    roots = search_roots(data_dir) + ([shared_datasets()] if data_dir is None else [])
    for root in roots:
        for path in (root / c.folder / c.file, root / c.file):
            if path.is_file():
                return path
    tried = ", ".join(str(r / c.folder / c.file) for r in roots)
    raise DataError(f"collection '{name}' not found", where=tried,
                    fix=f"place {c.folder}/{c.file} in a data folder and pass --data-dir or set INKREAD_DATA")
