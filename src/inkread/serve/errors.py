"""Errors the service answers with: a status and one clear sentence, never a traceback."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

log = logging.getLogger("inkread.serve")


class ApiError(Exception):
    """A request the service refuses: HTTP status and a message naming the problem and the fix."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def too_large(what: str, size: int, limit: int, unit: str) -> ApiError:
    """413 for something over a limit."""
    return ApiError(413, f"The {what} is {size:,} {unit}, over the limit of {limit:,} {unit}; "
                         "send a smaller or downscaled image.")


def _first_problem(exc: RequestValidationError) -> str:
    """One sentence from the first validation error of a request."""
    errors = exc.errors()
    if not errors:
        return "The request is malformed; see /docs for the expected form."
    err = errors[0]
    where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
    return f"Invalid {where}: {err.get('msg', 'wrong value')}; see /docs for the expected form."


def install_handlers(app: FastAPI) -> None:
    """JSON {"detail": sentence} for refused requests; 500s say only that the fault was the server's."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _first_problem(exc)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "The server failed on this request; it has been logged. "
                                       "Try again, and report it if it persists."}, status_code=500)
