"""`AppTransport`: a WSGI or ASGI app called in process through httpx's WSGI/ASGI transports
(no socket), with the deadline and host policy of `HttpTransport`; `load_app` finds the app.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import sys
import time
import traceback
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # httpx and asyncio load when an HTTP or app transport is made, not for `twiml validate`
    import asyncio

    import httpx

from twiml.simulator.deadline import _Expired, _TooLarge, _Workers
from twiml.simulator.http_transport import _REDIRECTS, _headers, _read_capped
from twiml.simulator.wire import (
    MAX_READ,
    NOT_FOLLOWED,
    TOTAL_TIMEOUT,
    Reply,
    Request,
    _no_reply,
)


class AppLoadError(Exception):
    """`MODULE:ATTR` could not be turned into an application; the message says why."""


def is_asgi(app: object) -> bool:
    """ASGI apps are coroutine functions (or objects whose __call__ is one); WSGI apps are not."""
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(type(app), "__call__", None)  # noqa: B004 - the class's __call__, not the instance's
    return call is not None and inspect.iscoroutinefunction(call)


def load_app(spec: str) -> Any:
    """Import `MODULE:ATTR` (`ATTR` may be dotted; `MODULE` alone looks for `app`/`application`).

    The current directory is importable, as with `python -m`. Raises AppLoadError with a
    message naming what is missing; the app's own import errors are reported with their line.
    """
    module_name, _, attr = spec.partition(":")
    if not module_name:
        raise AppLoadError(f"--app {spec!r}: expected MODULE:ATTR, e.g. myapp:app")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise AppLoadError(f"--app {spec}: no module named {module_name!r}") from None
        raise AppLoadError(f"--app {spec}: importing {module_name} failed: {_last_frame(exc)}") from None
    except Exception as exc:  # the user's module raised while importing
        raise AppLoadError(f"--app {spec}: importing {module_name} failed: {_last_frame(exc)}") from None
    names = [attr] if attr else ["app", "application"]
    for name in names:
        obj: Any = module
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        if not callable(obj):
            raise AppLoadError(f"--app {spec}: {module_name}.{name} is not a WSGI or ASGI application")
        return obj
    wanted = attr or "app"
    raise AppLoadError(f"--app {spec}: module {module_name!r} has no attribute {wanted!r}")


def _last_frame(exc: BaseException) -> str:
    """`Type: message (file:line in function)` for the innermost frame of the exception."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = ""
    if frames:
        f = frames[-1]
        where = f" (at {f.filename}:{f.lineno} in {f.name})"
    elif isinstance(exc, SyntaxError) and exc.filename:
        where = f" (at {exc.filename}:{exc.lineno})"
    text = str(exc)
    return f"{type(exc).__name__}{': ' + text if text else ''}{where}"


def _flask_config(app: Any) -> dict[str, Any] | None:
    """Flask's config when `app` is a Flask app: it turns exceptions into a bare 500 and logs
    the traceback unless PROPAGATE_EXCEPTIONS is set, which the transport sets per request so
    the simulator can show which line failed (the reply stays the 500 Twilio would get)."""
    config = getattr(app, "config", None)
    return config if isinstance(config, dict) and "PROPAGATE_EXCEPTIONS" in config else None


class _Enough(Exception):
    """Raised into an ASGI app's `send` once the body passed the limit: stop producing it."""


Answer = tuple[int, str, bytes]
"""Status, Content-Type and (capped, decoded) body of an in-process app's reply."""


