"""Files and folders open the same way: ctrl+o on a flow folder in the single-file editor ends
that app with the folder to open next, and `twiml_editor.__main__` continues in the flow
editor on it; the flow editor opens a single file from anywhere."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from app_helpers import SIZE, settle
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input

from twiml_editor import recovery
from twiml_editor.__main__ import run
from twiml_editor.app import EditorApp
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.screens.confirm import ConfirmRestore, ConfirmUnsaved
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.path_prompt import PathPrompt

XML = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say>Hi</Say><Hangup/></Response>\n'

Drive = Callable[[Pilot[Any]], Any]


async def open_path(pilot: Pilot[Any], path: str) -> None:
    """ctrl+o's prompt (already asked for), answered with `path` as typed text."""
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, PathPrompt), "the Open prompt")
    field = app.screen.query_one("#path-input", Input)
    await settle(pilot, lambda: field.has_focus, "the path field focused")
    field.value = path
    await pilot.press("enter")


async def make_dirty(app: EditorApp, pilot: Pilot[Any]) -> None:
    app.tree.focus()
    app.document_screen.select(app.doc.root.children[-1])
    await settle(pilot)
    await pilot.press("delete")
    await settle(pilot, lambda: app.doc.dirty, "an unsaved edit")


async def test_ctrl_o_on_a_folder_ends_the_single_file_editor_with_the_folder(flow: Path, folder: Path) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await open_path(pilot, f"{folder}/")
        await settle(pilot, lambda: app.open_next is not None, "the app to exit with the folder")
    assert app.open_next == folder
    assert app.return_code == 0


@pytest.mark.parametrize("answer", ["confirm-discard", "confirm-cancel"])
async def test_unsaved_edits_are_asked_about_before_a_folder_opens(flow: Path, folder: Path, answer: str) -> None:
    app = EditorApp(flow)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await make_dirty(app, pilot)
        await pilot.press("ctrl+o")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmUnsaved), "the unsaved-changes question")
        await pilot.click(f"#{answer}")
        if answer == "confirm-cancel":
            await settle(pilot, lambda: isinstance(app.screen, DocumentScreen), "the document again")
            assert app.doc.dirty and app.open_next is None and app.is_running
            return
        await open_path(pilot, str(folder))
        await settle(pilot, lambda: app.open_next is not None, "the app to exit with the folder")
    assert app.open_next == folder
    assert flow.read_text(encoding="utf-8") == XML  # discarded: the file as it was


async def test_the_flow_editor_opens_a_single_file_from_outside_its_folder(flow: Path, folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen), "the map")
        await pilot.press("ctrl+o")
        await open_path(pilot, str(flow))
        await settle(pilot, lambda: app.doc.file_path == flow, "the file opened")
        assert isinstance(app.screen, DocumentScreen) and app.is_running
        assert [v.name for v in app.doc.root.children] == ["Say", "Hangup"]
        assert app.project.folder == folder  # still the flow editor on its folder


@pytest.fixture
def apps_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[dict[type, Drive]], list[App[Any]]]]:
    """Run `__main__`'s apps headless at 80x24, each driven by the autopilot given for its class;
    returns the apps in the order they ran."""
    ran: list[App[Any]] = []

    def install(drivers: dict[type, Drive]) -> list[App[Any]]:
        def headless(self: App[Any]) -> Any:
            ran.append(self)
            return App.run(self, headless=True, size=(80, 24), auto_pilot=drivers[type(self)])

        monkeypatch.setattr(EditorApp, "run", headless)
        return ran

    yield install
    gc.enable()  # `run_apps` pauses the collector between apps; an app that failed early leaves it so


def test_main_continues_in_the_flow_editor_on_the_folder_with_its_recovery_files(
    flow: Path, folder: Path, apps_run: Callable[[dict[type, Drive]], list[App[Any]]]
) -> None:
    """The whole switch: the file editor exits with the folder, the flow editor starts on it and
    offers the unsaved edits a crash left in the folder."""
    recovered = (folder / "goodbye.xml").read_text(encoding="utf-8").replace("</Response>", "<Pause/></Response>")
    recovery.write(folder / "goodbye.xml", recovered)
    seen: dict[str, Any] = {}

    async def in_file_editor(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await open_path(pilot, f"{folder}/")

    async def in_flow_editor(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, FlowEditorApp)
        await settle(pilot, lambda: isinstance(app.screen, ConfirmRestore), "the offer of the recovered edits")
        seen["offered"] = app.screen.names if isinstance(app.screen, ConfirmRestore) else []
        await pilot.press("enter")  # restore
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen), "the map")
        seen["folder"] = app.project.folder
        seen["restored"] = app.project.documents["goodbye.xml"].file_text()
        seen["dirty"] = app.project.dirty_names()
        app.exit()

    ran = apps_run({EditorApp: in_file_editor, FlowEditorApp: in_flow_editor})
    run([str(flow)])  # returns (no SystemExit): status 0
    assert [type(app) for app in ran] == [EditorApp, FlowEditorApp]
    assert seen["folder"] == folder
    assert seen["offered"] == [str(folder / "goodbye.xml")]
    assert seen["restored"] == recovered and seen["dirty"] == ["goodbye.xml"]


def test_a_folder_without_flow_toml_opens_as_on_the_command_line(
    flow: Path, tmp_path: Path, apps_run: Callable[[dict[type, Drive]], list[App[Any]]]
) -> None:
    """As `twiml-editor FOLDER` does: a new flow.toml (unsaved) over the folder's documents."""
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(flow, bare / "hello.xml")
    seen: dict[str, Any] = {}

    async def in_file_editor(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+o")
        await open_path(pilot, str(bare))

    async def on_command_line(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, FlowEditorApp)
        await settle(pilot, lambda: isinstance(app.screen, FlowScreen), "the map")
        seen.setdefault("runs", []).append(
            (app.project.folder.resolve(), app.project.toml_dirty, app.project.files(), app.doc.file_path)
        )
        app.exit()

    ran = apps_run({EditorApp: in_file_editor, FlowEditorApp: on_command_line})
    run([str(flow)])
    run([str(bare)])
    assert [type(app) for app in ran] == [EditorApp, FlowEditorApp, FlowEditorApp]
    switched, direct = seen["runs"]
    assert switched[:3] == direct[:3] == (bare.resolve(), True, ["hello.xml"])
    assert switched[3].resolve() == direct[3].resolve() == (bare / "hello.xml").resolve()
    assert not (bare / "flow.toml").exists()  # nothing written without a save


def test_a_flow_toml_that_is_not_utf8_is_named_with_exit_2(
    flow: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """From the command line as after ctrl+o: a clear message naming flow.toml, never a traceback."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "flow.toml").write_bytes(b'start = "/v\xff"\n')
    with pytest.raises(SystemExit) as exited:
        run([str(bad)])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"twiml-editor: {bad / 'flow.toml'}: not UTF-8 text (invalid start byte at byte 11)" in err
    assert "Traceback" not in err
