"""The engine: executes TwiML as Twilio does, one step at a time, with no I/O.

A call is a `CallState` (frozen: keeping a reference is a fork). Every function returns a
`Step`: the new state, the events of that step, and what comes next: a `Fetch` (the driver
fetches the request and calls `receive`), an `Ask` (the call waits for an outcome of a Gather,
Dial, Record or queue; the caller of `answer` supplies it) or a `Stop` (the call is over).

    step = begin_call("http://localhost/voice")
    step = receive(step.state, transport.fetch(step.next.request))
    step = answer(step.state, GatherInput.parse("1"))

Twilio's behaviour reproduced here follows Twilio's pages (checked with the project's search):
- twilio.com/docs/voice/twiml/gather: no action means the URL of the document holding the
  Gather; input ends at numDigits, finishOnKey (default #) or `timeout` seconds of silence.
- twilio.com/docs/voice/twiml/record: action default is the current document; `Digits` is the
  key that ended the recording; Twilio's own example plays "I did not receive a recording" after
  <Record>, i.e. an empty recording falls through to the next verb without the action.
- twilio.com/docs/voice/twiml/enqueue and /leave: the action is requested when the caller leaves
  the queue (QueueResult, QueueSid, QueueTime); <Leave> continues after the <Enqueue>; waitUrl
  documents loop until the caller leaves (run once here).
- twilio.com/docs/usage/webhooks, /docs/api/errors (11200, 11205, 11750, 12100, 12300): request
  parameters, reply checks and what the caller hears; see also shared/reference/webhooks.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar
from urllib.parse import urljoin

from twiml.base import Comment, TwiML
from twiml.errors import TwiMLParseError
from twiml.serialize import attr_text, body_text
from twiml.simulator.events import (
    Ask,
    Event,
    Fetch,
    Fetched,
    Input,
    Note,
    Origin,
    Problem,
    Stop,
    Verb,
)
from twiml.simulator.params import (
    DEFAULT_FROM,
    DEFAULT_TO,
    call_params,
    message_params,
    new_seed,
    sid,
    speech_result,
)
from twiml.simulator.transport import Reply, Request

__all__ = [
    "APPLICATION_ERROR",
    "CallState",
    "DialOutcome",
    "Frame",
    "GatherInput",
    "Outcome",
    "QueueOutcome",
    "RecordOutcome",
    "Sent",
    "Step",
    "answer",
    "begin_call",
    "begin_message",
    "receive",
]

Channel = Literal["voice", "messaging"]
Next = Fetch | Ask | Stop

APPLICATION_ERROR = "An application error has occurred. Goodbye."
"""What a voice caller hears when Twilio cannot fetch or read a document (no fallback URL)."""
MAX_BODY = 64 * 1024
KEYS = frozenset("0123456789*#")
XML_TYPES = ("text/xml", "application/xml", "text/plain")
DIAL_STATUSES = ("completed", "answered", "busy", "no-answer", "failed", "canceled")
QUEUE_RESULTS = (
    "bridged",
    "bridging-in-process",
    "queue-full",
    "redirected",
    "leave",
    "hangup",
    "error",
    "system-error",
)
RECORD_KEYS_DEFAULT = "1234567890*#"


# ----------------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class GatherInput:
    """What the caller does at a Gather: keys (`digits`, may include the finish key), words
    (`speech`), or nothing (both empty: the timeout)."""

    digits: str = ""
    speech: str = ""
    confidence: float = 0.9

    @classmethod
    def parse(cls, text: str) -> GatherInput:
        """Keys when the answer is only 0-9 * #, otherwise speech; empty is the timeout."""
        text = text.strip()
        if text and all(ch in KEYS for ch in text):
            return cls(digits=text)
        return cls(speech=text)

    @property
    def empty(self) -> bool:
        return not self.digits and not self.speech.strip()

    def label(self) -> str:
        if self.digits:
            return f"keys {self.digits}"
        if self.speech.strip():
            return f"speech {self.speech.strip()!r}"
        return "no input (timeout)"


@dataclass(frozen=True)
class DialOutcome:
    """How the dialled party answered: `status` is Twilio's DialCallStatus."""

    status: str = "completed"
    duration: int = 30


@dataclass(frozen=True)
class RecordOutcome:
    """How long the caller spoke (0: silence, an empty recording) and the key that ended it
    (None: the first of finishOnKey, preferring #; '' : ended by silence)."""

    duration: int = 5
    key: str | None = None


