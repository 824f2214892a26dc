"""The course's two label encodings: integer (label) encoding and one-hot, each with its inverse."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from inkread.core.errors import DataError
from inkread.core.files import atomic_write_text


class LabelEncoder:
    """Map string labels to integers 0..K-1 in a fixed, saved order, and back."""

    def __init__(self, classes: Sequence[str]) -> None:
        if len(set(classes)) != len(classes):
            raise DataError(f"duplicate class names in {list(classes)}", expected="unique names")
        self.classes: list[str] = [str(c) for c in classes]
        self._index = {c: i for i, c in enumerate(self.classes)}

    @classmethod
    def fit(cls, labels: Iterable[str]) -> LabelEncoder:
        """Learn the classes from labels, sorted so the encoding does not depend on their order."""
        return cls(sorted({str(label) for label in labels}))

    def encode(self, labels: Iterable[str]) -> np.ndarray:
        """Strings (N,) -> integers (N,) int64; unknown labels are an error."""
        out = []
        for label in labels:
            if label not in self._index:
                raise DataError(f"label '{label}' is not one of the classes {self.classes}",
                                fix="add the class or fix the label")
            out.append(self._index[label])
        return np.asarray(out, dtype=np.int64)

    def decode(self, indices: Iterable[int] | np.ndarray) -> list[str]:
        """Integers (N,) -> strings (N,)."""
        return [self.classes[int(i)] for i in np.asarray(indices).ravel()]

    def __len__(self) -> int:
        return len(self.classes)

    def save(self, path: str | Path) -> None:
        """Write the class list as JSON."""
        atomic_write_text(path, json.dumps({"classes": self.classes}, indent=2))

    @classmethod
    def load(cls, path: str | Path) -> LabelEncoder:
        """Read a class list written by `save`."""
        try:
            return cls(json.loads(Path(path).read_text())["classes"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(f"cannot read label encoder ({exc})", where=path,
                            expected='JSON like {"classes": ["0", "1", ...]}') from None


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """Integers y (N,) -> one-hot rows Y (N, K) float32, Y[i, y_i] = 1."""
    y = np.asarray(y, dtype=np.int64)
    if y.size and (y.min() < 0 or y.max() >= num_classes):
        raise DataError(f"labels must lie in 0..{num_classes - 1}, got {y.min()}..{y.max()}")
    Y = np.zeros((y.shape[0], num_classes), dtype=np.float32)
    Y[np.arange(y.shape[0]), y] = 1.0
    return Y


def from_one_hot(Y: np.ndarray) -> np.ndarray:
    """One-hot (or probability) rows (N, K) -> integers (N,) by argmax."""
    return np.asarray(Y).argmax(axis=1).astype(np.int64)
