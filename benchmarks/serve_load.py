"""Load on `inkread serve` over loopback, and the model alone: onnxruntime against torch eager.

Usage: .venv/bin/python benchmarks/serve_load.py [--quick] [--model model.onnx] [--clients 16]
       [--seconds 20] [--workers CORES] [--threads 1] [--max-requests N] [--soak SECONDS] [--json]

Starts `inkread serve` itself on a free loopback port (with --model, or a model trained here with
the fast recipe for one epoch and exported). N clients, each on its own keep-alive connection, send
requests back to back for T seconds (or until --max-requests): first the cheapest valid form
(JSON 28x28 `pixels` of MNIST test digits), then the page's form (JSON base64 PNG, 280x280 dark ink
on white). The client is a minimal HTTP/1.1 writer/reader on asyncio (prebuilt request bytes, no
JSON work per request) because it shares the machine's cores with the server; its CPU use is printed.
Then, in the same process, the `baseline` network (untrained: weights do not change speed) runs
through onnxruntime (the service's session settings; its int8 quantisation shown for information)
and in torch eager, batch 1 and 64, on the same number of threads; the served model's own time
through onnxruntime is printed beside them. `--soak SECONDS` instead runs
the load that long and samples the server's resident memory (all its processes) every few seconds:
start, end, max and the slope.
Targets: >= 1,000 requests/s, p99 <= 25 ms, 0 errors; onnxruntime >= 5x torch eager (batch 1, the
service's case); soak: memory slope <= 0.5 MiB/min after the first fifth (flat).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from harness import verdict
from http_load import load, request_bytes, status_of, tree_stat  # beside this script
from model_speed import model_alone

REPO = Path(__file__).resolve().parents[1]
TARGET_RPS, TARGET_P99_MS, TARGET_SPEEDUP, TARGET_SLOPE = 1000.0, 25.0, 5.0, 0.5
DIGITS = 64  # distinct MNIST test digits cycled through the requests


def cli(*args: str) -> None:
    """Run `python -m inkread ARGS`; stop with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "inkread", *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"inkread {' '.join(args)} failed:\n{done.stdout}{done.stderr}")


