"""Ruled lines and underlines: long thin horizontal strokes under or through the writing, and
vertical ones crossing the page, not a character."""

from __future__ import annotations

import numpy as np
from scipy import ndimage as ndi

# A ruled line runs at least this fraction of the image's width (height for vertical lines)
# in one straight band; a vertical one reaches within EDGE of both borders (a horizontal one need
# not: an underline stops where the writing does).
MIN_LENGTH, EDGE = 0.5, 0.05
# ... and is at most this thick, as a fraction of the image's height (never below 3 px)
# and of its own length.
MAX_THICKNESS, MAX_THICKNESS_PER_LENGTH = 0.06, 0.12
# It is no character's stroke if the other ink stops well short of its ends, or if it is this
# many times longer than the characters are tall.
SHORTER, LENGTH_PER_HEIGHT = 0.9, 3.0
EIGHT = np.ones((3, 3), dtype=bool)


def ruled_lines(mask: np.ndarray) -> np.ndarray:
    """Pixels (H, W) bool of ruled lines in an ink mask (H, W) bool, strokes crossing them spared."""
    across, thick = _horizontal(mask, along_text=True)
    down, thick_t = _horizontal((mask & ~across).T, along_text=False)  # not "other ink"
    across &= ~_crossings(mask, across, thick)
    down &= ~_crossings(mask.T, down, thick_t)
    return across | down.T


def _long_runs(mask: np.ndarray) -> np.ndarray:
    """Mask pixels (H, W) on horizontal runs of at least MIN_LENGTH * W, tolerating 1 px of tilt."""
    length = max(8, int(MIN_LENGTH * mask.shape[1]))
    tolerant = ndi.maximum_filter1d(mask, 3, axis=0)  # a slightly tilted line steps between rows
    runs = ndi.maximum_filter1d(ndi.minimum_filter1d(tolerant, length, axis=1), length, axis=1)
    return runs & mask


def _horizontal(mask: np.ndarray, along_text: bool) -> tuple[np.ndarray, float]:
    """Horizontal ruled-line pixels (H, W) bool and their thickness in px.

    `along_text`: the lines run along the text (horizontal in the image), so the other ink's
    height is a character's; a vertical stroke with no other ink is a "1", not a line.
    """
    candidates = _long_runs(mask)
    height, width = mask.shape
    edge = int(EDGE * width) + 1  # a ruled line reaches into both edge bands: else there is none
    used = np.asarray(candidates.any(axis=0))  # (W,)
    if not (used.any() and (along_text or (used[:edge].any() and used[width - edge:].any()))):
        return np.zeros_like(candidates), 0.0
    labels, n = ndi.label(candidates, structure=EIGHT)
    max_thick = max(3.0, MAX_THICKNESS * height)
    # The characters: ink that is not a candidate, nor within a line's thickness of one.
    near = ndi.maximum_filter(candidates, size=(2 * round(max_thick) + 1, 3))
    cols = np.flatnonzero((mask & ~near).any(axis=0))
    rows = np.flatnonzero((mask & ~candidates).any(axis=1))
    keep, thickest = np.zeros(n + 1, dtype=bool), 0.0
    for i, box in enumerate(ndi.find_objects(labels), start=1):
        if box is None:
            continue
        x0, x1 = box[1].start, box[1].stop
        thickness = float((labels[box] == i).sum()) / (x1 - x0)  # mean pixels per column
        thin = thickness <= min(max_thick, MAX_THICKNESS_PER_LENGTH * (x1 - x0))
        crosses = x0 <= EDGE * width and x1 >= (1.0 - EDGE) * width
        ruled = crosses and _not_a_stroke(x1 - x0, rows, cols, along_text)
        keep[i] = thin and (ruled or (along_text and _underline(x1 - x0, rows)))
        thickest = max(thickest, thickness if keep[i] else 0.0)
    return keep[labels], thickest


def _not_a_stroke(length: int, rows: np.ndarray, cols: np.ndarray, along_text: bool) -> bool:
    """True when a line of `length` px is no stroke of the other ink spanning `rows` x `cols`."""
    if cols.size == 0:
        return along_text  # a lone horizontal line is not a digit; a lone vertical one is a 1
    if int(cols[-1]) + 1 - int(cols[0]) < SHORTER * length:
        return True
    return along_text and length >= LENGTH_PER_HEIGHT * (int(rows[-1]) + 1 - int(rows[0]))


def _underline(length: int, rows: np.ndarray) -> bool:
    """True when a line that does not cross the page is far longer than the other ink is tall: it
    underlines (or strikes through) the writing, no character's stroke is so long."""
    return rows.size > 0 and length >= LENGTH_PER_HEIGHT * (int(rows[-1]) + 1 - int(rows[0]))


def _crossings(mask: np.ndarray, lines: np.ndarray, thickness: float) -> np.ndarray:
    """Line pixels (H, W) bool where a stroke continues above and below: the stroke crosses there."""
    if not lines.any():
        return lines
    rest = mask & ~lines
    reach = round(1.5 * thickness) + 3  # bridge a (tilted) line plus a pixel on each side
    closed = ndi.minimum_filter1d(ndi.maximum_filter1d(rest, reach, axis=0), reach, axis=0)
    return lines & closed
