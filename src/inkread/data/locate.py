"""Where dataset files are looked for: --data-dir alone, or INKREAD_DATA, the repository's data/, a cache."""

from __future__ import annotations

import os
from pathlib import Path

from inkread.core.errors import DataError

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
    """Roots to search in order: a --data-dir alone (it must exist); else $INKREAD_DATA, the repository's
    data/ and the user cache."""
    if data_dir is not None:  # asked for by name: look nowhere else, so a missing file is said, not hidden
        path = Path(data_dir).expanduser()
        if not path.is_dir():
            raise DataError("no such folder", where=path, expected="a folder holding the datasets",
                            fix="check the --data-dir path")
        return [path]
    roots: list[Path] = []
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        roots.append(Path(explicit).expanduser())
    repo = repo_data_dir()
    if repo is not None:
        roots.append(repo)
    roots.append(cache_dir())
    return roots
