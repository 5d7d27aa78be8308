"""A Studio flow as a target of `twiml test`, `twiml coverage`, `twiml diff` and the pytest plugin.

The flow is served by `StudioTransport` and mapped by `explore_studio`, as for `twiml map`; the
cases, their replay, coverage and the diff of paths are twiml.flowtest's, unchanged. What a Studio
flow adds goes through the `TestTarget` hooks: where each entry starts, a conversation going on
after a send-and-wait-for-reply (`reply "yes"`, `no reply (timeout)`), widget names for documents,
execution numbers taken out of recorded URLs, and the widget-by-widget diff of two versions.
The fixtures and subflows of `<flow>.studio.toml` beside the flow apply, as for `twiml call`.
`register()` plugs the opener in (twiml.flowtest cannot import this package: it builds on it).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from twiml.flow.explore import DEFAULT_MAX_STATES, FlowMap
from twiml.flowtest.compare import Change
from twiml.flowtest.targets import TargetError, TestTarget, register_opener
from twiml.simulator.transport import Transport
from twiml.studio.model import StudioFlow

__all__ = ["open_studio_test_target", "register"]

_CTX = re.compile(r"[?&]ctx=\d+")
_ENTRIES = (
    ("start", ("incomingCall",)),
    ("sms_start", ("incomingMessage", "incomingConversationMessage")),
    ("rest", ("incomingRequest",)),
    ("parent", ("incomingParent",)),
)
"""Map entry names (as `explore_studio` names them) and the trigger events that start them."""


def register() -> None:
    """Make Studio flows (.json) targets of twiml.flowtest (the CLI and the pytest plugin call it)."""
    register_opener(open_studio_test_target)


def _load(path: Path) -> StudioFlow:
    from twiml.studio.liquid import LiquidMissing, _env
    from twiml.studio.model import StudioError, load_flow

    try:
        _env()
    except LiquidMissing as exc:
        raise TargetError(str(exc)) from None
    try:
        return load_flow(path)
    except StudioError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        raise TargetError(f"{where}: {exc.message}") from None


def open_studio_test_target(path: Path, options: argparse.Namespace | None = None) -> TestTarget | None:
    """A Studio flow file as a test target; None for a path that is not a `.json` file. Its fixtures
    and subflows: `--config` (else `<flow>.studio.toml` beside it), then `--subflow` over it."""
    from twiml.studio.commands import studio_settings
    from twiml.studio.explore import explore_studio, widget_of
    from twiml.studio.runner import StudioTransport

    if path.suffix.lower() != ".json" or not path.is_file():
        return None
    flow = _load(path)
    settings = argparse.Namespace(config=getattr(options, "config", None), subflow=getattr(options, "subflow", None))
    fixtures, subflows = studio_settings(path, flow, settings)  # not `twiml test --fixture`: that one is URL=REPLY
    transport = StudioTransport(flow, fixtures, subflows=subflows)
    transport.route_replies = False  # cases share one contact: a conversation goes on by URL
    entries: dict[str, str] = {}
    for name, events in _ENTRIES:
        event = next((e for e in events if flow.entry(e)), None)
        if event is not None:
            entries[name] = transport.entry_url(event)
    if not entries:
        raise TargetError(f"{path}: the trigger has no transition to a widget: nothing to test")

    def mapper(through: Transport, max_states: int, auth_token: str | None) -> FlowMap:
        limit = None if max_states == DEFAULT_MAX_STATES else max_states  # the default grows with the flow
        return explore_studio(flow, limit, transport, None if through is transport else through)

    def resume(url: str, label: str) -> tuple[str, str] | None:
        name, ctx = widget_of(url)
        found = transport.locate(name)
        if found is None or found[1].type != "send-and-wait-for-reply" or ctx is None:
            return None
        if urlsplit(url).path.endswith("/end"):  # the execution ended after this widget
            return None
        if label == "no reply (timeout)":
            return transport.continuation(name, "timeout", ctx), ""
        if label.startswith('reply "') and label.endswith('"'):
            return transport.continuation(name, "reply", ctx), label[7:-1]
        return None

    def scrub(text: str) -> str:
        return _CTX.sub("", text).replace(transport.base_url + "/", "/")

    def widget_name(source: str) -> str | None:
        return source.rpartition("#")[2] or None

    def widget_type(source: str) -> str | None:
        """The map names a widget's state by its type ("" for a reply of another flow)."""
        file, _, name = source.rpartition("#")
        if os.path.abspath(file) != os.path.abspath(transport.source):
            return ""
        found = transport.locate(name)
        return found[1].type if found is not None else None

    def compare(old: Path, old_label: str, new_label: str) -> tuple[list[Change], list[str]]:
        from twiml.studio.diff import diff_studio

        return diff_studio(_load(old), flow, path.name, old_label, new_label)

    first = next(iter(entries.values()))
    return TestTarget(
        str(path),
        transport,
        first,
        mapper,
        path.parent,
        "studio",
        entries=entries,
        resume=resume,
        scrub=scrub,
        namer=widget_name,
        map_namer=widget_type,
        compare=compare,
        cases_file=path.with_name(f"{path.stem}_tests.toml"),
    )
