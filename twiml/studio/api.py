"""`Call(studio=...)` and `Text(studio=...)`: the test API of `twiml.testing` on a Studio flow.

They are twiml.flowtest's `Call` and `Text` (the simulator's, with the `expect_*` assertions and
`folder=`) with more arguments: `studio` (a flow .json path or a loaded `StudioFlow`), `fixtures`
(widget name -> the JSON reply of an HTTP, Function or Subflow widget), `subflows` (a run-subflow's
flow_sid or widget name -> the subflow's .json path or `StudioFlow`) and `config` (the TOML file of
[fixtures] and [subflows]; by default `<flow>.studio.toml` beside a flow given as a path, when it exists;
the arguments win over it). `studio` is then the flow's transport: `visited` lists the widgets the
execution ran and `notes` what happened between requests (splits taken, fixtures used, limits).
`http=True` lets HTTP Request and Run Function widgets without a fixture call their real URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from twiml.flowtest import expect
from twiml.grammar_types import Kind
from twiml.simulator.engine import Sent
from twiml.studio.model import StudioFlow, load_flow
from twiml.studio.runner import StudioTransport

__all__ = ["Call", "Text"]

StudioSource = str | os.PathLike[str] | StudioFlow


Subflows = Mapping[str, "str | os.PathLike[str] | StudioFlow"]


def _transport(
    studio: StudioSource,
    fixtures: Mapping[str, Any] | None,
    http: bool,
    subflows: Subflows | None = None,
    config: str | os.PathLike[str] | None = None,
) -> StudioTransport:
    """The flow's transport; a config file or subflow that cannot be used raises ValueError naming it."""
    from twiml.studio.config import ConfigError, config_beside, load_config, load_subflow

    flow = studio if isinstance(studio, StudioFlow) else load_flow(studio)
    path = (
        Path(config) if config is not None else (config_beside(studio) if not isinstance(studio, StudioFlow) else None)
    )
    settings: dict[str, Any] = {}
    loaded: dict[str, StudioFlow] = {}
    try:
        if path is not None and (config is not None or path.is_file()):
            found = load_config(path, flow)
            settings, loaded = found.fixtures, found.subflows
        for key, sub in (subflows or {}).items():
            loaded[key] = sub if isinstance(sub, StudioFlow) else load_subflow(Path(sub), f"subflows[{key!r}]")
    except ConfigError as exc:
        raise ValueError(str(exc)) from None
    return StudioTransport(flow, {**settings, **(fixtures or {})}, http=http, subflows=loaded)


def _entry(transport: StudioTransport, kind: Kind) -> str:
    event = transport.entry_for(kind)
    if event is None:
        what = "call" if kind == "voice" else "message"
        raise ValueError(f"{transport.source}: the trigger has no {what} entry with a next widget")
    return transport.entry_url(event)


def _serve(studio: StudioSource | None, options: dict[str, Any], kwargs: dict[str, Any]) -> StudioTransport | None:
    """The Studio flow `Call` or `Text` talks to (its transport put into `kwargs`), or None."""
    if studio is None:
        return None
    transport = _transport(studio, **options)
    kwargs["transport"] = transport
    return transport


class Call(expect.Call):
    """twiml.flowtest's `Call`, or a call into a Studio flow with `studio=`."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str | None = None,
        *,
        studio: StudioSource | None = None,
        fixtures: Mapping[str, Any] | None = None,
        http: bool = False,
        subflows: Subflows | None = None,
        config: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        options = {"fixtures": fixtures, "http": http, "subflows": subflows, "config": config}
        self.studio = _serve(studio, options, kwargs)
        super().__init__(app, _entry(self.studio, "voice") if self.studio else url, **kwargs)

    @property
    def visited(self) -> list[str]:
        """Widgets the Studio execution ran, in order (Studio flows only)."""
        return self.studio.visited if self.studio else []


class Text(expect.Text):
    """twiml.flowtest's `Text`, or a conversation with a Studio flow with `studio=`: the first message
    starts the flow, each further `send` answers its send-and-wait-for-reply, `timeout()` lets it time out."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str | None = None,
        *,
        studio: StudioSource | None = None,
        fixtures: Mapping[str, Any] | None = None,
        http: bool = False,
        subflows: Subflows | None = None,
        config: str | os.PathLike[str] | None = None,
        **kwargs: Any,
    ) -> None:
        options = {"fixtures": fixtures, "http": http, "subflows": subflows, "config": config}
        self.studio = _serve(studio, options, kwargs)
        super().__init__(app, _entry(self.studio, "messaging") if self.studio else url, **kwargs)

    @property
    def visited(self) -> list[str]:
        """Widgets the latest Studio execution ran, in order."""
        return self.studio.visited if self.studio else []

    @property
    def waiting(self) -> str | None:
        """The send-and-wait-for-reply widget waiting for the next message, if any."""
        if self.studio is None:
            return None
        o = self.session.options
        return self.studio.waiting(o.from_, o.to)

    def timeout(self) -> list[Sent]:
        """No reply comes: the waiting send-and-wait-for-reply takes its timeout transition."""
        if self.studio is None:
            raise AssertionError("timeout() applies to Studio flows (Text(studio=...))")
        o = self.session.options
        url = self.studio.timeout_url(o.from_, o.to)
        if url is None:
            raise AssertionError("no send-and-wait-for-reply widget is waiting")
        entry, self.session.url = self.session.url, url
        try:
            return self.send("")
        finally:
            self.session.url = entry
