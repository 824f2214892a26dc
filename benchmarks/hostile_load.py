"""Normal traffic beside hostile traffic on `inkread serve`: latency, errors and memory, side by side.

Usage: .venv/bin/python benchmarks/hostile_load.py [--quick] [--model default] [--clients 16]
       [--seconds 15] [--workers CORES] [--json]

Starts `inkread serve` (the bundled model by default) on a free loopback port with its default limits.
Phase 1: N clients send single characters (JSON 28x28 `pixels` of MNIST test digits) for T seconds.
Phase 2: the same load while one more connection sends hostile requests back to back: a 4000x4000
random-noise PNG (2 MB) to /v1/read and /v1/recognize, a line of 450 speckled blobs (seconds of
segmentation), a line of 600 marks (refused), a 20000x20000 PNG bomb, a truncated PNG and a JSON
body nested 100,000 deep. The server's resident memory (all its processes) is sampled after a
warm-up and after phase 2. Then each outsized request's work runs alone in a fresh process: a 16 MP
noise PNG and a 16 MP colour photo (JPEG) to each route, and the 450-blob line: its time and the
peak memory it adds.
Targets: normal p99 with hostile traffic <= 25 ms (the service's own target) and <= 1.25x the p99
without it in the same run (the machine's own speed taken out), no normal request failing; no 5xx
on either stream; memory after phase 2 <= 1.5x after warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from harness import ratio, verdict
from http_load import request_bytes, tree_stat  # beside this script
from serve_load import bodies, measure, serving

TARGET_P99_MS, TARGET_P99_RATIO, TARGET_MEMORY = 25.0, 1.25, 1.5


def hostile_requests() -> list[tuple[str, dict[str, Any]]]:
    """(route, httpx keyword arguments) of each hostile request, in the order they are sent."""
    from tests.serve.images import noise, png, png_bomb, slow_line

    big, line = noise(4000), slow_line(450)
    many = np.full((120, 8000), 255, np.uint8)
    for row in (15, 55, 95):
        many[row:row + 10, 20::40] = 0
    good = png(np.full((40, 40), 255, np.uint8))
    nested = {"content": b"[" * 100_000 + b"]" * 100_000, "headers": {"content-type": "application/json"}}
    return [("/v1/read", {"files": {"file": ("n.png", big)}}),
            ("/v1/recognize", {"files": {"file": ("n.png", big)}}),
            ("/v1/read", {"files": {"file": ("l.png", line)}}),
            ("/v1/read", {"files": {"file": ("m.png", png(many))}}),
            ("/v1/read", {"files": {"file": ("b.png", png_bomb(20000))}}),
            ("/v1/recognize", {"files": {"file": ("t.png", good[:len(good) // 2])}}),
            ("/v1/read", nested)]


def hostile(port: int, stop: threading.Event, statuses: Counter[str]) -> None:
    """Send the hostile requests back to back on one connection until told to stop, once each at least."""
    import httpx

    requests = hostile_requests()
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
        i = 0
        while not stop.is_set() or i < len(requests):
            route, kwargs = requests[i % len(requests)]
            statuses[f"{route} {client.post(route, **kwargs).status_code}"] += 1
            i += 1


def photo(side: int = 4000) -> bytes:
    """A side x side colour JPEG of smooth noise: a phone photo's size and cost."""
    from PIL import Image

    from tests.serve.images import png

    small = (np.random.default_rng(2).random((side // 10, side // 10, 3)) * 255).astype(np.uint8)
    return png(Image.fromarray(small).resize((side, side)), "JPEG")


def one_request(route: str, path: str, model: Path) -> dict[str, float]:
    """Seconds and peak memory over the ready process of one request's work (its body in a file)."""
    from inkread.preprocess import preprocess
    from inkread.serve import service
    from inkread.serve.decode import to_image
    from inkread.serve.settings import ServeSettings

    settings = ServeSettings()
    reader = service.open_reader(str(model), settings.model_dump_json())
    data = Path(path).read_bytes()
    before, top, done = rss_mib(), [0.0], threading.Event()

    def sample() -> None:  # resident memory every millisecond: the peak this request adds
        while not done.is_set():
            top[0] = max(top[0], rss_mib())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    if route == "read":
        service.read_job(reader, data)
    else:
        preprocess(to_image(data, settings))
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return {"seconds": round(seconds, 2), "peak_mib": round(top[0] - before, 1)}


def rss_mib() -> float:
    """This process's resident memory now, in MiB."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peaks(model: Path) -> dict[str, dict[str, float]]:
    """Each outsized request's work in a fresh process: its time and the peak memory it adds."""
    from tests.serve.images import noise, slow_line

    bodies = {"noise": noise(4000), "photo": photo(), "line": slow_line(450)}
    out = {}
    with tempfile.TemporaryDirectory(prefix="inkread-hostile-") as tmp:
        for route, case in (("recognize", "noise"), ("recognize", "photo"), ("read", "noise"),
                            ("read", "photo"), ("read", "line")):
            body = Path(tmp, case)
            body.write_bytes(bodies[case])
            cmd = [sys.executable, __file__, "--one", route, str(body), "--model", str(model)]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            out[f"{route} {case}"] = json.loads(done.stdout.splitlines()[-1])
    return out


def run(args: argparse.Namespace, model: Path) -> dict[str, Any]:
    """Both phases on one server."""
    with serving(model, args.workers, 1) as (pid, port):
        requests = [request_bytes(port, b) for b in bodies("pixels")]
        alone = measure(pid, port, requests, args, args.seconds)
        warm = tree_stat(pid)[1]
        stop, statuses = threading.Event(), Counter[str]()
        sender = threading.Thread(target=hostile, args=(port, stop, statuses))
        sender.start()
        time.sleep(1.0)  # the first hostile request is under way
        beside = measure(pid, port, requests, args, args.seconds)
        stop.set()
        sender.join()  # after finishing its round: every hostile request was answered
        after = tree_stat(pid)[1]
    return {"alone": alone, "beside_hostile": beside, "hostile_statuses": dict(statuses),
            "memory_mib": {"after_warm_up": round(warm, 1), "after_hostile": round(after, 1)}}


def show(r: dict[str, Any]) -> bool:
    """Print the figures side by side with the targets; whether all are met."""
    a, b, mem = r["alone"], r["beside_hostile"], r["memory_mib"]
    print(f"{'single characters':<26}{'alone':>10}{'beside hostile':>16}{'ratio':>8}")
    for key in ("rps", "p50_ms", "p99_ms", "errors"):
        times = f"{ratio(b[key], a[key]):>8.2f}" if a[key] else f"{'-':>8}"
        print(f"{key:<26}{a[key]:>10}{b[key]:>16}{times}")
    for name, p in r["peaks"].items():
        print(f"one request, {name:<18} {p['seconds']:>6.2f} s  peak +{p['peak_mib']:.0f} MiB")
    print("hostile answers:", ", ".join(f"{k}: {v}" for k, v in sorted(r["hostile_statuses"].items())))
    fives = sum(v for k, v in r["hostile_statuses"].items() if k.split()[-1].startswith("5"))
    grown = ratio(mem["after_hostile"], mem["after_warm_up"])
    p99 = b["p99_ms"]
    checks = {f"normal p99 beside hostile <= {TARGET_P99_MS:g} ms ({p99} ms)": p99 <= TARGET_P99_MS,
              f"normal p99 beside hostile <= {TARGET_P99_RATIO}x alone, same run "
              f"({ratio(p99, a['p99_ms']):.2f}x)": ratio(p99, a["p99_ms"]) <= TARGET_P99_RATIO,
              f"no normal request failed ({b['errors']})": b["errors"] == 0,
              f"no 5xx to hostile requests ({fives})": fives == 0,
              f"memory after hostile <= {TARGET_MEMORY}x after warm-up ({mem['after_warm_up']} -> "
              f"{mem['after_hostile']} MiB, {grown:.2f}x)": grown <= TARGET_MEMORY}
    for name, ok in checks.items():
        print(f"{verdict(ok)}  {name}")
    return all(checks.values())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="default", help="default (bundled), or an ONNX file")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=float, default=15.0, help="load per phase")
    p.add_argument("--max-requests", type=int, default=1_000_000)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--quick", action="store_true", help="3 s per phase")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    p.add_argument("--one", nargs=2, metavar=("ROUTE", "BODY"), help=argparse.SUPPRESS)  # peaks' child
    args = p.parse_args()
    if args.quick:
        args.seconds = 3.0
    from inkread.registry.loader import onnx_file

    model = onnx_file(args.model)
    if args.one:
        print(json.dumps(one_request(args.one[0], args.one[1], model)))
        return
    figures = {**run(args, model), "peaks": peaks(model)}
    ok = show(figures)
    if args.json:
        print(json.dumps(figures, indent=2))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