@dataclass(frozen=True)
class QueueOutcome:
    """Why the caller left an <Enqueue> queue (Twilio's QueueResult) and after how long."""

    result: str = "bridged"
    time: int = 30


Outcome = GatherInput | DialOutcome | RecordOutcome | QueueOutcome


@dataclass(frozen=True)
class Sent:
    """A message the flow sends (messaging <Message>, voice <Sms>)."""

    to: str
    from_: str
    body: str
    media: tuple[str, ...]
    verb: Verb


# -------------------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Frame:
    """A document being executed: its URL (base for relative URLs), where it came from, its
    verbs, and the index of the verb that runs next."""

    url: str
    source: str | None
    verbs: tuple[TwiML, ...]
    pc: int = 0


@dataclass(frozen=True)
class Queue:
    """The caller waits in an <Enqueue> queue; `outer` is the document that enqueued it."""

    name: str
    action: str | None
    method: str
    outer: Frame
    verb: Verb
    origin: Origin
    sid: str


@dataclass(frozen=True)
class CallState:
    """Everything about one call or message exchange; frozen, so holding it is a fork."""

    channel: Channel
    seed: str
    base: tuple[tuple[str, str], ...]
    extra: tuple[tuple[str, str], ...] = ()
    max_steps: int = 100
    requests: int = 0
    counter: int = 0
    frame: Frame | None = None
    pending: Fetch | None = None
    waiting: Ask | None = None
    queue: Queue | None = None
    errors: int = 0
    sent: int = 0
    """Messages sent so far (messaging <Message>, voice <Sms>)."""
    ended: Stop | None = None
    dialect: str = "twilio"
    """The vendor running the call (`twiml.dialects`): its parameters, checks and extra verbs."""
    fixtures: tuple[tuple[str, int, str], ...] = ()
    """(URL, status, body) answers for <HttpRequest> (TeXML), which calls other services."""

    def fork(self) -> CallState:
        """A copy to explore another outcome from (the state is immutable, so itself)."""
        return self

    def param(self, name: str) -> str | None:
        """A parameter every request carries (the user's --param values win)."""
        for key, value in (*self.extra, *self.base):
            if key == name:
                return value
        return None


@dataclass(frozen=True)
class Step:
    """One step's result: the new state, what happened, and what comes next."""

    state: CallState
    events: tuple[Event | Sent, ...]
    next: Next


# ---------------------------------------------------------------------------------------- beginning


def begin_call(
    url: str,
    *,
    from_: str = DEFAULT_FROM,
    to: str = DEFAULT_TO,
    params: tuple[tuple[str, str], ...] = (),
    method: str = "POST",
    seed: str | None = None,
    max_steps: int = 100,
    dialect: str = "twilio",
    fixtures: tuple[tuple[str, int, str], ...] = (),
) -> Step:
    """An inbound call to `url`: the first request (CallStatus=ringing), from the vendor of
    `dialect` (twilio, texml, cxml); `fixtures` answer TeXML's <HttpRequest>."""
    seed = seed or new_seed()
    state = CallState(
        "voice",
        seed,
        call_params(seed, from_, to, dialect),
        extra=tuple(params),
        max_steps=max_steps,
        dialect=dialect,
        fixtures=fixtures,
    )
    origin = Origin(url, None, None, "Call", "start")
    return _step(state, [], _fetch(state, url, method, origin, ()))


def begin_message(
    url: str,
    body: str,
    *,
    from_: str = DEFAULT_FROM,
    to: str = DEFAULT_TO,
    media: tuple[str, ...] = (),
    params: tuple[tuple[str, str], ...] = (),
    method: str = "POST",
    seed: str | None = None,
    number: int = 0,
    max_steps: int = 100,
    dialect: str = "twilio",
) -> Step:
    """An inbound message to `url`; `number` counts messages of one conversation (new SIDs);
    replies are checked in the vendor `dialect`."""
    seed = seed or new_seed()
    base = message_params(seed, number, from_, to, body, media)
    state = CallState("messaging", seed, base, extra=tuple(params), max_steps=max_steps, dialect=dialect)
    origin = Origin(url, None, None, "Message", "start")
    return _step(state, [], _fetch(state, url, method, origin, ()))


# ------------------------------------------------------------------------------------------ helpers

T = TypeVar("T")


