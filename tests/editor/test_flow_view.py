"""Pilot tests of the editor on a flow folder: the Flow view, route editing, the Call panel,
several unsaved documents and quitting, and a snapshot of the Flow view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual.pilot import Pilot
from textual.widgets import Input

from twiml.flow import load_flow
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.screens.call_screen import CallScreen
from twiml_editor.screens.confirm_many import ConfirmDeleteUsed, ConfirmQuitMany
from twiml_editor.screens.flow_view import FlowScreen

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"


def row_index(screen: FlowScreen, prefix: str) -> int:
    return next(i for i, row in enumerate(screen.rows) if row.label.startswith(prefix))


async def test_flow_view_opens_a_state_and_comes_back(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        assert screen.rows[0].label == "start: call"
        assert screen.rows[1].label.startswith("[s1] /voice/incoming  ivr_main_menu.xml")
        # the tree lists rows in order (root hidden): move to "press 1 → [s2] /menu sales.xml"
        target = row_index(screen, "press 1 → [s2]")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, lambda: not isinstance(app.screen, FlowScreen))
        assert app.doc.file_path == folder / "sales.xml"
        await pilot.press("f6")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        await pilot.press("f6")
        await settle(pilot, lambda: not isinstance(app.screen, FlowScreen))
        assert app.doc.file_path == folder / "sales.xml"


async def test_add_a_case_from_the_routes_list_and_save_keeps_comments(folder: Path) -> None:
    before = (folder / "flow.toml").read_text(encoding="utf-8")
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        screen.routes.focus()
        screen.routes.highlighted = list(app.project.flow.routes).index("/menu")
        await pilot.press("c")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        await pilot.press("9", "enter")
        await settle(pilot, lambda: app.screen.query("#picker-filter"))
        for key in "goodbye":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: app.project.toml_dirty)
        assert app.project.flow.resolve("/menu", {"Digits": "9"}).document == "goodbye.xml"
        assert any("9 → goodbye.xml" in str(o.prompt) for o in screen.routes.options)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not app.project.toml_dirty)
    after = (folder / "flow.toml").read_text(encoding="utf-8")
    assert [line for line in before.splitlines() if line not in after.splitlines()] == [
        line for line in before.splitlines() if line.startswith('"/menu" = ')
    ]
    assert '"0" = "operator.xml", "9" = "goodbye.xml"' in after
    assert load_flow(folder).problems == []


async def test_add_a_route_to_a_new_document_from_a_template(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        for key in "hours":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query("#picker-filter"))
        for key in "new document":
            await pilot.press(key if key != " " else "space")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query("#template-picker"))
        for key in "goodbye":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        app.screen.query_one("#text-input", Input).value = "hours.xml"
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot, lambda: "/hours" in app.project.flow.routes)
        assert not (folder / "hours.xml").exists()  # written with flow.toml when the flow is saved
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not app.project.dirty_names())
    assert (folder / "hours.xml").read_text(encoding="utf-8") == (SAMPLES / "goodbye.xml").read_text(encoding="utf-8")
    assert app.project.flow.resolve("/hours").document == "hours.xml"


async def test_deleting_a_routed_document_asks_first(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot, lambda: app.screen.query("#picker-filter"))
        for key in "sales":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDeleteUsed))
        assert "/menu, /menu/speech" in str(app.screen.query_one(".dialog-text").render())
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        assert (folder / "sales.xml").exists()
        await pilot.press("x")
        await settle(pilot, lambda: app.screen.query("#picker-filter"))
        for key in "sales":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDeleteUsed))
        await pilot.press("y")
        await settle(pilot, lambda: "sales.xml" not in app.project.files())
        assert app.project.uses("sales.xml") == [] and app.project.problems == []
        assert (folder / "sales.xml").exists()  # deleted when the flow is saved
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not (folder / "sales.xml").exists())


async def test_call_panel_plays_the_flow_and_highlights_the_running_verb(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        screen = app.screen
        assert isinstance(screen, CallScreen)
        assert screen.session is not None and screen.session.waiting is not None
        assert screen.document_name == "ivr_main_menu.xml"
        assert screen.highlighted is not None and screen.highlighted.name == "Say"  # the Gather's last prompt
        await pilot.click("#key-1")
        await settle(pilot, lambda: screen.session is not None and screen.session.ended is not None)
        text = "\n".join(screen.transcript)
        assert "gather: keys 1" in text and "-> POST http://localhost/menu  Digits=1" in text
        assert 'Say [Polly.Joanna-Neural, en-US] "Connecting you to sales."' in text
        assert screen.document_name == "goodbye.xml"
        assert screen.highlighted is not None and screen.highlighted.name == "Hangup"
        # speech through the entry, on a new call (F5)
        await pilot.press("f5")
        await settle(pilot, lambda: screen.session is not None and screen.session.waiting is not None)
        for key in "billing":
            await pilot.press(key)
        await pilot.press("enter")
        await settle(pilot, lambda: screen.session is not None and screen.session.ended is not None)
        assert "Connecting you to billing." in "\n".join(screen.transcript)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))


async def test_call_panel_hears_unsaved_edits(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        doc = app.project.document("sales.xml")
        say = next(n for n in doc.root.children if n.name == "Say")
        doc.set_text(say, "Sales, unsaved words.")
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        await pilot.click("#key-1")
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await settle(pilot, lambda: screen.session is not None and screen.session.ended is not None)
        assert '"Sales, unsaved words."' in "\n".join(screen.transcript)


async def test_several_unsaved_documents_quit_asks_once_and_saves_all(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name, words in (("sales.xml", "Sales edited."), ("goodbye.xml", "Bye edited.")):
            assert app.open_flow_document(name)
            await settle(pilot)
            say = next(n for n in app.doc.root.children if n.name == "Say")
            app.document_screen.after_change(app.doc.set_text(say, words))
            await settle(pilot)
        assert app.project.dirty_names() == ["sales.xml", "goodbye.xml"]
        assert "+1 unsaved: sales.xml" in (app.document_screen.sub_title or "")
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmQuitMany))
        assert isinstance(app.screen, ConfirmQuitMany) and app.screen.names == ["sales.xml", "goodbye.xml"]
        await pilot.press("escape")
        await settle(pilot, lambda: not isinstance(app.screen, ConfirmQuitMany))
        assert app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmQuitMany))
        assert app.screen.focused is not None and app.screen.focused.id == "quit-cancel"
        await pilot.press("s", "d", "c", "enter")  # letters answer nothing; Enter on Cancel keeps the app
        await settle(pilot, lambda: not isinstance(app.screen, ConfirmQuitMany))
        assert app.is_running and app.project.dirty_names() == ["sales.xml", "goodbye.xml"]
        await pilot.press("ctrl+q")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmQuitMany))
        await pilot.press("ctrl+s")  # saves all, as the button says
        await settle(pilot, lambda: not app.is_running)
    assert "Sales edited." in (folder / "sales.xml").read_text(encoding="utf-8")
    assert "Bye edited." in (folder / "goodbye.xml").read_text(encoding="utf-8")


async def test_a_broken_flow_toml_is_shown_and_left_alone(folder: Path) -> None:
    (folder / "flow.toml").write_text('start = "/voice/incoming"\n[routes\n', encoding="utf-8")
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen)
        problems = str(app.screen.query_one("#flow-problems").render())
        assert "flow.toml:2" in problems
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert (folder / "flow.toml").read_text(encoding="utf-8") == 'start = "/voice/incoming"\n[routes\n'


def test_flow_view_snapshot(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the titles show the folder as given: the same in every checkout
    app = FlowEditorApp(Path("sample_flows"))

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


async def test_document_keys_do_nothing_behind_the_flow_view(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen)
        before = app.doc.to_xml()
        await pilot.press("a", "delete", "ctrl+d", "v")
        await settle(pilot)
        assert isinstance(app.screen, FlowScreen) and app.doc.to_xml() == before and not app.doc.dirty


async def test_the_map_shows_the_last_coverage_run(folder: Path) -> None:
    from twiml.flowtest.coverage import save_walks, walk_of
    from twiml.simulator.driver import Session, watch_sessions
    from twiml.testing import Call

    sessions: list[Session] = []
    stop = watch_sessions(sessions.append)
    try:
        Call(folder=folder).press("2")
    finally:
        stop()
    save_walks([walk_of(s) for s in sessions], folder / ".twiml-coverage")
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        marks = {row.label: row.walked for row in screen.rows if row.walked is not None}
        assert marks[next(label for label in marks if label.startswith("press 2 → [s3]"))] is True
        assert marks[next(label for label in marks if label.startswith("press 1 → [s2]"))] is False
        assert "edges walked" in screen.coverage_lines[0]
        assert str(screen.map_tree.root.children[0].children[0].children[0].label).startswith(("✓ ", "✗ "))
