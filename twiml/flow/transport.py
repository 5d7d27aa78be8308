"""The simulator's transport for a flow folder: every URL is routed through flow.toml."""

from __future__ import annotations

import time
from pathlib import Path

from twiml.flow.config import Flow
from twiml.flow.folder import DEFAULT_BASE_URL, FolderApp
from twiml.simulator.transport import Reply, Request

__all__ = ["FolderTransport"]


class FolderTransport(FolderApp):
    """A flow folder served at `base_url`; a URL without a route or document gets a 404 whose
    detail names what is missing (the engine reports it as Twilio's error 11200)."""

    def __init__(self, flow: Flow | str | Path, base_url: str = DEFAULT_BASE_URL) -> None:
        super().__init__(flow, base_url)

    def fetch(self, request: Request) -> Reply:
        start = time.perf_counter()
        answer = self.answer(request.method, request.url, dict(request.params))
        source = str(self.flow.folder / answer.source) if answer.source is not None else None
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
