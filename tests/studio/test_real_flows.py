"""The 30 real Studio flows of ../shared/studio: each loads, validates without a crash (with its
real defects reported), maps and round-trips through import and export; the flows whose walks use
widgets with a TwiML equivalent are walked along at least two paths, one of them a noMatch or a
timeout, checking the widgets visited and what was said or sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.studio.helpers import REAL, REAL_FLOWS
from twiml.studio.convert import export_folder, import_flow
from twiml.studio.explore import explore_studio
from twiml.studio.model import load_flow
from twiml.studio.validate import validate_flow
from twiml.testing import Call, Text

pytestmark = pytest.mark.skipif(not REAL_FLOWS, reason=f"the real Studio flows are not here ({REAL})")

DEFECTS = {
    "05_plastik_card_ivr.json": {"STUDIO-UNREACHABLE", "STUDIO-UNKNOWN-REFERENCE"},
    "11_callwaiting_voicemail_menu.json": {"STUDIO-UNKNOWN-REFERENCE", "STUDIO-UNKNOWN-PROPERTY"},
    "17_vaccine_standby_sms.json": {"STUDIO-MISSING-NEXT"},
    "25_hotel_reservations_apaleo.json": {"STUDIO-LIQUID"},
    "29_webchat_conversations.json": {"STUDIO-UNREACHABLE", "STUDIO-UNKNOWN-REFERENCE"},
}
"""Codes each flow's real defects must raise (NOTES.md and INDEX.md describe them)."""


@pytest.mark.parametrize("path", REAL_FLOWS, ids=[p.stem[:2] for p in REAL_FLOWS])
def test_loads_validates_maps_and_round_trips(path: Path, tmp_path: Path) -> None:
    flow = load_flow(path)
    assert len(flow.states) == len(json.loads(path.read_text(encoding="utf-8-sig"))["states"])
    findings = validate_flow(flow)
    assert all(d.line is not None and d.column is not None for d in findings)
    assert DEFECTS.get(path.name, set()) <= {str(d.code) for d in findings}
    if path.name not in DEFECTS:
        assert not [d.format(path.name) for d in findings if d.severity == "error"]
    flow_map = explore_studio(flow)
    assert flow_map.states and not flow_map.broken and not flow_map.truncated
    import_flow(flow, tmp_path / "folder")
    assert export_folder(tmp_path / "folder") == json.loads(path.read_text(encoding="utf-8-sig"))


def test_the_missing_widget_of_flow_17_is_named_with_its_line() -> None:
    flow = load_flow(REAL / "17_vaccine_standby_sms.json")
    (found,) = [d for d in validate_flow(flow) if d.code == "STUDIO-MISSING-NEXT"]
    assert found.message == "Goodbye: sent goes to 'SaveToAirtable', which is not in the flow"
    assert (found.line, found.column) == (376, 11)


@dataclass
class Walk:
    """A call (`inputs` answer Gathers) or a conversation (`bodies`, then the timeout if `timeout`)."""

    inputs: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)
    """Widgets the execution ran, in this order (others may come between)."""
    said: str = ""
    """Text the caller heard or a message sent (a substring)."""
    timeout: bool = False
    options: dict[str, object] = field(default_factory=dict)


