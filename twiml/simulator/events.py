"""What the engine reports: verbs executed, requests made, inputs used, problems, and the end.

All records are frozen: a transcript can be shared between forks of a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from twiml.diagnostic import Diagnostic
from twiml.simulator.transport import Request

__all__ = [
    "Ask",
    "Event",
    "Fetch",
    "Fetched",
    "Input",
    "Note",
    "Origin",
    "Problem",
    "Stop",
    "Verb",
]

EndReason = Literal["hangup", "completed", "rejected", "error", "max-steps"]
WaitKind = Literal["gather", "record", "dial", "queue"]


@dataclass(frozen=True)
class Origin:
    """The document and element that caused a request (`attr` is how: action, body, waitUrl)."""

    url: str
    source: str | None
    line: int | None
    verb: str
    attr: str

    def where(self) -> str:
        """`file:line` (or `URL line N`) of the element, for messages."""
        place = self.source or self.url
        return f"{place}:{self.line}" if self.line else place

    def describe(self) -> str:
        if self.attr == "start":
            return "the start"
        what = f"<{self.verb}>" if self.attr == "body" else f"<{self.verb} {self.attr}>"
        return f"{what} at {self.where()}"


@dataclass(frozen=True)
class Verb:
    """A verb (or a noun/nested verb) as it ran: its attributes, its text and where it is."""

    name: str
    attrs: tuple[tuple[str, str], ...]
    text: str
    url: str
    source: str | None
    line: int | None
    inside: str | None = None
    """Name of the enclosing verb for nested verbs (Gather's Say) and nouns (Dial's Number)."""
    nouns: tuple[Verb, ...] = ()
    notes: tuple[str, ...] = ()

    def attr(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.attrs:
            if key == name:
                return value
        return default


@dataclass(frozen=True)
class Fetch:
    """The engine needs this document next; `origin` says which element asked for it."""

    request: Request
    origin: Origin


@dataclass(frozen=True)
class Fetched:
    """A request made and the reply's summary (status 0: no HTTP reply)."""

    request: Request
    origin: Origin
    status: int
    content_type: str
    url: str
    source: str | None
    elapsed: float = 0.0


@dataclass(frozen=True)
class Input:
    """An outcome the call consumed: Gather keys/speech/timeout, a Dial, Record or queue result."""

    kind: WaitKind
    value: str
    params: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """Something the caller or the author should know that is not a verb (e.g. an ignored key)."""

    text: str


Problem = Diagnostic
"""A finding at one step (the validator's findings and Twilio's fetch errors): the one finding
record, `twiml.diagnostic.Diagnostic`, placed by `url` and `file` (the document's file)."""


@dataclass(frozen=True)
class Ask:
    """The call waits for an outcome of this verb (keys or speech, a Dial result, ...)."""

    kind: WaitKind
    verb: Verb
    input_types: tuple[str, ...] = ()
    num_digits: int | None = None
    finish_on_key: str = ""
    timeout: int = 5
    language: str = "en-US"
    hints: str = ""

    def prompt(self) -> str:
        """What Twilio would accept here, in words, for an interactive caller."""
        if self.kind != "gather":
            return f"{self.verb.name}: outcome?"
        parts: list[str] = []
        if "dtmf" in self.input_types:
            keys = f"{self.num_digits} key{'s' if self.num_digits != 1 else ''}" if self.num_digits else "keys"
            finish = f" ({self.finish_on_key} submits)" if self.finish_on_key else ""
            parts.append(f"press {keys}{finish}")
        if "speech" in self.input_types:
            hint = f"; hints: {self.hints}" if self.hints else ""
            parts.append(f"speak ({self.language}{hint})")
        accepts = " or ".join(parts) or "nothing (no input type)"
        return f"{accepts}; {self.timeout} s timeout, empty answer = no input"


@dataclass(frozen=True)
class Stop:
    """How the call ended."""

    reason: EndReason
    message: str = ""
    problems: tuple[Problem, ...] = field(default=())


Event = Verb | Fetched | Input | Note | Problem
