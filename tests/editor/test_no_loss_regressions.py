"""The eight ways issue 20 found to crash, freeze or lose an edit, each as the keys that did it."""

from __future__ import annotations

import asyncio
import gc
import shutil
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from app_helpers import SIZE, burst, drain, screen_text, settle
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from twiml.flow import load_flow
from twiml_editor import recovery
from twiml_editor.app import EditorApp
from twiml_editor.document import Document
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.screens.confirm import ConfirmUnsaved
from twiml_editor.screens.confirm_many import ConfirmQuitMany
from twiml_editor.screens.dialog import Dialog
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.text_prompt import TextPrompt

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "flow"
    shutil.copytree(SAMPLES, target)
    return target


def write(tmp_path: Path, xml: str, name: str = "doc.xml") -> Path:
    path = tmp_path / name
    path.write_text(xml, encoding="utf-8")
    return path


async def burst_and_settle(pilot: Pilot[None], keys: list[str]) -> None:
    burst(pilot.app, keys)
    await settle(pilot)


async def still_running(pilot: Pilot[None]) -> None:
    await settle(pilot)
    assert pilot.app.is_running and pilot.app._exception is None


# 1 ---------------------------------------------------------------- second did-you-mean fix


async def test_second_fix_in_a_row_refills_a_select_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<Response>\n  <Gather method="POST" numdigits="1" input="dtmf speach"><Say>Hi</Say></Gather>\n</Response>\n',
    )
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("f")
        await still_running(pilot)
        [gather] = [v for v in app.doc.root.verbs if not isinstance(v, str)]
        assert gather.attrs.get("input") == "dtmf speech" and gather.attrs.get("numDigits") == "1"


async def test_fix_from_the_problems_panel_with_a_select_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '<Response>\n  <Gather method="PUTT" numdigits="1" input="dtmf speach"><Say>Hi</Say></Gather>\n</Response>\n',
    )
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):  # each fix from the panel, the row under its cursor
            fixable = [i for i, d in enumerate(app.problems.diagnostics) if d.fix is not None]
            if not fixable:
                break
            app.problems.focus()
            app.problems.move_cursor(row=fixable[-1])
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)
        await still_running(pilot)
        assert "speach" not in app.doc.to_xml() and "numdigits" not in app.doc.to_xml()


# 2 --------------------------------------------------------------------- the palette's Quit


async def test_palette_offers_no_quit_that_skips_the_unsaved_question(tmp_path: Path) -> None:
    path = write(tmp_path, "<Response><Say>Hi</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        commands = list(app.get_system_commands(app.screen))
        quits = [c.callback for c in commands if "quit" in c.title.lower() or "quit" in c.help.lower()]
        assert quits == [app.action_request_quit]  # the one quit asks about unsaved edits
        assert not {"Bell", "Keys", "Screenshot", "Theme"} & {c.title for c in commands}  # none of Textual's
        await pilot.press("ctrl+p")
        await settle(pilot, until=lambda: app.screen is not app.document_screen and app.screen.query("Input"))
        await pilot.press(*"quit")
        await settle(pilot, until=lambda: "Quit" in screen_text(app), what="the palette's results")
        assert "as soon as possible" not in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, until=lambda: len(app.screen_stack) == 1)
        [say] = [v for v in app.doc.root.verbs if not isinstance(v, str)]
        app.document_screen.after_change(app.doc.set_text(say, "edited"))
        await settle(pilot)
        await app.action_quit()  # Textual's own quit, as any leftover binding would call it
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmUnsaved), what="the unsaved question")
        assert app.is_running


# 3 -------------------------------------------------------------------- text is not markup


async def test_markup_in_values_opens_and_shows_literally(tmp_path: Path) -> None:
    path = write(
        tmp_path, '<Response><Gather method="[/x]" action="[bold]x"><Say>[red]hi[/red]</Say></Gather></Response>'
    )
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await still_running(pilot)
        await settle(pilot, until=lambda: "[/x]" in screen_text(app), what="[/x] on screen")
        text = screen_text(app)
        assert "[bold]" in text and "[red]hi[/red]" in text


