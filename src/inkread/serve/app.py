"""The FastAPI application: routes, limits, metrics and the drawing page, over one loaded model."""

from __future__ import annotations

import asyncio
import os
import queue
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import inkread
from inkread.core.errors import InkreadError
from inkread.export.runtime import OnnxModel, load_onnx
from inkread.read.reader import Reading
from inkread.serve import service
from inkread.serve.decode import Payload, extract, read_body, to_image
from inkread.serve.docs import install_docs
from inkread.serve.errors import ApiError, install_handlers
from inkread.serve.monitor import Monitor
from inkread.serve.openapi import request_body
from inkread.serve.sandbox import Sandbox
from inkread.serve.schemas import ERRORS, LineReading, Recognition, Status
from inkread.serve.settings import ServeSettings

STATIC = Path(__file__).parent / "static"
T = TypeVar("T")
KILL_GRACE_S = 5.0  # beyond the timeout: a sandbox child overrunning it is killed and replaced within this


class Runner:
    """Runs the CPU work of requests within the timeout: single characters on a bounded thread pool,
    lines in sandbox child processes, killed and replaced when they overrun.

    A pool per route: a page of writing sent to /v1/read (seconds of work) never holds up the
    single characters of /v1/recognize (a millisecond each, bounded by the work budget).
    """

    def __init__(self, settings: ServeSettings, model_path: Path, monitor: Monitor) -> None:
        self.settings = settings
        self.pools: dict[str, ThreadPoolExecutor] = {}
        self.started = False  # the children were started with the app (not on first use)
        args = (str(model_path), settings.model_dump_json())
        self.sandboxes = [Sandbox(service.open_reader, args, service.read_job, monitor.restarted)
                          for _ in range(settings.max_concurrency)]
        self.free: queue.SimpleQueue[Sandbox] = queue.SimpleQueue()
        for box in self.sandboxes:
            self.free.put(box)

    def pool(self, route: str) -> ThreadPoolExecutor:
        """The pool of `route`, created on first use."""
        if route not in self.pools:
            name = "inkread-serve" + route.replace("/", "-")
            self.pools[route] = ThreadPoolExecutor(self.settings.max_concurrency, thread_name_prefix=name)
        return self.pools[route]

    def start(self) -> None:
        """Start the sandbox children, so that the first line read does not wait for one."""
        self.started = True
        for box in self.sandboxes:
            box.start()

    def set_up(self) -> bool:
        """Whether every line reader started with the app has been set up once (later replacements do
        not count: single characters are answered meanwhile)."""
        return not self.started or all(box.set_up() for box in self.sandboxes)

    def shutdown(self) -> None:
        """Stop every pool without waiting for work in progress, and the sandbox children."""
        for pool in self.pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
        for box in self.sandboxes:
            box.stop()

    def overrun(self) -> ApiError:
        """The answer to work that took longer than the timeout."""
        return ApiError(503, f"Processing took longer than {self.settings.request_timeout_s:g} s; send a "
                             "smaller image or try again when the server is less busy.")

    async def run(self, route: str, fn: Callable[[], T], grace: float = 0.0) -> T:
        """fn() on the route's pool; 503 when it takes longer than the timeout (+ grace)."""
        future = asyncio.get_running_loop().run_in_executor(self.pool(route), fn)
        try:
            return await asyncio.wait_for(future, self.settings.request_timeout_s + grace)
        except TimeoutError:
            raise self.overrun() from None

    async def read(self, payload: Payload) -> Reading:
        """Read a line in a free sandbox child, which is killed (and replaced) at the deadline."""
        deadline = time.monotonic() + self.settings.request_timeout_s

        def job() -> Reading:
            box = self.free.get()  # never waits: the pool has as many threads as there are children
            try:
                return box.call(payload, deadline, self.overrun())
            finally:
                self.free.put(box)

        # the child's own deadline answers first; the grace covers killing and replacing it
        return await self.run(service.READ, job, grace=KILL_GRACE_S)


