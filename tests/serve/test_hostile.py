"""Hostile and malformed requests to the real server: each gets a 4xx with one sentence, and it stays up."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import numpy as np
import pytest

from tests.serve.images import png, png_bomb, png_with_exif, webp_with_exif

GOOD = png(np.full((40, 40), 255, np.uint8))
MIB = 1024 * 1024
BOMB = png_bomb(20000)  # ~76 KB; 400 megapixels if decoded


def _file(data: bytes, kind: str = "image/png") -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("upload", data, kind)}


CASES = {
    "non-image bytes": (dict(files=_file(b"this is a text file, not a picture")), 400, "cannot be decoded"),
    "zero bytes": (dict(files=_file(b"")), 400, "empty"),
    "truncated png": (dict(files=_file(GOOD[: len(GOOD) // 2])), 400, "cannot be decoded"),
    "text part": (dict(files=_file(GOOD, "text/plain")), 415, "image/png"),
    "tiff": (dict(files=_file(png(np.zeros((8, 8), np.uint8), "TIFF"), "application/octet-stream")), 400,
             "PNG, JPEG"),
    "20000x20000 png bomb": (dict(files=_file(BOMB)), 413, "limit"),
    "5000x5000 png (25 MP)": (dict(files=_file(png_bomb(5000))), 413, "25,000,000"),
    "bomb as base64 json": (dict(json={"image": base64.b64encode(BOMB).decode()}), 413, "limit"),
    "no file field": (dict(files={"other": ("x.png", GOOD, "image/png")}), 422, "'file'"),
    "plain text body": (dict(content=b"hello", headers={"content-type": "text/plain"}), 415, "multipart"),
    "no content type": (dict(content=b"hello"), 415, "multipart"),
    "broken json": (dict(content=b'{"image": ', headers={"content-type": "application/json"}), 400, "JSON"),
    "json list": (dict(json=[1, 2, 3]), 422, "object"),
    "json without image": (dict(json={"picture": "abc"}), 422, "object"),
    "json extra key": (dict(json={"image": "aGk=", "colour": "red"}), 422, "colour"),
    "image not a string": (dict(json={"image": 42}), 422, "image"),
    "bad base64": (dict(json={"image": "not base64 !!!"}), 400, "base64"),
    "base64 '00' (unpadded, not an image)": (dict(json={"image": "00"}), 400, "cannot be decoded"),
    "pixels 27 rows": (dict(json={"pixels": [[0] * 28] * 27}), 422, "28"),
    "pixels out of range": (dict(json={"pixels": [[300] * 28] * 28}), 422, "255"),
    "pixels not numbers": (dict(json={"pixels": "white"}), 422, "pixels"),
    "multipart without boundary": (dict(content=b"--x\r\n", headers={"content-type": "multipart/form-data"}),
                                   400, "multipart"),
    "json nested 100,000 deep": (dict(content=b"[" * 100_000 + b"]" * 100_000,
                                      headers={"content-type": "application/json"}), 400, "nested"),
    "pixels as strings": (dict(json={"pixels": [["7"] * 28] * 28}), 422, "integer"),
    "pixels as booleans": (dict(json={"pixels": [[True] * 28] * 28}), 422, "integer"),
}

# EXIF that cannot be parsed: the image is read unturned, never a 5xx.
DAMAGED_EXIF = {
    "png eXIf chunk of garbage": png_with_exif(b"GARBAGE!" * 4),
    "png eXIf with a truncated IFD": png_with_exif(b"MM\x00*\x00\x00\x00\x08\x00\x05\x01\x12"),
    "webp with garbage EXIF": webp_with_exif(b"GARBAGE!" * 4),
}


@pytest.fixture(scope="module")
def client(server: str) -> Iterator[httpx.Client]:
    """One HTTP client for the module; afterwards the server must still be healthy."""
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
        assert c.get("/healthz").json() == {"status": "ok"}
        assert c.post("/v1/recognize", files=_file(GOOD)).status_code == 200


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_gets_a_clear_4xx(client: httpx.Client, name: str) -> None:
    kwargs, status, words = CASES[name]
    r = client.post("/v1/recognize", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and words in detail and "Traceback" not in r.text
    assert client.get("/healthz").status_code == 200


def test_a_text_file_is_refused_without_internals(client: httpx.Client) -> None:
    r = client.post("/v1/recognize", files=_file(b"this is a text file, not a picture"))
    assert r.status_code == 400 and "0x" not in r.text and "BytesIO" not in r.text


@pytest.mark.parametrize("name", list(DAMAGED_EXIF))
def test_damaged_exif_is_read_unturned(client: httpx.Client, name: str) -> None:
    kind = "image/webp" if "webp" in name else "image/png"
    for route in ("/v1/recognize", "/v1/read"):
        r = client.post(route, files=_file(DAMAGED_EXIF[name], kind))
        assert r.status_code == 200, r.text


def test_pixels_are_refused_by_read(client: httpx.Client) -> None:
    r = client.post("/v1/read", json={"pixels": [[0] * 28] * 28})
    assert r.status_code == 422 and "image" in r.json()["detail"]


def test_oversize_body_is_refused_before_it_is_read(client: httpx.Client) -> None:
    big = np.random.default_rng(0).integers(0, 256, 9 * MIB, dtype=np.uint8).tobytes()
    r = client.post("/v1/recognize", files=_file(big))
    assert r.status_code == 413 and "8,388,608" in r.json()["detail"]


def test_oversize_chunked_body_is_cut_off(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        for _ in range(10):
            yield b"{" + b" " * (MIB - 1)

    r = client.post("/v1/recognize", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_unknown_routes_and_methods_are_4xx_json(client: httpx.Client) -> None:
    assert client.get("/v1/nothing").status_code == 404
    r = client.get("/v1/recognize")
    assert r.status_code == 405 and isinstance(r.json()["detail"], str)


def test_base64_without_padding_is_accepted(client: httpx.Client) -> None:
    data = next(d for d in (png(np.full((n, n), 255, np.uint8)) for n in range(40, 50)) if len(d) % 3)
    text = base64.b64encode(data).decode().rstrip("=")
    assert len(text) % 4 and client.post("/v1/recognize", json={"image": text}).status_code == 200


def test_a_line_of_too_many_marks_is_refused_by_name(client: httpx.Client) -> None:
    speckles = np.full((120, 8000), 255, np.uint8)
    for row in (15, 55, 95):  # 3 x 200 short strokes: no line of writing
        speckles[row:row + 10, 20::40] = 0
    r = client.post("/v1/read", files=_file(png(speckles)))
    assert r.status_code == 400 and "600 separate marks" in r.json()["detail"]
