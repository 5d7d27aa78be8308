"""Mocks for what a flow calls: fixed replies per URL, and record/replay of a real HTTP target.

All three are simulator transports wrapping another one, so the engine, the explorer and the
replays see them like any target.
- `FixtureTransport`: a reply (or just a status) for URLs the target does not answer (a route
  with no document, an external `action`, a callback), from the cases file or the command line.
- `RecordingTransport`: passes every request on and keeps the replies; `save` writes them.
- `ReplayTransport`: answers from a recorded file, offline; a request it has no reply for is a
  failed fetch that names the request and the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from twiml.simulator.transport import Reply, Request, Transport

__all__ = ["FixtureError", "FixtureTransport", "RecordingTransport", "ReplayTransport", "parse_fixture_arg"]


class FixtureError(Exception):
    """A fixture or recording cannot be used; the message names the file or argument."""


def _local(url: str, base: str) -> str:
    """`url` without its query, as a path when it is on `base`'s host."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" == base:
        return parts.path or "/"
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class FixtureTransport:
    """Replies from `fixtures` (URL or path → {status, body, content_type, method}), else `inner`."""

    def __init__(self, inner: Transport, fixtures: Mapping[str, Mapping[str, Any]], base: str) -> None:
        self.inner = inner
        self.fixtures = dict(fixtures)
        self.base = base
        self.used: set[str] = set()

    def fetch(self, request: Request) -> Reply:
        key = _local(request.url, self.base)
        fixture = self.fixtures.get(key)
        if fixture is None or fixture.get("method", request.method).upper() != request.method:
            return self.inner.fetch(request)
        self.used.add(key)
        body = str(fixture.get("body", "")).encode("utf-8")
        status = int(fixture.get("status", 200))
        content_type = str(fixture.get("content_type", "text/xml" if body else "text/plain"))
        detail = f"fixture for {key}" if status >= 400 else None
        return Reply(status, content_type, body, request.url, None, detail=detail)


def parse_fixture_arg(text: str) -> tuple[str, dict[str, Any]]:
    """`URL=STATUS`, `URL=@file.xml` (a 200 with the file as body) or `URL=<Response>...`."""
    url, sep, value = text.partition("=")
    if not sep or not url:
        raise FixtureError(f"--fixture {text!r}: expected URL=STATUS, URL=@FILE or URL=<Response>...")
    if value.isdigit():
        return url, {"status": int(value)}
    if value.startswith("@"):
        try:
            return url, {"status": 200, "body": Path(value[1:]).read_text(encoding="utf-8")}
        except OSError as exc:
            raise FixtureError(f"--fixture {url}: cannot read {value[1:]}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise FixtureError(f"--fixture {url}: cannot read {value[1:]}: {exc}") from None
    return url, {"status": 200, "body": value}


def _key(request: Request, base: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """What identifies a request across runs: method, URL and parameters other than SIDs."""
    params = tuple(sorted((k, v) for k, v in request.params if not k.endswith("Sid")))
    return request.method, _local(request.url, base), params


class RecordingTransport:
    """Passes requests to `inner` and keeps each distinct request's reply."""

    def __init__(self, inner: Transport, base: str) -> None:
        self.inner = inner
        self.base = base
        self.replies: dict[tuple[str, str, tuple[tuple[str, str], ...]], Reply] = {}

    def fetch(self, request: Request) -> Reply:
        reply = self.inner.fetch(request)
        if reply.error is None:
            self.replies.setdefault(_key(request, self.base), reply)
        return reply

    def dump(self) -> str:
        out = [
            f"# Replies recorded from {self.base} by `twiml test --record`; `twiml test --replay` plays them offline.",
            "version = 1",
        ]
        for (method, url, params), reply in sorted(self.replies.items()):
            out += ["", "[[reply]]", f"method = {json.dumps(method)}", f"url = {json.dumps(url)}"]
            if params:
                inline = ", ".join(f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in params)
                out.append(f"params = {{ {inline} }}")
            out.append(f"status = {reply.status}")
            out.append(f"content_type = {json.dumps(reply.content_type)}")
            out.append(f"body = {json.dumps(reply.body.decode('utf-8', 'replace'), ensure_ascii=False)}")
        return "\n".join(out) + "\n"

    def save(self, path: Path) -> None:
        from twiml.files import atomic_write

        try:
            atomic_write(path, self.dump())
        except OSError as exc:
            raise FixtureError(f"--record {path}: cannot write: {exc.strerror or exc}") from None


class ReplayTransport:
    """Answers from a file `RecordingTransport` wrote; no network."""

    def __init__(self, path: Path, base: str) -> None:
        import tomllib

        self.path = path
        self.base = base
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FixtureError(f"{path}: cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise FixtureError(f"{path}: cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise FixtureError(f"{path}: not TOML: {exc}") from None
        self.replies: dict[tuple[str, str, tuple[tuple[str, str], ...]], dict[str, Any]] = {}
        for n, item in enumerate(data.get("reply", []), start=1):
            if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                raise FixtureError(f"{path}: reply {n} needs a url")
            params = tuple(sorted((str(k), str(v)) for k, v in dict(item.get("params", {})).items()))
            self.replies[(str(item.get("method", "POST")), item["url"], params)] = item

    def fetch(self, request: Request) -> Reply:
        key = _key(request, self.base)
        item = self.replies.get(key)
        if item is None:
            shown = " ".join(f"{k}={v}" for k, v in key[2] if k in _INPUT_PARAMS)
            message = f"no recorded reply for {key[0]} {key[1]} {shown}".rstrip() + f" in {self.path}"
            return Reply(0, "", b"", request.url, None, error=message)
        return Reply(
            int(item.get("status", 200)),
            str(item.get("content_type", "text/xml")),
            str(item.get("body", "")).encode("utf-8"),
            request.url,
            None,
        )


_INPUT_PARAMS = {"Digits", "SpeechResult", "DialCallStatus", "RecordingDuration", "QueueResult", "Body"}
