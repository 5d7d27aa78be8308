"""How the simulator fetches a document: one small protocol and its implementations.

The engine never does I/O. A driver takes the engine's `Request`, hands it to a `Transport`
and gives the `Reply` back to the engine. Transports here: `FileTransport` (TwiML files on
disk), `HttpTransport` (real HTTP with httpx), `AppTransport` (a WSGI or ASGI app called in
process through httpx's WSGI/ASGI transports, no socket). Anything with a `fetch` method works.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
import time
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # httpx and asyncio load when an HTTP or app transport is made, not for `twiml validate`
    import asyncio

    import httpx

__all__ = [
    "TOTAL_TIMEOUT",
    "AppLoadError",
    "AppTransport",
    "FileTransport",
    "HttpTransport",
    "Reply",
    "Request",
    "Transport",
    "is_asgi",
    "load_app",
]

TOTAL_TIMEOUT = 15.0
"""Seconds Twilio waits in total for a webhook's reply (connect within about 10)."""
CONNECT_TIMEOUT = 10.0
MAX_READ = 64 * 1024 + 1
"""Twilio reads at most 64 KB; one byte more is enough to know a body is too large (11750)."""
FILE_BASE = "http://localhost/"
"""Base URL that documents of a file target are served under: `/menu` is `menu.xml` beside it."""
USER_AGENT = "TwilioProxy/1.1"


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
    code: int | None = None
    detail: str | None = None
    elapsed: float = 0.0
    """Seconds the transport spent (the app's own time, for benchmarks)."""


@runtime_checkable
class Transport(Protocol):
    """Anything that turns a request into a reply."""

    def fetch(self, request: Request) -> Reply: ...


def _no_reply(request: Request, message: str, code: int | None, elapsed: float = 0.0) -> Reply:
    return Reply(0, "", b"", request.url, None, error=message, code=code, elapsed=elapsed)


# ------------------------------------------------------------------------------------------ files


