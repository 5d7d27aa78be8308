"""How the simulator fetches a document: one small protocol and its implementations.

The engine never does I/O. A driver takes the engine's `Request`, hands it to a `Transport`
and gives the `Reply` back to the engine. Transports here: `FileTransport` (TwiML files on
disk), `HttpTransport` (real HTTP with httpx), `AppTransport` (a WSGI or ASGI app called in
process through httpx's WSGI/ASGI transports, no socket). Anything with a `fetch` method works.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import os
import sys
import threading
import time
import traceback
import weakref
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, runtime_checkable
from urllib.parse import urlencode, urlsplit

from twiml.files import read_bytes

if TYPE_CHECKING:  # httpx and asyncio load when an HTTP or app transport is made, not for `twiml validate`
    import asyncio

    import httpx

__all__ = [
    "TOTAL_TIMEOUT",
    "AppLoadError",
    "AppTransport",
    "FileTransport",
    "HostPolicy",
    "HttpTransport",
    "Reply",
    "Request",
    "Transport",
    "is_asgi",
    "load_app",
]

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
            body = read_bytes(path)  # regular files only, 64 MB: a FIFO or device never blocks
        except OSError as exc:
            return _no_reply(request, f"{path}: cannot read: {exc.strerror or exc}", None)
        return Reply(200, "text/xml", body, request.url, str(path), elapsed=time.perf_counter() - start)


# ------------------------------------------------------------------------------------- deadlines


class _Expired(Exception):
    """The deadline passed while the worker was still busy."""


class _Worker:
    """A daemon thread that runs one job at a time for a transport, so a deadline can be kept
    whatever the job does (an app that sleeps, a server that trickles): past the deadline the
    caller stops waiting and the worker is abandoned (a daemon thread never keeps the process
    alive); the transport starts a new one for its next request. One thread serves all requests
    until then (starting a thread per request would cost more than a small app's reply).
    """

    def __init__(self) -> None:
        import queue

        self.jobs: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        threading.Thread(target=self.serve, name="twiml-fetch", daemon=True).start()

    def serve(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            job()
            del job  # holding the last job would keep its transport alive (and this thread with it)

    def stop(self) -> None:
        self.jobs.put(None)  # ends after the job it is running, if that ever returns

    def run(self, deadline: float, work: Callable[[], T], on_expiry: Callable[[], None] | None = None) -> T:
        """`work()` on the worker thread, waited for until `deadline` (time.monotonic()).

        Raises _Expired past the deadline (after `on_expiry`, which may close what the work is
        blocked on); whatever `work` raises, even SystemExit, is raised here.
        """
        done = threading.Event()
        result: list[T] = []
        error: list[BaseException] = []

        def job() -> None:
            try:
                result.append(work())
            except BaseException as exc:
                error.append(exc)
            finally:
                done.set()

        self.jobs.put(job)
        if not done.wait(max(0.0, deadline - time.monotonic())):
            self.stop()
            if on_expiry is not None:
                with contextlib.suppress(Exception):
                    on_expiry()
            raise _Expired
        if error:
            raise error[0]
        return result[0]


class _Workers:
    """The current worker of a transport; a new one after a deadline abandoned the last."""

    def __init__(self) -> None:
        self.current: _Worker | None = None

    def run(self, deadline: float, work: Callable[[], T], on_expiry: Callable[[], None] | None = None) -> T:
        worker = self.current or _Worker()
        self.current = worker
        try:
            return worker.run(deadline, work, on_expiry)
        except _Expired:
            self.current = None
            raise

    def close(self) -> None:
        if self.current is not None:
            self.current.stop()
            self.current = None


# ------------------------------------------------------------------------------------ decoding


_DECODABLE = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}


class _TooLarge(Exception):
    """The decoded body passed the limit (11750)."""


class _Inflater:
    """Incremental decoding of a Content-Encoding list (`gzip, gzip` included) that never holds
    more than `limit` decoded bytes at any stage, so a small compressed bomb stays small."""

    def __init__(self, encodings: list[str], limit: int) -> None:
        self.limit = limit
        self.stages: list[tuple[int, Any]] = []
        for encoding in reversed(encodings):  # the last encoding applied is undone first
            if encoding in ("", "identity"):
                continue
            if encoding not in _DECODABLE:
                raise ValueError(encoding)
            self.stages.append((_DECODABLE[encoding], zlib.decompressobj(_DECODABLE[encoding])))
        # an intermediate stage holds compressed data: 64 KB of body never needs 4x that
        self.budgets = [4 * limit] * (len(self.stages) - 1) + [limit]
        self.produced = [0] * len(self.stages)

    def feed(self, data: bytes) -> bytes:
        for index, (wbits, decoder) in enumerate(self.stages):
            out: list[bytes] = []
            while data:
                room = self.budgets[index] - self.produced[index]
                try:
                    chunk = decoder.decompress(data, room)
                except zlib.error:
                    if wbits == zlib.MAX_WBITS and not self.produced[index] and not out:  # raw deflate
                        decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                        self.stages[index] = (-zlib.MAX_WBITS, decoder)
                        continue
                    raise
                self.produced[index] += len(chunk)
                out.append(chunk)
                if self.produced[index] >= self.budgets[index]:
                    if index < len(self.stages) - 1 or decoder.unconsumed_tail:
                        raise _TooLarge
                    data = b""
                    break
                data = decoder.unconsumed_tail
                if decoder.eof and decoder.unused_data:  # concatenated gzip members
                    data = decoder.unused_data
                    decoder = zlib.decompressobj(wbits)
                    self.stages[index] = (wbits, decoder)
            data = b"".join(out)
        return data


# ------------------------------------------------------------------------------------------- HTTP


LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HostPolicy:
    """Which hosts a simulated call may send requests to.

    The target's own host and loopback are followed; any other host only when named with
    `allow` (`--allow-host`). Everything else, link-local (169.254.x.x, cloud metadata) and
    private addresses included, is refused before any connection is made: the simulator must
    not become a proxy into the machine's network because a webhook named another host.
    """

    def __init__(self, origin: str | None = None, allow: tuple[str, ...] | list[str] = ()) -> None:
        self.allowed = {h.lower().strip("[]").rstrip(".") for h in allow if h}
        self.origin = _host_of(origin) if origin else None

    def refusal(self, url: str) -> str | None:
        """Why `url` is not followed, or None when it may be requested."""
        host = _host_of(url)
        if self.origin is None:
            self.origin = host
        if host == self.origin or host in self.allowed or _is_loopback(host):
            return None
        return f"not followed: other host {host or url} (the call started at {self.origin}; --allow-host {host} to follow it)"


def _headers(request: Request) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*", "Cache-Control": "max-age=259200"}
    headers.update(request.headers)
    return headers


def _read_capped(encoding: str, chunks: Iterator[bytes]) -> bytes:
    """At most MAX_READ decoded bytes of a body arriving as `chunks` (raw, still encoded)."""
    encodings = [e.strip().lower() for e in encoding.split(",") if e.strip()]
    inflater = _Inflater(encodings, MAX_READ) if encodings else None
    body: list[bytes] = []
    size = 0
    for raw in chunks:
        data = inflater.feed(raw) if inflater is not None else raw
        body.append(data)
        size += len(data)
        if size >= MAX_READ:
            break
    return b"".join(body)[:MAX_READ]


_REDIRECTS = (301, 302, 303, 307, 308)


def _close_all(responses: list[Any]) -> None:
    """Close responses a worker is still reading (the deadline passed): its read then fails."""
    for response in responses:
        response.close()


class HttpTransport:
    """Real HTTP to a running webhook, with Twilio's limits: one 15 s deadline over connect,
    headers and body (10 s to connect), redirects followed (11215 past 10), at most 64 KB read
    whatever the Content-Encoding; only the target's own host and loopback are requested unless
    `allow_hosts` names more (`HostPolicy`)."""

    def __init__(
        self,
        timeout: float = TOTAL_TIMEOUT,
        client: httpx.Client | None = None,
        *,
        origin: str | None = None,
        allow_hosts: tuple[str, ...] | list[str] = (),
    ) -> None:
        import httpx

        self.timeout = timeout
        self._workers = _Workers()
        weakref.finalize(self, self._workers.close)  # an unclosed transport still ends its thread
        self.hosts = HostPolicy(origin, allow_hosts)
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)), follow_redirects=False
        )

    def fetch(self, request: Request) -> Reply:
        import httpx

        start = time.perf_counter()
        current = [request.url]  # the URL being requested now (errors name the redirect target)
        open_response: list[httpx.Response] = []
        try:
            return self._workers.run(
                time.monotonic() + self.timeout,
                lambda: self._follow(request, current, open_response, start),
                functools.partial(_close_all, open_response),
            )
        except _Expired:
            return _no_reply(request, f"no reply from {current[0]} within {self.timeout:g} s", 11205)
        except httpx.ConnectError as exc:
            text = str(exc)
            if "ssl" in text.lower() or "certificate" in text.lower():
                return _no_reply(request, f"TLS failure connecting to {current[0]}: {text}", 11220)
            if "name" in text.lower() and ("resolution" in text.lower() or "not known" in text.lower()):
                return _no_reply(request, f"cannot resolve the host of {current[0]}: {text}", 11210)
            return _no_reply(request, f"cannot connect to {current[0]}: {text or 'connection refused'}", 11205)
        except httpx.TimeoutException:
            return _no_reply(request, f"no reply from {current[0]} within {self.timeout:g} s", 11205)
        except (httpx.HTTPError, httpx.InvalidURL, zlib.error) as exc:
            return _no_reply(request, f"HTTP failure for {current[0]}: {exc}", 11205)

    def _follow(self, request: Request, current: list[str], opened: list[Any], start: float) -> Reply:
        """Send, follow redirects (checking each host before connecting) and read the body."""
        import httpx

        method, url = request.method, request.target
        data = urlencode(request.form) if request.method != "GET" else None
        headers = _headers(request)
        headers["Accept-Encoding"] = "identity"  # compressed replies are still decoded, capped
        if data is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for _ in range(11):
            current[0] = url
            refused = self.hosts.refusal(url)
            if refused is not None:
                return _no_reply(request, refused, NOT_FOLLOWED)
            response = self.client.send(  # redirects are ours to follow: each host is checked first
                self.client.build_request(method, url, content=data, headers=headers),
                stream=True,
                follow_redirects=False,
            )
            opened.append(response)
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    url = str(httpx.URL(url).join(location))
                    if response.status_code in (301, 302, 303) and method != "GET":
                        method, data = "GET", None
                        headers.pop("Content-Type", None)
                    continue
                encoding = response.headers.get("content-encoding", "")
                try:
                    if response.is_stream_consumed:  # a mock transport read it already (and decoded it)
                        body = _read_capped("", iter([response.content]))
                    else:
                        body = _read_capped(encoding, response.iter_raw())
                except ValueError:
                    return _no_reply(request, f"Content-Encoding {encoding} from {url} cannot be decoded", None)
                except _TooLarge:
                    return _no_reply(request, f"the reply from {url} is over 64 KB once decoded ({encoding})", 11750)
                return Reply(
                    response.status_code,
                    response.headers.get("content-type", ""),
                    body,
                    url,
                    None,
                    elapsed=time.perf_counter() - start,
                )
            finally:
                response.close()
        return _no_reply(request, f"too many HTTP redirects from {request.url}", 11215)

    def close(self) -> None:
        self._workers.close()
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
