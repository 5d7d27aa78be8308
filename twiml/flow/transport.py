"""The simulator's transport for a flow folder: every URL is routed through flow.toml."""

from __future__ import annotations

import time
from pathlib import Path

from twiml.flow.config import Flow
from twiml.flow.folder import DEFAULT_BASE_URL, FolderApp
from twiml.flow.routing import Resolution
from twiml.simulator.transport import Reply, Request

__all__ = ["FolderTransport"]


class FolderTransport(FolderApp):
    """A flow folder served at `base_url`; a URL without a route or document gets a 404 whose
    detail names what is missing (the engine reports it as Twilio's error 11200)."""

    def __init__(self, flow: Flow | str | Path, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(flow, base_url)
        self.last_resolution: Resolution | None = None
        """How the last request was routed (the map reports inputs that fell to a default)."""
        self._sources: dict[str, str] = {}

    def fetch(self, request: Request) -> Reply:
        start = time.perf_counter()
        answer = self.answer(request.method, request.url, dict(request.params))
        self.last_resolution = answer.resolution
        source = None
        if answer.source is not None:
            source = self._sources.get(answer.source)
            if source is None:
                source = self._sources[answer.source] = str(self.flow.folder / answer.source)
        detail = answer.body.decode("utf-8") if answer.status != 200 else None
        return Reply(
            answer.status,
            answer.content_type,
            answer.body,
            answer.url,
            source,
            detail=detail,
            elapsed=time.perf_counter() - start,
        )