class RequestMetrics:
    """ASGI middleware counting every request by route template and status, with its latency."""

    def __init__(self, app: ASGIApp, monitor: Monitor) -> None:
        self.app, self.monitor = app, monitor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.monitor.request(route, status, time.perf_counter() - start)


def create_app(model_path: str | Path, settings: ServeSettings | None = None) -> FastAPI:
    """The service over the ONNX export at `model_path`, loaded once, here."""
    s = settings or ServeSettings()
    model = load_onnx(model_path, threads=s.threads)
    monitor = Monitor(model.classes, model.train_stats, s.drift_window, s.drift_min_samples)
    runner = Runner(s, Path(model_path), monitor)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner.start()
        yield
        runner.shutdown()
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            multiprocess.mark_process_dead(os.getpid())

    app = FastAPI(title="inkread", version=inkread.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # /docs is installed below from local files
                  description="Read handwritten characters: one at a time, or a line of them.")
    app.state.model, app.state.monitor, app.state.settings = model, monitor, s
    install_handlers(app)
    _routes(app, model, monitor, runner, s)
    _pages(app)
    install_docs(app)  # /docs from local files: the service works offline
    app.add_middleware(RequestMetrics, monitor=monitor)
    if s.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=s.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])
    return app


def _image_route(app: FastAPI, path: str, s: ServeSettings, allow_pixels: bool,
                 answer: Callable[[Payload], Awaitable[dict[str, Any]]], **kw: Any) -> None:
    """A POST route that takes the request's image within the limits and answers with `answer` of it."""

    async def endpoint(request: Request) -> Any:
        payload = await extract(request, await read_body(request, s), s, allow_pixels=allow_pixels)
        # the answer's shape is the route's response model by construction (tests check it);
        # returning a Response skips validating and re-encoding it per request
        return JSONResponse(await answer(payload))

    extra = {"requestBody": request_body(s, allow_pixels)}
    app.post(path, responses=ERRORS, openapi_extra=extra, **kw)(endpoint)


def _routes(app: FastAPI, model: OnnxModel, monitor: Monitor, runner: Runner, s: ServeSettings) -> None:
    """The API routes."""
    info = service.model_info(model)

    async def recognize(payload: Payload) -> dict[str, Any]:
        try:
            return await runner.run(service.RECOGNIZE,
                                    lambda: service.recognize(model, monitor, to_image(payload, s)))
        except InkreadError as exc:  # the preprocessing refused the image (e.g. an unusable array)
            raise ApiError(400, f"The image cannot be used: {exc.render()}") from None

    async def read(payload: Payload) -> dict[str, Any]:
        return service.answer_read(model, monitor, await runner.read(payload))

    _image_route(app, service.RECOGNIZE, s, True, recognize, response_model=Recognition,
                 summary="Recognise one character",
                 description='Multipart field `file`, JSON `{"image": base64}` or JSON `{"pixels": 28x28}`.')
    _image_route(app, service.READ, s, False, read, response_model=LineReading,
                 summary="Read a line of characters",
                 description='Multipart field `file` or JSON `{"image": base64}`.')

    @app.get("/healthz", response_model=Status, response_model_exclude_none=True, summary="Liveness")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok"}

    @app.get("/readyz", response_model=Status, summary="Readiness: the model and the line readers are loaded",
             responses={503: {"model": Status}})
    async def readyz(request: Request) -> Any:
        if getattr(request.app.state, "model", None) is None or not runner.set_up():
            return JSONResponse({"status": "loading", "model": None}, status_code=503)
        return {"status": "ready", "model": info}

    @app.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(monitor.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @app.get("/v1/stats", summary="Counts, reject rate, class mix, input statistics and drift")
    async def stats() -> dict[str, Any]:
        return monitor.stats(info)


def _pages(app: FastAPI) -> None:
    """The drawing page at / and its files under /static."""
    app.mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> Response:
        page = STATIC / "index.html"
        if not page.is_file():
            return JSONResponse({"detail": "The drawing page is not installed; use the API at /docs."},
                                status_code=404)
        return FileResponse(page, media_type="text/html")
