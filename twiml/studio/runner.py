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
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from twiml.simulator.transport import Reply, Request, Transport
from twiml.studio.conditions import matches
from twiml.studio.liquid import render
from twiml.studio.model import State, StudioFlow, Transition
from twiml.studio.widgets import widget

__all__ = ["BASE_URL", "ENTRY_EVENTS", "Execution", "StudioTransport"]

BASE_URL = "http://studio.local"
MAX_STEPS = 1000
"""Studio ends an execution after 1,000 steps."""
MAX_REPEATS = 10
"""... or when the same widget runs 10 times in a row."""
ENTRY_EVENTS = ("incomingCall", "incomingMessage", "incomingConversationMessage", "incomingRequest", "incomingParent")
_TWILIO_PARAMS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "CallStatus",
        "Direction",
        "From",
        "To",
        "Caller",
        "Called",
        "MessageSid",
        "SmsSid",
        "SmsMessageSid",
        "SmsStatus",
        "NumMedia",
        "NumSegments",
        "Body",
        "MessagingServiceSid",
    }
)
_CONTENT_TYPE = "text/xml; charset=utf-8"


@dataclass
class Execution:
    """One execution's context (what Liquid sees), the widgets it ran, and its channel."""

    channel: str
    context: dict[str, Any]
    steps: list[str] = field(default_factory=list)

    def copy(self) -> Execution:
        return Execution(self.channel, copy.deepcopy(self.context), list(self.steps))

    @property
    def widgets(self) -> dict[str, Any]:
        w: dict[str, Any] = self.context.setdefault("widgets", {})
        return w

    @property
    def variables(self) -> dict[str, Any]:
        v: dict[str, Any] = self.context["flow"].setdefault("variables", {})
        return v


Outcome = tuple[bool, "str | Transition | None"]
"""What a widget did: (True, None) when its TwiML waits for the caller; else (False, the event or,
for a split, the matching transition); (False, None) ends the execution."""


class _End(Exception):
    """The execution ends here (a limit, a missing widget, an unknown type)."""


class _Response:
    """The TwiML being built for one reply, voice or messaging."""

    def __init__(self, channel: str) -> None:
        if channel == "voice":
            from twiml.voice_response import VoiceResponse

            self.doc: Any = VoiceResponse()
        else:
            from twiml.messaging_response import MessagingResponse

            self.doc = MessagingResponse()
        self.channel = channel
        self.anchor: str | None = None
        """The last widget that put TwiML here (the reply's URL names it)."""

    def xml(self) -> bytes:
        return str(self.doc.to_xml()).encode("utf-8")


