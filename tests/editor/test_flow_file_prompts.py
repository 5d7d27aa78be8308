"""Path prompts as a user meets them: Save as proposes a name that typing replaces, Tab
completes a folder prefix to the folder (over what the tree shows, folders and documents)."""

from __future__ import annotations

from pathlib import Path

from app_helpers import SIZE, settle
from textual.widgets import Input

from twiml_editor.app import EditorApp
from twiml_editor.screens.path_prompt import PathPrompt, complete


def test_tab_completes_a_folder_prefix_to_the_folder(tmp_path: Path) -> None:
    (tmp_path / "sample_flows").mkdir()
    (tmp_path / "setup.py").write_text("", encoding="utf-8")  # no document: not a candidate
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows_old").mkdir()
    (tmp_path / "flows.xml").write_text("<Response/>", encoding="utf-8")
    base = f"{tmp_path}/"
    assert complete(base + "s", (".xml",)) == (base + "sample_flows/", ["sample_flows/"])
    text, names = complete(base + "fl", (".xml",))
    assert text == base + "flows" and set(names) == {"flows/", "flows_old/", "flows.xml"}
    assert complete(base + "flows", (".xml",))[0] == base + "flows/"  # typed in full: into it
    assert complete(base + "s")[0] == base + "s"  # every file a candidate: setup.py stops it


async def test_save_as_selects_the_proposed_name(tmp_path: Path) -> None:
    (tmp_path / "hello.xml").write_text("<Response><Say>Hi</Say></Response>", encoding="utf-8")
    app = EditorApp(tmp_path / "hello.xml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f12")  # Save as
        await settle(pilot, lambda: isinstance(app.screen, PathPrompt))
        field = app.screen.query_one("#path-input", Input)
        await settle(pilot, lambda: field.has_focus)
        for key in "menu":
            await pilot.press(key)
        assert field.value == f"{tmp_path}/menu.xml"  # the name replaced, folder and .xml kept
        await pilot.press("enter")
        await settle(pilot, lambda: (tmp_path / "menu.xml").exists())


async def test_ctrl_o_opens_a_flow_folder_or_one_of_its_documents(folder: Path, tmp_path: Path) -> None:
    import shutil

    from twiml_editor.flow_app import FlowEditorApp
    from twiml_editor.screens.confirm_many import ConfirmQuitMany
    from twiml_editor.screens.flow_view import FlowScreen

    other = tmp_path / "other"
    shutil.copytree(folder, other)
    (other / "flow.toml").write_text('start = "/hi"\n[routes]\n"/hi" = "goodbye.xml"\n', encoding="utf-8")
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.project.add_route("/unsaved", "goodbye.xml")
        await pilot.press("ctrl+o")  # a document of this folder: opened as Enter on its state opens it
        await settle(pilot, lambda: isinstance(app.screen, PathPrompt))
        app.screen.query_one("#path-input", Input).value = str(folder / "sales.xml")
        await pilot.press("enter")
        await settle(pilot, lambda: app.doc.file_path == folder / "sales.xml")
        assert app.project.toml_dirty  # nothing asked, nothing lost
        await pilot.press("ctrl+o")  # another flow folder: asks about the unsaved route first
        await settle(pilot, lambda: isinstance(app.screen, PathPrompt))
        app.screen.query_one("#path-input", Input).value = f"{other}/"
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmQuitMany))
        await pilot.click("#quit-discard")
        await settle(pilot, lambda: app.project.folder == other and isinstance(app.screen, FlowScreen))
        assert list(app.project.flow.routes) == ["/hi"]
        assert app.doc.file_path == other / "goodbye.xml"  # the first document of its start
    assert "/unsaved" not in (folder / "flow.toml").read_text(encoding="utf-8")
