"""Turn a request body into an image, refusing oversize, slow, malformed and bomb inputs early."""

from __future__ import annotations

import asyncio
import base64
import binascii
import io
import json
import warnings
from typing import Any

import numpy as np
from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect, Request

from inkread.preprocess.load import error_reason
from inkread.serve.errors import ApiError, too_large
from inkread.serve.schemas import ImageJson, PixelsJson
from inkread.serve.settings import ServeSettings

FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF")
PART_TYPES = {"image/png", "image/jpeg", "image/webp", "image/bmp", "image/gif",
              "application/octet-stream", ""}  # the last two: clients that do not say; sniffed below
BODY_TYPES = "multipart/form-data (field 'file') or application/json"
Decoded = Image.Image | np.ndarray  # a PIL image, or a 28x28 uint8 pixel array
Payload = bytes | np.ndarray  # encoded image bytes (decoded later, off the event loop) or pixels


async def read_body(request: Request, s: ServeSettings) -> bytes:
    """The whole body, refused with 413 as soon as it is over the limit and 408 when too slow."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > s.max_upload_bytes:
        raise too_large("request body", int(declared), s.max_upload_bytes, "bytes")

    async def capped() -> bytes:
        chunks, total = [], 0
        async for chunk in request.stream():
            total += len(chunk)
            if total > s.max_upload_bytes:
                raise too_large("request body", total, s.max_upload_bytes, "bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(capped(), s.request_timeout_s)
    except TimeoutError:
        raise ApiError(408, f"The body did not arrive within {s.request_timeout_s:g} s; "
                            "send it again on a faster connection.") from None
    except ClientDisconnect:
        raise ApiError(400, "The client closed the connection before the body was complete.") from None


def media_type(request: Request) -> str:
    """The request's content type without parameters, lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def extract(request: Request, body: bytes, s: ServeSettings, *, allow_pixels: bool) -> Payload:
    """The image bytes (or pixels) a request carries, whichever of the accepted forms it uses."""
    kind = media_type(request)
    if kind == "multipart/form-data":
        return await _multipart_file(request, body, s)
    if kind == "application/json" or kind.endswith("+json"):
        return _from_json(body, s, allow_pixels)
    raise ApiError(415, f"Content type {kind or '(none)'!r} is not accepted; send {BODY_TYPES}.")


async def _multipart_file(request: Request, body: bytes, s: ServeSettings) -> bytes:
    """The bytes of the multipart field `file`, with its declared type checked."""
    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=8,
                                                         max_part_size=s.max_upload_bytes)
    except Exception as exc:  # starlette reports malformed multipart as several exception types
        raise ApiError(400, f"The multipart body is malformed ({error_reason(exc)}); send one image in field "
                            "'file'.") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise ApiError(422, "The multipart body has no file field 'file'; send the image as field 'file'.")
    part_type = (upload.content_type or "").split(";")[0].strip().lower()
    if part_type not in PART_TYPES:
        raise ApiError(415, f"The uploaded file is {part_type!r}; send image/png, image/jpeg, image/webp, "
                            "image/bmp or image/gif.")
    return bytes(await upload.read())


def _validated(model: type[BaseModel], doc: Any) -> Any:
    """doc validated as `model`, or 422 naming the first problem."""
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "body"
        raise ApiError(422, f"Invalid JSON at {where}: {err['msg']}; see /docs for the expected "
                            "shape.") from None


def to_image(payload: Payload, s: ServeSettings) -> Decoded:
    """The decoded image of a payload (CPU work: run it on a worker thread)."""
    return payload if isinstance(payload, np.ndarray) else open_image(payload, s)


def _from_json(body: bytes, s: ServeSettings, allow_pixels: bool) -> Payload:
    """The image of a JSON body: {"image": base64} or (where allowed) {"pixels": 28x28}."""
    try:
        doc = json.loads(body)
    except RecursionError:
        raise ApiError(400, "The JSON is nested too deeply; send a flat object such as "
                            '{"image": "<base64 PNG>"}.') from None
    except (ValueError, UnicodeDecodeError):
        pixels = ' or {"pixels": [[...28 rows of 28 ints...]]}' if allow_pixels else ""
        raise ApiError(400, f'The body is not JSON; send {{"image": "<base64 PNG>"}}{pixels}.') from None
    if isinstance(doc, dict) and "pixels" in doc and allow_pixels:
        return np.asarray(_validated(PixelsJson, doc).pixels, dtype=np.uint8)  # (28, 28)
    if not isinstance(doc, dict) or "image" not in doc:
        forms = '{"image": "<base64>"}' + (' or {"pixels": [[28 rows of 28 ints]]}' if allow_pixels else "")
        raise ApiError(422, f"The JSON must be an object {forms}.")
    text = _validated(ImageJson, doc).image
    if len(text) > s.max_upload_bytes * 4 // 3 + 256:
        raise too_large("base64 image", len(text), s.max_upload_bytes * 4 // 3 + 256, "characters")
    return _b64(text)


def _b64(text: str) -> bytes:
    """Bytes of base64 text with an optional data-URL prefix; 400 when it is not base64."""
    if text.startswith("data:"):
        text = text.partition(",")[2]
    text = "".join(text.split())
    try:  # padding may be left off, as many encoders (and base64url users) do
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "The 'image' field is not valid base64; send base64 of the file's bytes, "
                            "optionally prefixed with 'data:image/png;base64,'.") from None


def open_image(data: bytes, s: ServeSettings) -> Image.Image:
    """Decode PNG/JPEG/WebP/BMP/GIF bytes after checking the header's size against the limits."""
    if not data:
        raise ApiError(400, "The image is empty (0 bytes); send the bytes of a PNG, JPEG, WebP, BMP or GIF.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=FORMATS)
            _check_size(img.size, s)
            img.load()
    except ApiError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ApiError(413, f"The image's pixel count is far over the limit of {s.max_pixels:,}; "
                            "send a smaller image.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ApiError(400, f"The image cannot be decoded ({error_reason(exc)}); send a complete PNG, JPEG, "
                            "WebP, BMP or GIF file.") from None
    return img


def _check_size(size: tuple[int, int], s: ServeSettings) -> None:
    """Refuse image dimensions over the limits (from the header, before decoding)."""
    w, h = size
    if w * h > s.max_pixels:
        raise too_large(f"image ({w}x{h})", w * h, s.max_pixels, "pixels")
    if max(w, h) > s.max_side:
        raise too_large(f"image's longest side ({w}x{h})", max(w, h), s.max_side, "pixels")
    if min(w, h) < 1:
        raise ApiError(400, f"The image is {w}x{h} pixels; send an image with at least one pixel.")
