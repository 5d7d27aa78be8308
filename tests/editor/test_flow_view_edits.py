"""Pilot tests of the Flow view as a complete flow editor: routes and cases on any parameter
and match, one undo history for route and document edits, deletions that ask first, every
flow action in F1 and the command palette, and the footer at 80 columns."""

from __future__ import annotations

from pathlib import Path

from app_helpers import SIZE, select, settle
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey

from twiml.flow import load_flow
from twiml.flow.routing import Resolution, Split
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.keymap import FLOW_ACTIONS, FLOW_VIEW_ACTIONS
from twiml_editor.screens.confirm_many import ConfirmDelete
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.help import HelpScreen

SMALL = (80, 24)


async def _type(pilot: Pilot[None], text: str) -> None:
    for key in text:
        await pilot.press({" ": "space", "/": "slash"}.get(key, key))


async def _pick(pilot: Pilot[None], app: FlowEditorApp, dialog: str, text: str) -> None:
    """Filter the picker `dialog` by `text` and take the first match."""
    await settle(pilot, lambda: app.screen.query(f"#{dialog}"))
    await _type(pilot, text)
    await pilot.press("enter")


async def _prompt(pilot: Pilot[None], app: FlowEditorApp, text: str) -> None:
    await settle(pilot, lambda: app.screen.query("#text-input"))
    await _type(pilot, text)
    await pilot.press("enter")


def _flow_screen(app: FlowEditorApp) -> FlowScreen:
    screen = app.screen
    assert isinstance(screen, FlowScreen)
    return screen


async def test_a_route_on_speech_contains_is_added_and_undone_and_redone(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        await _type(pilot, "said")  # the prompt starts with "/"
        await pilot.press("enter")
        await _pick(pilot, app, "target-picker", "split on")
        await _pick(pilot, app, "by-picker", "SpeechResult")
        await _pick(pilot, app, "match-picker", "contains")
        await _prompt(pilot, app, "sales")
        await _pick(pilot, app, "target-picker", "sales.xml")
        await _pick(pilot, app, "target-picker", "goodbye.xml")
        await settle(pilot, lambda: "/said" in app.project.flow.routes)
        route = app.project.flow.routes["/said"].target
        assert route == Split("SpeechResult", "contains", (("sales", "sales.xml"),), None, "goodbye.xml")
        assert app.project.flow.resolve("/said", {"SpeechResult": "Sales please"}).document == "sales.xml"
        screen = _flow_screen(app)
        assert any("/said  by SpeechResult contains" in str(o.prompt) for o in screen.routes.options)
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: "/said" not in app.project.flow.routes)
        assert not app.project.toml_dirty
        assert not any("/said" in str(o.prompt) for o in screen.routes.options)
        await pilot.press("ctrl+y")
        await settle(pilot, lambda: "/said" in app.project.flow.routes)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not app.project.toml_dirty)
    assert load_flow(folder).routes["/said"].target == route


async def test_ctrl_z_undoes_the_last_thing_done_route_or_document(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _flow_screen(app)
        app.project.add_route("/first", "goodbye.xml")
        sales = app.project.document("sales.xml")
        say = next(n for n in sales.root.children if n.name == "Say")
        sales.set_text(say, "Edited.")
        app.project.set_target("/first", "sales.xml")
        screen.refresh_flow()
        await pilot.press("ctrl+z")  # the target change
        await settle(pilot, lambda: app.project.flow.routes["/first"].target == "goodbye.xml")
        assert sales.dirty
        await pilot.press("ctrl+z")  # the document edit, made between the two route edits
        await settle(pilot, lambda: not sales.dirty)
        assert "/first" in app.project.flow.routes
        await pilot.press("ctrl+z")
        await settle(pilot, lambda: "/first" not in app.project.flow.routes)


async def test_a_case_on_any_parameter_edited_and_removed_one_at_a_time(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _flow_screen(app)
        routes = list(app.project.flow.routes)
        screen.routes.focus()
        screen.routes.highlighted = routes.index("/operator/screen")  # a plain route
        await pilot.press("c")
        await _pick(pilot, app, "by-picker", "From")
        await _pick(pilot, app, "match-picker", "exact")
        await _prompt(pilot, app, "+15550001111")
        await _pick(pilot, app, "target-picker", "goodbye.xml")
        await settle(pilot, lambda: isinstance(app.project.flow.routes["/operator/screen"].target, Split))

        def resolve(path: str, params: dict[str, str]) -> Resolution:
            return app.project.flow.resolve(path, params)  # the flow read after the last edit

        assert resolve("/operator/screen", {"From": "+15550001111"}).document == "goodbye.xml"
        assert resolve("/operator/screen", {}).document == "call_screening_whisper.xml"
        # edit one case of /menu: its value
        screen.routes.highlighted = routes.index("/menu")
        await pilot.press("e")
        await _pick(pilot, app, "case-picker", "3 ")
        await _pick(pilot, app, "case-edit", "value")
        await settle(pilot, lambda: app.screen.query("#text-input"))
        await pilot.press("backspace")
        await _type(pilot, "8")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot, lambda: resolve("/menu", {"Digits": "8"}).document == "billing.xml")
        # ... and remove another
        await pilot.press("e")
        await _pick(pilot, app, "case-picker", "2 ")
        await _pick(pilot, app, "case-edit", "remove")
        await settle(pilot, lambda: resolve("/menu", {"Digits": "2"}).document != "support.xml")
        menu = app.project.flow.routes["/menu"].target
        assert isinstance(menu, Split) and [k for k, _ in menu.cases] == ["1", "8", "0"]
        # change what a split matches on: /menu/speech from contains to exact
        screen.routes.highlighted = routes.index("/menu/speech")
        await pilot.press("e")
        await _pick(pilot, app, "case-picker", "by SpeechResult")
        await _pick(pilot, app, "by-picker", "SpeechResult")
        await _pick(pilot, app, "match-picker", "exact")
        await settle(pilot, lambda: resolve("/menu/speech", {"SpeechResult": "sales please"}).document != "sales.xml")
        assert app.project.problems == []


async def test_deleting_a_route_or_an_unrouted_document_asks_first(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _flow_screen(app)
        screen.routes.focus()
        screen.routes.highlighted = list(app.project.flow.routes).index("/fax/incoming")
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDelete))
        assert "/fax/incoming → fax_receive.xml" in str(app.screen.query_one(".dialog-text", Static).render())
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        assert "/fax/incoming" in app.project.flow.routes
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDelete))
        await pilot.press("y")
        await settle(pilot, lambda: "/fax/incoming" not in app.project.flow.routes)
        # fax_receive.xml is routed no more: deleting it still asks
        await pilot.press("x")
        await _pick(pilot, app, "doc-picker", "fax_receive")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDelete))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        assert "fax_receive.xml" in app.project.files()


