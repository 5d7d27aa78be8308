"""Pilot tests for the views: attribute form, preview, problems panel, palette, help, keymap, mouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import SIZE, field_input, row, select, settle
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widgets import Input, Select

from twiml.base import TwiML
from twiml.voice_response import VoiceResponse
from twiml_editor.app import EditorApp
from twiml_editor.pretty import node_lines
from twiml_editor.screens.help import HelpScreen
from twiml_editor.widgets.verb_tree import label_for, summary

XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Response><Gather action="/menu" numDigits="1" vendorFlag="on"><Say voice="alice">Welcome to Acme support</Say>'
    "</Gather><Say>Bye</Say><Redirect>/main</Redirect></Response>"
)
SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_flows").glob("*.xml"))


async def show(app: EditorApp, pilot: Pilot[None], node: TwiML) -> None:
    await select(app, pilot, node)
    app.document_screen.ensure_form()
    await settle(pilot)
    assert app.form.node is node


# ---------------------------------------------------------------------------- tree labels


def test_summaries_follow_the_issue_examples() -> None:
    r = VoiceResponse()
    g = r.gather(num_digits=1, action="/menu")
    say = r.say("Welcome to Acme Corporation, the best")
    assert summary(g) == "→ /menu numDigits=1"  # the URL first: a narrow tree clips the end
    assert summary(say) == '"Welcome to Acme Corporation, the best"'  # the tree clips it to its room
    assert str(label_for(say)) == 'Say "Welcome to Acme Corporation, the best"'
    assert summary(VoiceResponse().say("x" * 500)) == '"' + "x" * 199 + '…"'  # a bound on the work
    assert str(label_for(g, "error")).startswith("✖ Gather")


LONG_URLS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n'
    '  <Gather action="https://ivr.example.com/handlers/menu-choice" numDigits="1"><Say>Press one.</Say></Gather>\n'
    "  <Redirect>https://ivr.example.com/handlers/fallback-route</Redirect>\n"
    "</Response>\n"
)


def _tree_rows(app: EditorApp) -> list[str]:
    """The tree's rows as drawn (inside its border)."""
    tree = app.tree
    return [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]