async def test_fixable_marker_is_shown(tmp_path: Path) -> None:
    path = write(tmp_path, '<Response><Gather numdigits="1"/></Response>')
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(
            pilot, until=lambda: "numDigits? [f]" in screen_text(app) or " [f]" in screen_text(app), what="[f]"
        )


# 4 -------------------------------------------------------------------------- key bursts


async def test_e_enter_enter_in_one_burst(tmp_path: Path) -> None:
    path = write(tmp_path, '<Response><Say voice="alice">Hi</Say></Response>')
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        await burst_and_settle(pilot, ["e", "enter", "enter"])
        await still_running(pilot)
        await burst_and_settle(pilot, ["escape", "e", "enter", "enter", "e", "escape", "escape"])
        await still_running(pilot)


async def test_open_dialog_backspaces_folder_enter_escape_does_not_freeze(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The burst froze the editor 3 times of 3.  A folder typed into the Open prompt now opens it
    in the flow editor (the app ends naming it, and the command line starts the flow editor):
    the same burst ends the app so, and the folder typed then Escape leaves the editor running."""
    monkeypatch.chdir(ROOT)
    path = write(tmp_path, "<Response><Say>Hi</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await burst_and_settle(pilot, ["ctrl+o", *["backspace"] * 80, *"sample_flows/", "escape"])
        await settle(pilot, until=lambda: len(app.screen_stack) == 1, what="the dialog closed")
        await pilot.press("down")  # the editor still takes keys
        await still_running(pilot)
        burst(app, ["ctrl+o", *["backspace"] * 80, *"sample_flows/", "enter", "escape", "escape"])
        await settle(pilot, until=lambda: not app.is_running, what="the switch to the flow editor")
    assert app.open_next is not None and app.open_next.resolve() == (ROOT / "sample_flows").resolve()
    assert app._exception is None


def every_dialog(folder: Path) -> list[Dialog[Any]]:
    """One of each dialog the editor has (the test checks that none is left out)."""
    from twiml_editor.screens.add_element import AddElementScreen
    from twiml_editor.screens.confirm import ConfirmOverwrite, ConfirmRestore
    from twiml_editor.screens.confirm_many import ConfirmDelete, ConfirmDeleteUsed, ConfirmReplaceSplit
    from twiml_editor.screens.dialect import DialectPicker
    from twiml_editor.screens.dialog import ChoiceDialog, Option
    from twiml_editor.screens.error_dialog import ErrorDialog
    from twiml_editor.screens.file_dialogs import ConfirmReadOnly, DiskChanged
    from twiml_editor.screens.help import HelpScreen
    from twiml_editor.screens.path_prompt import PathPrompt
    from twiml_editor.screens.templates import KindPicker, TemplatePicker

    return [
        AddElementScreen("Response", []),
        ConfirmUnsaved("quit", "a.xml"),
        ConfirmOverwrite("a.xml"),
        ConfirmRestore(["a.xml"], "today"),
        ConfirmQuitMany(["a.xml", "b.xml"]),
        ConfirmDelete("Delete the route /a?", "Its document stays."),
        ConfirmDeleteUsed("a.xml", ["/a"]),
        ConfirmReplaceSplit("/a  by Digits: 1 → a.xml, else → b.xml", 1),
        ChoiceDialog("Sure?", "x", [Option("OK", "ok", True)], cancel=False, focused="ok", dialog_id="choice"),
        DialectPicker("texml"),
        ErrorDialog("Oops", "it broke"),
        DiskChanged("a.xml"),
        ConfirmReadOnly("a.xml"),
        HelpScreen([("x", "y", "z")]),
        PathPrompt("Open", str(folder)),
        PickerScreen("Which?", [("one", "", 1), ("two", "", 2)]),
        KindPicker(),
        TemplatePicker(folder),
        TextPrompt("Name?", "x"),
    ]


def dialog_classes() -> set[type]:
    import importlib
    import pkgutil

    import twiml_editor.screens

    for module in pkgutil.iter_modules(twiml_editor.screens.__path__):
        importlib.import_module(f"twiml_editor.screens.{module.name}")
    found: set[type] = set()
    todo: list[type] = [Dialog]
    while todo:
        sub: type
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def composed(app: EditorApp, dialog: Dialog[Any]) -> bool:
    return app.screen is dialog and bool(dialog.query("*"))


async def test_every_dialog_answered_before_it_composed_or_with_messages_queued(folder: Path) -> None:
    """Found by the monkey test (seed 14, flow folder, 12,500 keys): a dialog dismissed in the
    same burst that opened it ran its `on_mount` after its children were gone
    (`NoMatches '#delete-cancel'` on ConfirmDeleteUsed).  Every dialog: pushed and answered at
    once, then pushed, answered, and sent the messages its widgets would still have queued."""
    dialogs = every_dialog(folder)
    assert {type(d) for d in dialogs} == dialog_classes(), "a dialog is missing from every_dialog"
    app = EditorApp(folder / "ivr_main_menu.xml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for dialog in dialogs:
            app.push_screen(dialog)
            dialog.dismiss(None)  # before it composed
            await still_running(pilot)
            assert len(app.screen_stack) == 1, type(dialog).__name__
        for dialog in every_dialog(folder):
            app.push_screen(dialog)
            await settle(pilot, until=partial(composed, app, dialog), what="the dialog composed")
            widgets = list(dialog.query("*").results())
            dialog.dismiss(None)
            for widget in widgets:  # what a burst leaves queued behind the key that chose
                if isinstance(widget, Input):
                    dialog.post_message(Input.Changed(widget, "late"))
                    dialog.post_message(Input.Submitted(widget, "late"))
                dialog.post_message(events.Key("enter", "\r"))
                dialog.post_message(events.Mount())
            await still_running(pilot)
            assert len(app.screen_stack) == 1, type(dialog).__name__


# 5 ----------------------------------------------------- flow view: nothing on disk before save


async def test_rename_stays_pending_until_save(folder: Path) -> None:
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        screen.action_rename_document()
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"goodbye", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, TextPrompt))
        prompt = app.screen
        assert isinstance(prompt, TextPrompt)
        prompt.query_one(Input).value = "farewell.xml"
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        await settle(pilot)
        files = {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith(recovery.SUFFIX)}
        assert files == before  # nothing written yet (but the recovery files of unsaved edits)
        assert "farewell.xml" in app.project.files() and "goodbye.xml" not in app.project.files()
        await pilot.press("ctrl+q")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmQuitMany))
        await pilot.press("left", "enter")  # from Cancel (focused) to Discard
        await settle(pilot, until=lambda: not app.is_running)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # discarded: as it was


async def test_rename_and_template_saved_together(folder: Path) -> None:
    goodbye = (folder / "goodbye.xml").read_bytes()
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        app.project.rename_document("goodbye.xml", "farewell.xml")
        app.project.create_document("extra.xml")
        app.project.add_route("/extra", "extra.xml")
        assert not (folder / "farewell.xml").exists() and not (folder / "extra.xml").exists()
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: not app.project.dirty_names(), what="everything saved")
    assert (folder / "farewell.xml").read_bytes() == goodbye and not (folder / "goodbye.xml").exists()
    assert (folder / "extra.xml").is_file()
    flow = load_flow(folder)
    assert flow.problems == [] and flow.resolve("/extra").document == "extra.xml"


def test_a_failed_flow_save_leaves_the_folder_as_it_was(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from twiml_editor.flow_project import FlowProject

    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    project = FlowProject.open(folder)
    project.rename_document("goodbye.xml", "farewell.xml")
    doc = project.document("sales.xml")
    doc.set_text(next(n for n in doc.root.children if n.name == "Say"), "Edited.")
    project.add_route("/extra", "farewell.xml")
    real_replace = os.replace
    calls = []

    def failing_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        project.save_all()
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert set(project.dirty_names()) >= {"flow.toml", "sales.xml"}
    project.save_all()
    assert (folder / "farewell.xml").is_file() and not (folder / "goodbye.xml").exists()
    assert "Edited." in (folder / "sales.xml").read_text(encoding="utf-8")
    assert load_flow(folder).problems == []


# 6 ----------------------------------------------------------- rename picks the highlighted state


async def test_rename_starts_on_the_highlighted_states_document(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        target = next(i for i, row in enumerate(screen.rows) if row.document == "sales.xml")
        for _ in range(target):
            await pilot.press("down")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, TextPrompt))
        prompt = app.screen
        assert isinstance(prompt, TextPrompt) and prompt.title_text == "Rename sales.xml"


# 7 --------------------------------------------------------------- the monkey test's three crashes


async def test_f5_then_f6_does_not_stack_two_flow_screens(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        await pilot.press("f5")
        await settle(pilot)
        await pilot.press("f6")
        await still_running(pilot)
        assert sum(isinstance(s, FlowScreen) for s in app.screen_stack) == 1
        await burst_and_settle(pilot, ["f5", "f6", "f5", "f6", "f6", "f5", "f5", "f6"])
        await still_running(pilot)
        assert sum(isinstance(s, FlowScreen) for s in app.screen_stack) <= 1


async def test_e_on_a_comment_does_nothing_harmful(folder: Path) -> None:
    app = EditorApp(folder / "ivr_main_menu.xml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert app.current is not None and app.current.name == "#comment"
        await pilot.press("e", *"new", "enter")
        await still_running(pilot)


async def test_delete_document_picker_then_escape_escape_enter_in_a_burst(folder: Path) -> None:
    """The monkey test's seed 14 (flow folder) crashed after 4,606 keys with `NoMatches
    '#delete-cancel'` on ConfirmDeleteUsed; shrunk to these keys from a fresh start: `x` opens the
    delete picker, and the burst's Enter picks the highlighted state's document (routes use it),
    whose confirmation the burst's leftovers answered before it had composed."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen) and app.screen.rows)
        for group in (["x"], ["shift+tab"], ["escape", "escape", "enter"]):
            await burst_and_settle(pilot, group)
        await still_running(pilot)
        await burst_and_settle(pilot, ["x", "enter", "y", "x", "enter", "escape", "escape", "enter"])
        await still_running(pilot)


async def test_wrapped_preview_and_duplicates(folder: Path) -> None:
    app = EditorApp(folder / "ivr_main_menu.xml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f4", "down", "down")
        await settle(pilot)
        for _ in range(5):
            await pilot.press("ctrl+d")
            await settle(pilot)
        await still_running(pilot)


# 8 ----------------------------------------------------- a fix never overwrites a value silently


async def test_rename_fix_says_what_it_replaces_and_is_one_undo(tmp_path: Path) -> None:
    path = write(tmp_path, '<Response><Gather numdigits="1" numDigits="abc"/></Response>')
    app = EditorApp(path)
    notes: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        real_notify = app.notify

        def notify(message: str, **kwargs: object) -> None:
            notes.append(message)
            real_notify(message, **kwargs)  # type: ignore[arg-type]

        app.notify = notify  # type: ignore[method-assign]
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert any('numDigits="abc"' in note for note in notes), notes
        assert 'numDigits="1"' in app.doc.to_xml()
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.doc.to_xml() == app.doc.source.text or 'numDigits="abc"' in app.doc.to_xml()
        assert 'numdigits="1"' in app.doc.to_xml() and not app.doc.dirty


# recovery files ------------------------------------------------------------------------------


async def test_a_crash_writes_the_unsaved_edits_and_the_next_start_offers_them(tmp_path: Path) -> None:
    from twiml_editor.screens.confirm import ConfirmRestore

    path = write(tmp_path, "<Response><Say>Hi</Say></Response>")
    app = EditorApp(path)
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            [say] = [v for v in app.doc.root.verbs if not isinstance(v, str)]
            app.document_screen.after_change(app.doc.set_text(say, "Unsaved words."))
            await settle(pilot)

            def boom() -> None:
                raise RuntimeError("boom")

            app.document_screen.action_focus_tree = boom  # type: ignore[method-assign]
            await pilot.press("escape")
            await settle(pilot, until=lambda: app.crash is not None, what="the crash")
    assert app.crash is not None and app.return_code == 1
    [written] = app.crash[1]
    assert written == tmp_path / f".doc.xml{recovery.SUFFIX}"
    assert "Unsaved words." in written.read_text(encoding="utf-8")
    assert "Unsaved words." not in path.read_text(encoding="utf-8")
    again = EditorApp(path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(again.screen, ConfirmRestore), what="the offer to restore")
        await pilot.press("enter")
        await settle(pilot, until=lambda: "Unsaved words." in again.doc.to_xml(), what="the restored edits")
        assert again.doc.dirty
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: not again.doc.dirty, what="the save")
        await settle(pilot, until=lambda: not written.exists(), what="the recovery file removed")
    assert "Unsaved words." in path.read_text(encoding="utf-8")


def test_recovery_goes_to_the_state_folder_when_the_folder_is_not_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    target = tmp_path / "missing-folder" / "doc.xml"  # a folder that cannot take the file
    written = recovery.write(target, "<Response/>")
    assert written.parent == tmp_path / "state" / "twiml-editor"
    found = recovery.find(target)
    assert found is not None and found.text == "<Response/>"
    recovery.remove(target)
    assert recovery.find(target) is None


# hostile text --------------------------------------------------------------------------------

HOSTILE = "a[b]c [/x] [bold]B \x1b[2J \u202eevil"
"""Markup-like brackets, a closing tag with no opening one, a style tag, a terminal escape that
would clear the screen, and a right-to-left override."""


def hostile_xml(text: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    value = quoteattr(text)
    return (
        "<Response>\n"
        f"  <!-- {text} -->\n"
        f"  <Say voice={value} unknown={value}>{escape(text)}</Say>\n"
        f"  <Gather action={value} method={value}><Say>{escape(text)}</Say></Gather>\n"
        f"  <Redirect method={value}>{escape(text)}</Redirect>\n"
        "</Response>\n"
    )


async def test_hostile_text_everywhere_is_shown_literally(tmp_path: Path) -> None:
    from twiml_editor.widgets.literal import shown

    visible = shown(HOSTILE)
    assert "\x1b" not in visible and "\u202e" not in visible
    assert "\\x1b[2J" in visible and "\\u202e" in visible  # the library's escapes (twiml.textsafe)
    # XML 1.0 allows no ESC, even as &#27;: that file is refused with its line and column, calmly
    bad = tmp_path / "esc [x] [bold].xml"
    bad.write_text(hostile_xml(HOSTILE), encoding="utf-8")
    app = EditorApp(bad)
    async with app.run_test(size=(200, 50)) as pilot:
        await still_running(pilot)
        await settle(pilot, until=lambda: "is not valid TwiML (line 2" in screen_text(app), what="the parse error")
    # everything else in every value, text and comment
    path = tmp_path / "odd [x] [bold].xml"
    path.write_text(hostile_xml(HOSTILE.replace("\x1b", "")), encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=(200, 50)) as pilot:
        await still_running(pilot)
        await settle(pilot, until=lambda: "[/x] [bold]B [2J \\u202eevil" in screen_text(app), what="the text on screen")
        assert "odd [x] [bold].xml" in screen_text(app)  # the title
        for _ in range(6):  # every node: its form, the problems of its values
            await pilot.press("down")
            await settle(pilot)
            assert app.is_running
            assert "\u202e" not in screen_text(app)
        await pilot.press("f2")  # the Python export of it
        await still_running(pilot)
        assert "\u202e" not in screen_text(app)


async def test_editable_text_shows_bidirectional_overrides_visibly_and_keeps_them(tmp_path: Path) -> None:
    """The preview, the form's fields and its text editor draw an RLO (and other characters the
    library escapes) as a visible cell, while the value they hold keeps the character."""
    from twiml_editor.widgets.literal import stand_in

    path = tmp_path / "rlo.xml"
    path.write_text(hostile_xml("a \u202eevil"), encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=(200, 50)) as pilot:
        await still_running(pilot)
        await settle(pilot, until=lambda: "evil" in screen_text(app), what="the text")
        await pilot.press("down", "down")  # the <Say>: its voice field, its unknown attribute, its text
        await settle(pilot)
        await settle(pilot, until=lambda: app.form.fields.get("voice") is not None, what="the Say's form")
        text = screen_text(app)
        assert "\u202e" not in text
        assert f"a {stand_in(chr(0x202E))}evil" in text
        field = app.form.fields["voice"].input_widget
        assert isinstance(field, Input) and field.value == "a \u202eevil"  # the stored value is unchanged
        assert "a \u202eevil" in app.preview.xml_area.text


async def test_a_filter_typed_in_the_same_burst_as_the_key_that_opens_the_picker(tmp_path: Path) -> None:
    """`e`, `action`, Enter in one read of the terminal (tmux send-keys e action Enter): the
    letters reached the picker before its filter had the focus and were lost, so Enter picked
    the first attribute (input) instead of action."""
    path = write(tmp_path, '<Response><Gather action="/menu" numDigits="1"><Say>Hi</Say></Gather></Response>')
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        await burst_and_settle(pilot, ["e", *"action", "enter"])
        await settle(pilot, until=lambda: len(app.screen_stack) == 1, what="the picker closed")
        assert app.focused is app.form.fields["action"].input_widget


async def test_down_then_enter_in_a_picker_chooses_the_second_item(tmp_path: Path) -> None:
    """Enter re-applies the filter (its last Changed may be queued behind a fast Enter); with the
    filter unchanged that reset the highlight to the first item, so Down, Enter chose the first."""
    path = write(tmp_path, "<Response><Say>Hi</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        chosen: list[str | None] = []
        items = [("first", "", "one"), ("second", "", "two"), ("third", "", "three")]
        app.push_screen(PickerScreen("Which?", items), chosen.append)
        await settle(pilot, until=lambda: isinstance(app.screen, PickerScreen), what="the picker opened")
        await pilot.press("down", "enter")
        await settle(pilot, until=lambda: bool(chosen), what="the picker chose")
        assert chosen == ["two"]


# 9 ------------------------------------- a key that also works in text fields, at a burst's end


async def test_enter_down_delete_ctrl_q_in_one_burst_asks_about_the_delete(folder: Path) -> None:
    """Enter on a state, Down, Delete, ctrl+q in one read of the terminal: ctrl+q (a priority key)
    acted before the Delete had, found nothing unsaved and quit with status 0: the delete was lost."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen), what="the map")
        await pilot.press("down")  # from "start: call" to the first state ([s1])
        await settle(pilot)
        burst(app, ["enter", "down", "delete", "ctrl+q"])
        await settle(pilot, until=lambda: not app.is_running or isinstance(app.screen, ConfirmQuitMany), what="quit")
        assert app.is_running, "quit without asking about the unsaved delete"
        assert isinstance(app.screen, ConfirmQuitMany)
        assert app.doc.dirty


async def test_down_down_delete_ctrl_z_in_one_burst_undoes_the_delete(tmp_path: Path) -> None:
    """ctrl+z acted before the Delete of its own burst had: "Nothing to undo", the delete stayed."""
    xml = "<Response><Say>One</Say><Say>Two</Say><Play>x.mp3</Play></Response>"
    path = write(tmp_path, xml)
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.tree.focus()
        await settle(pilot)
        burst(app, ["down", "down", "delete", "ctrl+z"])
        await settle(pilot, until=lambda: not app.doc.dirty, what="the delete undone")
        assert app.doc.to_xml() == Document.from_xml(xml).to_xml()


async def test_delete_then_ctrl_z_in_one_burst_in_a_flow_document(folder: Path) -> None:
    """The same in the flow editor, where ctrl+z walks the flow's one history."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen), what="the map")
        await pilot.press("down", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DocumentScreen), what="the document")
        before = app.doc.to_xml()
        burst(app, ["down", "delete", "ctrl+z"])
        await settle(pilot, until=lambda: not app.doc.dirty, what="the delete undone")
        assert app.doc.to_xml() == before


async def test_delete_then_ctrl_s_in_one_burst_saves_the_delete(tmp_path: Path) -> None:
    """ctrl+s at a burst's end saves what the keys before it did."""
    xml = "<Response><Say>One</Say><Say>Two</Say></Response>\n"
    path = write(tmp_path, xml)
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.tree.focus()
        await settle(pilot)
        burst(app, ["down", "delete", "ctrl+s"])
        await settle(pilot, until=lambda: "One" not in app.doc.to_xml(), what="the delete")
        await settle(pilot, until=lambda: not app.doc.dirty, what="the save")
        assert path.read_text(encoding="utf-8") == app.doc.file_text()


# seed 11 at 3,000 keys -------------------------------------- a form replaced as it mounts


async def test_a_form_with_select_fields_replaced_before_it_mounted(tmp_path: Path) -> None:
    """Monkey seed 11 (3,000 keys): a burst built the form of a node with Select fields and
    replaced it while it mounted; the old rows were pruned (their error lines and the Selects'
    menus removed first) before their own Mount handlers ran, which looked those up (NoMatches
    crashed the editor).  The gap between building and replacing is swept one loop turn at a time."""
    path = write(tmp_path, '<Response>\n  <Gather method="POST" input="dtmf"><Say>Hi</Say></Gather>\n</Response>\n')
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gather = app.doc.root.verbs[0]
        assert not isinstance(gather, str)
        for turns in range(8):  # 1 turn crashed an error line, 4 a Select (Textual 8.2)
            app.form.show_node(gather)  # Select fields: method, input ...
            for _ in range(turns):
                await asyncio.sleep(0)
            app.form.show_node(app.doc.root)  # replaced before (or while) they mounted
            await drain(app)
            assert app.is_running and app._exception is None, f"crashed with {turns} turns between"
        app.form.show_node(gather)
        await still_running(pilot)
        assert app.form.fields["method"].current() == "POST"


# seed 13 (flow) with d --------------------------------- a document loaded again is shown afresh


def tree_children(app: EditorApp) -> list[object]:
    return [row.data for row in app.tree.root.children]


async def test_flow_load_document_of_the_shown_document_rebuilds_its_views(folder: Path) -> None:
    """Monkey seed 13 (flow, with d): the document on the screen was changed behind its views
    (every edit undone on the Document) and loaded again; the flow editor kept the views it had
    (one Redirect too many in the tree), as `load_document` of the Document already shown only
    switched to it. Loading a document shows it afresh, as the single-file editor does."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.open_flow_document("ivr_main_menu.xml")
        await settle(pilot, until=lambda: app.screen is app.document_screen, what="the document screen")
        doc = app.doc
        redirect = next(v for v in doc.root.verbs if not isinstance(v, str) and v.name == "Redirect")
        app.document_screen.after_change(doc.duplicate(redirect)[0])
        await settle(pilot)
        assert tree_children(app) == [v for v in doc.root.verbs if not isinstance(v, str)]
        while doc.can_undo:
            doc.undo()
        app.load_document(doc)
        await settle(pilot)
        assert tree_children(app) == [v for v in doc.root.verbs if not isinstance(v, str)]
        assert app.preview.xml_area.text == doc.to_xml()


# 10 ------------------------------- open, save as, new: the keys typed for their prompt, in the same burst


async def test_ctrl_o_a_typed_name_and_enter_in_one_burst_open_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+o, `other.xml`, Enter in one read of the terminal: the name was forwarded to the tree
    before the prompt existed (the open action runs in a worker), so the prompt never got it."""
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "<Response><Say>One</Say></Response>")
    other = write(tmp_path, "<Response><Play>two.mp3</Play></Response>", "other.xml")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["ctrl+o", *"other.xml", "enter"])
        await settle(pilot, until=lambda: app.doc.file_path == other, what="other.xml open")
        assert len(app.screen_stack) == 1
        assert "two.mp3" in app.doc.to_xml()


async def test_down_delete_ctrl_o_in_one_burst_asks_about_the_delete(tmp_path: Path) -> None:
    """ctrl+o (a priority key) acted before the Delete typed just before it: nothing was unsaved
    yet, so it asked for a file at once, and opening one dropped the delete without asking."""
    path = write(tmp_path, "<Response><Say>One</Say><Say>Two</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.tree.focus()
        await settle(pilot)
        burst(app, ["down", "delete", "ctrl+o"])
        await settle(pilot, until=lambda: len(app.screen_stack) > 1, what="a dialog")
        assert isinstance(app.screen, ConfirmUnsaved)
        assert app.doc.dirty


async def test_f12_a_typed_name_and_enter_in_one_burst_save_to_that_file(tmp_path: Path) -> None:
    """Save as (F12), a name, Enter in one burst saves under that name (the prompt selects the
    name's stem: `copy` makes copy.xml)."""
    path = write(tmp_path, "<Response><Say>One</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["f12", *"copy", "enter"])
        await settle(pilot, until=lambda: (tmp_path / "copy.xml").exists(), what="copy.xml written")
        await settle(pilot, until=lambda: app.doc.file_path == tmp_path / "copy.xml", what="the new name")
        assert "One" in (tmp_path / "copy.xml").read_text(encoding="utf-8")


async def test_ctrl_n_a_typed_kind_and_enter_in_one_burst_start_that_kind(tmp_path: Path) -> None:
    """New (ctrl+n), `fax`, Enter in one burst: a fax document (the letters reached the tree)."""
    path = write(tmp_path, "<Response><Say>One</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, ["ctrl+n", *"fax", "enter"])
        await settle(pilot, until=lambda: app.doc.file_path is None, what="a new document")
        assert app.doc.kind == "fax"
        assert len(app.screen_stack) == 1


async def test_down_delete_ctrl_n_in_one_burst_asks_about_the_delete(tmp_path: Path) -> None:
    """New acted before the Delete typed just before it, and dropped it without asking."""
    path = write(tmp_path, "<Response><Say>One</Say><Say>Two</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.tree.focus()
        await settle(pilot)
        burst(app, ["down", "delete", "ctrl+n"])
        await settle(pilot, until=lambda: len(app.screen_stack) > 1, what="a dialog")
        assert isinstance(app.screen, ConfirmUnsaved)
        assert app.doc.dirty


async def test_a_flow_document_delete_then_ctrl_o_and_a_file_outside_in_one_burst_ask_first(
    folder: Path, tmp_path: Path
) -> None:
    """In the flow editor: Down, Delete, ctrl+o, a file outside the folder, Enter in one burst
    asks about the unsaved document before opening the other file."""
    write(tmp_path, "<Response><Hangup/></Response>", "outside.xml")
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen), what="the map")
        await pilot.press("down", "enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DocumentScreen), what="the document")
        burst(app, ["down", "delete", "ctrl+o", *"../outside.xml", "enter"])  # typed after the folder
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmQuitMany), what="the question")
        assert app.doc.dirty


@pytest.mark.filterwarnings("error")
async def test_a_path_prompt_closed_before_it_has_drawn_leaves_no_coroutine_unawaited(tmp_path: Path) -> None:
    """A path prompt pushed and closed at once: DirectoryTree's path watcher (a coroutine Textual
    creates when the tree mounts and awaits later) was never awaited, a RuntimeWarning at the
    next collection (an error here)."""
    from twiml_editor.screens.path_prompt import PathPrompt

    path = write(tmp_path, "<Response><Say>One</Say></Response>")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):  # the watcher is created while the tree mounts: not at every try
            prompt = PathPrompt("Open", f"{tmp_path}/")
            app.push_screen(prompt)
            prompt.dismiss(None)
            await settle(pilot, until=lambda: len(app.screen_stack) == 1, what="the prompt closed")
        gc.collect()
        assert app.is_running
    gc.collect()


# a busy machine ----------------------------------------------- problems shown before the panel mounted


async def test_problems_shown_before_the_panel_mounted_keep_their_rows() -> None:
    """Under load the document screen can fill the problems list before the panel's own Mount
    ran; the Mount handler added the columns again (DuplicateKey crashed the editor)."""
    from textual.app import App

    from twiml_editor.widgets.problems import ProblemsPanel

    doc = Document.from_xml('<Response><Gather numdigits="1"/></Response>')
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        panel = ProblemsPanel()
        panel.show(doc.diagnostics())
        await app.mount(panel)
        await settle(pilot, until=lambda: "numDigits'? [f]" in screen_text(app), what="the finding with its [f]")
        assert app._exception is None and panel.row_count == 1
