"""What a transport exchanges with the engine: the `Request` the engine makes, the `Reply` it
gets back, the `Transport` protocol, and the limits Twilio applies to a webhook (timeouts, the
64 KB body). Kept apart so each transport module (`twiml.simulator.transport`, `http_transport`,
`app_transport`) and the engine import the records without the transports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TypeVar, runtime_checkable
from urllib.parse import urlencode

TOTAL_TIMEOUT = 15.0
"""Seconds Twilio waits in total for a webhook's reply (connect within about 10): one deadline
over connecting, the status line and headers, redirects and the body, for URLs and in-process apps."""
CONNECT_TIMEOUT = 10.0
MAX_READ = 64 * 1024 + 1
"""Twilio reads at most 64 KB; one byte more is enough to know a body is too large (11750)."""
FILE_BASE = "http://localhost/"
"""Base URL that documents of a file target are served under: `/menu` is `menu.xml` beside it."""
USER_AGENT = "TwilioProxy/1.1"
T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One webhook request. `params` are Twilio's parameters whatever the method: for GET they
    go in the query string (`target`), for POST in a form body. `url` is the resolved URL."""

    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]

    @property
    def target(self) -> str:
        """The URL as requested on the wire: for GET the parameters are appended as a query."""
        if self.method != "GET" or not self.params:
            return self.url
        return self.url + ("&" if "?" in self.url else "?") + urlencode(self.params)

    @property
    def form(self) -> tuple[tuple[str, str], ...]:
        """Parameters sent in the body (POST only)."""
        return self.params if self.method != "GET" else ()

    def param(self, name: str) -> str | None:
        """The value of a parameter, or None."""
        for key, value in self.params:
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Reply:
    """What came back. `status` 0 with `error` set means no HTTP reply at all (the engine
    reports `code`, e.g. 11205, or a plain message when there is no Twilio code); `detail`
    adds context shown with an HTTP error (the app's exception, for an in-process app)."""

    status: int
    content_type: str
    body: bytes
    url: str
    source: str | None  # file path for display, when any
    error: str | None = None
    code: int | str | None = None
    detail: str | None = None
    elapsed: float = 0.0
    """Seconds the transport spent (the app's own time, for benchmarks)."""


@runtime_checkable
class Transport(Protocol):
    """Anything that turns a request into a reply."""

    def fetch(self, request: Request) -> Reply: ...


NOT_FOLLOWED = "TWIML-NOT-FOLLOWED"
"""The code of a request the simulator refused to send (another host): no Twilio code applies."""


def _no_reply(request: Request, message: str, code: int | str | None, elapsed: float = 0.0) -> Reply:
    return Reply(0, "", b"", request.url, None, error=message, code=code, elapsed=elapsed)
