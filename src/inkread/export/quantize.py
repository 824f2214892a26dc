"""Int8 quantisation of an export with onnxruntime, with its accuracy change and speed-up measured."""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from inkread.core.files import atomic_write_bytes
from inkread.core.scaling import model_input
from inkread.data.split import Splits
from inkread.export.graph import with_metadata
from inkread.export.metadata import INPUT_NAME
from inkread.export.result import QuantizeResult
from inkread.export.runtime import OnnxModel, from_bytes

CALIBRATION_IMAGES = 512  # training images the activation ranges are measured on
COMPARE_IMAGES = 10_000  # test images the int8 and float models are both scored on
TIMING_BATCH, TIMING_REPEATS = 256, 7


def _batches(images: np.ndarray, mean: float, std: float, size: int = 64) -> Iterator[dict[str, np.ndarray]]:
    """Normalised float32 model inputs (B, 1, 28, 28) from uint8 images (N, 28, 28)."""
    for i in range(0, len(images), size):
        yield {INPUT_NAME: model_input(images[i:i + size], mean, std)}


def int8_bytes(fp32: bytes, calibration: np.ndarray, mean: float, std: float,
               metadata: dict[str, str]) -> bytes:
    """Static QDQ int8 quantisation (per-channel weights) of an export, metadata kept, `quantized=int8`."""
    # onnxruntime's quantiser loads only for --quantize
    import onnx
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.it = _batches(calibration, mean, std)

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.it, None)

    with tempfile.TemporaryDirectory(prefix="inkread-int8-") as tmp:
        src, pre, dst = Path(tmp, "fp32.onnx"), Path(tmp, "pre.onnx"), Path(tmp, "int8.onnx")
        src.write_bytes(fp32)
        quant_pre_process(str(src), str(pre))  # shape inference and graph fusions before quantising
        quantize_static(str(pre), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                        op_types_to_quantize=["Conv", "Gemm", "MatMul"],
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
        data = onnx.load(str(dst)).SerializeToString()
    return with_metadata(data, {**metadata, "quantized": "int8"})


def _median_ms(model: OnnxModel, batch: np.ndarray) -> float:
    """Median milliseconds of model.logits on one batch (after one warm-up run)."""
    model.logits(batch)
    times = []
    for _ in range(TIMING_REPEATS):
        start = time.perf_counter()
        model.logits(batch)
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def compare(fp32: OnnxModel, int8: OnnxModel, images: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy of both models on images (N, 28, 28) with labels (N,), their agreement and batch times."""
    p32, p8 = fp32.logits(images).argmax(axis=1), int8.logits(images).argmax(axis=1)
    batch = images[:TIMING_BATCH]
    return {"images": len(images), "accuracy_fp32": float(np.mean(p32 == labels)),
            "accuracy_int8": float(np.mean(p8 == labels)), "agreement": float(np.mean(p32 == p8)),
            "ms_per_batch_fp32": _median_ms(fp32, batch), "ms_per_batch_int8": _median_ms(int8, batch),
            "batch": len(batch)}


def int8_path(out: Path) -> Path:
    """Where the int8 copy of an export goes: model.onnx -> model.int8.onnx."""
    return out.with_name(f"{out.stem}.int8{out.suffix or '.onnx'}")


def quantize_export(fp32: bytes, out: Path, splits: Splits, metadata: dict[str, str]) -> QuantizeResult:
    """Write the int8 copy beside `out` and measure it against the float export on the test split."""
    float_model = from_bytes(fp32, path=out)
    data = int8_bytes(fp32, splits.train.images[:CALIBRATION_IMAGES], float_model.mean, float_model.std,
                      metadata)
    path = int8_path(out)
    test = splits.test
    figures = compare(float_model, from_bytes(data, path=path), test.images[:COMPARE_IMAGES],
                      test.labels[:COMPARE_IMAGES])
    atomic_write_bytes(path, data)
    return QuantizeResult(path=path, sha256=hashlib.sha256(data).hexdigest(), **figures)  # type: ignore[arg-type]
