"""What one Studio execution is while it runs: its Liquid context, the widgets it ran, the TwiML
being built for the current reply, and the limits Studio puts on it.

`StudioTransport` (twiml.studio.runner) keeps executions immutable between requests (a continuation
URL names one by index), so the map can fork a call anywhere; widgets (twiml.studio.widget_handlers)
read and write the copy a request works on.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from twiml.grammar_types import Kind
from twiml.studio.model import StudioFlow, Transition

__all__ = [
    "BASE_URL",
    "ENTRY_EVENTS",
    "MAX_REPEATS",
    "MAX_STEPS",
    "TWILIO_PARAMS",
    "End",
    "Execution",
    "Outcome",
    "Response",
]

BASE_URL = "http://studio.local"
MAX_STEPS = 1000
"""Studio ends an execution after 1,000 steps."""
MAX_REPEATS = 10
"""... or when the same widget runs 10 times in a row."""
ENTRY_EVENTS = ("incomingCall", "incomingMessage", "incomingConversationMessage", "incomingRequest", "incomingParent")
TWILIO_PARAMS = frozenset(
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


@dataclass
class Frame:
    """A flow waiting for the subflow one of its run-subflow widgets runs: its context, and the
    widget's name as the execution names it (`parent/child` inside a subflow of a subflow)."""

    flow: StudioFlow | None
    widget: str
    context: dict[str, Any]


@dataclass
class Execution:
    """One execution's context (what Liquid sees), the widgets it ran, and its kind (voice: a call,
    messaging: a text).

    Studio runs a subflow as part of the parent's execution: `flow` is the flow running now (None:
    the transport's own) and `frames` the parents waiting for it, innermost last; `steps` count
    both, so Studio's limits hold across them."""

    kind: Kind
    context: dict[str, Any]
    steps: list[str] = field(default_factory=list)
    flow: StudioFlow | None = None
    frames: list[Frame] = field(default_factory=list)

    def copy(self) -> Execution:
        frames = [Frame(f.flow, f.widget, copy.deepcopy(f.context)) for f in self.frames]
        return Execution(self.kind, copy.deepcopy(self.context), list(self.steps), self.flow, frames)

    def qualified(self, name: str) -> str:
        """A widget's name as URLs, steps and notes show it: `run_widget/name` inside a subflow."""
        return f"{self.frames[-1].widget}/{name}" if self.frames else name

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


class End(Exception):
    """The execution ends here (a limit, a missing widget, an unknown type)."""


class Response:
    """The TwiML being built for one reply, voice or messaging."""

    def __init__(self, kind: Kind) -> None:
        if kind == "voice":
            from twiml.voice_response import VoiceResponse

            self.doc: Any = VoiceResponse()
        else:
            from twiml.messaging_response import MessagingResponse

            self.doc = MessagingResponse()
        self.kind = kind
        self.anchor: str | None = None
        """The last widget that put TwiML here (the reply's URL names it)."""

    def xml(self) -> bytes:
        return str(self.doc.to_xml()).encode("utf-8")
