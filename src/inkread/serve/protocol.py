"""uvicorn's HTTP protocol with a deadline on request headers: a client that opens a connection and
sends its headers slowly, or nothing at all (slowloris), is cut off instead of holding a socket.

uvicorn times out idle keep-alive connections but never a request whose headers are still arriving.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """HttpToolsProtocol that closes a connection whose request headers take over `timeout_s`."""

    # seconds from the connection (or the start of the next request) to the end of its headers; each
    # process sets it from the service's --timeout before serving (uvicorn builds the protocol itself)
    timeout_s = 20.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        """Start (or restart) the headers' deadline."""
        self._disarm()
        self._header_deadline = self.loop.call_later(self.timeout_s, self._too_slow)

    def _disarm(self) -> None:
        """Cancel the headers' deadline."""
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _too_slow(self) -> None:
        """The headers did not arrive in time: close the connection."""
        self._header_deadline = None
        if self.cycle is None or self.cycle.response_complete:  # no request being answered now
            self.transport.close()
