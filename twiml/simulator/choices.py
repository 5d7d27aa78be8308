"""How a Dial, Record or Enqueue can turn out, as a caller chooses it: the one list that
`twiml call` asks from at a terminal and the editor's call panel offers as buttons.

Each `Choice` has the word typed at the prompt (`key`), a few words for a button (`label`)
and the engine's outcome. `parse` reads a typed answer, including what the lists do not
spell out (any recording length in seconds, every DialCallStatus and QueueResult).
"""

from __future__ import annotations

from dataclasses import dataclass

from twiml.simulator.events import Ask
from twiml.simulator.state import DIAL_STATUSES, QUEUE_RESULTS, DialOutcome, QueueOutcome, RecordOutcome

__all__ = ["Choice", "choices", "parse", "question"]

ChosenOutcome = DialOutcome | RecordOutcome | QueueOutcome

RECORD_SECONDS = 5
"""The length of a recording when the caller just presses Enter."""
MAX_RECORD_SECONDS = 3600


@dataclass(frozen=True)
class Choice:
    """One way a Dial, Record or queue can end."""

    key: str
    label: str
    outcome: ChosenOutcome


def choices(ask: Ask, *, dial_duration: int = 30) -> tuple[Choice, ...]:
    """The outcomes worth offering for `ask` (a dial, record or queue wait), the default first."""
    if ask.kind == "dial":
        words = {
            "completed": "answered, then hung up",
            "answered": "answered (still up)",
            "busy": "the line is busy",
            "no-answer": "nobody picks up",
            "failed": "the call cannot be placed",
            "canceled": "hung up before an answer",
        }
        return tuple(Choice(s, words[s], DialOutcome(s, dial_duration)) for s in DIAL_STATUSES)
    if ask.kind == "record":
        return (
            Choice(str(RECORD_SECONDS), f"speaks {RECORD_SECONDS} s", RecordOutcome(RECORD_SECONDS)),
            Choice("30", "speaks 30 s", RecordOutcome(30)),
            Choice("0", "silence (nothing recorded)", RecordOutcome(0)),
        )
    if ask.kind == "queue":
        words = {"bridged": "an agent answers", "queue-full": "queue full", "hangup": "caller hangs up"}
        words["leave"] = "sent out by <Leave>"
        return tuple(Choice(r, words[r], QueueOutcome(r)) for r in ("bridged", "queue-full", "hangup", "leave"))
    return ()


def question(ask: Ask) -> str:
    """The question put to the caller, naming the verb and what it dials or records."""
    offered = choices(ask)
    rest = ", ".join(c.key for c in offered[1:])
    if ask.kind == "dial":
        targets = ", ".join(f"{n.name} {n.text}".strip() for n in ask.verb.nouns) or ask.verb.text
        return f"Dial {targets}: outcome? [{offered[0].key}] or {rest}"
    if ask.kind == "record":
        return f"Record: seconds the caller speaks? [{offered[0].key}] (0 = silence)"
    if ask.kind == "queue":
        return f"Enqueue {ask.verb.text}: how does the caller leave? [{offered[0].key}] or {rest}"
    return f"{ask.verb.name}: {ask.prompt()}"


def parse(ask: Ask, text: str, *, dial_duration: int = 30) -> ChosenOutcome | None:
    """The outcome a typed answer names (empty: the default); None when it names none."""
    text = text.strip()
    offered = choices(ask, dial_duration=dial_duration)
    if not offered:
        return None
    if not text:
        return offered[0].outcome
    if ask.kind == "dial":
        return DialOutcome(text, dial_duration) if text in DIAL_STATUSES else None
    if ask.kind == "record":
        ok = text.isdigit() and int(text) <= MAX_RECORD_SECONDS
        return RecordOutcome(int(text)) if ok else None
    return QueueOutcome(text) if text in QUEUE_RESULTS else None
