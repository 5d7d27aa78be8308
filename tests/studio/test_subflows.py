"""Run Subflow: another Flow JSON run inside the parent's execution, given by option, config or argument."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.studio.helpers import FLOWS, REAL
from twiml.studio.explore import explore_studio
from twiml.studio.model import load_flow
from twiml.studio.runner import StudioTransport
from twiml.testing import Call, Text

PARENT = FLOWS / "subflow_parent.json"
CHILD = FLOWS / "subflow_child.json"
SID = "FW00000000000000000000000000000c01"


def test_the_subflow_runs_and_its_variables_come_back_on_the_run_widget() -> None:
    call = Call(studio=PARENT, subflows={SID: CHILD})
    assert call.heard() == "Welcome.\nHello +15555550100.\nPress 1 or 2."
    call.press("2")
    # widgets.collect.choice is the subflow's variable; the parent's flow.variables stay without it
    assert call.heard() == "You chose 2."
    assert call.ended == "hangup"
    assert call.visited == ["Trigger", "greet", "collect", "collect/greet", "collect/ask", "collect/remember", "thanks"]
    assert "collect/remember: next: no next widget: the subflow completes; collect: completed (returns choice='2')" in (
        call.studio.notes if call.studio else []
    )


def test_a_subflow_that_fails_takes_the_parents_failed_transition() -> None:
    call = Call(studio=PARENT, subflows={"collect": str(CHILD)})  # by the widget's name this time
    call.silence()
    assert call.heard() == "No choice.\nSorry, that did not work."
    assert call.visited[-2:] == ["collect/lost", "sorry"]
    notes = call.studio.notes if call.studio else []
    assert any("collect/lost: goes to 'nowhere', which is not in the subflow; collect: failed" in n for n in notes)


def test_without_the_subflow_file_the_widget_fails_and_the_note_names_it_and_its_sid() -> None:
    call = Call(studio=PARENT)
    assert call.heard() == "Welcome.\nSorry, that did not work."
    notes = call.studio.notes if call.studio else []
    assert any(n.startswith(f"collect: run-subflow's flow_sid {SID} names no subflow file given") for n in notes)


def test_widget_names_of_parent_and_subflow_do_not_collide() -> None:
    """Both flows have a widget `greet`: the subflow's runs as `collect/greet`, in the map too."""
    transport = StudioTransport(load_flow(PARENT), subflows={SID: load_flow(CHILD)})
    urls = {s.url: s.document for s in explore_studio(transport.flow, transport=transport).states.values()}
    assert urls["http://studio.local/greet"] == "say-play"
    assert urls["http://studio.local/collect/greet"] == "say-play"
    assert urls["http://studio.local/collect/ask"] == "gather-input-on-call"
    assert urls["http://studio.local/sorry"] == "say-play"  # the no-input path fails the subflow


def test_a_fixture_that_is_a_flow_definition_is_run_as_the_subflow() -> None:
    child = json.loads(CHILD.read_text())
    call = Call(studio=PARENT, fixtures={"collect": child})
    call.press("1")
    assert call.heard().endswith("You chose 1.")


def test_subflow_steps_count_towards_the_one_executions_limit(tmp_path: Path) -> None:
    """Studio stops a widget run 10 times in a row; the subflow's widgets are the same execution's."""
    child = json.loads(CHILD.read_text())
    remember = next(s for s in child["states"] if s["name"] == "remember")
    remember["transitions"] = [{"event": "next", "next": "remember"}]
    call = Call(studio=PARENT, fixtures={"collect": child})
    call.press("1")
    assert call.ended == "hangup"
    notes = call.studio.notes if call.studio else []
    assert "collect/remember: ran 10 times in a row; Studio stops the execution" in notes


