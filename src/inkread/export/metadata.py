"""The metadata an inkread ONNX file carries, as ONNX string properties, and its reading back."""

from __future__ import annotations

import json
from typing import Any

from inkread.core.errors import InkreadError

FORMAT = "inkread-onnx/1"
INPUT_NAME, OUTPUT_NAME = "input", "logits"
INPUT_DOC = "float32 (N, 1, 28, 28): uint8 white-on-black pixels / 255, minus mean, divided by std"
OUTPUT_DOC = "logits (N, K); probabilities = softmax(logits / temperature); reject below threshold"

REQUIRED = ("classes", "mean", "std", "temperature", "threshold", "preprocess_version", "train_stats")


def encode(fields: dict[str, Any]) -> dict[str, str]:
    """Every value as an ONNX metadata string: strings as they are, everything else as JSON."""
    base = {"format": FORMAT, "input": INPUT_DOC, "output": OUTPUT_DOC}
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in {**base, **fields}.items()}


def decode(props: dict[str, str], where: str) -> dict[str, Any]:
    """The typed fields of an inkread export's metadata; refuses other ONNX files."""
    if props.get("format") != FORMAT:
        raise InkreadError(f"not an inkread model export (format {props.get('format')!r})", where=where,
                           expected=f"an ONNX file written by `inkread export` (format {FORMAT})",
                           fix="export the training run with `inkread export RUN -o model.onnx`")
    missing = [k for k in REQUIRED if k not in props]
    if missing:
        raise InkreadError(f"the export's metadata lacks {', '.join(missing)}", where=where,
                           fix="export the training run again with `inkread export`")
    try:
        out = {k: json.loads(props[k]) for k in ("classes", "mean", "std", "temperature", "threshold",
                                                  "train_stats")}
    except ValueError as exc:
        raise InkreadError(f"the export's metadata is damaged ({exc})", where=where,
                           fix="export the training run again with `inkread export`") from None
    out["preprocess_version"] = props["preprocess_version"]
    return out