WALKS: dict[str, list[Walk]] = {
    "01": [
        Walk(
            ["2", "123456"],
            visited=["gather_input", "split_key_press", "gather_2", "split_1", "say_play_1"],
            said="You typed 2 . Thank you.",
        ),
        Walk(["7"], visited=["gather_input", "split_key_press"], said="Press 1 for sales"),
        Walk(["1", ""], visited=["gather_input", "split_key_press", "gather_1"], said="interested in a widget"),
    ],
    "02": [
        Walk([], visited=["apologize_english", "apologize_spanish", "connect_to_helpline"], said="Lo siento"),
        Walk(
            [],
            visited=["connect_to_helpline"],
            said="ACCFB Emergency Food Helpline",
            options={"dial_status": "no-answer"},
        ),
    ],
    "03": [
        Walk(["1"], visited=["menu", "Joke", "Bye_message"], said="Thanks for calling, have a great day"),
        Walk(
            ["3", "2"], visited=["menu", "submenu", "customer_service", "Bye_message"], said="Our customer service team"
        ),
        Walk(["5"], visited=["menu", "not_valid_option_1", "menu"], said="Sorry, that's not a valid option"),
    ],
    "04": [
        Walk(["1"], visited=["mainMenu", "saySales", "sendToFlex"], said="Welcome to Sales"),
        Walk(["7"], visited=["mainMenu", "mainMenuSplit"], said="Press 1 to Sales"),
    ],
    "05": [
        Walk(
            ["3", "1212", "1234", "1"],
            visited=["main_menu", "card_info_gather", "card_info_pin_gather", "check_acc_menu", "acc_bal_say"],
            said="Your account balance is",
        ),
        Walk(
            ["2", "0"],
            visited=["main_menu", "list_of_promos", "promo_ending", "promo_ending_digit"],
            said="Earn an extra 100 points",
        ),
        Walk(
            ["8"],
            visited=["main_menu", "main_menu_key_pressed", "main_menu_failed"],
            said="Sorry, We were not able to get your answer.",
        ),
    ],
    "06": [
        Walk(
            [],
            visited=["check_handoff", "ring_browser_agent"],
            options={"params": {"HandoffData": '{"conversationId": "CH1"}'}},
        ),
        Walk([], visited=["check_handoff"]),
    ],
    "07": [
        Walk(
            ["2"],
            visited=["menu", "check_menu", "run_function_next_joke", "check_joke", "prompt_joke_rating"],
            said="how do you rate this joke?",
            options={"fixtures": {"run_function_next_joke": {"joke": "Knock."}}},
        ),
        Walk(
            ["1"],
            visited=["menu", "check_menu", "instructions", "record_voicemail_1"],
            said="please kindly leave your joke",
        ),
        Walk(["7"], visited=["menu", "check_menu"], said="Press 1 to submit a joke"),
    ],
    "08": [
        Walk(
            ["2"],
            visited=["gather_1", "split_digit_pressed", "pressed_payment", "said_payment"],
            said="You said payment",
        ),
        Walk(
            ["", "1"],
            visited=["gather_1", "gather_1", "pressed_taxi", "said_taxi", "gather_3"],
            said="Please say your name",
        ),
    ],
    "10": [
        Walk(
            ["", "tell me a joke"],
            visited=["gather_prompt", "say_repeat", "gather_prompt", "http_prompt", "say_error"],
            said="We are sorry, but an error occurred",
        ),
        Walk(
            ["tell me a joke"],
            visited=["gather_prompt", "http_prompt", "say_play_3", "gather_prompt"],
            said="Why did the chicken",
            options={"fixtures": {"http_prompt": {"response": "Why did the chicken..."}}},
        ),
    ],
    "11": [
        Walk(
            ["1"],
            visited=["GatherOptions", "HandleOption1", "InvalidOption", "RepeatMenu"],
            said="Invalid option. Please try again.",
        ),
        Walk(
            [""],
            visited=["WelcomeMessage", "GatherOptions", "RepeatMenu", "GatherOptions"],
            said="Let's try that again.",
        ),
    ],
    "13": [
        Walk(
            [],
            visited=["RecordingGuide", "Recording", "Recognize", "Replay"],
            said="こんにちは",
            options={"fixtures": {"Recognize": {"text": "こんにちは"}}},
        ),
        Walk([], visited=["RecordingGuide", "Recording"], options={"recording_duration": 0}),
    ],
    "17": [
        Walk(
            bodies=["hi", "YES", "Ada Lovelace", "36"],
            visited=["Welcome", "OptIn", "Name", "Age", "ZipCode"],
            said="What's your 5-digit zip code?",
        ),
        Walk(bodies=["hi", "maybe"], visited=["Welcome", "OptIn", "Welcome"], said="To continue, reply “YES”."),
        Walk(bodies=["hi", "yes"], timeout=True, visited=["Welcome", "OptIn", "Name"], said="What is your full name?"),
    ],
    "18": [
        Walk(
            bodies=[""],
            visited=["send_redelivery_datetime"],
            said="再配達予定日時は 12月7日 です",
            options={"params": {"redeliverly_datetime": "12月7日"}},
        ),
    ],
    "19": [
        Walk(
            bodies=["hi", "Ada", "37", "2"],
            visited=["first_question", "second_question", "third_question", "Fifth_question"],
            said="What was the last movie you watched?",
        ),
        Walk(
            bodies=["hi", "Ada"], timeout=True, visited=["first_question", "second_question"], said="How old are you?"
        ),
    ],
    "20": [
        Walk(
            bodies=["hi", "11"],
            visited=["nps", "check_nps", "unknown_answer_1", "nps"],
            said="Please enter a number from 1 - 10.",
        ),
        Walk(
            bodies=["hi", "9", "great"],
            visited=["nps", "check_nps", "feedback", "send_results_to_sheets", "thank_you"],
            said="We value your feedback!",
            options={"fixtures": {"send_results_to_sheets": {"ok": True}}},
        ),
        Walk(
            bodies=["hi", "9"], timeout=True, visited=["feedback", "send_results_to_sheets"], said="Is there any other"
        ),
    ],
    "26": [
        Walk(
            ["the louvre"],
            visited=["ask_place", "get_coordinates", "get_3words_by_coord", "say_play_1", "send_location"],
            said="The three word address for Paris is filled.count.soap",
            options={
                "fixtures": {
                    "get_coordinates": {"formatted_address": "Paris"},
                    "get_3words_by_coord": {"words": "filled.count.soap", "map": "https://w3w.co/x"},
                }
            },
        ),
        Walk(
            ["the louvre"],
            visited=["ask_place", "get_coordinates", "say_can_not_find_place"],
            said="Sorry, I can't find the location of The louvre.",
        ),
        Walk([""], visited=["ask_place"], said="Please say a place"),
    ],
    "28": [
        Walk(
            ["1", "yes"],
            visited=[
                "welcome_english",
                "set_language_engl",
                "voice_language_split",
                "gather_need_english",
                "decide_need_food_now",
                "gather_city_english",
            ],
            said="what city are you located in?",
        ),
        Walk(["", ""], visited=["welcome_english", "welcome_spanish"], said="Bienvenido"),
        Walk(
            bodies=["hola", "English", "yes"],
            visited=[
                "ask_language_sms_english",
                "split_language_sms",
                "gather_need_food_now_sms_english",
                "decide_need_food_now_sms_english",
                "gather_city_sms_english",
            ],
            said="What city are you located in?",
        ),
        Walk(
            bodies=["hola", "klingon"],
            visited=["ask_language_sms_english", "split_language_sms"],
            said="For English, reply 'english'.",
        ),
    ],
    "29": [
        Walk(
            bodies=["hi", "Hours"],
            visited=["selection_offering", "selection_check", "return_customer_offering"],
            said="Are you a new or existing patient?",
        ),
        Walk(bodies=["hi"], timeout=True, visited=["selection_offering", "send_thank_you"], said="Thank you!"),
    ],
}


