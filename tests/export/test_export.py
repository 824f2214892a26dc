"""ONNX export: parity with torch, metadata, calibration, refusal on mismatch, int8, and the CLI."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch

from inkread.core.calibration import softmax
from inkread.core.errors import InkreadError
from inkread.export import onnx_export as ox
from inkread.export.graph import graph_bytes
from inkread.export.metadata import INPUT_NAME
from inkread.export.onnx_export import export_checkpoint
from inkread.export.result import ExportResult
from inkread.export.runtime import from_bytes, load_onnx, make_session
from inkread.models import build_model, model_names
from inkread.registry.loader import load_model
from inkread.train.checkpoint import load_checkpoint
from tests.conftest import run_cli
from tests.support.mnist import Mnist


def test_export_matches_torch_and_carries_its_metadata(exported: ExportResult, run_dir: Path) -> None:
    data = exported.path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == exported.sha256
    assert exported.parity_images >= 1000 and exported.max_abs_diff <= 1e-4
    reader = load_model(run_dir)
    m = load_onnx(exported.path)
    ckpt = json.loads((run_dir / "checkpoint.json").read_text())
    assert m.classes == ckpt["classes"] and m.mean == pytest.approx(ckpt["mean"])
    assert m.std == pytest.approx(ckpt["std"]) and m.preprocess_version
    assert (m.temperature, m.threshold) == pytest.approx((reader.temperature, reader.threshold))
    assert 0.0 < m.threshold < 1.0 and m.temperature > 0.0
    assert set(m.train_stats["features"]) >= {"ink_ratio", "bbox_height", "bbox_width", "mean_intensity"}
    prior = m.train_stats["class_prior"]
    assert len(prior) == 10 and sum(prior) == pytest.approx(1, abs=1e-4)
    proto = onnx.load_from_string(data)
    assert max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")) >= 17
    batch_dim = proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch_dim.dim_param and not batch_dim.dim_value  # dynamic batch


def test_runtime_gives_torch_probabilities_for_any_batch_size(exported: ExportResult, run_dir: Path,
                                                              mnist: Mnist) -> None:
    reader = load_model(run_dir)
    m = load_onnx(exported.path)
    x = mnist.test.images[-64:]
    want = reader.classify(x)
    for n in (1, 7, 64):
        got = m.classify(x[:n])
        assert got.shape == (n, 10) and np.abs(got - want[:n]).max() <= 1e-4
    assert m.classify(x[:0]).shape == (0, 10)
    assert np.mean(m.classify(mnist.test.images[:1000]).argmax(1) == mnist.test.labels[:1000]) > 0.97


def test_int8_copy_is_measured_and_close(exported: ExportResult) -> None:
    q = exported.quantized
    assert q is not None and q.path.name == "model.int8.onnx"
    assert hashlib.sha256(q.path.read_bytes()).hexdigest() == q.sha256
    assert q.images == 2000 and q.agreement > 0.98 and q.accuracy_change > -0.01
    assert q.ms_per_batch_fp32 > 0 and q.ms_per_batch_int8 > 0 and q.speedup > 0
    m = load_onnx(q.path)
    assert m.metadata["quantized"] == "int8" and m.classes == load_onnx(exported.path).classes
    ops = {n.op_type for n in onnx.load(str(q.path)).graph.node}
    assert "QuantizeLinear" in ops and "DequantizeLinear" in ops


def test_a_parity_failure_refuses_and_leaves_the_old_file(run_dir: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "model.onnx"
    out.write_bytes(b"previous export")
    monkeypatch.setattr(ox, "PARITY_TOLERANCE", -1.0)  # any difference, even 0, now counts as a mismatch
    with pytest.raises(InkreadError, match="disagrees with the torch model"):
        export_checkpoint(run_dir, out, parity_images=1000)
    assert out.read_bytes() == b"previous export" and list(tmp_path.iterdir()) == [out]


def test_check_parity_catches_a_changed_prediction() -> None:
    p = np.array([[0.6, 0.4], [0.2, 0.8]])
    assert ox.check_parity(p, p + 1e-6, "x") == pytest.approx(1e-6)
    flipped = np.array([[0.49999, 0.50001], [0.2, 0.8]])  # |Δ| ~0.1, and the first answer changes
    with pytest.raises(InkreadError, match="1 changed predictions"):
        ox.check_parity(p, flipped, "x")


def test_runtime_refuses_files_that_are_not_inkread_exports(run_dir: Path, tmp_path: Path) -> None:
    module, _ = load_checkpoint(run_dir)
    with pytest.raises(InkreadError, match="not an inkread model export"):
        from_bytes(graph_bytes(module))  # a valid ONNX graph without inkread's metadata
    (tmp_path / "junk.onnx").write_bytes(b"not onnx at all")
    with pytest.raises(InkreadError, match="not a loadable ONNX model"):
        load_onnx(tmp_path / "junk.onnx")
    with pytest.raises(InkreadError, match="no such model file"):
        load_onnx(tmp_path / "missing.onnx")


def test_cli_exports_fitting_the_calibration_a_checkpoint_lacks(run_dir: Path, tmp_path: Path) -> None:
    run = shutil.copytree(run_dir, tmp_path / "run", ignore=shutil.ignore_patterns("events.*", "report*"))
    doc = json.loads((run / "checkpoint.json").read_text())
    for key in ("temperature", "threshold", "calibration"):
        doc.pop(key, None)
    (run / "checkpoint.json").write_text(json.dumps(doc))
    out = tmp_path / "cli.onnx"
    proc = run_cli("export", str(run), "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["path"] == str(out) and summary["parity_images"] == 1000
    assert summary["max_abs_diff"] <= 1e-4
    assert hashlib.sha256(out.read_bytes()).hexdigest() == summary["sha256"]
    assert summary["calibration"].startswith("fitted at export on the validation split (6000 images)")
    assert summary["temperature"] != 1.0 and 0.5 < summary["threshold"] < 1.0
    assert load_onnx(out).threshold == summary["threshold"]


def test_cli_refuses_a_missing_run(tmp_path: Path) -> None:
    bad = run_cli("export", str(tmp_path / "no-run"), "-o", str(tmp_path / "x.onnx"))
    assert bad.returncode == 2 and "no checkpoint found" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "x.onnx").exists()


@pytest.mark.parametrize("name", model_names())
def test_every_model_family_exports_with_onnxruntime_parity(name: str) -> None:
    torch.manual_seed(0)
    model = build_model(name, 10).eval()
    for m in model.modules():  # non-trivial batch-norm statistics, as after training
        if isinstance(m, torch.nn.BatchNorm2d):
            assert m.running_mean is not None and m.running_var is not None  # tracked by default
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
    x = torch.rand(7, 1, 28, 28)
    with torch.no_grad():
        expected = torch.softmax(model(x), 1).double().numpy()
    session = make_session(graph_bytes(model))
    logits = session.run(None, {INPUT_NAME: x.numpy()})[0]
    assert ox.check_parity(expected, softmax(logits.astype(np.float64)), name) <= ox.PARITY_TOLERANCE