def replace(obj: T, **changes: Any) -> T:
    """`dataclasses.replace` for the engine's frozen records, without its per-call field
    introspection (a step makes several of these; this keeps them at about a microsecond)."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


def _step(state: CallState, events: list[Event | Sent], nxt: tuple[CallState, Next] | Next) -> Step:
    if isinstance(nxt, tuple):
        state, nxt = nxt
    if isinstance(nxt, Fetch):
        state = replace(state, pending=nxt, waiting=None)
    elif isinstance(nxt, Ask):
        state = replace(state, waiting=nxt, pending=None)
    else:
        state = replace(state, ended=nxt, pending=None, waiting=None)
    return Step(state, tuple(events), nxt)


def _params(state: CallState, added: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Base parameters, CallStatus for calls, the verb's own, then the user's overrides."""
    merged: dict[str, str] = dict(state.base)
    if state.channel == "voice":
        merged["CallStatus"] = "ringing" if state.requests == 0 else "in-progress"
    merged.update(added)
    merged.update(state.extra)
    return tuple(merged.items())


def _fetch(
    state: CallState, url: str, method: str, origin: Origin, added: tuple[tuple[str, str], ...]
) -> tuple[CallState, Next]:
    if state.requests >= state.max_steps:
        return state, Stop(
            "max-steps",
            f"stopped after {state.max_steps} requests: the flow keeps requesting new documents "
            f"(next: {method} {url} from {origin.describe()}); a redirect loop?",
        )
    request = Request(method, url, _params(state, added), ())
    return replace(state, requests=state.requests + 1), Fetch(request, origin)


def _text(node: TwiML) -> str:
    """All text of an element, nested SSML included, whitespace collapsed."""
    parts: list[str] = []
    if node.value is not None:
        parts.append(body_text(node.value))
    for kid in node.verbs:
        if isinstance(kid, str):
            parts.append(kid)
        elif not isinstance(kid, Comment):
            parts.append(_text(kid))
    return " ".join("".join(parts).split())


def _own_text(node: TwiML) -> str:
    parts = [body_text(node.value)] if node.value is not None else []
    parts.extend(kid for kid in node.verbs if isinstance(kid, str))
    return " ".join("".join(parts).split())


def _elements(node: TwiML) -> tuple[TwiML, ...]:
    return tuple(kid for kid in node.verbs if isinstance(kid, TwiML) and not isinstance(kid, Comment))


def _attr(node: TwiML, name: str) -> str | None:
    value = node.attrs.get(name)
    return None if value is None else attr_text(value)


def _verb(
    frame: Frame, node: TwiML, inside: str | None = None, notes: tuple[str, ...] = (), nouns: bool = True
) -> Verb:
    """The record of an element as it runs; `nouns` adds its child elements (Dial's Number)."""
    kids = _elements(node)
    nouns_of = tuple(_verb(frame, kid, node.name) for kid in kids) if nouns and node.name != "Say" else ()
    text = _text(node) if node.name in ("Say", "Body", "Media") or not kids else _own_text(node)
    return Verb(
        node.name,
        tuple((k, attr_text(v)) for k, v in node.attrs.items()),
        text,
        frame.url,
        frame.source,
        getattr(node, "source_line", None),
        inside,
        nouns_of,
        notes,
    )


def _origin(frame: Frame, node: TwiML, attr: str) -> Origin:
    return Origin(frame.url, frame.source, getattr(node, "source_line", None), node.name, attr)


def _method(node: TwiML, name: str = "method") -> str:
    """GET or POST as the element says; POST by default (and for values Twilio rejects)."""
    value = (_attr(node, name) or "POST").strip().upper()
    return value if value in ("GET", "POST") else "POST"


def _int(node: TwiML, name: str, default: int | None) -> int | None:
    """An integer attribute; invalid values count as unset (the validator reports them)."""
    value = _attr(node, name)
    if value is None:
        return default
    try:
        return int(value.strip())
    except ValueError:
        return default


def _true(node: TwiML, name: str) -> bool:
    return (_attr(node, name) or "").strip().lower() == "true"


def _resolve(frame: Frame, url: str | None) -> str:
    """A URL relative to the document that contains it; none means the document itself."""
    if url is None or not url.strip():
        return frame.url
    return urljoin(frame.url, url.strip())


def _loop_notes(node: TwiML) -> tuple[str, ...]:
    loop = _int(node, "loop", 1)
    if loop == 0:
        return ("loop=0: repeats until the call moves on or hangs up (shown once)",)
    if loop is not None and loop > 1:
        return (f"played {loop} times",)
    return ()


def _advance(state: CallState) -> CallState:
    assert state.frame is not None
    return replace(state, frame=replace(state.frame, pc=state.frame.pc + 1))


