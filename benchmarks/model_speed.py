"""The model alone: a network in onnxruntime (float and int8) against torch eager, batch 1 and 64.

Used by serve_load.py, which prints these timings beside the service's own under load.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from harness import per_call


def model_alone(threads: int, seconds: float, served: bytes) -> dict[str, Any]:
    """The baseline network in onnxruntime and torch eager, and the served ONNX model, batch 1 and 64."""
    import torch

    from inkread.export.graph import graph_bytes
    from inkread.export.metadata import INPUT_NAME
    from inkread.export.runtime import make_session
    from inkread.models.baseline import Baseline

    torch.manual_seed(0)
    torch.set_num_threads(threads)
    net = Baseline(10).eval()
    fp32 = graph_bytes(net)
    served_session = make_session(served, threads)  # the file `inkread serve` loaded, same settings
    sessions = {"ort": make_session(fp32, threads), "int8": make_session(int8_graph(fp32), threads)}
    out: dict[str, Any] = {"threads": threads}
    for batch in (1, 64):
        x = np.random.default_rng(0).standard_normal((batch, 1, 28, 28)).astype(np.float32)
        out[f"batch{batch}"] = compare(net, sessions, x, seconds)
        feed = {INPUT_NAME: x}
        out[f"batch{batch}"]["served_ms"] = round(per_call(partial(served_session.run, None, feed),
                                                        seconds) * 1000, 4)
    return out


def int8_graph(fp32: bytes) -> bytes:
    """The export's int8 quantisation (`inkread export --quantize`) of a graph, calibrated on MNIST."""
    from inkread.data.catalog import load_dataset
    from inkread.export.quantize import int8_bytes

    return int8_bytes(fp32, load_dataset("mnist").train.images[:256], 0.1307, 0.3081, {})


def compare(net: Any, sessions: dict[str, Any], x: np.ndarray, seconds: float) -> dict[str, float]:
    """Milliseconds per call of the same network on the same batch: onnxruntime (float, int8), torch eager."""
    import torch

    from inkread.export.metadata import INPUT_NAME

    xt, feed = torch.from_numpy(x), {INPUT_NAME: x}
    with torch.inference_mode():
        diff = float(np.abs(net(xt).numpy() - sessions["ort"].run(None, feed)[0]).max())
        eager = per_call(lambda: net(xt), seconds)
    ms = {k: per_call(partial(s.run, None, feed), seconds) * 1000 for k, s in sessions.items()}
    return {"ort_ms": round(ms["ort"], 4), "torch_ms": round(eager * 1000, 4),
            "int8_ms": round(ms["int8"], 4), "speedup": round(eager * 1000 / ms["ort"], 2),
            "max_abs_diff": diff}
