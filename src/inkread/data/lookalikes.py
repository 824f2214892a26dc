"""Letters that can be written exactly like a digit when they stand alone.

Rejecting an "O" as not a "0" is not something a reader of single characters can be asked to do:
benchmarks report these letters apart, and training never teaches "not a digit" on them.
"""

from __future__ import annotations

# digit -> the letters that can be written exactly like it
LOOKALIKES = {"0": "OoDQ", "1": "lIiJj", "2": "Zz", "5": "Ss", "6": "bG", "7": "T", "8": "B",
              "9": "gqa"}
LOOKALIKE_LETTERS = frozenset("".join(LOOKALIKES.values()))


def looks_like(label: str, classes: list[str]) -> bool:
    """True when `label` can be written exactly like one of `classes`."""
    return any(label in LOOKALIKES.get(c, "") for c in classes)