# ------------------------------------------------------------------------------------------ replies


def _content_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _reply_problem(state: CallState, fetch: Fetch, reply: Reply) -> Problem | None:
    """Twilio's error for a reply it cannot use, naming the URL and who requested it."""
    url = fetch.request.url
    by = f" (requested by {fetch.origin.describe()})" if fetch.origin.attr != "start" else ""
    if reply.error is not None:
        code: int | str = reply.code if reply.code is not None else "TWIML-NO-DOCUMENT"
        return Problem("error", code, reply.error + by, url)
    if not 200 <= reply.status < 300:
        detail = f": {reply.detail}" if reply.detail else ""
        return Problem("error", 11200, f"HTTP {reply.status} from {fetch.request.method} {url}{by}{detail}", url)
    ctype = _content_type(reply.content_type)
    if ctype not in XML_TYPES:
        shown = ctype or "none"
        return Problem(
            "error",
            12300,
            f"Content-Type {shown} from {url} is not TwiML (text/xml, application/xml or text/plain){by}",
            url,
            reply.source,
        )
    if len(reply.body) > MAX_BODY:
        return Problem(
            "error", 11750, f"the reply from {url} is over 64 KB ({len(reply.body)}+ bytes){by}", url, reply.source
        )
    return None


def _fail(state: CallState, events: list[Event | Sent], problem: Problem) -> Step:
    if state.channel == "voice":
        events.append(Note(f'the caller hears "{APPLICATION_ERROR}" and the call ends'))
    elif state.sent:
        events.append(Note("Twilio stops here: the messages sent before stay sent, no more are sent"))
    else:
        events.append(Note("no reply is sent"))
    state = replace(state, errors=state.errors + 1)
    return _step(state, events, Stop("error", problem.message, (problem,)))


def receive(state: CallState, reply: Reply) -> Step:
    """The reply to the pending request: check it as Twilio does, then run the document."""
    from twiml.parser import parse
    from twiml.validator import validate

    fetch = state.pending
    if fetch is None:
        raise ValueError("receive() without a pending request")
    events: list[Event | Sent] = [
        Fetched(
            fetch.request,
            fetch.origin,
            reply.status,
            reply.content_type,
            reply.url or fetch.request.url,
            reply.source,
            reply.elapsed,
        )
    ]
    problem = _reply_problem(state, fetch, reply)
    if problem is not None:
        events.append(problem)
        return _fail(state, events, problem)
    url = reply.url or fetch.request.url
    try:
        doc = parse(reply.body, kind=state.channel)
    except TwiMLParseError as exc:
        problem = Problem(
            "error", 12100, f"document is not well-formed: {exc.message}", url, reply.source, exc.line, exc.column
        )
        events.append(problem)
        return _fail(state, events, problem)
    errors = 0
    for d in validate(doc, vendor_dialect=state.dialect):
        events.append(Problem(d.severity, d.code, d.message, url, reply.source, d.line, d.column))
        errors += d.severity == "error"
    if doc.name != "Response":
        problem = Problem("error", 12102, f"the root element is <{doc.name}>, not <Response>", url, reply.source)
        return _fail(state, events, problem)
    frame = Frame(url, reply.source, _elements(doc))
    state = replace(state, frame=frame, pending=None, errors=state.errors + errors)
    return _run(state, events)


# ---------------------------------------------------------------------------------------- execution

Handler = Callable[[CallState, TwiML, list["Event | Sent"]], "tuple[CallState, Next | None]"]


def _run(state: CallState, events: list[Event | Sent]) -> Step:
    """Run verbs from the current one until the call waits, fetches or ends."""
    handlers = _VOICE if state.channel == "voice" else _MESSAGING
    if state.dialect != "twilio" and state.channel == "voice":
        handlers = _VENDOR_VOICE.get(state.dialect, handlers)
    while True:
        frame = state.frame
        assert frame is not None
        if frame.pc >= len(frame.verbs):
            return _step(state, events, _out_of_verbs(state, events))
        node = frame.verbs[frame.pc]
        handler = handlers.get(node.name, _unknown)
        state, nxt = handler(state, node, events)
        if nxt is not None:
            return _step(state, events, nxt)
        state = _advance(state)


def _out_of_verbs(state: CallState, events: list[Event | Sent]) -> Next:
    if state.queue is not None:
        events.append(Note("the waitUrl document ends; Twilio would play it again until the caller leaves the queue"))
        return Ask("queue", state.queue.verb)
    if state.channel == "messaging":
        return Stop("completed", "no verbs left")
    return Stop("completed", "no verbs left: the call ends")


