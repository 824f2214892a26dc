"""Writer-disjoint splits: a writer's samples are all in training or all held out, never both.

A collection without an official split holds out the quarter of its writers whose ids hash lowest:
the choice depends on the writers in the file, not on their order, so every recipe and benchmark
reading the same file gets the same writers.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

HELD_OUT = 0.25  # the share of writers held out of any training, for testing (at least one)
SALT = "inkread-held-out-writers/1"  # changing it would move writers between training and test


def _rank_key(writer: str) -> bytes:
    """The writer's place in the hashed order."""
    return hashlib.sha256(f"{SALT}:{writer}".encode()).digest()


def held_out(writers: np.ndarray, share: float = HELD_OUT) -> np.ndarray:
    """Mask (N,) bool of the samples whose writer (N,) is one of the held-out writers."""
    names = sorted({str(w) for w in writers}, key=_rank_key)
    chosen = set(names[:max(1, math.ceil(share * len(names)))]) if names else set()
    return np.array([str(w) in chosen for w in writers], dtype=bool)
