"""The driver: runs the engine against a transport. One implementation for every front end
(the `twiml call`/`twiml text` commands, the pytest API, the editor's call panel).

It fetches what the engine asks for (signing each request when it has an Auth Token),
answers Dial, Record and queue waits from its options, and stops at each Gather so the front
end can supply keys or speech (`answer`), or runs to the end with an answering function (`run`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from twiml.grammar_types import Kind
from twiml.signature import SIGNATURE_HEADER, compute_signature
from twiml.simulator.engine import (
    CallState,
    DialOutcome,
    GatherInput,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    answer,
    begin_call,
    begin_message,
    receive,
)
from twiml.simulator.events import Ask, Event, Fetch, Fetched, Input, Problem, Stop, Verb
from twiml.simulator.params import DEFAULT_FROM, DEFAULT_TO, new_seed
from twiml.simulator.transport import Request, Transport

__all__ = ["Options", "Session", "watch_sessions"]

Listener = Callable[["Event | Sent | Ask | Stop"], None]
Decider = Callable[[Ask], "DialOutcome | RecordOutcome | QueueOutcome | None"]
"""Chooses the outcome of a Dial, Record or queue (None: the options' default)."""


@dataclass(frozen=True)
class Options:
    """Who calls whom, extra parameters, signing, and the outcomes of Dial, Record and queues."""

    from_: str = DEFAULT_FROM
    to: str = DEFAULT_TO
    params: tuple[tuple[str, str], ...] = ()
    auth_token: str | None = None
    dial: DialOutcome = field(default_factory=DialOutcome)
    record: RecordOutcome = field(default_factory=RecordOutcome)
    queue: QueueOutcome = field(default_factory=QueueOutcome)
    answered_by: str | None = None
    """Machine detection result sent as AnsweredBy with every request (human, machine_start, ...)."""
    max_steps: int = 100
    method: str = "POST"
    seed: str | None = None
    dialect: str = "twilio"
    """The vendor that places the call (`twiml.dialects`): twilio, texml (Telnyx), cxml (SignalWire)."""
    signing_key: str | None = None
    """Telnyx: the base64 Ed25519 private key requests are signed with (a test key; the app checks
    with its public half). SignalWire: the project's Signing Key (else `auth_token`)."""
    fixtures: tuple[tuple[str, int, str], ...] = ()
    """(URL, status, body) answers for TeXML's <HttpRequest>."""


_WATCHERS: list[Callable[[Session], None]] = []


def watch_sessions(callback: Callable[[Session], None]) -> Callable[[], None]:
    """Call `callback` with every Session made from now on (the coverage plugin records what
    tests walked); returns the function that stops watching."""
    _WATCHERS.append(callback)
    return lambda: _WATCHERS.remove(callback) if callback in _WATCHERS else None


def sign(request: Request, auth_token: str) -> Request:
    """The request with `X-Twilio-Signature` as Twilio computes it for this URL and form."""
    signature = compute_signature(request.target, request.form, auth_token)
    return _with_headers(request, ((SIGNATURE_HEADER, signature),))


def _with_headers(request: Request, added: tuple[tuple[str, str], ...]) -> Request:
    names = {k.lower() for k, _ in added}
    headers = tuple((k, v) for k, v in request.headers if k.lower() not in names)
    return replace(request, headers=(*headers, *added))


def sign_as(request: Request, dialect: str, key: str, *, now: float | None = None) -> Request:
    """The request signed as the vendor of `dialect` signs it: Twilio's and SignalWire's
    HMAC-SHA1 header(s), or Telnyx's Ed25519 signature over ``timestamp|body`` with its timestamp."""
    from twiml.dialects import profile

    signing = profile(dialect).signing
    if signing.scheme == "hmac-sha1":
        signature = compute_signature(request.target, request.form, key)
        return _with_headers(request, tuple((h, signature) for h in signing.headers))
    import time
    from urllib.parse import urlencode

    from twiml.signature import ed25519_signature

    stamp = str(int(time.time() if now is None else now))
    body = urlencode(request.form) if request.method != "GET" else ""  # what the transport sends
    header, stamp_header = signing.headers
    return _with_headers(request, ((header, ed25519_signature(body, stamp, key)), (stamp_header, stamp)))


class Session:
    """One call (or message conversation) driven through `transport` from `url`.

    Events go to `listener` as they happen (for live output) and into `events`. After `start`
    and each `answer`, `waiting` is the Gather waiting for input, or `ended` says how it ended.
    """

    def __init__(
        self,
        transport: Transport,
        url: str,
        options: Options | None = None,
        *,
        kind: Kind = "voice",
        listener: Listener | None = None,
        decide: Decider | None = None,
        channel: Kind | None = None,
    ) -> None:
        if channel is not None:
            warnings.warn("Session(channel=) is deprecated: use Session(kind=)", DeprecationWarning, stacklevel=2)
            kind = channel
        if kind not in ("voice", "messaging"):
            raise ValueError(f"the simulator runs a call (voice) or a text (messaging), not {kind!r}")
        self.transport = transport
        self.url = url
        self.options = options or Options()
        self.kind: Kind = kind
        self.listener = listener
        self.decide = decide
        self.seed = self.options.seed or new_seed()
        self.events: list[Event | Sent | Ask | Stop] = []
        self.state: CallState | None = None
        self.waiting: Ask | None = None
        self.ended: Stop | None = None
        self.messages_sent = 0
        for watcher in _WATCHERS:
            watcher(self)

    @property
    def channel(self) -> Kind:
        """Deprecated name of `kind`, kept for one release."""
        warnings.warn("Session.channel is deprecated: use Session.kind", DeprecationWarning, stacklevel=2)
        return self.kind

    # ----------------------------------------------------------------------------- running

    def _params(self) -> tuple[tuple[str, str], ...]:
        params = self.options.params
        if self.options.answered_by and self.kind == "voice":
            params = (("AnsweredBy", self.options.answered_by), *params)
        return params

    def start(self, body: str = "", media: tuple[str, ...] = ()) -> None:
        """Place the call (or send the first message, with `body` and `media`)."""
        o = self.options
        if self.kind == "voice":
            step = begin_call(
                self.url,
                from_=o.from_,
                to=o.to,
                params=self._params(),
                method=o.method,
                seed=self.seed,
                max_steps=o.max_steps,
                dialect=o.dialect,
                fixtures=o.fixtures,
            )
        else:
            step = begin_message(
                self.url,
                body,
                from_=o.from_,
                to=o.to,
                media=media,
                params=self._params(),
                method=o.method,
                seed=self.seed,
                number=self.messages_sent,
                max_steps=o.max_steps,
                dialect=o.dialect,
            )
            self.messages_sent += 1
        self.ended = None
        self._pump(step)

    def answer(self, got: GatherInput) -> None:
        """Keys or speech (or nothing: the timeout) for the Gather that is waiting."""
        if self.state is None or self.waiting is None:
            raise RuntimeError("the call is not waiting at a Gather")
        self._pump(answer(self.state, got))

    def run(self, answerer: Callable[[Ask], GatherInput] | None = None) -> Stop:
        """Start and run to the end; `answerer` supplies each Gather's input (default: timeout)."""
        if self.state is None:
            self.start()
        while self.ended is None:
            assert self.waiting is not None
            self.answer(answerer(self.waiting) if answerer is not None else GatherInput())
        return self.ended

    def _emit(self, event: Event | Sent | Ask | Stop) -> None:
        self.events.append(event)
        if self.listener is not None:
            self.listener(event)

    def _pump(self, step: Step) -> None:
        """Fetch and auto-answer until a Gather waits or the call ends."""
        while True:
            for event in step.events:
                self._emit(event)
            self.state = step.state
            nxt = step.next
            if isinstance(nxt, Fetch):
                request = nxt.request
                key = self.options.signing_key or self.options.auth_token
                if key:
                    request = sign_as(request, self.options.dialect, key)
                step = receive(step.state, self.transport.fetch(request))
                continue
            if isinstance(nxt, Stop):
                self.waiting = None
                self.ended = nxt
                self._emit(nxt)
                return
            self._emit(nxt)
            if nxt.kind == "gather":
                self.waiting = nxt
                return
            step = answer(step.state, self._auto(nxt))

    def _auto(self, ask: Ask) -> DialOutcome | RecordOutcome | QueueOutcome:
        if self.decide is not None:
            chosen = self.decide(ask)
            if chosen is not None:
                return chosen
        if ask.kind == "dial":
            return self.options.dial
        if ask.kind == "record":
            return self.options.record
        return self.options.queue

    # ------------------------------------------------------------------------------ reading

    @property
    def requests(self) -> list[Fetched]:
        return [e for e in self.events if isinstance(e, Fetched)]

    @property
    def verbs(self) -> list[Verb]:
        return [e for e in self.events if isinstance(e, Verb)]

    @property
    def inputs(self) -> list[Input]:
        return [e for e in self.events if isinstance(e, Input)]

    @property
    def problems(self) -> list[Problem]:
        return [e for e in self.events if isinstance(e, Problem)]

    @property
    def sent(self) -> list[Sent]:
        return [e for e in self.events if isinstance(e, Sent)]

    @property
    def failed(self) -> bool:
        """True when a step failed: an HTTP or TwiML error, or the step limit."""
        if self.ended is not None and self.ended.reason in ("error", "max-steps"):
            return True
        return any(p.severity == "error" for p in self.problems)


def __getattr__(name: str) -> object:
    """`Channel`, the old name of the document kind here (`twiml.grammar_types.Kind`), for one release."""
    if name == "Channel":
        warnings.warn(
            "twiml.simulator Channel is deprecated: use twiml.grammar_types.Kind", DeprecationWarning, stacklevel=2
        )
        return Kind
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
