"""What an export produced: the file, its hash, the parity found and the metadata it carries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class QuantizeResult:
    """The int8 copy of an export: where it is, and its accuracy and speed beside the float model."""

    path: Path
    sha256: str
    images: int  # test images both models were scored on
    accuracy_fp32: float
    accuracy_int8: float
    agreement: float  # fraction of those images where both models predict the same class
    ms_per_batch_fp32: float  # median time for one batch of `batch` images
    ms_per_batch_int8: float
    batch: int

    @property
    def accuracy_change(self) -> float:
        """int8 accuracy minus float accuracy (negative: int8 is worse)."""
        return self.accuracy_int8 - self.accuracy_fp32

    @property
    def speedup(self) -> float:
        """How many times faster the int8 model runs a batch."""
        return self.ms_per_batch_fp32 / max(self.ms_per_batch_int8, 1e-9)


@dataclass(frozen=True)
class ExportResult:
    """An ONNX export that passed the parity check against its torch model."""

    path: Path
    sha256: str
    max_abs_diff: float  # largest |p_torch - p_onnx| over the parity images and classes
    parity_images: int
    metadata: dict[str, str]
    quantized: QuantizeResult | None = None