def _in_order(expected: list[str], visited: list[str]) -> bool:
    it = iter(visited)
    return all(name in it for name in expected)


CASES = [(key, i, walk) for key, walks in WALKS.items() for i, walk in enumerate(walks)]


@pytest.mark.parametrize(("key", "index", "walk"), CASES, ids=[f"{k}-{i}" for k, i, _ in CASES])
def test_walk(key: str, index: int, walk: Walk) -> None:
    path = next(p for p in REAL_FLOWS if p.name.startswith(key))
    options = dict(walk.options)
    fixtures = options.pop("fixtures", None)
    if walk.bodies:
        text = Text(studio=path, fixtures=fixtures, **options)  # type: ignore[arg-type]
        sent: list[str] = []
        for body in walk.bodies:
            sent += [m.body for m in text.send(body)]
        if walk.timeout:
            sent += [m.body for m in text.timeout()]
        visited, said = text.visited, "\n".join(sent)
    else:
        call = Call(studio=path, fixtures=fixtures, **options)  # type: ignore[arg-type]
        for answer in walk.inputs:
            if call.ended:
                break
            if not answer:
                call.silence()
            elif answer.isdigit():
                call.press(answer)
            else:
                call.say(answer)
        visited, said = call.visited, call.transcript()
    assert _in_order(walk.visited, visited), visited
    assert walk.said in said


def test_every_walked_flow_has_two_walks() -> None:
    for key, walks in WALKS.items():
        if key == "18":  # two widgets, no split and nothing to wait for: one path only
            continue
        assert len(walks) >= 2, key
