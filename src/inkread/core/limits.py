"""Limits on what one input may cost, shared by the command line and the service."""

from __future__ import annotations

# The largest image read by default (width x height, checked from the header before decoding): its
# grey levels take 64 MB as float32, and the ink map a few times that.
MAX_PIXELS = 16_000_000

# Work budgets: a decoded image over these is reduced by a whole factor before its ink map is made.
# One character: 1 megapixel leaves a character filling a tenth of a 12 MP phone photo ~100 px tall,
# five times what the model sees; the ink map of 1 MP takes ~0.15 s.
CHARACTER_WORK_PIXELS = 1_000_000
# A line of characters: 4 megapixels (2,000 x 2,000, or a 6,000 x 700 line).
LINE_WORK_PIXELS = 4_000_000
# Segmentation's cost grows with the marks' size: a line whose characters stand taller than this
# (in pixels) is reduced to it first; the model sees 20 px of it.
WORK_HEIGHT = 96
# A line with more separate marks than this is not a line of writing (noise, a page, a photo of a
# texture): it is refused. Reading costs ~10 ms per mark: 500 marks stay within seconds.
MAX_MARKS = 500
