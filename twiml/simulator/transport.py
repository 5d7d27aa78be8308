"""How the simulator fetches a document: one small protocol and its implementations.

The engine never does I/O. A driver takes the engine's `Request`, hands it to a `Transport`
and gives the `Reply` back to the engine. Transports here: `FileTransport` (TwiML files on
disk), `HttpTransport` (real HTTP with httpx), `AppTransport` (a WSGI or ASGI app called in
process through httpx's WSGI/ASGI transports, no socket). Anything with a `fetch` method works.

This module is the face and the file transport; the records are in `twiml.simulator.wire`, the
HTTP and in-process transports in `http_transport` and `app_transport` (the deadline worker they
share in `deadline`), each re-exported here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from urllib.parse import urlsplit

from twiml.files import read_bytes
from twiml.simulator.app_transport import AppLoadError, AppTransport, is_asgi, load_app
from twiml.simulator.http_transport import HostPolicy, HttpTransport
from twiml.simulator.wire import FILE_BASE, TOTAL_TIMEOUT, Reply, Request, Transport, _no_reply

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
