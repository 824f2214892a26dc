"""The ONNX bytes of a torch classifier, and the inkread metadata written into them."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import onnx
import torch
from torch import nn

import inkread
from inkread.export import metadata as meta

OPSET = 17


def graph_bytes(model: nn.Module, opset: int = OPSET) -> bytes:
    """The model as an ONNX graph: input float32 (N, 1, 28, 28) normalised, output logits (N, K)."""
    with tempfile.TemporaryDirectory(prefix="inkread-export-") as tmp, warnings.catch_warnings(), \
            torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        path = Path(tmp, "model.onnx")
        # dynamo=False: the TorchScript exporter needs no onnxscript and handles these plain CNNs
        torch.onnx.export(model.eval(), (torch.zeros(2, 1, 28, 28),), str(path),
                          input_names=[meta.INPUT_NAME], output_names=[meta.OUTPUT_NAME], opset_version=opset,
                          dynamo=False,
                          dynamic_axes={meta.INPUT_NAME: {0: "batch"}, meta.OUTPUT_NAME: {0: "batch"}})
        return path.read_bytes()


def with_metadata(data: bytes, metadata: dict[str, str]) -> bytes:
    """The ONNX model `data` with its metadata properties replaced by `metadata`, checked."""
    proto = onnx.load_from_string(data)
    del proto.metadata_props[:]
    for key, value in sorted(metadata.items()):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name, proto.producer_version = "inkread", inkread.__version__
    proto.doc_string = f"inkread classifier {metadata.get('name', '')}: {meta.OUTPUT_DOC}"
    onnx.checker.check_model(proto)
    return bytes(proto.SerializeToString())
