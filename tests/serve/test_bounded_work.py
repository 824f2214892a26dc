"""Bounded work per request on a real server: a slow line read is stopped at the timeout while single
characters keep being answered, and outsized requests leave the worker's memory as it was."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx

from tests.serve.conftest import running_server
from tests.serve.images import noise, paper_line, png, slow_line
from tests.support.mnist import Mnist

MB = 1024 * 1024


def rss(pid: int) -> int:
    """Resident memory of a process now, in bytes."""
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * 4096


def readers(pid: int) -> list[int]:
    """The line readers of a worker: its spawned children (not multiprocessing's resource tracker)."""
    kids = [int(c) for t in Path(f"/proc/{pid}/task").iterdir() for c in (t / "children").read_text().split()]
    return [k for k in kids if b"spawn_main" in Path(f"/proc/{k}/cmdline").read_bytes()]


def test_a_slow_read_is_stopped_at_the_timeout_while_recognize_keeps_answering(mnist: Mnist) -> None:
    digit = {"pixels": mnist.test.images[0].tolist()}
    line = png(paper_line(list(mnist.test.images[:3])))
    with running_server(None, "--timeout", "2") as url:
        slow: dict[str, float] = {}

        def read_slowly() -> None:
            start = time.monotonic()
            slow["status"] = httpx.post(f"{url}/v1/read", files={"file": ("s.png", slow_line())},
                                        timeout=60).status_code
            slow["seconds"] = time.monotonic() - start

        reader = threading.Thread(target=read_slowly)
        reader.start()
        answers = []
        while reader.is_alive():
            answers.append(httpx.post(f"{url}/v1/recognize", json=digit, timeout=5).status_code)
        reader.join()
        time.sleep(1.0)  # the replacement reader sets up (about half a second)
        after = httpx.post(f"{url}/v1/read", files={"file": ("l.png", line)}, timeout=30)
        metrics = httpx.get(f"{url}/metrics").text
    assert slow["status"] == 503 and slow["seconds"] < 5.0  # stopped at 2 s, not the ~5 s of work
    assert len(answers) >= 5 and set(answers) == {200}
    assert after.status_code == 200 and len(after.json()["chars"]) == 3
    assert re.search(r'inkread_sandbox_restarts_total\{reason="overrun"\} 1\.0', metrics)


def test_outsized_requests_leave_the_workers_memory_as_after_warm_up(mnist: Mnist) -> None:
    digit = {"pixels": mnist.test.images[0].tolist()}
    line = png(paper_line(list(mnist.test.images[:4])))
    with running_server(None) as url, httpx.Client(base_url=url, timeout=60) as client:
        for _ in range(5):
            assert client.post("/v1/recognize", json=digit).status_code == 200
            assert client.post("/v1/read", files={"file": ("l.png", line)}).status_code == 200
        warm = rss(url.pid)
        big = noise(4000)
        for route in ("/v1/read", "/v1/recognize") * 2:
            assert client.post(route, files={"file": ("n.png", big)}).status_code == 200
        assert client.post("/v1/read", files={"file": ("s.png", slow_line(300, rows=2))}).status_code == 400
        after = rss(url.pid)
        reader_mb = [rss(p) / MB for p in readers(url.pid)]
    assert after <= 1.5 * warm, f"worker RSS {warm / MB:.0f} MB after warm-up, {after / MB:.0f} MB after"
    assert len(reader_mb) == 1 and reader_mb[0] < 1.5 * warm / MB, reader_mb
