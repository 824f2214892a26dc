"""The downloader against a real HTTP server on 127.0.0.1: good files land, bad ones are refused."""

from __future__ import annotations

import functools
import http.server
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from inkread.core.errors import DataError
from inkread.data.catalog import load_dataset
from inkread.data.download import fetch_dataset

REPO_MNIST = Path(__file__).resolve().parents[2] / "data" / "mnist"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def mirror(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on a free loopback port serving a copy of the MNIST files."""
    served = tmp_path / "served"
    shutil.copytree(REPO_MNIST, served)
    handler = functools.partial(_Quiet, directory=str(served))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", served
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_verifies_and_lands_all_files(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = mirror
    out = tmp_path / "data"
    result = fetch_dataset("mnist", data_dir=out, mirror=url)
    assert len(result["files"]) == 4
    assert load_dataset("mnist", out).verified
    assert not [p for p in (out / "mnist").iterdir() if p.name.startswith(".")]


def test_corrupted_download_is_refused_and_nothing_is_left(mirror: tuple[str, Path],
                                                           tmp_path: Path) -> None:
    url, served = mirror
    victim = served / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(victim.read_bytes())
    data[-20] ^= 0xFF  # one flipped byte inside the compressed stream
    victim.write_bytes(bytes(data))
    out = tmp_path / "data"
    with pytest.raises(DataError) as info:
        fetch_dataset("mnist", data_dir=out, mirror=url)
    assert "t10k-labels-idx1-ubyte.gz" in info.value.render()
    left = sorted(p.name for p in (out / "mnist").iterdir())
    assert "t10k-labels-idx1-ubyte.gz" not in left and not [n for n in left if n.endswith(".part")]


def test_wrong_but_valid_file_is_refused_by_hash(mirror: tuple[str, Path], tmp_path: Path) -> None:
    url, served = mirror
    shutil.copy(served / "train-labels-idx1-ubyte.gz", served / "t10k-labels-idx1-ubyte.gz")
    with pytest.raises(DataError, match="refused"):
        fetch_dataset("mnist", data_dir=tmp_path / "d", mirror=url)


def test_unreachable_mirror_says_how_to_place_files(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError) as info:
        fetch_dataset("mnist", data_dir=tmp_path, mirror=f"http://127.0.0.1:{port}/")
    msg = info.value.render()
    assert "download failed" in msg and "copy the original" in msg