async def test_every_flow_action_is_in_help_and_the_palette(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")  # the palette asks for its commands with itself on top
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        titles = {title for title, _, _ in app.palette_commands()}
        for action in FLOW_VIEW_ACTIONS + FLOW_ACTIONS:
            assert action.description.rstrip("…") in titles, action.id
        await _type(pilot, "edit case")
        await pilot.press("enter")  # runs the Flow view's e: its case picker asks for a route first
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        await pilot.press("escape")
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        listed = {row[1]: row for row in help_screen.rows}
        for action in FLOW_VIEW_ACTIONS + FLOW_ACTIONS:
            assert action.id in listed and listed[action.id][0] == action.key
            assert action.help in listed[action.id][2]
        # the description column wraps at 80 columns: its last words are on screen, not cut
        body = help_screen.query_one("#help-rows", Static)
        lines = [strip.text for strip in body.render_lines(body.region.reset_offset)]
        text = " ".join(" ".join(line.split()) for line in lines)
        assert "matched exact, contains or present" in text
        assert all(len(line.rstrip()) <= body.region.width for line in lines)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))


async def test_the_footer_shows_f5_call_at_80_columns(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await settle(pilot, lambda: app.screen.query(FooterKey))
        shown = {k.description: k.region for k in app.screen.query(FooterKey).results(FooterKey)}
        palette = shown.pop("Commands")  # docked at the right: keys under it are cut
        for label in ("Call", "Flow map", "Add route", "Help", "Save"):
            assert label in shown, label
            assert shown[label].width > 0 and shown[label].right <= palette.x, label


async def test_the_map_keeps_the_users_place(folder: Path) -> None:
    """F6 back to the map returns to the state left; `n` offers the highlighted state's document first."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        screen = _flow_screen(app)
        line = next(i for i, row in enumerate(screen.rows) if row.label.startswith("press 3 → [s4]"))
        for _ in range(line):
            await pilot.press("down")
        await settle(pilot, lambda: screen.highlighted_state() == "s4")
        await pilot.press("enter")
        await settle(pilot, lambda: not isinstance(app.screen, FlowScreen))
        assert app.doc.file_path == folder / "billing.xml"
        await pilot.press("f6")
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen))
        again = _flow_screen(app)
        await settle(pilot, lambda: again.highlighted_state() == "s4")
        assert again.map_tree.cursor_line == line
        await pilot.press("n")
        await settle(pilot, lambda: app.screen.query("#doc-picker"))
        await pilot.press("enter")  # the first offered: the highlighted state's document
        await settle(pilot, lambda: app.screen.query("#text-input"))
        prompt = app.screen.query_one("#text-input", Input)
        assert prompt.value == "billing.xml"
        prompt.value = "accounts.xml"
        await pilot.press("enter")
        await settle(pilot, lambda: "accounts.xml" in app.project.files())
        await settle(pilot, lambda: again.highlighted_state() == "s4")  # the edit kept the place too


async def test_undo_of_a_structural_edit_selects_the_node_it_touched(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.open_flow_document("voicemail.xml")
        await settle(pilot, lambda: not isinstance(app.screen, FlowScreen))
        record = next(n for n in app.doc.root.children if n.name == "Record")
        await select(app, pilot, record)
        await pilot.press("s")  # add a sibling after <Record>: <Pause>
        await settle(pilot, lambda: app.screen.query("#picker-filter"))
        await _type(pilot, "pause")
        await pilot.press("enter")
        await settle(pilot, lambda: app.current is not None and app.current.name == "Pause")
        await pilot.press("ctrl+z")  # the Pause goes: the Record it followed is selected, not the root
        await settle(pilot, lambda: all(n.name != "Pause" for n in app.doc.root.children))
        await settle(pilot, lambda: app.current is record)
        await pilot.press("ctrl+y")  # and back: the Pause again
        await settle(pilot, lambda: app.current is not None and app.current.name == "Pause")
        await pilot.press("delete")
        await settle(pilot, lambda: all(n.name != "Pause" for n in app.doc.root.children))
        await pilot.press("ctrl+z")  # the deleted node comes back selected
        await settle(pilot, lambda: app.current is not None and app.current.name == "Pause")