async def test_tree_labels_clip_urls_by_the_room_the_tree_has(tmp_path: Path) -> None:
    """A wide tree shows the whole action URL (and a Redirect's); at 80x24 each label shows its
    verb and as much of the URL as fits, ending in "…" at the tree's edge (no sideways scroll)."""
    path = tmp_path / "long.xml"
    path.write_text(LONG_URLS, encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        rows = _tree_rows(app)
        gather = next(r for r in rows if "Gather" in r)
        assert "Gather → https://ivr.example.com/handlers/menu-choice" in gather
        assert '"https://ivr.example.com/handlers/fallback-route"' in next(r for r in rows if "Redirect" in r)
        await pilot.resize_terminal(80, 24)
        await settle(pilot, lambda: app.tree.size.width < 40, "the narrow tree")
        tree = app.tree
        width = tree.scrollable_content_region.width
        rows = _tree_rows(app)
        assert all(len(r) <= tree.size.width for r in rows)
        assert tree.virtual_size.width <= width  # nothing hides past a scrollbar
        gather = next(r for r in rows if "Gather" in r)
        label = gather[gather.index("▼ Gather") :]
        assert label.startswith("▼ Gather → https://ivr.") and label.endswith("…"), gather
        assert len(gather) == width  # clipped at the edge, not earlier
        redirect = next(r for r in rows if "Redirect" in r)
        assert redirect.split("Redirect ", 1)[1].startswith('"https://ivr.') and redirect.endswith("…")
        assert next(r for r in rows if "Say" in r).endswith('Say "Press one."')  # short labels stay whole


# ---------------------------------------------------------------------------- form


async def test_typing_an_attribute_updates_document_tree_and_preview(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        app.form.focus_field("numDigits")
        await pilot.press("end", "backspace", "7")
        await settle(pilot)
        assert gather.attrs["numDigits"] == "7"
        assert 'numDigits="7"' in app.preview.xml_area.text
        assert app.preview.xml_area.text == app.doc.to_xml()
        assert "numDigits=7" in str(row(app, gather).label)


async def test_invalid_value_is_kept_and_flagged(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        app.form.focus_field("numDigits")
        await pilot.press("end", "x")
        await settle(pilot)
        assert gather.attrs["numDigits"] == "1x"  # stored as typed, never dropped
        field = app.form.fields["numDigits"]
        assert field.has_class("-invalid")
        assert "integer" in str(field.query_one(".attr-error").render())
        # 13314 is a WARNING in Twilio's error dictionary: Twilio ignores the value
        assert any(d.path.startswith("Response/Gather") and d.severity == "warning" for d in app.problems.diagnostics)


async def test_enum_select_and_tristate_bool(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        method = app.form.fields["method"].input_widget
        assert isinstance(method, Select)
        method.value = "GET"
        await settle(pilot)
        assert gather.attrs["method"] == "GET"
        barge = app.form.fields["bargeIn"].input_widget
        assert isinstance(barge, Select) and barge.value is Select.NULL  # unset is a state of its own
        barge.value = "false"
        await settle(pilot)
        assert gather.attrs["bargeIn"] == "false"
        barge.value = Select.NULL
        await settle(pilot)
        assert "bargeIn" not in gather.attrs


async def test_open_enum_accepts_free_text(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        say = app.doc.root.children[0].children[0]
        await show(app, pilot, say)
        voice = app.form.fields["voice"].input_widget
        assert isinstance(voice, Input) and voice.value == "alice"
        voice.value = "Polly.Newvoice-Neural"
        await settle(pilot)
        assert say.attrs["voice"] == "Polly.Newvoice-Neural"


async def test_unknown_attributes_are_shown_added_and_removed(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        assert app.form.fields["vendorFlag"].attr is None
        assert app.form.fields["vendorFlag"].current() == "on"
        content = app.form.content
        content.query_one(".new-attr-name", Input).value = "trace"
        content.query_one(".new-attr-value", Input).value = "42"
        app.form.scroll_end(animate=False)
        await pilot.pause()
        await pilot.click(".new-attr-add")
        await settle(pilot)
        assert gather.attrs["trace"] == "42"
        assert "trace" in app.form.fields
        remove = app.form.fields["vendorFlag"].query_one(".remove-attr")
        app.form.scroll_to_widget(remove, animate=False)
        await pilot.pause()
        await pilot.click(remove)
        await settle(pilot)
        assert "vendorFlag" not in gather.attrs
        assert "vendorFlag" not in app.form.fields


async def test_body_text(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        bye = app.doc.root.children[1]
        await show(app, pilot, bye)
        assert app.form.focus_body()
        await pilot.press("end", "!", "enter")
        await settle(pilot)
        assert bye.value == "Bye!"
        assert app.focused is app.tree  # enter hands focus back to the tree
        assert '"Bye!"' in str(row(app, bye).label)


# ---------------------------------------------------------------------------- preview


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_node_lines_match_pretty_xml(sample: Path) -> None:
    import twiml

    root = twiml.parse(sample.read_text(encoding="utf-8"))
    lines = root.to_xml(pretty=True).split("\n")
    for node in root.iter():
        span = node_lines(root, node)
        assert span is not None
        first, last = lines[span[0]].strip(), lines[span[1]].strip()
        if node.name == "#comment":
            assert first.startswith("<!--") and last.endswith("-->")
        else:
            assert first.startswith("<" + node.name)
            assert last.endswith((f"</{node.name}>", "/>"))


async def test_preview_highlights_selected_node(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        selection = app.preview.xml_area.selection
        rows = sorted((selection.start[0], selection.end[0]))
        assert tuple(rows) == node_lines(app.doc.root, gather)
        assert app.preview.xml_area.document[rows[0]].strip().startswith("<Gather")
        assert app.preview.xml_area.document[rows[1]].strip() == "</Gather>"


async def test_toggle_python_preview(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        assert app.preview.python_area.language is None  # its highlighting query waits for the tab
        await pilot.press("f2")
        await settle(pilot)
        assert app.preview.showing_python
        area = app.preview.python_area
        assert area.text == app.doc.to_python()
        assert area.language == "python"
        assert any(name == "include" for row in area._highlights.values() for *_, name in row)  # `from`, coloured
        await show(app, pilot, app.doc.root.children[1])
        await pilot.press("delete")
        await settle(pilot)
        assert app.preview.python_area.text == app.doc.to_python()
        await pilot.press("f2")
        await settle(pilot)
        assert not app.preview.showing_python


# ---------------------------------------------------------------------------- problems


async def test_problems_panel_lists_and_selects(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        '<Response><Say>Hi</Say><Gather numDigits="abc"><Say>Menu</Say></Gather></Response>', encoding="utf-8"
    )
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gather = app.doc.root.children[1]
        assert app.problems.row_count >= 1
        assert any(d.code == 13314 for d in app.problems.diagnostics)
        assert str(row(app, gather).label).startswith("⚠")  # 13314 is a Twilio WARNING
        app.problems.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.current is gather
        # fixing the value clears the problem and the mark
        await show(app, pilot, gather)
        field_input(app, "numDigits").value = "3"
        await settle(pilot)
        assert not any(d.code == 13314 for d in app.problems.diagnostics)
        assert not str(row(app, gather).label).startswith("⚠")


# ---------------------------------------------------------------------------- palette, help, keymap, mouse


async def test_palette_offers_only_applicable_actions(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        titles = {title for title, _, _ in app.palette_commands()}
        assert {"Save", "Open", "Add child", "Help"} <= titles
        assert "Undo" not in titles and "Paste" not in titles and "Delete node" not in titles
        await show(app, pilot, app.doc.root.children[1])
        await pilot.press("c")
        await settle(pilot)
        titles = {title for title, _, _ in app.palette_commands()}
        assert {"Paste", "Delete node", "Move up"} <= titles
        callback = next(cb for title, _, cb in app.palette_commands() if title == "Delete node")
        callback()
        await settle(pilot)
        assert [v.name for v in app.doc.root.children] == ["Gather", "Redirect"]
        assert "Undo" in {title for title, _, _ in app.palette_commands()}


async def test_palette_opens_and_runs_a_command(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, app.doc.root.children[2])
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"duplicate")
        commands = app.screen.query_one(CommandList)  # the search runs in a worker
        await settle(pilot, until=lambda: commands.highlighted is not None and not app.screen.workers)
        await pilot.press("enter")
        await settle(pilot)
        assert [v.name for v in app.doc.root.children] == ["Gather", "Say", "Redirect", "Redirect"]


async def test_help_lists_every_binding(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        listed = {row[1] for row in app.screen.rows}
        assert {k.id for k in app.keys} <= listed
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
async def test_help_shows_every_word_whole_at_every_width(folder: Path, width: int) -> None:
    """F1 at 40 to 200 columns: every word of each row's key, action and description, whole (a
    word is never cut: below about 70 columns descriptions go under their keys), and no line
    wider than the help's own width, which is on the screen."""
    from textual.widgets import Static

    from twiml_editor.flow_app import FlowEditorApp

    app = FlowEditorApp(folder)  # the most rows: the Flow view's and the editor's
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = help_screen.query_one("#help-rows", Static)
        assert body.region.x >= 0 and body.region.right <= width
        lines = [strip.text.rstrip() for strip in body.render_lines(body.region.reset_offset)]
        assert max(len(line) for line in lines) <= body.region.width
        shown = " ".join(lines).split()
        expected = ["Key", "Action", "Does"] + [w for row in help_screen.rows for w in " ".join(row).split()]
        assert sorted(shown) == sorted(expected)  # every word once, none cut (keys may wrap between words)


async def test_keys_can_be_remapped(flow: Path, tmp_path: Path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text('[keys]\ndelete = "ctrl+r"\n', encoding="utf-8")
    app = EditorApp(flow, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await show(app, pilot, app.doc.root.children[1])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert [v.name for v in app.doc.root.children] == ["Gather", "Redirect"]
        assert any(row[0] == "ctrl+r" and row[1] == "delete" for row in app.help_rows())


async def test_bad_key_config_does_not_stop_the_editor(flow: Path, tmp_path: Path) -> None:
    config = tmp_path / "keys.toml"
    config.write_text('[keys]\nfly = "ctrl+r"\n', encoding="utf-8")
    app = EditorApp(flow, config_path=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "fly" in str(app.screen.query_one("#error-message").render())
        await pilot.press("enter")
        await settle(pilot)
        assert app.doc.root.children


async def test_mouse_click_selects_tree_node(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bye = app.doc.root.children[1]
        line = row(app, bye).line
        await pilot.click("#tree", offset=(8, line + 1 - app.tree.scroll_offset.y))
        await settle(pilot)
        assert app.current is bye


async def test_edit_attribute_picker_lists_grammar_and_unknown_attributes(flow: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        gather = app.doc.root.children[0]
        await show(app, pilot, gather)
        app.tree.focus()
        await pilot.press("e")  # Gather carries vendorFlag, which the grammar does not know
        await settle(pilot)
        for c in "vendorflag":
            await pilot.press(c)
        await pilot.press("enter")
        await settle(pilot)
        field = app.form.fields["vendorFlag"]
        assert app.focused is not None and field in app.focused.ancestors_with_self