# ------------------------------------------------------------------------------- the real pair


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/studio is not here")
def test_real_parent_runs_its_real_child_subflow(tmp_path: Path) -> None:
    """21_daily_sitdown_parent runs 22_daily_sitdown_child (its questions) as the subflow of
    ask_questions, which returns the child's variables: the parent thanks `widgets.ask_questions.name`."""
    parent, child = tmp_path / "parent.json", tmp_path / "child.json"
    shutil.copy(REAL / "21_daily_sitdown_parent.json", parent)
    shutil.copy(REAL / "22_daily_sitdown_child.json", child)
    (tmp_path / "parent.studio.toml").write_text(
        '[subflows]\nFW50120385f4d1e8dcf30c0bcd83695969 = "child.json"\n\n'
        '[fixtures]\nvalidate_caller = { valid = true }\nget_names = { name = "ada" }\n'
        '"ask_questions/save_to_airtable" = { saved = true }\n'  # a widget of the subflow
    )
    text = Text(studio=parent)  # parent.studio.toml beside the flow is read
    assert text.send("hi")[0].body == "ADA what did you do yesterday?"
    assert text.send("tests")[0].body == "ADA what will you do today?"
    assert text.send("more tests")[0].body == "ADA what impediments do you have?"
    sent = text.send("none")
    assert sent[0].body.startswith("Thanks, ada now get back to work.")
    assert text.visited[-4:] == [
        "ask_questions/impediments",
        "ask_questions/var_input",
        "ask_questions/save_to_airtable",
        "end",
    ]
    assert text.send("1")[0].body == "https://airtable.com/shrgxvKyKIJ9pJItw"
    notes = text.studio.notes if text.studio else []
    assert "ask_questions/save_to_airtable: run-function replied from its fixture -> success" in notes


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/studio is not here")
def test_real_parent_without_its_subflow_names_the_widget() -> None:
    text = Text(studio=REAL / "21_daily_sitdown_parent.json", fixtures={"validate_caller": {}, "get_names": {}})
    assert text.send("hi") == []
    notes = text.studio.notes if text.studio else []
    assert any(
        n.startswith("ask_questions: run-subflow's flow_sid FW50120385f4d1e8dcf30c0bcd83695969 names no") for n in notes
    )


def test_a_subflow_of_a_subflow_returns_through_both() -> None:
    """collect runs a wrapper whose own run-subflow runs the child: names nest, values come back up."""
    child = json.loads(CHILD.read_text())
    wrapper = json.loads(PARENT.read_text())
    trigger = next(s for s in wrapper["states"] if s["type"] == "trigger")
    for t in trigger["transitions"]:
        t.pop("next", None)
        if t["event"] == "incomingParent":
            t["next"] = "collect"
    wrapper["states"] = [s for s in wrapper["states"] if s["name"] in ("Trigger", "collect", "keep")]
    collect = next(s for s in wrapper["states"] if s["name"] == "collect")
    collect["transitions"] = [{"event": "completed", "next": "keep"}, {"event": "failed"}]
    wrapper["states"].append(
        {
            "name": "keep",
            "type": "set-variables",
            "transitions": [{"event": "next"}],
            "properties": {"variables": [{"key": "choice", "value": "inner {{widgets.collect.choice}}"}]},
        }
    )
    call = Call(studio=PARENT, fixtures={"collect": wrapper, "collect/collect": child})
    call.press("1")
    assert call.heard().endswith("You chose inner 1.")
    assert "collect/collect/ask" in call.visited and call.visited[-2:] == ["collect/keep", "thanks"]


def test_a_subflow_ending_on_a_say_goes_back_to_the_parent_rather_than_hanging_up() -> None:
    child = json.loads(CHILD.read_text())
    lost = next(s for s in child["states"] if s["name"] == "lost")
    lost["transitions"] = [{"event": "audioComplete"}]  # the subflow's last widget
    call = Call(studio=PARENT, fixtures={"collect": child})
    call.silence()
    assert call.heard() == "No choice.\nYou chose ."
    assert call.visited[-2:] == ["collect/lost", "thanks"]


def test_a_subflow_without_an_incoming_parent_entry_completes_at_once() -> None:
    call = Call(studio=PARENT, subflows={"collect": FLOWS / "sms.json"})
    assert call.heard() == "Welcome.\nYou chose ."
    notes = call.studio.notes if call.studio else []
    assert (
        "collect: the subflow's trigger has no incomingParent widget: the subflow completes; collect: completed"
        in notes
    )
