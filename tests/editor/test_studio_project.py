"""The Studio model behind `twiml-editor flow.json`: edits splice into the file's own text, so a
save changes only the lines of what was edited; undo and redo; bad JSON named with its place."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from twiml.studio.model import StudioError
from twiml_editor.studio_project import StudioProject, studio_rows

FLOW = Path(__file__).parent / "studio" / "small_flow.json"


@pytest.fixture
def project(tmp_path: Path) -> StudioProject:
    path = tmp_path / "flow.json"
    shutil.copy(FLOW, path)
    return StudioProject.open(path)


def changed(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+) between two texts."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_one_value_edited_changes_one_line_and_keeps_liquid(project: StudioProject) -> None:
    before = project.text
    project.set_property("bye", "say", "See you {{flow.variables.name}}.")
    project.save()
    after = project.path.read_text(encoding="utf-8")
    assert changed(before, after) == [
        '-            "properties": {"say": "Goodbye.", "loop": 1, "offset": {"x": 300, "y": 600}}',
        '+            "properties": {"say": "See you {{flow.variables.name}}.", "loop": 1, "offset": {"x": 300, "y": 600}}',
    ]
    assert not project.dirty


def test_numbers_stay_as_written_and_new_property_goes_last(project: StudioProject) -> None:
    before = project.text
    project.set_property("menu", "timeout", "7")  # a digit string stays a string
    project.set_property("menu", "voice", "Polly.Joanna")
    lines = changed(before, project.text)
    assert sorted(lines) == sorted(
        [
            '-                "timeout": "5",',
            '+                "timeout": "7",',
            '-                "offset": {"x": 10, "y": 200}',
            '+                "offset": {"x": 10, "y": 200},',
            '+                "voice": "Polly.Joanna"',
        ]
    )
    assert json.loads(project.text)["states"][1]["properties"]["number_of_digits"] == 1


def test_add_widget_link_it_and_relink(project: StudioProject) -> None:
    before = project.text
    project.add_widget("say-play", "speech_sorry", link=("menu", 1))
    data = json.loads(project.text)
    assert data["states"][1]["transitions"][1] == {"event": "speech", "next": "speech_sorry"}
    new = data["states"][-1]
    assert new == {
        "name": "speech_sorry",
        "type": "say-play",
        "transitions": [{"event": "audioComplete"}],
        "properties": {"offset": {"x": 0, "y": 0}},
    }
    # the new state is written in the file's own 4-space style, after the last one
    assert '\n        {\n            "name": "speech_sorry",\n' in project.text
    # untouched states keep their bytes: only the speech transition's line changed, the rest is added
    assert [line for line in changed(before, project.text) if line.startswith("-")] == [
        '-                {"event": "speech"},',
    ]
    project.set_next("menu", 1, "bye")
    assert json.loads(project.text)["states"][1]["transitions"][1]["next"] == "bye"
    project.set_next("sales", 0, "bye")
    assert '"transitions": [{"event": "audioComplete", "next": "bye"}],' in project.text


def test_remove_widget_unlinks_what_led_there_and_undo_brings_it_back(project: StudioProject) -> None:
    before = project.text
    project.remove_widget("bye")
    data = json.loads(project.text)
    assert "bye" not in [s["name"] for s in data["states"]]
    assert data["states"][1]["transitions"][2] == {"event": "timeout"}
    assert data["states"][2]["transitions"][0] == {"event": "noMatch"}
    assert project.undo() == "remove bye"
    assert project.text == before
    assert project.redo() == "remove bye"
    assert "bye" not in project.flow.by_name
    with pytest.raises(ValueError, match="trigger cannot be removed"):
        project.remove_widget("Trigger")


def test_conditions_added_and_removed(project: StudioProject) -> None:
    before = project.text
    project.add_condition("route", "matches_any_of", "2,3", "bye")
    route = project.state("route")
    assert [t.event for t in route.transitions] == ["noMatch", "match", "match"]
    assert route.transitions[2].conditions[0] == {
        "friendly_name": "matches_any_of 2,3",
        "arguments": ["{{widgets.menu.Digits}}"],
        "type": "matches_any_of",
        "value": "2,3",
    }
    project.remove_transition("route", 2)
    assert project.text == before
    project.remove_transition("route", 0)  # noMatch is unlinked, not removed
    assert json.loads(project.text)["states"][2]["transitions"][0] == {"event": "noMatch"}


def test_rename_follows_transitions(project: StudioProject) -> None:
    project.rename_widget("bye", "goodbye")
    assert [t.next for t in project.state("menu").transitions] == ["route", None, "goodbye"]
    assert project.state("route").transitions[0].next == "goodbye"
    with pytest.raises(ValueError, match="already a widget"):
        project.rename_widget("goodbye", "menu")
    with pytest.raises(ValueError, match="letters, digits"):
        project.rename_widget("goodbye", "good bye")


def test_the_call_runs_the_edited_flow(project: StudioProject) -> None:
    from twiml.simulator import GatherInput, Options, Session

    project.set_property("sales", "say", "Edited sales.")
    transport = project.transport()
    heard: list[str] = []
    session = Session(
        transport, transport.entry_url("incomingCall"), Options(), listener=lambda e: heard.append(str(e))
    )
    session.start()
    session.answer(GatherInput(digits="1"))
    assert any("Edited sales." in line for line in heard)
    assert transport.visited[-1] == "sales"


def test_map_rows_show_loops_ends_and_missing_widgets(project: StudioProject) -> None:
    project.set_next("sales", 0, "menu")
    labels = [("  " * r.depth) + r.label for r in studio_rows(project.flow)]
    assert labels[:4] == [
        "Trigger  (trigger)",
        "  incomingCall → menu  (gather-input-on-call)",
        "    keypress → route  (split-based-on)",
        "      noMatch → bye  (say-play)",
    ]
    assert "        audioComplete → ↩ menu" in labels
    assert "    speech → ■ end" in labels


def test_bad_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "states": [\n    {"name": "x",}\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(StudioError) as caught:
        StudioProject.open(path)
    assert (caught.value.line, caught.value.column) == (3, 18)
    assert "property name" in caught.value.message


def test_crlf_and_bom_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "crlf.json"
    text = FLOW.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    project = StudioProject.open(path)
    project.add_widget("say-play", "extra")
    project.save()
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_terminal_controls_in_names_are_shown_escaped(project: StudioProject) -> None:
    raw = json.loads(project.text)
    raw["states"][4]["name"] = "bye\x1b[2J"
    raw["states"][1]["transitions"][2]["next"] = "bye\x1b[2J"
    path = project.path
    path.write_text(json.dumps(raw, indent=2), encoding="utf-8")
    labels = [r.label for r in studio_rows(StudioProject.open(path).flow)]
    assert "      timeout → bye\\x1b[2J  (say-play)".strip() in [label.strip() for label in labels]
    assert not any("\x1b" in label for label in labels)


REAL = Path(__file__).resolve().parents[2].parent / "shared" / "studio" / "flows"
REAL_FLOWS = sorted(REAL.glob("*.json")) if REAL.is_dir() else []


@pytest.mark.skipif(not REAL_FLOWS, reason=f"the real Studio flows are not here ({REAL})")
def test_real_flows_open_map_and_take_edits_in_their_own_layout(tmp_path: Path) -> None:
    """Each real flow opens; one property edited differs by at most its own line; a widget added,
    linked and removed again gives the text back byte for byte."""
    for source in REAL_FLOWS:
        path = tmp_path / source.name
        shutil.copy(source, path)
        project = StudioProject.open(path)
        original = project.text
        assert studio_rows(project.flow), source.name
        state = next(
            (
                s
                for s in project.flow.states
                if any(isinstance(v, str) and "\n" not in v for v in s.properties.values())
            ),
            None,
        )
        if state is not None:
            key = next(k for k, v in state.properties.items() if isinstance(v, str) and "\n" not in v)
            project.set_property(state.name, key, "edited {{flow.data.x}}")
            lines = changed(original, project.text)
            assert len(lines) == 2 and lines[0].startswith("-") and lines[1].startswith("+"), (source.name, lines)
            assert json.loads(project.text)["states"][state.index]["properties"][key] == "edited {{flow.data.x}}"
            project.undo()
        link = next(((s.name, t.index) for s in project.flow.states for t in s.transitions if t.next is None), None)
        project.add_widget("say-play", "added_by_test", link=link)
        assert json.loads(project.text)["states"][-1]["name"] == "added_by_test"
        project.remove_widget("added_by_test")
        if link is None:
            assert project.text == original, source.name
        else:  # the link went with the widget: the transition is as it was
            assert json.loads(project.text) == json.loads(original), source.name


def test_the_call_panels_transport_has_the_config_beside_the_flow(tmp_path: Path) -> None:
    """F5 runs the flow as `twiml call` does: with the fixtures and subflows of its .studio.toml."""
    from twiml.studio.config import ConfigError

    flows = Path(__file__).parents[1] / "studio" / "flows"
    shutil.copy(flows / "subflow_parent.json", tmp_path / "parent.json")
    shutil.copy(flows / "subflow_child.json", tmp_path / "child.json")
    project = StudioProject.open(tmp_path / "parent.json")
    assert project.transport().subflows == {}
    config = tmp_path / "parent.studio.toml"
    config.write_text('[subflows]\nFW00000000000000000000000000000c01 = "child.json"\n')
    assert list(project.transport().subflows) == ["FW00000000000000000000000000000c01"]
    config.write_text("[fixtures]\nnope = 1\n")
    with pytest.raises(ConfigError, match=r"parent\.studio\.toml:2: \[fixtures\] nope"):
        project.transport()
