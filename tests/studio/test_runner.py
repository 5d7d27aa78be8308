"""A Studio flow run through the simulator's engine: calls, conversations, fixtures and limits."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.studio.helpers import FLOWS
from twiml.studio.model import from_data
from twiml.testing import Call, Text

IVR = FLOWS / "ivr.json"
SMS = FLOWS / "sms.json"


def _flow(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _state(data: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in data["states"] if s["name"] == name)
    return found


def test_press_1_reaches_sales_and_the_dialled_call_ends_the_flow() -> None:
    call = Call(studio=IVR)
    assert call.heard() == "Press 1 for sales, 2 for support, or say operator."
    call.press("1")
    assert call.ended == "hangup"
    assert call.heard() == "Connecting you to sales.\nGoodbye."
    assert call.visited == ["Trigger", "menu", "route", "sales", "dial_sales", "after_dial", "goodbye"]
    dial = next(v for v in call.verbs if v.name == "Dial")
    assert dial.nouns[0].text == "+15557650001"
    assert dial.attr("callerId") == "+15555550100"  # {{contact.channel.address}}: the caller


def test_a_busy_line_goes_to_voicemail_and_the_recording_length_is_read_back() -> None:
    call = Call(studio=IVR, dial_status="busy", recording_duration=12)
    call.press("1")
    assert call.visited[-3:] == ["after_dial", "voicemail", "thanks"]
    assert call.transcript().endswith("Thanks, we got your message of 12 seconds.")


def test_matches_any_of_sends_3_to_the_queue() -> None:
    call = Call(studio=IVR, queue_result="bridged")
    call.press("3")
    assert [v.name for v in call.verbs if v.name == "Enqueue"] == ["Enqueue"]
    assert call.visited == ["Trigger", "menu", "route", "support", "goodbye"]


def test_no_match_counts_retries_in_a_flow_variable_and_gives_up_after_three() -> None:
    call = Call(studio=IVR)
    call.press("9")
    assert "Sorry, I did not get that. Try 1." in call.heard()
    call.say("pizza")
    assert "Try 2." in call.heard()
    call.press("7")
    assert call.heard() == "Goodbye."
    assert call.ended == "hangup"
    assert call.visited.count("retry") == 3
    assert call.studio is not None and "check_tries: '3' greater_than '2' -> goodbye" in call.studio.notes


def test_timeout_takes_the_timeout_transition() -> None:
    call = Call(studio=IVR)
    call.silence()
    assert call.heard() == "We did not hear from you."
    assert call.visited == ["Trigger", "menu", "goodbye_timeout"]


def test_http_widget_without_a_fixture_takes_failed_and_says_so() -> None:
    call = Call(studio=IVR)
    call.say("operator please")
    assert call.heard() == "Goodbye."
    assert call.studio is not None
    assert any("operator: make-http-request has no fixture" in n and "'failed'" in n for n in call.studio.notes)


def test_http_widget_with_a_fixture_fills_parsed() -> None:
    call = Call(studio=IVR, fixtures={"operator": {"agent": {"name": "Ada"}}})
    call.say("Operator.")
    assert call.heard() == "Your agent is Ada."
    assert call.visited[-2:] == ["operator", "say_agent"]


def test_sms_conversation_answers_each_send_and_wait_in_turn() -> None:
    text = Text(studio=SMS, body="hi", fixtures={"lookup": {"code": "X7"}})
    assert text.reply == "Hi! What is your name?"
    assert text.waiting == "ask_name"
    text.send("  Ada ")
    assert text.reply == "Thanks Ada. Reply YES to confirm."
    text.send("Yes")
    assert text.reply == "You are confirmed, Ada! Code X7."
    assert text.waiting is None
    assert text.visited == ["Trigger", "ask_name", "check_name", "save", "ask_ok", "confirm", "lookup", "done"]
    replies = text.replies
    assert replies[0].to == "+15555550100" and replies[0].from_ == "+15555550199"


def test_sms_no_match_and_a_blank_reply_loop() -> None:
    text = Text(studio=SMS, body="hi")
    text.send("   ")
    assert text.reply == "Hi! What is your name?"  # is_blank -> asked again
    text.send("Bob")
    text.send("nope")
    assert text.reply == "Cancelled."
    text.send("hello again")  # the execution ended: a new one starts
    assert text.reply == "Hi! What is your name?"


def test_sms_timeout_takes_the_timeout_transition() -> None:
    text = Text(studio=SMS, body="hi")
    text.send("Bob")
    assert text.timeout() and text.reply == "We did not hear back."
    assert text.visited[-2:] == ["ask_ok", "bye_timeout"]
    with pytest.raises(AssertionError, match="no send-and-wait-for-reply"):
        text.timeout()


def test_function_without_fixture_takes_fail() -> None:
    text = Text(studio=SMS, body="hi")
    text.send("Bob")
    text.send("yes")
    assert text.reply == "Something went wrong."
    assert text.studio is not None and any("lookup: run-function has no fixture" in n for n in text.studio.notes)


def test_unknown_widget_type_stops_the_execution_with_a_note() -> None:
    data = _flow(IVR)
    _state(data, "sales")["type"] = "teleport-caller"
    call = Call(studio=from_data(data))
    call.press("1")
    assert call.ended == "hangup"
    assert call.studio is not None
    assert "sales: widget type 'teleport-caller' is unknown; the execution stops here" in call.studio.notes


def test_a_next_naming_no_widget_ends_the_execution_with_a_note() -> None:
    data = _flow(IVR)
    _state(data, "route")["transitions"][1]["next"] = "nowhere"
    call = Call(studio=from_data(data))
    call.press("1")
    assert call.ended == "hangup"
    assert call.studio is not None and "route: goes to 'nowhere', which is not in the flow" in call.studio.notes


def test_the_same_widget_ten_times_in_a_row_stops_the_execution() -> None:
    data = _flow(IVR)
    _state(data, "menu")["transitions"][2]["next"] = "menu"  # timeout -> itself
    call = Call(studio=from_data(data))
    for _ in range(9):
        call.silence()
    assert call.ended == "hangup"
    assert call.visited.count("menu") == 10
    assert call.studio is not None and "menu: ran 10 times in a row; Studio stops the execution" in call.studio.notes


def test_an_execution_stops_after_1000_steps() -> None:
    data = _flow(IVR)
    loop = copy.deepcopy(_state(data, "retry"))
    loop["name"], loop["transitions"] = "again", [{"event": "next", "next": "retry"}]
    data["states"].append(loop)
    _state(data, "retry")["transitions"] = [{"event": "next", "next": "again"}]
    call = Call(studio=from_data(data))
    call.press("9")
    assert call.ended == "hangup"
    assert len(call.visited) == 1001
    assert call.studio is not None and any("limit of 1000 steps" in n for n in call.studio.notes)


def test_liquid_for_loops_stop_at_studios_limit_of_15() -> None:
    data = _flow(IVR)
    _state(data, "goodbye_timeout")["properties"]["say"] = "{% for i in (1..20) %}{{i}} {% endfor %}"
    call = Call(studio=from_data(data))
    call.silence()
    assert call.studio is not None
    assert any("goodbye_timeout: Liquid in say failed (loop iteration limit" in n for n in call.studio.notes)


def test_a_flow_without_a_call_entry_cannot_be_called() -> None:
    with pytest.raises(ValueError, match="no call entry"):
        Call(studio=SMS)


def test_the_expect_assertions_work_on_studio_flows() -> None:
    call = Call(studio=IVR).expect_heard("press 1 for sales")
    call.press("1").expect_heard("connecting you to sales").expect_ended("hangup")
    Text(studio=SMS, body="hi").expect_sent("what is your name")
    with pytest.raises(AssertionError, match="expected to hear"):
        Call(studio=IVR).expect_heard("welcome to acme")
