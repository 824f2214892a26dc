"""A child process for a route's heavy work, which can be stopped: killed and replaced when a job
overruns its deadline, and recycled when a job leaves it holding far more memory than it started with.

A thread cannot be stopped in Python, so a timeout on one only stops the waiting: the work runs on,
holding the CPU and its memory while every later request queues behind it. A process can be killed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from inkread.serve.errors import ApiError

log = logging.getLogger("inkread.serve")

# After a job the child gives freed memory back to the system; if it still holds more than this
# times what it held once ready (model loaded), it is replaced by a fresh one.
RECYCLE_FACTOR = 1.5
PAGE = os.sysconf("SC_PAGE_SIZE")
READY = "ready"  # what a child says once set up
# Children run at a lower priority than the worker: when the cores are busy, the worker's single
# characters (milliseconds each) go first, and a long line read takes what is left.
NICENESS = 10


def rss_bytes() -> int:
    """This process's resident memory now (not its peak), from /proc."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


@functools.cache
def _libc() -> Any:
    """The C library, looked up once (find_library runs a subprocess)."""
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def release_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc keeps them otherwise)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def _child(conn: Connection, init: Callable[..., Any], args: tuple[Any, ...],
           work: Callable[[Any, Any], Any]) -> None:
    """The child's loop: set up once, then answer each job with (kind, value, rss) until the pipe closes."""
    os.nice(NICENESS)
    state = init(*args)
    ready = rss_bytes()
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or died: nothing more to do
            return
        try:
            answer: tuple[str, Any] = ("ok", work(state, job))
        except ApiError as exc:
            answer = ("refused", (exc.status, exc.detail))
        except Exception:  # a fault of ours: the parent logs it and answers 500
            answer = ("crashed", traceback.format_exc())
        del job
        if rss_bytes() > RECYCLE_FACTOR * ready:
            release_memory()
        conn.send((*answer, rss_bytes() / ready))


class Sandbox:
    """One child process running `work(state, job)` for jobs sent to it, `state = init(*args)` made once."""

    def __init__(self, init: Callable[..., Any], args: tuple[Any, ...], work: Callable[[Any, Any], Any],
                 on_replace: Callable[[str], None] | None = None) -> None:
        self.target = (init, args, work)
        self.on_replace = on_replace  # told why, each time a child is replaced
        self.ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no threads or locks inherited
        self.lock = threading.Lock()
        self.proc: Any = None
        self.conn: Connection | None = None
        self.ready = False  # the child has said it is set up
        self.was_ready = False  # a child has been set up at least once

    def start(self) -> None:
        """Start the child (it sets up in the background; the first job waits for it)."""
        parent, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_child, args=(child, *self.target), daemon=True,
                                     name="inkread-sandbox")
        self.proc.start()
        child.close()
        self.conn, self.ready = parent, False

    def stop(self) -> None:
        """Kill the child at once, whatever it is doing."""
        if self.conn is not None:
            self.conn.close()
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(timeout=5)
        self.proc, self.conn = None, None

    def _replace(self, reason: str, why: str) -> None:
        log.warning("sandbox child replaced: %s", why)
        self.stop()
        self.start()
        if self.on_replace is not None:
            self.on_replace(reason)

    def set_up(self) -> bool:
        """Whether a child has been set up at least once (asks the current one without waiting)."""
        if not self.was_ready and self.lock.acquire(blocking=False):
            try:
                if self.conn is not None and not self.ready and self.conn.poll(0):
                    self.ready = self.was_ready = self.conn.recv() == READY
            except (EOFError, OSError):
                pass  # it died setting up: the next job starts another
            finally:
                self.lock.release()
        return self.was_ready

    def _exchange(self, job: Any, deadline: float) -> tuple[str, Any, float] | None:
        """Send the job and wait for the answer until the deadline; None if it did not come."""
        assert self.conn is not None
        if not self.ready:  # wait for it to set up (within the deadline)
            if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                raise TimeoutError  # setting up is not its fault: it is not killed
            self.ready = self.conn.recv() == READY
            self.was_ready = self.was_ready or self.ready
        self.conn.send(job)
        if not self.conn.poll(max(0.0, deadline - time.monotonic())):
            return None
        answer: tuple[str, Any, float] = self.conn.recv()
        return answer

    def call(self, job: Any, deadline: float, overrun: ApiError) -> Any:
        """work(state, job) in the child; `overrun` is raised (the child killed) at the monotonic deadline."""
        with self.lock:
            if time.monotonic() >= deadline:  # waited out its time in the queue: leave the child be
                raise overrun
            if self.proc is None or not self.proc.is_alive():
                self.stop()
                self.start()
            try:
                answer = self._exchange(job, deadline)
            except TimeoutError:
                raise overrun from None
            except (EOFError, OSError):  # the child died mid-job (killed for memory, say)
                self._replace("stopped", "the child stopped during a job")
                raise ApiError(503, "Processing this image stopped the worker; send a smaller "
                                    "image.") from None
            if answer is None:
                self._replace("overrun", "a job overran its deadline")
                raise overrun
            kind, value, grown = answer
            if grown > RECYCLE_FACTOR:
                self._replace("memory", f"it holds {grown:.1f}x its memory once ready")
        if kind == "refused":
            raise ApiError(*value)
        if kind == "crashed":
            log.error("unhandled error in the sandbox:\n%s", value)
            raise RuntimeError("the sandboxed job failed")
        return value
