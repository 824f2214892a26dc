"""The real-handwriting collections inkread knows by name: where each file is and how it is split.

Loading them (inkread.data.real) needs the preprocessing; this table does not, so the catalogue can
name them cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Collection:
    """Where a collection's file is, and which of its writers are for testing only."""

    folder: str
    file: str
    test_split: str | None  # the official writer-disjoint test split's name; None: chosen by writer hash
    terms: str


COLLECTIONS = {
    "cvl": Collection("cvl_single_digits", "cvl_single_digits.npz", "test", "research only: not shipped"),
    "pendigits": Collection("uci_pendigits", "uci_pendigits.npz", "tes", "CC BY 4.0"),
    "unipen": Collection("unipen_chars", "unipen_chars.npz", None, "research only: not shipped"),
    "uji": Collection("uji_pen_v1", "uji_pen_v1.npz", None, "CC BY 4.0"),
}
