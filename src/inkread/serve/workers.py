"""Several service processes on one port, each with its own listening socket (SO_REUSEPORT).

uvicorn's own `--workers` shares one listening socket: whichever process wakes first accepts, so a
burst of keep-alive connections can all land on one process while the others idle (measured here:
1.1 of 2 cores busy under 16 clients). With a socket per process in one SO_REUSEPORT group, the
kernel spreads new connections over the processes evenly.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from inkread.core.errors import InkreadError
from inkread.serve.settings import ServeSettings

BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) in a SO_REUSEPORT group, listening."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise InkreadError(f"cannot listen on {host}:{port} ({exc.strerror})", where="--host/--port",
                           fix="choose a free port with --port, or stop the program using it") from None
    sock.listen(BACKLOG)
    sock.set_inheritable(False)
    return sock


def free_port(host: str) -> int:
    """A port nothing listens on now, for --port 0 (every worker must bind the same one)."""
    family = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0][0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def run_worker(model: str, settings_json: str, host: str, port: int, uvicorn_options: dict[str, Any]) -> None:
    """One worker process: load the model, listen on its own socket of the group, serve until told to stop."""
    # each worker process loads the server and the app itself, after the fork
    import uvicorn

    from inkread.serve.app import create_app
    from inkread.serve.protocol import HeaderDeadlineProtocol

    settings = ServeSettings.model_validate_json(settings_json)
    HeaderDeadlineProtocol.timeout_s = settings.request_timeout_s
    app = create_app(Path(model), settings)
    sock = listening_socket(host, port)
    config = uvicorn.Config(app, **uvicorn_options)
    with contextlib.closing(sock):
        uvicorn.Server(config).run(sockets=[sock])


def serve_workers(model: Path, settings: ServeSettings, host: str, port: int, workers: int,
                  uvicorn_options: dict[str, Any]) -> int:
    """Start `workers` processes serving `model` on host:port; wait for them; their worst exit code."""
    port = port or free_port(host)
    listening_socket(host, port).close()  # a taken port is one clear error here, not one per worker
    ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no threads or locks inherited
    procs = [ctx.Process(target=run_worker, name=f"inkread-serve-{i}",
                         args=(str(model), settings.model_dump_json(), host, port, uvicorn_options))
             for i in range(workers)]
    for p in procs:
        p.start()

    def stop(signum: int, _frame: FrameType | None) -> None:
        for p in procs:  # each worker shuts down gracefully on SIGTERM (uvicorn's handler)
            if p.pid is not None and p.is_alive():
                os.kill(p.pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    try:
        for p in procs:
            p.join()
    except KeyboardInterrupt:  # Ctrl-C reached the workers too: let them finish
        for p in procs:
            p.join(timeout=10)
    codes = [p.exitcode or 0 for p in procs]
    if any(codes):
        print(f"worker exit codes: {codes}", file=sys.stderr)
    return max(codes, key=abs, default=0)
