"""How a Dial, Record or queue turns out, chosen by the caller: `twiml.simulator.choices` (the
one list `twiml call` asks from and the editor's call panel offers) and a Session that waits for
those outcomes as it waits for a Gather."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml.flow import load_flow
from twiml.flow.transport import FolderTransport
from twiml.simulator import GatherInput, Session, choices
from twiml.simulator.engine import DialOutcome, QueueOutcome, RecordOutcome
from twiml.simulator.events import Ask, Verb, WaitKind

ROOT = Path(__file__).resolve().parents[2]


def _ask(kind: WaitKind) -> Ask:
    name = {"dial": "Dial", "record": "Record", "queue": "Enqueue", "gather": "Gather"}[kind]
    return Ask(kind, Verb(name, (), "support", "u", None, 1))


def _kind(session: Session) -> str | None:
    """What the session waits for (a fresh read each time: mypy narrows attributes for good)."""
    return session.waiting.kind if session.waiting is not None else None


def test_the_choices_cover_the_branches_a_flow_splits_on() -> None:
    dial = [c.outcome for c in choices.choices(_ask("dial"))]
    assert [o.status for o in dial if isinstance(o, DialOutcome)][:4] == ["completed", "answered", "busy", "no-answer"]
    assert RecordOutcome(0) in [c.outcome for c in choices.choices(_ask("record"))]
    assert {c.key for c in choices.choices(_ask("queue"))} >= {"bridged", "queue-full", "hangup"}
    assert choices.parse(_ask("dial"), "") == DialOutcome("completed")
    assert choices.parse(_ask("dial"), " busy ") == DialOutcome("busy")
    assert choices.parse(_ask("dial"), "maybe") is None
    assert choices.parse(_ask("record"), "12") == RecordOutcome(12)
    assert choices.parse(_ask("record"), "99999") is None
    assert choices.parse(_ask("queue"), "redirected") == QueueOutcome("redirected")  # any QueueResult
    assert "Enqueue support" in choices.question(_ask("queue"))


@pytest.mark.skipif(not (ROOT / "sample_flows").is_dir(), reason="sample_flows/ is not there")
def test_a_session_waits_for_the_dial_outcome_so_the_busy_branch_can_be_walked() -> None:
    flow = load_flow(ROOT / "sample_flows")
    transport = FolderTransport(flow)
    session = Session(transport, transport.url("/voice/incoming"), wait_for_outcomes=True)
    session.start()
    assert _kind(session) == "gather"
    session.answer(GatherInput(digits="1"))  # sales: its <Dial> waits for an outcome now
    assert _kind(session) == "dial" and session.waiting is not None
    busy = next(c for c in choices.choices(session.waiting) if c.key == "busy")
    session.answer(busy.outcome)  # /dial-complete: busy is no "completed": voicemail's <Record>
    assert _kind(session) == "record"
    assert session.requests[-1].source is not None and session.requests[-1].source.endswith("voicemail.xml")
    session.answer(RecordOutcome(8))
    assert session.ended is not None
    assert session.requests[-1].source is not None and session.requests[-1].source.endswith("voicemail_saved.xml")
    # without waiting, the options decide at once (completed: goodbye)
    quick = Session(transport, transport.url("/voice/incoming"))
    quick.start()
    quick.answer(GatherInput(digits="1"))
    assert quick.ended is not None and quick.requests[-1].source is not None
    assert quick.requests[-1].source.endswith("goodbye.xml")
