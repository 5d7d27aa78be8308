"""Shared test helpers: where the small test flows and the real flows are, and a path replayer."""

from __future__ import annotations

from pathlib import Path

from twiml.simulator.driver import Options, Session
from twiml.simulator.engine import DialOutcome, GatherInput, Outcome, QueueOutcome, RecordOutcome
from twiml.simulator.events import Ask, Verb
from twiml.simulator.render import heard_line
from twiml.simulator.transport import Transport

FLOWS = Path(__file__).parent / "flows"
ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT.parent / "shared" / "studio" / "flows"
REAL_FLOWS = sorted(REAL.glob("*.json")) if REAL.is_dir() else []


def outcome(label: str) -> Outcome | None:
    """The input a map edge label stands for (None: no input, e.g. a redirect)."""
    if label.startswith("press "):
        return GatherInput(digits=label.removeprefix("press "))
    if label.startswith("other keys ("):
        return GatherInput(digits=label[len("other keys (") : -1])
    if label.startswith('say "'):
        return GatherInput(speech=label[5:-1])
    if label == "no input":
        return GatherInput()
    if label.startswith("dial "):
        return DialOutcome(label.removeprefix("dial "))
    if label.startswith("recording "):
        return RecordOutcome(int(label.split()[1]))
    if label == "silence":
        return RecordOutcome(0)
    if label.startswith("queue "):
        return QueueOutcome(label.removeprefix("queue "))
    return None


def replay(transport: Transport, url: str, labels: list[str], max_steps: int = 60) -> str:
    """Play a call along a map path's edge labels; what the caller heard, as one line of words."""
    outcomes = [o for label in labels for part in label.split(", ") if (o := outcome(part)) is not None]
    gathers = [o for o in outcomes if isinstance(o, GatherInput)]
    others = [o for o in outcomes if not isinstance(o, GatherInput)]

    def decide(ask: Ask) -> DialOutcome | RecordOutcome | QueueOutcome | None:
        for i, o in enumerate(others):
            if (ask.kind, type(o)) in (("dial", DialOutcome), ("record", RecordOutcome), ("queue", QueueOutcome)):
                found = others.pop(i)
                assert isinstance(found, DialOutcome | RecordOutcome | QueueOutcome)
                return found
        return None

    session = Session(transport, url, Options(max_steps=max_steps, seed="replay"), decide=decide)
    session.start()
    while session.ended is None and gathers:
        session.answer(gathers.pop(0))
    heard = [line for e in session.events if isinstance(e, Verb) and (line := heard_line(e))]
    return " ".join(" ".join(heard).split())
