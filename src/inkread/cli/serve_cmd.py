"""`inkread serve [--model MODEL]`: the HTTP service (FastAPI on uvicorn, onnxruntime, no torch)."""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING, Annotated

import typer

from inkread.cli.output import err_console

if TYPE_CHECKING:
    from inkread.core.model import LoadedModel
from inkread.core.limits import MAX_PIXELS
from inkread.export.runtime import load_onnx
from inkread.registry.bundled import DEFAULT
from inkread.registry.loader import onnx_file
from inkread.serve.settings import ServeSettings
from inkread.serve.workers import free_port, serve_workers

Model = Annotated[str, typer.Option("--model", "-m", help="default (the model bundled with inkread), an "
                                    "ONNX file from `inkread export`, a registry URI "
                                    "models:/NAME@ALIAS or models:/NAME/VERSION, or a training run (its "
                                    "folder or checkpoint.json; exported to RUN/model.onnx on first use).")]
Host = Annotated[str, typer.Option(help="Address to listen on; 127.0.0.1 keeps the service on this machine, "
                                   "0.0.0.0 opens it to the network.")]
Port = Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")]
Workers = Annotated[int, typer.Option(min=1, help="Worker processes (each loads the model).")]
Threads = Annotated[int, typer.Option(min=1, help="onnxruntime threads per inference.")]
Concurrency = Annotated[int, typer.Option(min=1, help="Requests each worker computes at once (more "
                                          "wait, within --timeout); scale with --workers instead.")]
Timeout = Annotated[float, typer.Option("--timeout", min=0.1, help="Seconds allowed to receive and to "
                                        "process a request.")]
MaxUpload = Annotated[float, typer.Option("--max-upload-mb", min=0.001, help="Largest request body in MiB.")]
MaxPixels = Annotated[int, typer.Option("--max-pixels", min=1, help="Largest image in pixels (width x "
                                        "height, read from the header before decoding).")]
Cors = Annotated[list[str] | None, typer.Option("--cors-origin", help="Allow this origin to call the API "
                                                "from its pages (repeatable); CORS is off by default.")]
TrackingUri = Annotated[str | None, typer.Option("--tracking-uri", help="MLflow registry that models:/ URIs "
                                                 "name (default: $MLFLOW_TRACKING_URI, else "
                                                 "sqlite:///<abs runs>/mlflow.db).")]
MaxConnections = Annotated[int, typer.Option("--max-connections", min=1, help="Open connections each "
                                             "worker keeps (more are answered 503).")]
LogLevel = Annotated[str, typer.Option(help="uvicorn log level: critical, error, warning, info, debug.")]


def serve_cmd(model: Model = DEFAULT, host: Host = "127.0.0.1", port: Port = 8000, workers: Workers = 1,
              threads: Threads = 1, concurrency: Concurrency = 1, timeout: Timeout = 20.0,
              max_upload_mb: MaxUpload = 8.0,
              max_pixels: MaxPixels = MAX_PIXELS, cors_origin: Cors = None,
              tracking_uri: TrackingUri = None, log_level: LogLevel = "info",
              max_connections: MaxConnections = 128) -> None:
    """Serve a model over HTTP: POST /v1/recognize and /v1/read, the drawing page at /, docs at /docs."""
    # loaded when serving, not for `inkread --help`; onnx_file imports torch only to export a run
    import uvicorn

    from inkread.serve.protocol import HeaderDeadlineProtocol

    path = onnx_file(model, tracking_uri=tracking_uri)
    settings = ServeSettings(max_upload_bytes=int(max_upload_mb * 1024 * 1024), max_pixels=max_pixels,
                             request_timeout_s=timeout, threads=threads, max_concurrency=concurrency,
                             cors_origins=list(cors_origin or []))
    HeaderDeadlineProtocol.timeout_s = timeout
    # headers must arrive within --timeout (HeaderDeadlineProtocol), idle keep-alive connections close
    # after 5 s, and past --max-connections a worker answers 503 at once instead of queueing sockets
    common = {"host": host, "port": port, "log_level": log_level, "server_header": False,
              "timeout_graceful_shutdown": 5, "http": HeaderDeadlineProtocol, "timeout_keep_alive": 5,
              "limit_concurrency": max_connections}
    if workers == 1:
        # FastAPI loads in the process that serves
        from inkread.serve.app import create_app

        app = create_app(path, settings)  # loads the model once; a bad file is refused here, clearly
        _announce(app.state.model, host, port)
        uvicorn.run(app, **common)  # type: ignore[arg-type]
        return

    port = port or free_port(host)
    _announce(load_onnx(path), host, port)  # check the file before starting the workers that load it
    _share_metrics()
    options = {k: v for k, v in common.items() if k not in ("host", "port")}
    code = serve_workers(path, settings, host, port, workers, options)
    if code:
        raise typer.Exit(code if code > 0 else 1)


def _announce(model: LoadedModel, host: str, port: int) -> None:
    """Say which model is served where."""
    err_console.print(f"serving {model.name} (sha256 {model.sha256[:12]}…, {len(model.classes)} classes) "
                      f"on http://{host}:{port}", highlight=False, soft_wrap=True)


def _share_metrics() -> None:
    """Give the workers a shared folder for Prometheus metrics (removed when the process exits)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        folder = tempfile.TemporaryDirectory(prefix="inkread-metrics-")
        _share_metrics.folder = folder  # type: ignore[attr-defined]  # kept alive until exit
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder.name
