"""Export a trained checkpoint as ONNX, and run such an export without torch.

`inkread.export.runtime` (onnxruntime and numpy only) is the serving path; the exporter itself
imports torch lazily, so importing this package stays light.
"""

from __future__ import annotations

from pathlib import Path

from inkread.export.result import ExportResult, QuantizeResult

__all__ = ["ExportResult", "QuantizeResult", "export_checkpoint"]


def export_checkpoint(checkpoint: str | Path, out: str | Path, *, quantize: bool = False,
                      parity_images: int = 1000) -> ExportResult:
    """Export a run's checkpoint as ONNX to `out` after checking it against torch on test images."""
    from inkread.export.onnx_export import export_checkpoint as export

    return export(checkpoint, out, quantize=quantize, parity_images=parity_images)
