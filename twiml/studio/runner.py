"""A Studio flow as an in-process webhook app: the simulator's engine drives it unchanged.

Studio runs a flow by answering each Twilio request with TwiML for the widget the execution is
at (a Gather whose action comes back to Studio, a Dial, a Message ...). `StudioTransport` does
the same offline: a request runs the server-side widgets (split-based-on, set-variables, HTTP and
Function calls from fixtures) until a widget needs the caller, and answers with that widget's
TwiML, whose action URL carries the execution (`/<widget>/<event>?ctx=N`; executions are kept
immutable, so the map can fork a call anywhere). The reply's URL is `/<widget>`: the map has one
state per widget that answered. Messaging: an inbound message from a contact whose execution
waits at send-and-wait-for-reply goes to that widget, as in Studio.

What ran between requests (splits taken, variables set, fixtures used, limits, widgets not
emulated) is kept in `notes` and in each execution's `steps`.

This module is the transport (URLs, executions, the loop from widget to widget); what an execution
holds is in twiml.studio.execution, what each widget does in twiml.studio.widget_handlers, and the
widgets that call out (fixtures, `--http`) in twiml.studio.callouts.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from twiml.grammar_types import Kind
from twiml.simulator.transport import Reply, Request, Transport
from twiml.studio.execution import (
    BASE_URL,
    ENTRY_EVENTS,
    MAX_REPEATS,
    MAX_STEPS,
    TWILIO_PARAMS,
    End,
    Execution,
    Response,
)
from twiml.studio.model import State, StudioFlow, Transition
from twiml.studio.subflows import Subflows

__all__ = ["BASE_URL", "ENTRY_EVENTS", "Execution", "StudioTransport"]

_CONTENT_TYPE = "text/xml; charset=utf-8"


class StudioTransport(Subflows):
    """A flow definition served at `base_url`; `fixtures` are the replies of HTTP, Function and
    Subflow widgets by widget name (their parsed JSON body; for a subflow its output, or a flow
    definition it runs); `subflows` the flows run-subflow widgets run, by flow SID or widget name."""

    def __init__(
        self,
        flow: StudioFlow,
        fixtures: Mapping[str, Any] | None = None,
        base_url: str = BASE_URL,
        fallback: Transport | None = None,
        http: bool = False,
        subflows: Mapping[str, StudioFlow] | None = None,
    ) -> None:
        self.flow = flow
        self.subflows = dict(subflows or {})
        self.http = http
        """HTTP Request and Run Function widgets without a fixture call their real URL."""
        self.fallback = fallback
        """Answers URLs outside the flow (an enqueue's wait_url, a TwiML redirect), if given."""
        self.fixtures = dict(fixtures or {})
        self.base_url = base_url.rstrip("/")
        self.executions: list[Execution] = []
        self.notes: list[str] = []
        self._drained = 0
        self.last: Execution | None = None
        self._waiting: dict[tuple[str, str], tuple[str, int]] = {}
        self._sid = "FW" + hashlib.sha1(flow.name.encode()).hexdigest()[:32]
        self.source = str(flow.path) if flow.path else flow.name
        self.route_replies = True
        """Route an inbound message to the send-and-wait-for-reply its contact waits at (Studio's
        behaviour); the map turns it off and continues conversations by URL instead."""

    # ------------------------------------------------------------------------------- URLs

    def url(self, path: str) -> str:
        return self.base_url + path

    def entry_url(self, event: str) -> str:
        return self.url("/" + event)

    def entry_for(self, kind: Kind) -> str | None:
        """The entry event a call (`voice`) or a text (`messaging`) starts at, if the trigger has one."""
        events = ("incomingCall",) if kind == "voice" else ENTRY_EVENTS[1:]
        return next((e for e in events if self.flow.entry(e)), None)

    def waiting(self, contact: str, number: str) -> str | None:
        """The widget an execution of this contact waits at (send-and-wait-for-reply), if any."""
        found = self._waiting.get((contact, number))
        return found[0] if found else None

    def timeout_url(self, contact: str, number: str) -> str | None:
        """The URL that makes the waiting send-and-wait-for-reply time out, if one waits."""
        found = self._waiting.get((contact, number))
        return self.continuation(found[0], "timeout", found[1]) if found else None

    def drain_notes(self) -> list[str]:
        """Notes since the last call (the CLI prints them after each request)."""
        out = self.notes[self._drained :]
        self._drained = len(self.notes)
        return out

    @property
    def visited(self) -> list[str]:
        """Widgets the latest execution ran, in order."""
        return list(self.last.steps) if self.last else []

    # ------------------------------------------------------------------------------ fetch

    def fetch(self, request: Request) -> Reply:
        start = time.perf_counter()
        parts = urlsplit(request.url)
        if parts.netloc != urlsplit(self.base_url).netloc:
            if self.fallback is not None:
                return self.fallback.fetch(request)
            return self._not_found(request, f"{request.url} is outside the Studio flow (served at {self.base_url})")
        segments = parts.path.strip("/").split("/")
        path = unquote(segments[0]) if len(segments) == 1 else ""
        params = dict(request.params)
        contact = (params.get("From", ""), params.get("To", ""))
        if path in ENTRY_EVENTS:
            waiting = self._waiting.pop(contact, None) if path != "incomingCall" and self.route_replies else None
            if waiting is not None:
                name, ctx = waiting
                ex = self.executions[ctx].copy()
                state = self.state_in(ex, name)
                assert state is not None  # the execution waits at a widget of its own flow
                reply = self._resume(ex, state, "reply", params, request)
            else:
                ex = self._start(path, params)
                reply = self._run(ex, self.flow.entry(path), request, contact, f"trigger {path}")
        else:
            name, kind = unquote(segments[0]), segments[-1]
            ctx_values = parse_qs(parts.query).get("ctx", [])
            known = bool(ctx_values) and ctx_values[0].isdigit() and int(ctx_values[0]) < len(self.executions)
            resumed = self.executions[int(ctx_values[0])].copy() if known else None
            found = self.state_in(resumed, name) if resumed is not None else None
            if resumed is None or found is None:
                return self._not_found(request, f"no widget or execution for {request.url}")
            if self._waiting.get(contact, ("", -1))[1] == int(ctx_values[0]):
                del self._waiting[contact]
            reply = self._resume(resumed, found, kind, params, request)
        return Reply(
            200,
            _CONTENT_TYPE,
            reply[0],
            reply[1],
            f"{self.source}#{reply[2]}",
            elapsed=time.perf_counter() - start,
        )

    def _not_found(self, request: Request, message: str) -> Reply:
        return Reply(404, "text/plain; charset=utf-8", message.encode(), request.url, None, detail=message)

    # ------------------------------------------------------------------------- executions

    def _start(self, event: str, params: dict[str, str]) -> Execution:
        kind: Kind = "voice" if event == "incomingCall" else "messaging"
        data = {k: v for k, v in params.items() if k not in TWILIO_PARAMS}
        trigger: dict[str, Any] = {}
        if event == "incomingCall":
            trigger["call"] = dict(params)
        elif event in ("incomingMessage", "incomingConversationMessage"):
            trigger["message"] = dict(params)
            if event == "incomingConversationMessage":
                trigger["conversation"] = dict(params)
        elif event == "incomingParent":
            trigger["parent"] = {"parameters": data}
        else:
            trigger["request"] = {"from": params.get("From", ""), "to": params.get("To", ""), "parameters": data}
        digest = hashlib.sha1(repr(sorted(params.items())).encode()).hexdigest()
        context = {
            "trigger": trigger,
            "flow": {
                "flow_sid": self._sid,
                "sid": "FN" + digest[:32],
                "channel": {"address": params.get("To", "")},
                "data": data if event == "incomingRequest" else {},
                "variables": {},
            },
            "contact": {"channel": {"address": params.get("From", "")}},
            "widgets": {},
        }
        return Execution(kind, context, [self.flow.trigger.name if self.flow.trigger else "Trigger"])

    def _resume(
        self, ex: Execution, state: State, kind: str, params: dict[str, str], request: Request
    ) -> tuple[bytes, str, str]:
        """The request `kind` came back for `state` (gather input, dial result ...): its event."""
        contact = (params.get("From", ""), params.get("To", ""))
        values = dict(params)
        event: str | None
        if kind == "input":
            if params.get("Digits"):
                event = "keypress"
            elif params.get("SpeechResult"):
                event = "speech"
            else:
                event = "timeout"
            ex.widgets[state.name] = values
        elif kind == "done":
            event = {"say-play": "audioComplete", "record-voicemail": "recordingComplete"}.get(state.type, "next")
            ex.widgets[state.name] = values
        elif kind == "noaudio":
            event = "noAudio"
        elif kind == "dial":
            event = "callCompleted"
            ex.widgets[state.name] = values
        elif kind == "queue":
            result = params.get("QueueResult", "bridged")
            event = {"queue-full": "failedToEnqueue", "error": "callFailure", "system-error": "callFailure"}.get(
                result, "callComplete"
            )
            ex.widgets[state.name] = values
        elif kind == "reply":
            event = "incomingMessage"
            ex.widgets[state.name] = {"inbound": values}
        elif kind == "timeout":
            event = "timeout"
        else:
            event = None
        if event is None:
            return self._finish(
                ex, Response(ex.kind), contact, ex.qualified(state.name), f"unknown continuation {kind!r}"
            )
        nxt = self._transition(state, event)
        return self._run(ex, nxt, request, contact, f"{ex.qualified(state.name)}: {event}")

    def _run(
        self, ex: Execution, name: str | None, request: Request, contact: tuple[str, str], why: str
    ) -> tuple[bytes, str, str]:
        """Run widgets from `name` until one needs the caller or the execution ends."""
        out = Response(ex.kind)
        # a request that ends the execution before any widget runs is anchored at `<widget>/end`,
        # so the map shows an end there rather than the widget again
        last = (why.split(":")[0] if ":" in why else (ex.steps[-1] if ex.steps else "Trigger")) + "/end"
        ended = f"{why}: no next widget"
        try:
            while True:
                if name is None:
                    if not ex.frames:
                        return self._finish(ex, out, contact, last, f"{ended}: the execution ends")
                    widget = ex.frames[-1].widget
                    name = self.leave(ex, "completed", f"{ended}: the subflow completes")
                    ended = f"{widget}: completed: no next widget"
                    continue
                state = (ex.flow or self.flow).by_name.get(name)
                if state is None:
                    where = "the subflow" if ex.frames else "the flow"
                    missing = f"{last.removesuffix('/end')}: goes to {name!r}, which is not in {where}"
                    if not ex.frames:
                        return self._finish(ex, out, contact, last, missing)
                    widget = ex.frames[-1].widget
                    name = self.leave(ex, "failed", missing)
                    ended = f"{widget}: failed: no next widget"
                    continue
                self._step(ex, state)
                last = ex.qualified(state.name)
                sub = self.subflow_for(state, last) if state.type == "run-subflow" else None
                if sub is not None:
                    name = self.enter(ex, state, sub)
                    ended = f"{last}: the subflow's trigger has no incomingParent widget"
                    continue
                stop, how = self._widget(ex, state, out, contact)
                if stop:
                    ctx = len(self.executions)
                    self.executions.append(ex)
                    self.last = ex
                    anchor = out.anchor or last
                    return out.xml(), self._anchor_url(anchor, ctx), anchor
                if how is None:
                    return self._finish(ex, out, contact, last, "")
                name = how.next if isinstance(how, Transition) else self._transition(state, how)
                if name is None:
                    ended = f"{last}: {how.event if isinstance(how, Transition) else how}: no next widget"
        except End as exc:
            return self._finish(ex, out, contact, last, str(exc))

    def _anchor_url(self, anchor: str, ctx: int) -> str:
        end = anchor.endswith("/end")
        name = anchor.removesuffix("/end")
        return f"{self.base_url}/{quote(name, safe='')}{'/end' if end else ''}?ctx={ctx}"

    def _step(self, ex: Execution, state: State) -> None:
        name = ex.qualified(state.name)
        ex.steps.append(name)
        if len(ex.steps) > MAX_STEPS:
            raise End(f"{name}: the execution reached Studio's limit of {MAX_STEPS} steps and stops")
        if len(ex.steps) >= MAX_REPEATS and all(s == name for s in ex.steps[-MAX_REPEATS:]):
            raise End(f"{name}: ran {MAX_REPEATS} times in a row; Studio stops the execution")

    def _finish(
        self, ex: Execution, out: Response, contact: tuple[str, str], anchor: str, why: str
    ) -> tuple[bytes, str, str]:
        if why:
            self._note(why)
        self._waiting.pop(contact, None)
        if ex.kind == "voice":
            out.doc.hangup()
        ctx = len(self.executions)
        self.executions.append(ex)
        self.last = ex
        name = out.anchor or anchor
        return out.xml(), self._anchor_url(name, ctx), name
