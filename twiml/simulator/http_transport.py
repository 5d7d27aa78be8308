"""`HttpTransport`: real HTTP with httpx (loaded when a transport is made), Twilio's deadline over
the whole exchange, redirects followed by hand so each hop is checked against `HostPolicy`.
"""

from __future__ import annotations

import functools
import time
import weakref
import zlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

if TYPE_CHECKING:  # httpx and asyncio load when an HTTP or app transport is made, not for `twiml validate`
    import httpx

from twiml.simulator.deadline import _Expired, _Inflater, _TooLarge, _Workers
from twiml.simulator.wire import (
    CONNECT_TIMEOUT,
    MAX_READ,
    NOT_FOLLOWED,
    TOTAL_TIMEOUT,
    USER_AGENT,
    Reply,
    Request,
    _no_reply,
)

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
