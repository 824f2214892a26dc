"""Limits on what one input may cost, shared by the command line and the service."""

from __future__ import annotations

# The largest image read by default (width x height, checked from the header before decoding): its
# grey levels take 64 MB as float32, and the ink map a few times that.
MAX_PIXELS = 16_000_000
