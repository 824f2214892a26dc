"""What the endpoints compute: one character's recognition, or a line's reading, from an image."""

from __future__ import annotations

from typing import Any

import numpy as np

from inkread.core.errors import InkreadError
from inkread.export.runtime import OnnxModel, load_onnx
from inkread.preprocess import preprocess
from inkread.read.reader import REJECTED, Reading, read_line
from inkread.serve.decode import Decoded, Payload, to_image
from inkread.serve.errors import ApiError
from inkread.serve.monitor import Monitor
from inkread.serve.settings import ServeSettings

RECOGNIZE, READ = "/v1/recognize", "/v1/read"


def model_info(model: OnnxModel) -> dict[str, str]:
    """The model's name and hash, as every answer carries them."""
    return {"name": model.name, "sha256": model.sha256}


def recognize(model: OnnxModel, monitor: Monitor, image: Decoded) -> dict[str, Any]:
    """Preprocess one character and classify it; blank and rejected answers as the API describes."""
    x = preprocess(image)  # (28, 28) uint8 or None
    base = {"threshold": model.threshold, "model": model_info(model)}
    if x is None:
        monitor.blank_input(RECOGNIZE)
        return {"label": "", "rejected": False, "blank": True, "confidence": 0.0,
                "probabilities": dict.fromkeys(model.classes, 0.0), "top3": [], "input": None, **base}
    probs = model.classify(x[None])[0]  # (K,)
    order = np.argsort(-probs, kind="stable")[:3]
    best, confidence = model.classes[int(order[0])], float(probs[order[0]])
    rejected = confidence < model.threshold
    monitor.character(RECOGNIZE, best, confidence, rejected)
    monitor.model_input(x, int(order[0]))
    return {"label": REJECTED if rejected else best, "rejected": rejected, "blank": False,
            "confidence": round(confidence, 6),
            "probabilities": {c: round(float(p), 6) for c, p in zip(model.classes, probs, strict=True)},
            "top3": [[model.classes[int(k)], round(float(probs[k]), 6)] for k in order],
            "input": x.tolist(), **base}


def open_reader(model_path: str, settings_json: str) -> tuple[OnnxModel, ServeSettings]:
    """What a sandbox child reads lines with: the model and the limits, loaded once."""
    settings = ServeSettings.model_validate_json(settings_json)
    return load_onnx(model_path, threads=settings.threads), settings


def read_job(reader: tuple[OnnxModel, ServeSettings], payload: Payload) -> Reading:
    """Decode and read a line of characters (in a sandbox child: it can be stopped)."""
    model, settings = reader
    try:
        return read_line(to_image(payload, settings), model.classify, model.classes, model.threshold)
    except InkreadError as exc:  # the preprocessing refused the image (e.g. too many marks)
        raise ApiError(400, f"The image cannot be used: {exc.render()}") from None


def answer_read(model: OnnxModel, monitor: Monitor, line: Reading) -> dict[str, Any]:
    """The answer to a line read, counted by the monitor."""
    if not line.chars:
        monitor.blank_input(READ)
    read = [c for c in line.chars if c.kind != "punct"]  # punctuation is told by shape, not read
    for i, c in enumerate(read):  # line.inputs holds these characters' model inputs, in order
        best = c.top3[0][0]
        monitor.character(READ, best, c.confidence, c.rejected)
        if line.inputs is not None:  # a line's characters count for drift as single ones do
            monitor.model_input(line.inputs[i], model.classes.index(best))
    return {**line.to_dict(), "threshold": model.threshold, "model": model_info(model)}
