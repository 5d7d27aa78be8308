"""The simulator's call state: the frozen records a call is made of (`CallState`, `Frame`, `Queue`),
the outcomes a caller supplies (`GatherInput`, `DialOutcome`, ...), the first request of a call or
message, and the small pure helpers the verb handlers share.

Kept apart from `twiml.simulator.verbs` (what each verb does) and `twiml.simulator.engine` (the
step machine: replies in, outcomes in, steps out); all public names are re-exported by the engine.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin

from twiml.base import Comment, TwiML
from twiml.grammar_types import Kind
from twiml.serialize import attr_text, body_text
from twiml.simulator.events import (
    Ask,
    Event,
    Fetch,
    Origin,
    Stop,
    Verb,
)
from twiml.simulator.params import (
    DEFAULT_FROM,
    DEFAULT_TO,
    call_params,
    message_params,
    new_seed,
)
from twiml.simulator.transport import Request

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

    kind: Kind
    """A call ("voice") or a text exchange ("messaging"); the simulator runs no fax."""
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

    @property
    def channel(self) -> Kind:
        """Deprecated name of `kind`, kept for one release."""
        warnings.warn("CallState.channel is deprecated: use CallState.kind", DeprecationWarning, stacklevel=2)
        return self.kind

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
    if state.kind == "voice":
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