class StudioTransport:
    """A flow definition served at `base_url`; `fixtures` are the replies of HTTP, Function and
    Subflow widgets by widget name (their parsed JSON body, or for a subflow its output)."""

    def __init__(
        self,
        flow: StudioFlow,
        fixtures: Mapping[str, Any] | None = None,
        base_url: str = BASE_URL,
        fallback: Transport | None = None,
        http: bool = False,
    ) -> None:
        self.flow = flow
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

    def entry_for(self, channel: str) -> str | None:
        """The entry event a call (`voice`) or a text (`messaging`) starts at, if the trigger has one."""
        events = ("incomingCall",) if channel == "voice" else ENTRY_EVENTS[1:]
        return next((e for e in events if self.flow.entry(e)), None)

    def continuation(self, name: str, kind: str, ctx: int) -> str:
        return f"{self.base_url}/{quote(name, safe='')}/{kind}?ctx={ctx}"

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
                reply = self._resume(ex, self.flow.by_name[name], "reply", params, request)
            else:
                ex = self._start(path, params)
                reply = self._run(ex, self.flow.entry(path), request, contact, f"trigger {path}")
        else:
            name, kind = unquote(segments[0]), segments[-1]
            ctx_values = parse_qs(parts.query).get("ctx", [])
            found = self.flow.by_name.get(name)
            if (
                found is None
                or not ctx_values
                or not ctx_values[0].isdigit()
                or int(ctx_values[0]) >= len(self.executions)
            ):
                return self._not_found(request, f"no widget or execution for {request.url}")
            ex = self.executions[int(ctx_values[0])].copy()
            if self._waiting.get(contact, ("", -1))[1] == int(ctx_values[0]):
                del self._waiting[contact]
            reply = self._resume(ex, found, kind, params, request)
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
        channel = "voice" if event == "incomingCall" else "messaging"
        data = {k: v for k, v in params.items() if k not in _TWILIO_PARAMS}
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
        return Execution(channel, context, [self.flow.trigger.name if self.flow.trigger else "Trigger"])

    def _note(self, text: str) -> None:
        self.notes.append(text)

    def _render(self, ex: Execution, state: State, value: Any, what: str) -> str:
        text, problem = render(value, ex.context)
        if problem:
            self._note(f"{state.name}: Liquid in {what} failed ({problem}); it renders as empty")
        return text

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
            return self._finish(ex, _Response(ex.channel), contact, state.name, f"unknown continuation {kind!r}")
        nxt = self._transition(state, event)
        return self._run(ex, nxt, request, contact, f"{state.name}: {event}")

    def _transition(self, state: State, event: str) -> str | None:
        t = state.next_for(event)
        return t.next if t else None

    def _run(
        self, ex: Execution, name: str | None, request: Request, contact: tuple[str, str], why: str
    ) -> tuple[bytes, str, str]:
        """Run widgets from `name` until one needs the caller or the execution ends."""
        out = _Response(ex.channel)
        # a request that ends the execution before any widget runs is anchored at `<widget>/end`,
        # so the map shows an end there rather than the widget again
        last = (why.split(":")[0] if ":" in why else (ex.steps[-1] if ex.steps else "Trigger")) + "/end"
        try:
            while True:
                if name is None:
                    return self._finish(ex, out, contact, last, f"{why}: no next widget: the execution ends")
                state = self.flow.by_name.get(name)
                if state is None:
                    return self._finish(
                        ex,
                        out,
                        contact,
                        last,
                        f"{last.removesuffix('/end')}: goes to {name!r}, which is not in the flow",
                    )
                self._step(ex, state)
                last = state.name
                stop, how = self._widget(ex, state, out, contact)
                if stop:
                    ctx = len(self.executions)
                    self.executions.append(ex)
                    self.last = ex
                    anchor = out.anchor or state.name
                    return out.xml(), self._anchor_url(anchor, ctx), anchor
                if how is None:
                    return self._finish(ex, out, contact, state.name, "")
                name = how.next if isinstance(how, Transition) else self._transition(state, how)
                if name is None:
                    event = how.event if isinstance(how, Transition) else how
                    return self._finish(
                        ex, out, contact, state.name, f"{state.name}: {event}: no next widget: the execution ends"
                    )
        except _End as exc:
            return self._finish(ex, out, contact, last, str(exc))

    def _anchor_url(self, anchor: str, ctx: int) -> str:
        end = anchor.endswith("/end")
        name = anchor.removesuffix("/end")
        return f"{self.base_url}/{quote(name, safe='')}{'/end' if end else ''}?ctx={ctx}"

    def _step(self, ex: Execution, state: State) -> None:
        ex.steps.append(state.name)
        if len(ex.steps) > MAX_STEPS:
            raise _End(f"{state.name}: the execution reached Studio's limit of {MAX_STEPS} steps and stops")
        if len(ex.steps) >= MAX_REPEATS and all(s == state.name for s in ex.steps[-MAX_REPEATS:]):
            raise _End(f"{state.name}: ran {MAX_REPEATS} times in a row; Studio stops the execution")

    def _finish(
        self, ex: Execution, out: _Response, contact: tuple[str, str], anchor: str, why: str
    ) -> tuple[bytes, str, str]:
        if why:
            self._note(why)
        self._waiting.pop(contact, None)
        if ex.channel == "voice":
            out.doc.hangup()
        ctx = len(self.executions)
        self.executions.append(ex)
        self.last = ex
        name = out.anchor or anchor
        return out.xml(), self._anchor_url(name, ctx), name

    # --------------------------------------------------------------------------- widgets

    def _widget(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        """Run one widget: (True, None) when its TwiML waits for the caller; else (False, event)."""
        spec = widget(state.type)
        if spec is None:
            raise _End(f"{state.name}: widget type {state.type!r} is unknown; the execution stops here")
        handler = getattr(self, "_w_" + state.type.replace("-", "_"), None)
        if handler is not None:
            result: Outcome = handler(ex, state, out, contact)
            return result
        if spec.kind == "fixture":
            return False, self._fixture(ex, state, spec.offline_event or "failed")
        if state.type == "trigger":
            raise _End(f"{state.name}: a transition leads back to the trigger; the execution ends")
        self._note(f"{state.name}: {state.type} is not emulated offline; it takes {spec.offline_event!r}")
        return False, spec.offline_event

    def _prop(self, state: State, *names: str) -> Any:
        for n in names:
            value = state.properties.get(n)
            if value is not None and value != "":
                return value
        return None

    def _cont(self, ex: Execution, state: State, kind: str) -> str:
        return self.continuation(state.name, kind, len(self.executions))

    def _then(self, ex: Execution, state: State, out: _Response, event: str, kind: str) -> None:
        """After a widget's verbs: back to Studio for `event`, or hang up when `event` ends the flow."""
        if self._transition(state, event) is None:
            if event == "audioComplete":
                self._note(f"{state.name}: {event}: no next widget: the execution ends")
            out.doc.hangup()
        else:
            out.doc.redirect(self._cont(ex, state, kind))

    def _say_into(self, target: Any, ex: Execution, state: State) -> None:
        play = self._render(ex, state, self._prop(state, "play"), "play")
        digits = self._prop(state, "digits")
        loop = self._prop(state, "loop")
        voice = self._prop(state, "voice")
        language = self._prop(state, "language")
        voice = None if voice == "default" else voice
        language = None if language == "default" else language
        if play:
            target.play(play, loop=loop)
        elif digits:
            target.play(digits=str(digits))
        else:
            say = self._render(ex, state, self._prop(state, "say"), "say")
            if say:
                target.say(say, voice=voice, language=language, loop=loop)

    def _w_say_play(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        if ex.channel != "voice":
            self._note(f"{state.name}: say-play outside a call does nothing; it takes audioComplete")
            return False, "audioComplete"
        self._say_into(out.doc, ex, state)
        self._then(ex, state, out, "audioComplete", "done")
        out.anchor = state.name
        return True, None

    def _w_gather_input_on_call(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        if ex.channel != "voice":
            self._note(f"{state.name}: gather-input-on-call outside a call times out")
            return False, "timeout"
        finish = state.properties.get("finish_on_key", state.properties.get("finishOnKey"))
        speech_timeout = self._prop(state, "speech_timeout", "speechTimeout")
        gather = out.doc.gather(
            input="dtmf speech",
            action=self._cont(ex, state, "input"),
            method="POST",
            timeout=self._prop(state, "timeout"),
            num_digits=self._prop(state, "number_of_digits", "numDigits"),
            finish_on_key=finish if isinstance(finish, str) else None,
            speech_timeout=str(speech_timeout) if speech_timeout is not None else None,
            language=self._prop(state, "gather_language", "gatherLanguage"),
            hints=self._render(ex, state, self._prop(state, "hints"), "hints") or None,
            profanity_filter=self._prop(state, "profanity_filter"),
            speech_model=self._prop(state, "speech_model"),
        )
        self._say_into(gather, ex, state)
        self._then(ex, state, out, "timeout", "timeout")
        out.anchor = state.name
        return True, None

    def _w_split_based_on(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        subject = self._render(ex, state, state.properties.get("input", ""), "input")
        for t in state.transitions:
            if t.event != "match" or not t.conditions:
                continue
            ok = True
            for c in t.conditions:
                args = c.get("arguments")
                arg = args[0] if isinstance(args, list) and args else state.properties.get("input", "")
                value = self._render(ex, state, c.get("value", ""), "a condition's value")
                if not matches(str(c.get("type", "")), self._render(ex, state, arg, "arguments"), value):
                    ok = False
                    break
            if ok:
                c0 = t.conditions[0]
                self._note(f"{state.name}: {subject!r} {c0.get('type')} {c0.get('value')!r} -> {t.next or '(end)'}")
                return False, t
        self._note(f"{state.name}: {subject!r} matches no condition -> noMatch")
        return False, "noMatch"

    def _w_set_variables(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        items = state.properties.get("variables") or []
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                value = self._render(ex, state, item.get("value", ""), f"variable {item['key']}")
                ex.variables[item["key"]] = value
        return False, "next"

    def _w_connect_call_to(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        if ex.channel != "voice":
            self._note(f"{state.name}: connect-call-to outside a call does nothing")
            return False, "hangup"
        to = self._render(ex, state, self._prop(state, "to"), "to")
        record = self._prop(state, "record")
        dial = out.doc.dial(
            action=self._cont(ex, state, "dial"),
            timeout=self._prop(state, "timeout"),
            caller_id=self._render(ex, state, self._prop(state, "caller_id"), "caller_id") or None,
            record="record-from-answer" if str(record).lower() == "true" else None,
            time_limit=self._prop(state, "time_limit"),
        )
        noun = self._prop(state, "noun") or "number"
        if noun == "number-multi":
            for number in to.split(","):
                if number.strip():
                    dial.number(number.strip())
        elif noun == "client":
            dial.client(to)
        elif noun == "sip":
            dial.sip(self._render(ex, state, self._prop(state, "sip_endpoint"), "sip_endpoint") or to)
        elif noun == "conference":
            dial.conference(to)
        elif noun == "queue":
            dial.queue(to)
        else:
            dial.number(to)
        out.anchor = state.name
        return True, None

    def _w_record_voicemail(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        if ex.channel != "voice":
            return False, "noAudio"
        transcribe = self._prop(state, "transcribe")
        out.doc.record(
            action=self._cont(ex, state, "done"),
            max_length=self._prop(state, "max_length", "maxLength"),
            timeout=self._prop(state, "timeout"),
            finish_on_key=self._prop(state, "finish_on_key", "finishOnKey"),
            play_beep=self._prop(state, "play_beep"),
            trim=self._prop(state, "trim"),
            transcribe=transcribe,
            transcribe_callback=self._prop(state, "transcription_callback_url", "transcribeCallbackUrl"),
        )
        out.doc.redirect(self._cont(ex, state, "noaudio"))
        out.anchor = state.name
        return True, None

    def _enqueue(
        self,
        ex: Execution,
        state: State,
        out: _Response,
        name: str | None,
        workflow: str | None,
        attributes: str,
        priority: Any,
        timeout: Any,
    ) -> None:
        wait_url = self._render(ex, state, self._prop(state, "wait_url", "waitUrl"), "wait_url") or None
        enqueue = out.doc.enqueue(
            name or None,
            action=self._cont(ex, state, "queue"),
            workflow_sid=workflow or None,
            wait_url=wait_url,
            wait_url_method=self._prop(state, "wait_url_method", "waitUrlMethod") if wait_url else None,
        )
        if workflow:
            enqueue.task(attributes or "{}", priority=priority, timeout=timeout)
        out.anchor = state.name

    def _w_enqueue_call(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        if ex.channel != "voice":
            return False, "failedToEnqueue"
        self._enqueue(
            ex,
            state,
            out,
            self._render(ex, state, self._prop(state, "queue_name"), "queue_name"),
            self._prop(state, "workflow_sid"),
            self._render(ex, state, self._prop(state, "task_attributes"), "task_attributes"),
            self._prop(state, "priority"),
            self._prop(state, "timeout"),
        )
        return True, None

    def _w_send_to_flex(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        attributes = self._render(ex, state, self._prop(state, "attributes"), "attributes")
        if ex.channel != "voice":
            raise _End(f"{state.name}: the conversation is handed to Flex (not emulated); the execution ends")
        self._enqueue(
            ex,
            state,
            out,
            None,
            self._prop(state, "workflow") or "WW00000000000000000000000000000000",
            attributes,
            self._render(ex, state, self._prop(state, "priority"), "priority") or None,
            self._prop(state, "timeout"),
        )
        return True, None

    def _message(self, ex: Execution, state: State, out: _Response) -> None:
        body = self._render(ex, state, self._prop(state, "body"), "body")
        to = self._render(ex, state, self._prop(state, "to") or "{{contact.channel.address}}", "to")
        from_ = self._render(ex, state, self._prop(state, "from") or "{{flow.channel.address}}", "from")
        media = self._render(ex, state, self._prop(state, "media_url"), "media_url")
        if not body and self._prop(state, "content_sid"):
            body = f"[content template {self._prop(state, 'content_sid')}]"
        if ex.channel == "voice":
            out.doc.sms(body, to=to or None, from_=from_ or None)
        else:
            message = out.doc.message(body, to=to or None, from_=from_ or None)
            if media:
                message.media(media)
        out.anchor = state.name

    def _w_send_message(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        self._message(ex, state, out)
        return False, "sent"

    def _w_send_and_wait_for_reply(
        self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]
    ) -> Outcome:
        self._message(ex, state, out)
        if ex.channel == "voice":
            self._note(f"{state.name}: a reply cannot arrive during a simulated call; it times out")
            return False, "timeout"
        self._waiting[contact] = (state.name, len(self.executions))
        return True, None

    def _w_record_call(self, ex: Execution, state: State, out: _Response, contact: tuple[str, str]) -> Outcome:
        self._note(f"{state.name}: call recording is switched by Studio's API (not emulated); it takes 'success'")
        return False, "success"

    def _fixture(self, ex: Execution, state: State, fail: str) -> str:
        if state.name not in self.fixtures and self.http and state.type in ("make-http-request", "run-function"):
            return self._call_out(ex, state, fail)
        if state.name not in self.fixtures:
            self._note(
                f"{state.name}: {state.type} has no fixture (--fixture {state.name}=reply.json); it takes {fail!r}"
            )
            ex.widgets[state.name] = {"status_code": 0, "body": "", "parsed": {}}
            return fail
        value = self.fixtures[state.name]
        if state.type == "run-subflow":
            ex.widgets[state.name] = dict(value) if isinstance(value, dict) else {"output": value}
            self._note(f"{state.name}: run-subflow replied from its fixture -> completed")
            return "completed"
        body = value if isinstance(value, str) else json.dumps(value)
        ex.widgets[state.name] = {
            "status_code": 200,
            "content_type": "application/json",
            "body": body,
            "parsed": value,
        }
        self._note(f"{state.name}: {state.type} replied from its fixture -> success")
        return "success"

    def _call_out(self, ex: Execution, state: State, fail: str) -> str:
        """The widget's real request (`--http`), with Studio's 10 s limit: its reply fills
        `status_code`, `content_type`, `body` and, for JSON, `parsed`; 2xx is success."""
        import httpx

        url = self._render(ex, state, self._prop(state, "url"), "url")
        params = {}
        items = state.properties.get("parameters")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                params[item["key"]] = self._render(ex, state, item.get("value", ""), f"parameter {item['key']}")
        method = str(self._prop(state, "method") or "POST").upper()
        content_type = str(self._prop(state, "content_type", "contentType") or "application/x-www-form-urlencoded")
        kwargs: dict[str, Any] = {}
        if state.type == "run-function" or method == "GET":
            kwargs["params" if method == "GET" else "data"] = params
        elif "json" in content_type:
            body = self._render(ex, state, self._prop(state, "body"), "body")
            kwargs["content"] = body.encode() if body else json.dumps(params).encode()
            kwargs["headers"] = {"Content-Type": content_type}
        else:
            kwargs["data"] = params
        try:
            reply = httpx.request(method if state.type != "run-function" else "POST", url, timeout=10.0, **kwargs)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            self._note(f"{state.name}: {state.type} {url}: {exc or type(exc).__name__}; it takes {fail!r}")
            ex.widgets[state.name] = {"status_code": 0, "body": "", "parsed": {}}
            return fail
        parsed: Any = {}
        try:
            parsed = reply.json()
        except ValueError:
            parsed = {}
        ex.widgets[state.name] = {
            "status_code": reply.status_code,
            "content_type": reply.headers.get("content-type", ""),
            "body": reply.text,
            "parsed": parsed,
        }
        event = "success" if 200 <= reply.status_code < 300 else fail
        self._note(f"{state.name}: {state.type} {method} {url}: HTTP {reply.status_code} -> {event}")
        return event
