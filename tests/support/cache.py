"""A folder that keeps what tests train across pytest runs."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest


def cache_folder(config: pytest.Config, name: str) -> Path:
    """pytest's cache folder `name`, or one under the system temp folder when run with -p no:cacheprovider."""
    cache = getattr(config, "cache", None)  # the attribute is missing, not None, without the plugin
    if cache is not None:
        return Path(cache.mkdir(name))
    folder = Path(tempfile.gettempdir()) / name
    folder.mkdir(exist_ok=True)
    return folder
