"""The OpenAPI description of the image request bodies (the routes read the body themselves)."""

from __future__ import annotations

from typing import Any

from inkread.serve.schemas import ImageJson, PixelsJson
from inkread.serve.settings import ServeSettings

IMAGE_TYPES = "image/png, image/jpeg, image/webp, image/bmp, image/gif"


def request_body(s: ServeSettings, allow_pixels: bool) -> dict[str, Any]:
    """requestBody of an image route: multipart `file`, JSON base64 image, and (one character) pixels."""
    image = ImageJson.model_json_schema()
    image["properties"]["image"]["maxLength"] = s.max_upload_bytes * 4 // 3 + 256
    json_schema = {"oneOf": [image, PixelsJson.model_json_schema()]} if allow_pixels else image
    limits = (f"At most {s.max_upload_bytes:,} bytes, {s.max_pixels:,} pixels and {s.max_side:,} pixels "
              f"a side; processing times out after {s.request_timeout_s:g} s.")
    return {
        "required": True,
        "description": limits,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"],
                           "properties": {"file": {"type": "string", "format": "binary",
                                                   "description": f"the image ({IMAGE_TYPES})"}}},
                "encoding": {"file": {"contentType": IMAGE_TYPES}},
            },
            "application/json": {"schema": json_schema},
        },
    }
