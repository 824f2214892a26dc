"""Where dataset files are looked for: --data-dir / INKREAD_DATA, the repository's data/, a cache."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "INKREAD_DATA"


def repo_data_dir() -> Path | None:
    """The `data/` folder of a source checkout, when inkread runs from one."""
    candidate = Path(__file__).resolve().parents[3] / "data"
    return candidate if (candidate / "DATA.md").is_file() else None


def cache_dir() -> Path:
    """The per-user cache folder that downloads go to."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "inkread"


def search_roots(data_dir: str | Path | None = None) -> list[Path]:
    """Roots to search in order: explicit dir or $INKREAD_DATA, repo data/, user cache."""
    roots: list[Path] = []
    explicit = data_dir if data_dir is not None else os.environ.get(ENV_VAR)
    if explicit:
        roots.append(Path(explicit).expanduser())
    repo = repo_data_dir()
    if repo is not None:
        roots.append(repo)
    roots.append(cache_dir())
    return roots