class AppTransport:
    """A WSGI or ASGI application called in process (no server, no port) at `base_url`.

    Each request runs on a worker thread under the same deadline as a URL (`timeout`, 15 s:
    past it the call gets 11205 and the worker is abandoned), and the body is streamed and
    read to 64 KB + 1 at most (the WSGI iterable is closed, an ASGI app's next `send` raises).
    Redirects are followed here, as Twilio follows them (11215 past 10), but only on the app's
    own host: an absolute URL naming another host is not answered by the app. Whatever the app
    raises, SystemExit included, is the 500 Twilio would get, with the app's last frame.
    """

    def __init__(
        self, app: Callable[..., Any], base_url: str = "http://localhost", timeout: float = TOTAL_TIMEOUT
    ) -> None:
        import httpx

        self.app = app
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._workers = _Workers()
        self._loops: list[asyncio.AbstractEventLoop] = []
        weakref.finalize(self, _finish, self._workers, self._loops)  # a Call left unclosed still frees both
        self.asgi = is_asgi(app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wsgi: httpx.WSGITransport | None = None
        if not self.asgi:
            self._wsgi = httpx.WSGITransport(app=app)
        self._flask = _flask_config(app)
        parts = urlsplit(self.base_url)
        self._origin = (parts.scheme, parts.netloc)

    def url(self, path: str) -> str:
        """The absolute URL of a path of the app."""
        if "://" in path:
            return path
        return self.base_url + "/" + path.lstrip("/")

    def _other_host(self, url: str) -> str | None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) == self._origin:
            return None
        return f"not followed: other host {parts.netloc or url} (the app answers only {self.base_url})"

    def fetch(self, request: Request) -> Reply:
        import httpx

        start = time.perf_counter()
        deadline = time.monotonic() + self.timeout
        method, url = request.method, request.target
        content = urlencode(request.form).encode() if method != "GET" else b""
        headers = _headers(request)
        headers["Accept-Encoding"] = "identity"
        if method != "GET":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for _ in range(11):
            refused = self._other_host(url)
            if refused is not None:
                return _no_reply(request, refused, NOT_FOLLOWED)
            outgoing = httpx.Request(method, url, content=content, headers=headers)
            try:
                status, ctype, location, body = self._workers.run(
                    deadline, functools.partial(self._call, outgoing), self._abandon
                )
            except _Expired:
                return _no_reply(request, f"no reply from the app for {url} within {self.timeout:g} s", 11205)
            except _TooLarge:
                return _no_reply(request, f"the reply from {url} is over 64 KB once decoded", 11750)
            except httpx.HTTPError as exc:
                return _no_reply(request, f"HTTP failure for {url}: {exc}", 11205)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # the application raised (even SystemExit): Twilio gets a 500
                return Reply(
                    500,
                    "text/plain",
                    b"Internal Server Error",
                    url,
                    None,
                    detail=f"the app raised {_last_frame(exc)}",
                    elapsed=time.perf_counter() - start,
                )
            if status not in _REDIRECTS or not location:
                return Reply(status, ctype, body, url, None, elapsed=time.perf_counter() - start)
            url = str(httpx.URL(url).join(location))
            if status in (301, 302, 303) and method != "GET":
                method, content = "GET", b""
                headers.pop("Content-Type", None)
        return _no_reply(request, f"too many HTTP redirects from {request.url}", 11215)

    def _call(self, request: httpx.Request) -> tuple[int, str, str | None, bytes]:
        """Call the app (on the worker thread): status, Content-Type, Location and capped body."""
        if self._wsgi is not None:
            flask = self._flask
            before = flask["PROPAGATE_EXCEPTIONS"] if flask is not None else None
            if flask is not None:
                flask["PROPAGATE_EXCEPTIONS"] = True
            try:
                response = self._wsgi.handle_request(request)
                stream = response.stream
                try:
                    body = _read_capped(response.headers.get("content-encoding", ""), iter(stream))  # type: ignore[arg-type]  # WSGI: a SyncByteStream
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()  # the app's iterable: an endless generator stops here
            finally:
                if flask is not None:
                    flask["PROPAGATE_EXCEPTIONS"] = before  # the user's app is left as it was
            return (
                response.status_code,
                response.headers.get("content-type", ""),
                response.headers.get("location"),
                body,
            )
        if self._loop is None:
            import asyncio

            self._loop = asyncio.new_event_loop()
            self._loops.append(self._loop)
        status, raw_headers, parts = self._loop.run_until_complete(_call_asgi(self.app, request, MAX_READ))
        found = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
        body = _read_capped(found.get("content-encoding", ""), iter(parts))
        return status, found.get("content-type", ""), found.get("location"), body

    def _abandon(self) -> None:
        """The deadline passed: stop the app's task if it lets us, and never reuse its loop."""
        loop, self._loop = self._loop, None
        if loop is not None:
            for task in list(_all_tasks(loop)):
                loop.call_soon_threadsafe(task.cancel)

    def close(self) -> None:
        self._loop = None
        _finish(self._workers, self._loops)


def _finish(workers: _Workers, loops: list[asyncio.AbstractEventLoop]) -> None:
    """End the worker thread and close the event loops that are not running (an abandoned one
    may still be, in its abandoned thread)."""
    workers.close()
    for loop in loops:
        if not loop.is_running() and not loop.is_closed():
            loop.close()
    loops.clear()


def _all_tasks(loop: asyncio.AbstractEventLoop) -> set[asyncio.Task[Any]]:
    import asyncio

    try:
        return asyncio.all_tasks(loop)
    except RuntimeError:
        return set()


async def _call_asgi(
    app: Any, request: httpx.Request, limit: int
) -> tuple[int, list[tuple[bytes, bytes]], list[bytes]]:
    """One ASGI HTTP request; the body parts sent, at most `limit` bytes (then `send` raises)."""
    import asyncio

    url = request.url
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(k.lower(), v) for k, v in request.headers.raw],
        "scheme": url.scheme,
        "path": url.path,
        "raw_path": url.raw_path.split(b"?")[0],
        "query_string": url.query,
        "server": (url.host, url.port or (443 if url.scheme == "https" else 80)),
        "client": ("127.0.0.1", 123),
        "root_path": "",
    }
    content = request.read()
    requested = False
    finished = asyncio.Event()
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = []
    parts: list[bytes] = []
    size = 0

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": content, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        nonlocal status, headers, size
        if message["type"] == "http.response.start":
            status = int(message["status"])
            headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
        elif message["type"] == "http.response.body":
            body = bytes(message.get("body", b""))
            parts.append(body)
            size += len(body)
            if size >= limit:
                finished.set()
                raise _Enough
            if not message.get("more_body", False):
                finished.set()

    with contextlib.suppress(_Enough):
        await app(scope, receive, send)
    if status is None:
        raise RuntimeError("the app returned without starting a response")
    return status, headers, parts
