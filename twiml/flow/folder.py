"""Answer webhook requests from a flow folder, as the exported app would answer them over HTTP.

`FolderApp.answer(method, url, params)` routes the URL's path through flow.toml and replies with
the routed file, with an empty 204 for a route written `{ status = 204 }`, or with a 404 naming what is missing or refused (Twilio then reports error
11200): a document is served only when its real path is a regular file inside the folder.
The simulator's transport protocol is a thin wrapper over this (`twiml.flow.transport`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from twiml.flow.config import Flow, load_flow
from twiml.flow.routing import Resolution

__all__ = ["CONTENT_TYPE", "DEFAULT_BASE_URL", "FolderApp", "FolderReply"]

DEFAULT_BASE_URL = "http://localhost"
"""Where a flow folder pretends to be served: relative action URLs resolve against it."""

CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class FolderReply:
    """The HTTP answer, plus which file produced it and how the route was chosen."""

    status: int
    content_type: str
    body: bytes
    url: str
    source: str | None
    resolution: Resolution | None = None


class FolderApp:
    """A flow folder seen as a webhook server at `base_url`."""

    def __init__(self, flow: Flow | str | Path, base_url: str = DEFAULT_BASE_URL) -> None:
        self.flow = flow if isinstance(flow, Flow) else load_flow(flow)
        self.base_url = base_url.rstrip("/")
        self._host = urlsplit(self.base_url).netloc
        self._cache: dict[str, bytes] = {}

    def url(self, path: str) -> str:
        """The absolute URL of a route path."""
        return self.base_url + path

    def read(self, document: str) -> bytes:
        """A document's bytes, read once per FolderApp (a map visits documents many times)."""
        data = self._cache.get(document)
        if data is None:
            data = self.flow.read_document(document)
            self._cache[document] = data
        return data

    def answer(self, method: str, url: str, params: Mapping[str, str]) -> FolderReply:
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != self._host:
            return self._not_found(url, f"{url} is outside the flow (served at {self.base_url})")
        resolution = self.flow.resolve(parts.path or "/", params)
        if resolution.no_content:  # no Content-Type either: on a URL of the call, Twilio's 12300
            return FolderReply(204, "", b"", url, None, resolution)
        if resolution.document is None:
            return self._not_found(url, f"{resolution.reason} in {self.flow.config_path}", resolution)
        try:
            body = self.read(resolution.document)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            return self._not_found(url, f"route {parts.path}: refused: {reason}", resolution)
        return FolderReply(200, CONTENT_TYPE, body, url, resolution.document, resolution)

    @staticmethod
    def _not_found(url: str, message: str, resolution: Resolution | None = None) -> FolderReply:
        return FolderReply(404, "text/plain; charset=utf-8", message.encode("utf-8"), url, None, resolution)
