"""Request and response shapes of the HTTP API (they also make the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Pixel = Annotated[int, Field(ge=0, le=255)]
Row = Annotated[list[Pixel], Field(min_length=28, max_length=28)]


class ImageJson(BaseModel):
    """An image as base64 text (PNG, JPEG, WebP, BMP or GIF); a data-URL prefix is allowed."""

    model_config = ConfigDict(extra="forbid", strict=True)
    image: str = Field(min_length=1, description="base64 image, e.g. 'data:image/png;base64,iVBORw0...'")


class PixelsJson(BaseModel):
    """A 28x28 grey image as rows of 0..255 integers, in either polarity."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "7" and true are no pixels
    pixels: list[Row] = Field(min_length=28, max_length=28, description="28 rows of 28 integers 0..255")


class ModelInfo(BaseModel):
    """Which model answered."""

    name: str
    sha256: str


class Recognition(BaseModel):
    """The reading of one character."""

    label: str = Field(description='the best class; "?" when rejected, "" when blank')
    rejected: bool = Field(description="confidence is below the threshold")
    blank: bool = Field(description="the image has no ink")
    confidence: float = Field(ge=0.0, le=1.0)
    probabilities: dict[str, float] = Field(description="calibrated probability of every class")
    top3: list[tuple[str, float]]
    input: list[list[int]] | None = Field(description="the 28x28 input the model saw; null when blank")
    threshold: float
    model: ModelInfo


class CharReading(BaseModel):
    """One character of a line."""

    box: tuple[int, int, int, int] = Field(description="x0, y0, x1, y1 in image pixels, ends exclusive")
    label: str
    confidence: float
    top3: list[tuple[str, float]]
    rejected: bool
    kind: Literal["digit", "letter", "punct", "unknown"] = Field(
        description="what the mark is: a character the model read, punctuation told by its shape "
                    "(. , - /), or a character it could not read (\"?\")")


class LineReading(BaseModel):
    """The reading of a line of characters, left to right; rejected characters are "?" in text."""

    text: str
    chars: list[CharReading]
    threshold: float
    model: ModelInfo


class ErrorBody(BaseModel):
    """A refused request: one sentence naming what was wrong, what is expected and the fix."""

    detail: str


class Status(BaseModel):
    """Liveness or readiness."""

    status: str
    model: ModelInfo | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The image could not be decoded, or the body is malformed."},
    408: {"model": ErrorBody, "description": "The body arrived too slowly."},
    413: {"model": ErrorBody, "description": "The body or the image's pixel count is over the limit."},
    415: {"model": ErrorBody, "description": "Unsupported content type."},
    422: {"model": ErrorBody, "description": "The JSON has the wrong shape."},
    503: {"model": ErrorBody, "description": "The request took longer than the processing timeout."},
}
