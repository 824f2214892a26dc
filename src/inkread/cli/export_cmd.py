"""`inkread export CHECKPOINT -o model.onnx`: the model as ONNX, checked against torch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from inkread.cli.output import console, print_json
from inkread.cli.train_cmd import passive_openmp
from inkread.core.errors import InkreadError

Checkpoint = Annotated[Path, typer.Argument(help="A training run (its folder or checkpoint.json).")]
Out = Annotated[Path, typer.Option("--out", "-o", help="Where to write the ONNX file.")]
Quantize = Annotated[bool, typer.Option("--quantize", help="Also write an int8 copy (model.int8.onnx) and "
                                        "measure its accuracy change and speed-up.")]
Parity = Annotated[int, typer.Option("--parity-images", min=1, help="Test images the export must match "
                                     "torch on (max |Δp| <= 1e-4, identical predictions).")]
Json = Annotated[bool, typer.Option("--json", help="Print a machine-readable JSON result.")]


def export_cmd(checkpoint: Checkpoint, out: Out, quantize: Quantize = False, parity_images: Parity = 1000,
               json: Json = False) -> None:
    """Export a checkpoint as ONNX (opset 17, dynamic batch) with labels, normalisation and calibration."""

    if not checkpoint.exists():  # say so before the seconds spent importing torch
        raise InkreadError("no checkpoint found", where=checkpoint, expected="a run folder containing "
                           "checkpoint.json, or that file itself", fix="pass the folder printed by `inkread "
                           "train` (runs/<run-name>)")
    passive_openmp()
    # torch loads here, after passive_openmp, and never for --help
    from inkread.export.onnx_export import export_checkpoint

    result = export_checkpoint(checkpoint, out, quantize=quantize, parity_images=parity_images)
    m = result.metadata
    summary: dict[str, Any] = {
        "path": str(result.path), "sha256": result.sha256, "max_abs_diff": result.max_abs_diff,
        "parity_images": result.parity_images, "classes": m["classes"],
        "temperature": float(m["temperature"]), "threshold": float(m["threshold"]),
        "calibration": m["calibration"]}
    q = result.quantized
    if q is not None:
        summary["int8"] = {"path": str(q.path), "sha256": q.sha256, "images": q.images,
                           "accuracy_fp32": q.accuracy_fp32, "accuracy_int8": q.accuracy_int8,
                           "accuracy_change": q.accuracy_change, "agreement": q.agreement,
                           "batch": q.batch, "ms_per_batch_fp32": round(q.ms_per_batch_fp32, 3),
                           "ms_per_batch_int8": round(q.ms_per_batch_int8, 3), "speedup": round(q.speedup, 3)}
    if json:
        print_json(summary)
        return
    _print(summary)


def _print(s: dict[str, Any]) -> None:
    """Human-readable summary of an export."""
    say = lambda text: console.print(text, highlight=False, soft_wrap=True)  # noqa: E731
    say(f"[bold]wrote[/] {s['path']}  sha256 {s['sha256'][:16]}…")
    say(f"  parity with torch on {s['parity_images']} test images: max |Δp| {s['max_abs_diff']:.2e}, "
        "identical predictions")
    say(f"  temperature {s['temperature']:.4f}, reject threshold {s['threshold']:.4f} ({s['calibration']})")
    q = s.get("int8")
    if q:
        say(f"[bold]wrote[/] {q['path']}  (int8)")
        say(f"  accuracy on {q['images']} test images: {q['accuracy_fp32']:.2%} float, "
            f"{q['accuracy_int8']:.2%} int8 ({q['accuracy_change']:+.2%}); "
            f"{q['agreement']:.2%} same predictions")
        say(f"  batch of {q['batch']}: {q['ms_per_batch_fp32']:.2f} ms float, "
            f"{q['ms_per_batch_int8']:.2f} ms int8 ({q['speedup']:.2f}x)")