class FileTransport:
    """TwiML files in one folder, served under `FILE_BASE`: a URL on that host maps to the file
    of that path (with `.xml` added when it has no suffix). Other URLs have no document offline."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def url_for(self, path: str | os.PathLike[str]) -> str:
        """The URL a file of this folder is served at."""
        rel = Path(path).resolve().relative_to(self.folder.resolve())
        return FILE_BASE + rel.as_posix()

    def path_for(self, url: str) -> Path | None:
        base = urlsplit(FILE_BASE)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            return None
        rel = parts.path.lstrip("/")
        if not rel or ".." in rel.split("/"):
            return None
        candidates = [rel] if Path(rel).suffix else [rel + ".xml", rel]
        for name in candidates:
            path = self.folder / name
            if path.is_file():
                return path
        return None

    def _missing(self, url: str) -> str:
        """Why `url` has no file, and where it was looked for."""
        base = urlsplit(FILE_BASE)
        parts = urlsplit(url)
        message = f"no document offline for {url}"
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc) and parts.path.strip("/"):
            rel = parts.path.strip("/")
            wanted = rel if Path(rel).suffix else rel + ".xml"
            message += f" (no {wanted} in {self.folder})"
        if (self.folder / "flow.toml").is_file():
            message += f"; call the folder {self.folder}/ to route URLs through its flow.toml"
        return message

    def fetch(self, request: Request) -> Reply:
        path = self.path_for(request.url)
        if path is None:
            return _no_reply(request, self._missing(request.url), None)
        start = time.perf_counter()
        try:
            body = path.read_bytes()
        except OSError as exc:
            return _no_reply(request, f"{path}: cannot read: {exc.strerror or exc}", None)
        return Reply(200, "text/xml", body, request.url, str(path), elapsed=time.perf_counter() - start)


# ------------------------------------------------------------------------------------------- HTTP


def _headers(request: Request) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Cache-Control": "max-age=259200"}
    headers.update(request.headers)
    return headers


def _send(client: httpx.Client, request: Request, deadline: float) -> tuple[httpx.Response, bytes]:
    """Send and read at most MAX_READ bytes; raise httpx.TimeoutException past the deadline."""
    import httpx

    data = urlencode(request.form) if request.method != "GET" else None
    headers = _headers(request)
    if data is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    with client.stream(request.method, request.target, content=data, headers=headers) as response:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_READ:
                break
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the reply took longer than 15 s")
        return response, b"".join(chunks)


def _reply(request: Request, response: httpx.Response, body: bytes, elapsed: float) -> Reply:
    return Reply(
        response.status_code,
        response.headers.get("content-type", ""),
        body,
        str(response.url),
        None,
        elapsed=elapsed,
    )


class HttpTransport:
    """Real HTTP to a running webhook, with Twilio's limits: 10 s to connect, 15 s in total,
    redirects followed (11215 when they loop), at most 64 KB read."""

    def __init__(self, timeout: float = TOTAL_TIMEOUT, client: httpx.Client | None = None) -> None:
        import httpx

        self.timeout = timeout
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
            follow_redirects=True,
            max_redirects=10,
        )

    def fetch(self, request: Request) -> Reply:
        import httpx

        start = time.perf_counter()
        try:
            response, body = _send(self.client, request, time.monotonic() + self.timeout)
        except httpx.TooManyRedirects:
            return _no_reply(request, f"too many HTTP redirects from {request.url}", 11215)
        except httpx.TimeoutException:
            return _no_reply(request, f"no reply from {request.url} within {self.timeout:g} s", 11205)
        except httpx.ConnectError as exc:
            text = str(exc)
            if "ssl" in text.lower() or "certificate" in text.lower():
                return _no_reply(request, f"TLS failure connecting to {request.url}: {text}", 11220)
            if "name" in text.lower() and ("resolution" in text.lower() or "not known" in text.lower()):
                return _no_reply(request, f"cannot resolve the host of {request.url}: {text}", 11210)
            return _no_reply(request, f"cannot connect to {request.url}: {text or 'connection refused'}", 11205)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return _no_reply(request, f"HTTP failure for {request.url}: {exc}", 11205)
        return _reply(request, response, body, time.perf_counter() - start)

    def close(self) -> None:
        self.client.close()


# --------------------------------------------------------------------------------- in-process app


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


class AppTransport:
    """A WSGI or ASGI application called in process (no server, no port) at `base_url`.

    Requests go straight to httpx's WSGITransport/ASGITransport (a Client would add cookie,
    auth and hook machinery a webhook call does not use); redirects are followed here, as
    Twilio follows them (11215 past 10).
    """

    def __init__(self, app: Callable[..., Any], base_url: str = "http://localhost") -> None:
        import httpx

        self.app = app
        self.base_url = base_url.rstrip("/")
        self.asgi = is_asgi(app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wsgi: httpx.WSGITransport | None = None
        self._asgi: httpx.ASGITransport | None = None
        if self.asgi:
            self._asgi = httpx.ASGITransport(app=app)
        else:
            self._wsgi = httpx.WSGITransport(app=app)
        self._flask = _flask_config(app)

    def url(self, path: str) -> str:
        """The absolute URL of a path of the app."""
        if "://" in path:
            return path
        return self.base_url + "/" + path.lstrip("/")

    def fetch(self, request: Request) -> Reply:
        import httpx

        start = time.perf_counter()
        method, url = request.method, request.target
        content = urlencode(request.form).encode() if method != "GET" else b""
        headers = _headers(request)
        if method != "GET":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            for _ in range(11):
                response = self._send(httpx.Request(method, url, content=content, headers=headers))
                location = response.headers.get("location")
                if response.status_code not in (301, 302, 303, 307, 308) or not location:
                    body = response.content[:MAX_READ]
                    return Reply(
                        response.status_code,
                        response.headers.get("content-type", ""),
                        body,
                        url,
                        None,
                        elapsed=time.perf_counter() - start,
                    )
                url = str(httpx.URL(url).join(location))
                if response.status_code in (301, 302, 303) and method != "GET":
                    method, content = "GET", b""
                    headers.pop("Content-Type", None)
            return _no_reply(request, f"too many HTTP redirects from {request.url}", 11215)
        except httpx.HTTPError as exc:
            return _no_reply(request, f"HTTP failure for {request.url}: {exc}", 11205)
        except Exception as exc:  # the application raised: Twilio would have received a 500
            return Reply(
                500,
                "text/plain",
                b"Internal Server Error",
                request.url,
                None,
                detail=f"the app raised {_last_frame(exc)}",
                elapsed=time.perf_counter() - start,
            )

    def _send(self, request: httpx.Request) -> httpx.Response:
        if self._wsgi is not None:
            flask = self._flask
            before = flask["PROPAGATE_EXCEPTIONS"] if flask is not None else None
            if flask is not None:
                flask["PROPAGATE_EXCEPTIONS"] = True
            try:
                response = self._wsgi.handle_request(request)
            finally:
                if flask is not None:
                    flask["PROPAGATE_EXCEPTIONS"] = before  # the user's app is left as it was
            response.read()
            return response
        assert self._asgi is not None
        asgi = self._asgi

        async def send() -> httpx.Response:
            response = await asgi.handle_async_request(request)
            await response.aread()
            return response

        result: httpx.Response = self._run(send())
        return result

    def _run(self, coro: Any) -> Any:
        """Run a coroutine on this transport's own loop; from inside a running loop (an async
        test, the editor) the loop runs on a worker thread so the caller's loop is not re-entered."""
        import asyncio
        from concurrent.futures import ThreadPoolExecutor

        if self._loop is None:
            self._loop = asyncio.new_event_loop()
            weakref.finalize(self, self._loop.close)  # a Call left unclosed still frees its loop
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return self._loop.run_until_complete(coro)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(self._loop.run_until_complete, coro).result()

    def close(self) -> None:
        if self._loop is not None:
            self._loop.close()
            self._loop = None
