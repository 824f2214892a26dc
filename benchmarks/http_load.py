"""A light HTTP/1.1 load generator on asyncio (keep-alive, prebuilt requests) and /proc process stats.

Used by serve_load.py; kept cheap because the client shares the machine's cores with the server.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def request_bytes(port: int, body: dict[str, Any]) -> bytes:
    """A complete POST /v1/recognize request with a JSON body."""
    data = json.dumps(body, separators=(",", ":")).encode()
    head = (f"POST /v1/recognize HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


async def status_of(port: int, path: str) -> int:
    """Status of GET path, or 0 when nothing answers."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    line = await reader.readline()
    writer.close()
    return int(line.split()[1]) if line.startswith(b"HTTP/") else 0


@dataclass
class Tally:
    """Latencies (s) of successful requests and the errors seen."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes,
                   check: bool) -> str:
    """Send one request, read the whole answer; '' when it is a good 200, else what was wrong."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").lower().split("\r\n")
    length = next((int(h.split(":", 1)[1]) for h in lines if h.startswith("content-length:")), -1)
    if length < 0:
        return "answer without content-length"
    body = await reader.readexactly(length)
    status = lines[0].split()[1]
    if status != "200":
        return f"HTTP {status}"
    if check and "label" not in json.loads(body):
        return "answer without a label"
    return ""


REQUEST_TIMEOUT_S = 10.0  # an answer slower than this counts as an error (a stalled server ends the run)


async def client(port: int, requests: list[bytes], until: float, budget: list[int], tally: Tally) -> None:
    """One keep-alive connection sending requests back to back until the deadline or the count runs out."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    while time.perf_counter() < until and budget[0] > 0:
        budget[0] -= 1
        start = time.perf_counter()
        try:
            problem = await asyncio.wait_for(
                exchange(reader, writer, requests[i % len(requests)], check=i % 50 == 0), REQUEST_TIMEOUT_S)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
            tally.error(type(exc).__name__)
            writer.close()
            try:  # a fresh connection; a server that no longer accepts ends this client
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError as again:
                tally.error(f"reconnect: {type(again).__name__}")
                return
            continue
        if problem:
            tally.error(problem)
        else:
            tally.latencies.append(time.perf_counter() - start)
        i += 1
    writer.close()


async def load(port: int, requests: list[bytes], clients: int, seconds: float, max_requests: int) -> Tally:
    """N clients for `seconds` (at most `max_requests` requests in all)."""
    tally, budget = Tally(), [max_requests]
    until = time.perf_counter() + seconds
    await asyncio.gather(*(client(port, requests[k:] + requests[:k], until, budget, tally)
                           for k in range(clients)))
    return tally


def tree_stat(pid: int) -> tuple[float, float]:
    """(CPU seconds, resident MiB) of a process and all its descendants (Linux /proc)."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            kids.setdefault(int(fields[1]), []).append(int(entry.name))
    cpu = rss = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        todo += kids.get(p, [])
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss
