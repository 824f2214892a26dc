"""Fetch a catalogued dataset from a mirror: temporary file, hash check, then rename."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from inkread.core.errors import DataError
from inkread.data.catalog import CATALOGUE, IdxSpec, candidate_dirs
from inkread.data.idx import read_bytes
from inkread.data.locate import cache_dir

CHUNK = 1 << 16
TIMEOUT_S = 30


def _download_to(url: str, tmp: Path) -> None:
    """Stream `url` into `tmp`; network failures become a DataError naming the URL."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp, open(tmp, "wb") as out:
            while chunk := resp.read(CHUNK):
                out.write(chunk)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DataError(f"download failed ({getattr(exc, 'reason', exc)})", where=url) from None


def fetch_file(url: str, dest: Path, sha256: str) -> Path:
    """Download `url` to `dest` only if its decompressed content has the expected SHA-256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        _download_to(url, tmp)
        got = hashlib.sha256(read_bytes(tmp)).hexdigest()
        if got != sha256:
            raise DataError(
                f"downloaded content has SHA-256 {got[:16]}..., not {sha256[:16]}...; refused",
                where=url, expected="the original file",
                fix="try another --mirror, or copy the original files by hand")
        os.replace(tmp, dest)
        return dest
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def fetch_dataset(name: str, data_dir: str | Path | None = None,
                  mirror: str | None = None) -> dict[str, Any]:
    """Download every missing or mismatching file of a catalogued dataset and verify it."""
    spec = CATALOGUE.get(name)
    if spec is None:
        raise DataError(f"'{name}' has no download", expected="one of " + ", ".join(CATALOGUE))
    target = (Path(data_dir) if data_dir else cache_dir()) / spec.name
    mirrors = [mirror] if mirror else list(spec.mirrors)
    done = [str(_fetch_one(spec, fname, sha, target, mirrors)) for fname, sha in spec.files.values()]
    return {"name": spec.name, "folder": str(target), "files": done}


def _fetch_one(spec: IdxSpec, fname: str, sha: str, target: Path, mirrors: list[str]) -> Path:
    """Fetch one file from the first mirror that serves it intact."""
    dest = target / fname
    if dest.is_file() and hashlib.sha256(read_bytes(dest)).hexdigest() == sha:
        return dest
    errors = []
    for base in mirrors:
        try:
            return fetch_file(base.rstrip("/") + "/" + fname, dest, sha)
        except DataError as exc:
            errors.append(exc.render())
    tried = ", ".join(str(d) for d in candidate_dirs(spec))
    raise DataError(
        f"could not fetch {fname}: " + " | ".join(errors),
        expected=f"the file in one of: {tried}",
        fix=f"copy the original {fname} into {target} by hand (no network is needed after that)")