def prepare_model(given: str | None, folder: Path) -> Path:
    """The ONNX file to serve: the given one, or the fast recipe trained for one epoch and exported."""
    if given:
        return Path(given)
    print("training the fast recipe (1 epoch) and exporting it ...", flush=True)
    cli("train", "--config", "configs/fast.yaml", "--set", "train.epochs=1", "--set", f"run.out_dir={folder}",
        "--set", "run.name=bench")
    out = folder / "model.onnx"
    cli("export", str(folder / "bench"), "-o", str(out))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(model: Path, workers: int, threads: int) -> Iterator[tuple[int, int]]:
    """`inkread serve` on a free loopback port; yields (pid, port) once /readyz answers 200."""
    port = free_port()
    cmd = [sys.executable, "-m", "inkread", "serve", "--model", str(model), "--port", str(port),
           "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "OMP_NUM_THREADS": "1"})
        try:
            deadline = time.monotonic() + 90
            while asyncio.run(status_of(port, "/readyz")) != 200:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    sys.exit(f"inkread serve did not get ready:\n{log.read().decode(errors='replace')}")
                time.sleep(0.3)
            yield proc.pid, port
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def bodies(form: str) -> list[dict[str, Any]]:
    """Request bodies of MNIST test digits: 28x28 `pixels`, or a 280x280 PNG like the page sends."""
    from PIL import Image

    from inkread.data.catalog import load_dataset

    test = load_dataset("mnist").test_split()
    images = test.images[:DIGITS]
    if form == "pixels":
        return [{"pixels": x.tolist()} for x in images]
    out = []
    for x in images:
        buf = io.BytesIO()
        Image.fromarray(255 - x).resize((280, 280), Image.Resampling.BILINEAR).save(buf, "PNG")
        out.append({"image": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()})
    return out


def measure(pid: int, port: int, requests: list[bytes], args: argparse.Namespace,
            seconds: float) -> dict[str, Any]:
    """Warm up, then load for `seconds`; throughput, latency percentiles, errors and CPU use."""
    asyncio.run(load(port, requests, args.clients, min(2.0, seconds / 5), 10**9))
    server0, client0, wall0 = tree_stat(pid)[0], time.process_time(), time.perf_counter()
    tally = asyncio.run(load(port, requests, args.clients, seconds, args.max_requests))
    wall = time.perf_counter() - wall0
    server_cpu = tree_stat(pid)[0] - server0
    ms = np.array(tally.latencies) * 1000
    pct = np.percentile(ms, [50, 90, 99]) if len(ms) else np.full(3, np.nan)
    return {"requests": len(ms), "seconds": round(wall, 2), "rps": round(len(ms) / wall, 1),
            "p50_ms": round(float(pct[0]), 2), "p90_ms": round(float(pct[1]), 2),
            "p99_ms": round(float(pct[2]), 2), "errors": sum(tally.errors.values()),
            "error_kinds": tally.errors, "request_bytes": len(requests[0]),
            "client_cpu": round((time.process_time() - client0) / wall, 2),
            "server_cpu": round(server_cpu / wall, 2),
            "server_cpu_ms_per_request": round(server_cpu * 1000 / max(len(ms), 1), 2)}


def show_load(name: str, r: dict[str, Any]) -> None:
    print(f"  {name:<22} {r['rps']:>8,.0f} req/s  p50 {r['p50_ms']:6.2f} ms  p90 {r['p90_ms']:6.2f} ms  "
          f"p99 {r['p99_ms']:6.2f} ms  errors {r['errors']}  ({r['requests']:,} in {r['seconds']} s, "
          f"{r['request_bytes']:,} B each; CPU cores busy: server {r['server_cpu']}, "
          f"client {r['client_cpu']})")
    ceiling = (os.cpu_count() or 1) * 1000 / max(r["server_cpu_ms_per_request"], 1e-3)
    print(f"    server CPU per request {r['server_cpu_ms_per_request']:.2f} ms: at most ~{ceiling:,.0f} "
          f"req/s with all {os.cpu_count()} cores idle and given to the server")
    if r["error_kinds"]:
        print(f"    errors: {r['error_kinds']}")


async def soak(pid: int, port: int, requests: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """Load for --soak seconds while sampling the server's resident memory every --sample-every seconds."""
    start = time.perf_counter()
    task = asyncio.create_task(load(port, requests, args.clients, args.soak, 10**12))
    samples: list[tuple[float, float]] = []
    while not task.done():
        samples.append((time.perf_counter() - start, tree_stat(pid)[1]))
        await asyncio.wait([task], timeout=args.sample_every)
    samples.append((time.perf_counter() - start, tree_stat(pid)[1]))
    tally = task.result()
    t, mib = np.array(samples).T
    settled = t >= t[-1] / 5  # the first fifth is warm-up (allocator pools, caches)
    slope = float(np.polyfit(t[settled] / 60, mib[settled], 1)[0]) if settled.sum() >= 2 else float("nan")
    return {"seconds": round(float(t[-1]), 1), "requests": len(tally.latencies),
            "errors": sum(tally.errors.values()), "start_mib": round(float(mib[0]), 1),
            "end_mib": round(float(mib[-1]), 1), "max_mib": round(float(mib.max()), 1),
            "slope_mib_per_min": round(slope, 3), "samples": len(samples)}


def run_soak(pid: int, port: int, requests: list[bytes], args: argparse.Namespace) -> dict[str, Any]:
    """The soak and its report."""
    print(f"soak: {args.clients} clients for {args.soak:g} s, memory sampled every {args.sample_every:g} s")
    r = asyncio.run(soak(pid, port, requests, args))
    print(f"  resident memory (server, all processes): start {r['start_mib']} MiB, end {r['end_mib']} MiB, "
          f"max {r['max_mib']} MiB, slope {r['slope_mib_per_min']:+.3f} MiB/min after the first fifth "
          f"({r['samples']} samples)")
    print(f"  {r['requests']:,} requests, {r['errors']} errors, {r['requests'] / r['seconds']:,.0f} req/s")
    print(f"{verdict(abs(r['slope_mib_per_min']) <= TARGET_SLOPE)}  memory flat: |slope| <= "
          f"{TARGET_SLOPE} MiB/min")
    print(f"{verdict(r['errors'] == 0)}  0 errors")
    return r


def run_load(pid: int, port: int, args: argparse.Namespace) -> dict[str, Any]:
    """Both request forms under load, and their report."""
    print(f"load: {args.clients} clients, {args.seconds:g} s per form, server --workers {args.workers} "
          f"--threads {args.threads}; {os.cpu_count()} CPU cores shared by server and client (a raw "
          "keep-alive HTTP/1.1 client on asyncio, prebuilt requests, to leave the cores to the server)")
    print("  load average before the run: {:.1f} {:.1f} {:.1f} (other jobs on the machine take cores too)"
          .format(*os.getloadavg()))
    out = {}
    for form, name in [("pixels", "JSON pixels (28x28)"), ("png", "JSON PNG (280x280)")]:
        requests = [request_bytes(port, b) for b in bodies(form)]
        out[form] = measure(pid, port, requests, args, args.seconds if form == "pixels" else args.seconds / 2)
        show_load(name, out[form])
    r = out["pixels"]
    print(f"{verdict(r['rps'] >= TARGET_RPS)}  throughput >= {TARGET_RPS:,.0f} requests/s (pixels form)")
    print(f"{verdict(r['p99_ms'] <= TARGET_P99_MS)}  p99 latency <= {TARGET_P99_MS:g} ms (pixels form)")
    print(f"{verdict(r['errors'] == 0 and out['png']['errors'] == 0)}  0 errors (both forms)")
    return out


def run_model_alone(args: argparse.Namespace, served: Path) -> dict[str, Any]:
    """The inference comparison and its report."""
    r = model_alone(args.threads, 0.5 if args.quick else 2.0, served.read_bytes())
    print(f"model alone: the `baseline` network (1.2M parameters, untrained), {r['threads']} thread(s) each")
    for batch in (1, 64):
        b = r[f"batch{batch}"]
        print(f"  batch {batch:>2}: onnxruntime {b['ort_ms']:8.3f} ms  torch eager {b['torch_ms']:8.3f} ms  "
              f"-> {b['speedup']:.2f}x  (outputs differ by at most {b['max_abs_diff']:.1e}); "
              f"onnxruntime int8 {b['int8_ms']:.3f} ms -> {b['torch_ms'] / b['int8_ms']:.2f}x")
        print(f"            the served model ({served.name}) through onnxruntime {b['served_ms']:8.3f} ms -> "
              f"{b['torch_ms'] / b['served_ms']:.2f}x the baseline in torch eager")
    print(f"{verdict(r['batch1']['speedup'] >= TARGET_SPEEDUP)}  onnxruntime >= {TARGET_SPEEDUP:g}x torch "
          "eager at batch 1 (the service's case)")
    print(f"{verdict(r['batch64']['speedup'] >= TARGET_SPEEDUP)}  onnxruntime >= {TARGET_SPEEDUP:g}x torch "
          "eager at batch 64")
    return r


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", help="ONNX file from `inkread export` (default: train and export one here)")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=20.0, help="load per request form (the PNG form: half)")
    p.add_argument("--max-requests", type=int, default=1_000_000, help="stop a phase after this many")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="inkread serve --workers (default: one per core, as the README recommends)")
    p.add_argument("--threads", type=int, default=1, help="onnxruntime (and torch) threads per inference")
    p.add_argument("--quick", action="store_true", help="3 s of load per form, short timings")
    p.add_argument("--soak", type=float, metavar="SECONDS", help="only a soak of this length, memory sampled")
    p.add_argument("--sample-every", type=float, default=5.0, help="soak: seconds between memory samples")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = p.parse_args()
    if args.quick:
        args.seconds = 3.0
    with tempfile.TemporaryDirectory(prefix="inkread-serve-load-") as tmp:
        model = prepare_model(args.model, Path(tmp))
        with serving(model, args.workers, args.threads) as (pid, port):
            if args.soak:
                requests = [request_bytes(port, b) for b in bodies("pixels")]
                figures = {"soak": run_soak(pid, port, requests, args)}
            else:
                figures = {"load": run_load(pid, port, args)}
        if not args.soak:
            figures["model_alone"] = run_model_alone(args, model)
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