def _continue(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    """Verbs the simulator shows and moves past (Start, Stop, Refer, ...)."""
    assert state.frame is not None
    events.append(_verb(state.frame, node))
    return state, None


def _unknown(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=(f"<{node.name}> is not a {state.channel} verb: Twilio skips it",)))
    return state, None


def _say(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_loop_notes(node)))
    return state, None


def _play_notes(node: TwiML) -> tuple[str, ...]:
    digits = _attr(node, "digits")
    if digits:
        return (f"sends the keypad tones {digits} (w: half-second pause)", *_loop_notes(node))
    return _loop_notes(node)


def _play(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_play_notes(node)))
    return state, None


def _pause_notes(node: TwiML) -> tuple[str, ...]:
    length = _int(node, "length", 1)
    return (f"silence for {length} s (reported, not waited)",)


def _pause(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_pause_notes(node)))
    return state, None


_NESTED_NOTES: dict[str, Callable[[TwiML], tuple[str, ...]]] = {
    "Say": _loop_notes,
    "Play": _play_notes,
    "Pause": _pause_notes,
}


def _gather(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """Nested Say/Play/Pause play first, then Twilio listens for keys and/or speech."""
    frame = state.frame
    assert frame is not None
    types = tuple(t for t in (_attr(node, "input") or "dtmf").replace(",", " ").lower().split() if t)
    fok = _attr(node, "finishOnKey")
    finish = "#" if fok is None else fok.strip()[:1]
    num = _int(node, "numDigits", None)
    timeout = _int(node, "timeout", 5)
    action = _resolve(frame, _attr(node, "action"))
    notes = [f"then {_method(node)} {action}" + (" (this document)" if action == frame.url else "")]
    if num is not None and num < 1:
        num = None
    verb = _verb(frame, node, notes=tuple(notes), nouns=False)
    events.append(verb)
    for kid in _elements(node):
        notes_of = _NESTED_NOTES.get(kid.name)
        events.append(_verb(frame, kid, inside="Gather", notes=notes_of(kid) if notes_of else ()))
    ask = Ask(
        "gather",
        verb,
        input_types=types or ("dtmf",),
        num_digits=num,
        finish_on_key=finish,
        timeout=timeout if timeout is not None and timeout > 0 else 5,
        language=_attr(node, "language") or "en-US",
        hints=_attr(node, "hints") or "",
    )
    return state, ask


def _answer_gather(state: CallState, node: TwiML, got: GatherInput, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None and state.waiting is not None
    ask = state.waiting
    notes: list[str] = []
    added: list[tuple[str, str]] = []
    value = got.label()
    if got.digits:
        if "dtmf" not in ask.input_types:
            notes.append("keys are ignored: this Gather accepts speech only")
        else:
            digits = ""
            finished: str | None = None
            used = 0
            for ch in got.digits:
                used += 1
                if ask.finish_on_key and ch == ask.finish_on_key:
                    finished = ch
                    break
                digits += ch
                if ask.num_digits is not None and len(digits) >= ask.num_digits:
                    break
            if used < len(got.digits):
                notes.append(f"keys {got.digits[used:]} after the Gather ended are ignored")
            if finished is None and (ask.num_digits is None or len(digits) < ask.num_digits):
                notes.append(f"no more keys: the Gather ends after {ask.timeout} s of silence")
            if digits:
                added.append(("Digits", digits))
                if finished is not None:
                    added.append(("FinishedOnKey", finished))
            elif finished is not None:
                notes.append(f"only the finish key {finished} was pressed: no digits")
    elif got.speech.strip():
        if "speech" not in ask.input_types:
            notes.append("speech is ignored: this Gather accepts keys only (input=dtmf)")
        else:
            added.append(("SpeechResult", speech_result(got.speech)))
            added.append(("Confidence", f"{got.confidence:g}"))
    events.append(Input("gather", value, tuple(added), tuple(notes)))
    if added or _true(node, "actionOnEmptyResult"):
        action = _resolve(frame, _attr(node, "action"))
        if not added:
            events.append(Note("no input, but actionOnEmptyResult=true: the action is requested"))
        return _step(state, events, _fetch(state, action, _method(node), _origin(frame, node, "action"), tuple(added)))
    events.append(Note("no input: Twilio continues with the next verb"))
    return _run(_advance(replace(state, waiting=None)), events)


def _record(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    frame = state.frame
    assert frame is not None
    notes = []
    if (_attr(node, "playBeep") or "true").lower() != "false":
        notes.append("beep")
    max_length = _int(node, "maxLength", 3600)
    notes.append(
        f"records up to {max_length} s; ends on a key of {_attr(node, 'finishOnKey') or RECORD_KEYS_DEFAULT!r}"
    )
    if _true(node, "transcribe"):
        notes.append("transcription goes to transcribeCallback later (not simulated)")
    action = _resolve(frame, _attr(node, "action"))
    notes.append(f"then {_method(node)} {action}" + (" (this document: a common loop)" if action == frame.url else ""))
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    return state, Ask("record", verb)


def _answer_record(state: CallState, node: TwiML, got: RecordOutcome, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None
    if got.duration <= 0:
        events.append(Input("record", "silence (empty recording)"))
        events.append(Note("empty recording: Twilio does not request the action and continues with the next verb"))
        return _run(_advance(replace(state, waiting=None)), events)
    max_length = _int(node, "maxLength", 3600) or 3600
    duration = min(got.duration, max_length)
    keys = _attr(node, "finishOnKey")
    keys = RECORD_KEYS_DEFAULT if keys is None else keys.strip()
    key = got.key if got.key is not None else ("#" if "#" in keys else keys[:1])
    counter = state.counter + 1
    recording = sid("RE", state.seed, f"recording{counter}")
    account = state.param("AccountSid") or ""
    added = [
        ("RecordingUrl", f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}"),
        ("RecordingSid", recording),
        ("RecordingDuration", str(duration)),
    ]
    if key:
        added.append(("Digits", key))
    ended = f"presses {key}" if key else "goes silent"
    events.append(Input("record", f"the caller speaks {duration} s, then {ended}", tuple(added)))
    state = replace(state, counter=counter)
    action = _resolve(frame, _attr(node, "action"))
    return _step(state, events, _fetch(state, action, _method(node), _origin(frame, node, "action"), tuple(added)))


def _dial(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    frame = state.frame
    assert frame is not None
    notes = []
    action = _attr(node, "action")
    if action:
        notes.append(f"then {_method(node)} {_resolve(frame, action)} with the outcome")
    else:
        notes.append("no action: the call continues after <Dial> when the dialled call ends")
    for kid in _elements(node):
        url = _attr(kid, "url")
        if url:
            notes.append(f"<{kid.name}> url {_resolve(frame, url)} plays to the callee first (not fetched)")
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    return state, Ask("dial", verb)


def _answer_dial(state: CallState, node: TwiML, got: DialOutcome, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None
    counter = state.counter + 1
    added = [("DialCallStatus", got.status), ("DialCallSid", sid("CA", state.seed, f"dial{counter}"))]
    if got.status in ("completed", "answered"):
        added.append(("DialCallDuration", str(got.duration)))
    lasted = f" after {got.duration} s" if got.status in ("completed", "answered") else ""
    events.append(Input("dial", f"{got.status}{lasted}", tuple(added)))
    state = replace(state, counter=counter)
    action = _attr(node, "action")
    if action:
        url = _resolve(frame, action)
        return _step(state, events, _fetch(state, url, _method(node), _origin(frame, node, "action"), tuple(added)))
    events.append(Note(f"the dialled call ended ({got.status}): the call continues after <Dial>"))
    return _run(_advance(replace(state, waiting=None)), events)


def _enqueue(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """The caller waits in a queue; the waitUrl document runs once (Twilio loops it)."""
    frame = state.frame
    assert frame is not None
    name = _own_text(node) or "(unnamed)"
    wait_url = _attr(node, "waitUrl")
    action = _attr(node, "action")
    notes = []
    if wait_url:
        notes.append(f"hold: {_method(node, 'waitUrlMethod')} {_resolve(frame, wait_url)} (run once, not looped)")
    else:
        notes.append("hold: Twilio's default classical music")
    notes.append(
        f"on leaving: {_method(node)} {_resolve(frame, action)}" if action else "on leaving: the next verb runs"
    )
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    queue = Queue(
        name,
        _resolve(frame, action) if action else None,
        _method(node),
        frame,
        verb,
        _origin(frame, node, "action"),
        sid("QU", state.seed, name),
    )
    state = replace(state, queue=queue)
    if not wait_url:
        return state, Ask("queue", verb)
    added = (
        ("QueueSid", queue.sid),
        ("QueuePosition", "1"),
        ("QueueTime", "0"),
        ("AvgQueueTime", "0"),
        ("CurrentQueueSize", "1"),
        ("MaxQueueSize", "100"),
    )
    origin = _origin(frame, node, "waitUrl")
    return _fetch(state, _resolve(frame, wait_url), _method(node, "waitUrlMethod"), origin, added)


def _leave_queue(state: CallState, result: str, waited: int, events: list[Event | Sent]) -> Step:
    queue = state.queue
    assert queue is not None
    state = replace(state, queue=None, waiting=None)
    added = (("QueueResult", result), ("QueueSid", queue.sid), ("QueueTime", str(waited)))
    if queue.action is not None:
        return _step(state, events, _fetch(state, queue.action, queue.method, queue.origin, added))
    if result == "bridged":
        events.append(Note("connected to an agent; when the agent hangs up the call continues after <Enqueue>"))
    else:
        events.append(Note(f"left the queue ({result}): the call continues after <Enqueue>"))
    state = replace(state, frame=replace(queue.outer, pc=queue.outer.pc + 1))
    return _run(state, events)


def _answer_queue(state: CallState, got: QueueOutcome, events: list[Event | Sent]) -> Step:
    meaning = {"bridged": "an agent answers", "leave": "the caller leaves", "hangup": "the caller hangs up"}
    shown = f"{got.result} ({meaning[got.result]})" if got.result in meaning else got.result
    events.append(Input("queue", shown, (("QueueResult", got.result),)))
    if got.result == "hangup":
        return _step(
            replace(state, queue=None), events, Stop("hangup", "the caller hung up while waiting in the queue")
        )
    return _leave_queue(state, got.result, got.time, events)


def _leave(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    frame = state.frame
    assert frame is not None
    if state.queue is None:
        events.append(_verb(frame, node, notes=("not in a queue: <Leave> does nothing here",)))
        return state, None
    events.append(_verb(frame, node, notes=("the caller leaves the queue",)))
    step = _leave_queue(state, "leave", 0, [])
    events.extend(step.events)
    return step.state, step.next


def _hangup(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    events.append(_verb(state.frame, node))
    return state, Stop("hangup", "<Hangup>")


def _reject(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    reason = (_attr(node, "reason") or "rejected").strip()
    hears = "a busy signal" if reason == "busy" else "a not-in-service message"
    events.append(_verb(state.frame, node, notes=(f"the call is not answered; the caller hears {hears}",)))
    return state, Stop("rejected", f"<Reject reason={reason}>")


def _redirect(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    frame = state.frame
    assert frame is not None
    target = _own_text(node)
    if not target:
        events.append(_verb(frame, node, notes=("<Redirect> without a URL: Twilio cannot follow it",)))
        return state, None
    url = _resolve(frame, target)
    events.append(_verb(frame, node, notes=(f"{_method(node)} {url}",)))
    return _fetch(state, url, _method(node), _origin(frame, node, "body"), ())


def _sent(state: CallState, frame: Frame, node: TwiML, verb: Verb) -> Sent:
    inbound_from = state.param("From") or ""
    inbound_to = state.param("To") or ""
    body = _own_text(node)
    media: list[str] = []
    for kid in _elements(node):
        if kid.name == "Body":
            body = (body + " " + _text(kid)).strip() if body else _text(kid)
        elif kid.name == "Media":
            media.append(_resolve(frame, _text(kid)))
    return Sent(_attr(node, "to") or inbound_from, _attr(node, "from") or inbound_to, body, tuple(media), verb)


def _sms(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    """Voice <Sms> (deprecated): sends a message; with an action, its reply continues the call."""
    frame = state.frame
    assert frame is not None
    verb = _verb(frame, node)
    events.append(verb)
    events.append(_sent(state, frame, node, verb))
    state = replace(state, sent=state.sent + 1)
    action = _attr(node, "action")
    if not action:
        return state, None
    counter = state.counter + 1
    added = (("SmsSid", sid("SM", state.seed, f"sms{counter}")), ("SmsStatus", "sent"))
    state = replace(state, counter=counter)
    return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), added)


def _with_action(note: str, added: tuple[tuple[str, str], ...] = ()) -> Handler:
    """Verbs the simulator cannot carry out (media sessions, payments): shown with a note;
    with an action the action is requested, else the next verb runs."""

    def handler(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
        frame = state.frame
        assert frame is not None
        events.append(_verb(frame, node, notes=(note,)))
        action = _attr(node, "action")
        if not action:
            return state, None
        return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), added)

    return handler


def _echo(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=("echoes the caller until they hang up",)))
    return state, Stop("hangup", "<Echo> runs until the caller hangs up")


def _message(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    frame = state.frame
    assert frame is not None
    notes = ("action is deprecated: not followed",) if _attr(node, "action") else ()
    verb = _verb(frame, node, notes=notes)
    events.append(verb)
    events.append(_sent(state, frame, node, verb))
    return replace(state, sent=state.sent + 1), None


_VOICE: dict[str, Handler] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Record": _record,
    "Dial": _dial,
    "Enqueue": _enqueue,
    "Leave": _leave,
    "Hangup": _hangup,
    "Reject": _reject,
    "Redirect": _redirect,
    "Sms": _sms,
    "Echo": _echo,
    "Connect": _with_action("media session not simulated: treated as ended at once"),
    "Pay": _with_action("payment not simulated: the action gets Result=success", (("Result", "success"),)),
    "Refer": _with_action("SIP REFER not simulated: treated as accepted"),
    "Start": _continue,
    "Stop": _continue,
}

_MESSAGING: dict[str, Handler] = {
    "Message": _message,
    "Redirect": _redirect,
}


def _aigather(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """TeXML <AIGather>: an AI assistant talks with the caller; simulated as a Gather of speech
    whose words are posted to the action (the assistant's field extraction is not modelled)."""
    frame = state.frame
    assert frame is not None
    action = _resolve(frame, _attr(node, "action"))
    note = f"AI assistant simulated as a speech Gather: the caller's words go to {_method(node)} {action}"
    verb = _verb(frame, node, notes=(note,), nouns=False)
    events.append(verb)
    for kid in _elements(node):
        events.append(_verb(frame, kid, inside="AIGather"))
    return state, Ask("gather", verb, input_types=("speech",), num_digits=None, finish_on_key="", timeout=5)


def _http_request(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    """TeXML <HttpRequest>: the call's platform requests another service; answered from the
    simulator's fixtures (never the network), then the action, if any, is requested."""
    frame = state.frame
    assert frame is not None
    request = next((k for k in _elements(node) if k.name == "Request"), None)
    url = (_attr(request, "url") or "") if request is not None else ""
    method = ((_attr(request, "method") or "GET") if request is not None else "GET").upper()
    hit = next((f for f in state.fixtures if f[0] == url), None)
    if hit is None:
        note = f"{method} {url or '(no <Request url>)'}: no fixture for this URL, the request fails"
    else:
        note = f"{method} {url}: fixture answers HTTP {hit[1]} ({len(hit[2])} characters)"
    events.append(_verb(frame, node, notes=(note,), nouns=False))
    action = _attr(node, "action")
    if not action:
        return state, None
    return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), ())


_VENDOR_VOICE: dict[str, dict[str, Handler]] = {
    "texml": {**_VOICE, "AIGather": _aigather, "HttpRequest": _http_request, "Suppression": _continue},
    "cxml": {**_VOICE, "Denoise": _continue, "Connect": _with_action("AI agent or media session not simulated")},
}
"""Verbs each vendor adds, run by the same engine (a dialect is an input, not a second engine)."""


# ------------------------------------------------------------------------------------------ answers


def answer(state: CallState, outcome: Outcome) -> Step:
    """Resolve what the call waits for (`state.waiting`) with `outcome` and run on."""
    ask = state.waiting
    if ask is None:
        raise ValueError("answer() while the call is not waiting for input")
    events: list[Event | Sent] = []
    if ask.kind == "queue":
        if not isinstance(outcome, QueueOutcome):
            raise TypeError(f"a queue needs a QueueOutcome, not {type(outcome).__name__}")
        return _answer_queue(state, outcome, events)
    frame = state.frame
    assert frame is not None
    node = frame.verbs[frame.pc]
    if ask.kind == "gather":
        if not isinstance(outcome, GatherInput):
            raise TypeError(f"a Gather needs a GatherInput, not {type(outcome).__name__}")
        return _answer_gather(state, node, outcome, events)
    if ask.kind == "record":
        if not isinstance(outcome, RecordOutcome):
            raise TypeError(f"a Record needs a RecordOutcome, not {type(outcome).__name__}")
        return _answer_record(state, node, outcome, events)
    if not isinstance(outcome, DialOutcome):
        raise TypeError(f"a Dial needs a DialOutcome, not {type(outcome).__name__}")
    return _answer_dial(state, node, outcome, events)
