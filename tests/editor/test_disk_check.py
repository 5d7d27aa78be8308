"""Saves never overwrite another program's change unasked (issue 20, the tryout's three ways):
restored recovery edits keep the file they started from, a flow folder's "Save all" at quit
asks like ctrl+s, and flow.toml has the same check as documents. One check (`ChangedOnDisk`
from `Document.save` and `FlowProject.save_all`) serves every path that saves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_helpers import SIZE, screen_text, settle
from textual.widgets import Button

from twiml.base import TwiML
from twiml.flow.config import FLOW_FILE
from twiml_editor import recovery
from twiml_editor.app import EditorApp
from twiml_editor.disk_check import ChangedOnDisk
from twiml_editor.document import Document
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.flow_project import FlowProject
from twiml_editor.screens.confirm import ConfirmRestore
from twiml_editor.screens.confirm_many import ConfirmQuitMany
from twiml_editor.screens.file_dialogs import DiskChanged
from twiml_editor.screens.flow_view import FlowScreen

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"
XML = "<Response>\n  <Say>Hello there.</Say>\n</Response>\n"
THEIRS = XML.replace("Hello there.", "Changed by sed.")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "flow"
    shutil.copytree(SAMPLES, target)
    return target


def say_of(doc: Document) -> TwiML:
    return next(n for n in doc.root.iter() if isinstance(n, TwiML) and n.name == "Say")


def kill_leaving(paths: list[Path]) -> dict[Path, bytes]:
    """What a SIGKILL leaves: the recovery files as the timer last wrote them."""
    return {p: p.read_bytes() for p in paths if p.exists()}


def restart_with(files: dict[Path, bytes]) -> None:
    for path, data in files.items():
        path.write_bytes(data)


# ------------------------------------------------------------------------ headless


def test_a_recovery_file_records_the_file_it_started_from(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text(XML)
    doc = Document.open(path)
    written = recovery.write(path, XML.replace("Hello", "Edited"), base=doc.disk_base)
    assert "twiml-recover base=" in written.read_text()  # a comment: the file still reads as XML
    found = recovery.find(path)
    assert found is not None and found.text == XML.replace("Hello", "Edited")
    assert found.base == doc.disk_base and not found.disk_changed
    path.write_text(THEIRS)
    found = recovery.find(path)
    assert found is not None and found.disk_changed


def test_flow_toml_recovery_records_its_base_as_a_toml_comment(tmp_path: Path) -> None:
    (tmp_path / FLOW_FILE).write_text('start = "/voice"\n')
    project = FlowProject.open(tmp_path)
    written = recovery.write(tmp_path / FLOW_FILE, 'start = "/x"\n', base=project.toml_base)
    assert written.read_text().splitlines()[-1].startswith("# twiml-recover base=")
    found = recovery.find(tmp_path / FLOW_FILE)
    assert found is not None and found.text == 'start = "/x"\n' and not found.disk_changed


def test_an_old_recovery_file_without_a_base_restores_with_the_base_unknown(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text(XML)
    beside, _ = recovery.recovery_paths(path)
    beside.write_text(XML.replace("Hello", "Edited"))  # as an older editor wrote it
    found = recovery.find(path)
    assert found is not None and found.base is None and found.text == XML.replace("Hello", "Edited")
    assert found.disk_changed  # not known: saving asks


def test_a_restored_document_keeps_its_old_base(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text(XML)
    base = Document.open(path).disk_base
    path.write_text(THEIRS)
    doc = Document.from_xml(XML.replace("Hello", "Edited"), file_path=path)
    doc.based_on(base)
    assert doc.disk_changed()
    with pytest.raises(ChangedOnDisk):
        doc.save()
    assert path.read_text() == THEIRS
    doc.based_on(Document.open(path).disk_base)  # based on what is there now: saves
    doc.save()


def test_flow_save_all_refuses_before_writing_anything(folder: Path) -> None:
    project = FlowProject.open(folder)
    doc = project.document("goodbye.xml")
    doc.set_text(say_of(doc), "Edited here.")
    project.add_route("/new", "goodbye.xml")
    theirs = (folder / FLOW_FILE).read_text() + "# added by another program\n"
    (folder / FLOW_FILE).write_text(theirs)
    before = (folder / "goodbye.xml").read_bytes()
    with pytest.raises(ChangedOnDisk) as raised:
        project.save_all()
    assert raised.value.names == [FLOW_FILE]
    assert (folder / FLOW_FILE).read_text() == theirs and (folder / "goodbye.xml").read_bytes() == before
    with pytest.raises(ChangedOnDisk):
        project.save_toml()
    project.save_all(overwrite=[FLOW_FILE])  # the user chose to overwrite
    assert "/new" in (folder / FLOW_FILE).read_text() and "Edited here." in (folder / "goodbye.xml").read_text()
    assert project.changed_on_disk() == []


# ------------------------------------------------------------------- 1: restore


async def test_restored_edits_ask_before_overwriting_a_file_changed_since(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_text(XML)
    beside, _ = recovery.recovery_paths(path)
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.document_screen.after_change(app.doc.set_text(say_of(app.doc), "Edited here."))
        app.autosave()
        left = kill_leaving([beside])
    assert left, "the timer wrote the recovery file"
    restart_with(left)
    path.write_text(THEIRS)  # sed -i while the editor was down
    again = EditorApp(path)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(again.screen, ConfirmRestore), what="the offer to restore")
        assert "changed on disk" in screen_text(again)
        await pilot.press("enter")  # Restore
        await settle(pilot, until=lambda: "Edited here." in again.doc.to_xml(), what="the restored edits")
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(again.screen, DiskChanged), what="the changed-on-disk dialog")
        assert path.read_text() == THEIRS
        again.screen.query_one("#disk-reload", Button).press()
        await settle(pilot, until=lambda: "Changed by sed." in again.doc.to_xml(), what="the reload")
        assert not again.doc.dirty
    assert path.read_text() == THEIRS


async def test_an_old_recovery_file_restores_and_saving_it_asks(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_text(XML)
    beside, _ = recovery.recovery_paths(path)
    beside.write_text(XML.replace("Hello there.", "Edited here."))  # no base line
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmRestore), what="the offer to restore")
        await pilot.press("enter")
        await settle(pilot, until=lambda: "Edited here." in app.doc.to_xml(), what="the restored edits")
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        app.screen.query_one("#disk-overwrite", Button).press()
        await settle(pilot, until=lambda: not app.doc.dirty, what="the save")
    assert "Edited here." in path.read_text() and not beside.exists()


async def test_restored_flow_edits_ask_before_overwriting_a_document_changed_since(folder: Path) -> None:
    path = folder / "goodbye.xml"
    beside, _ = recovery.recovery_paths(path)
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        doc = app.project.document("goodbye.xml")
        doc.set_text(say_of(doc), "Edited here.")
        app.autosave()
        left = kill_leaving([beside])
    assert left
    restart_with(left)
    theirs = path.read_text().replace("<Say", "<Say loop='2'", 1)
    path.write_text(theirs)
    again = FlowEditorApp(folder)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(again.screen, ConfirmRestore), what="the offer to restore")
        assert "changed on disk" in screen_text(again)
        await pilot.press("enter")
        await settle(pilot, until=lambda: "goodbye.xml" in again.project.dirty_names(), what="the restored edits")
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(again.screen, DiskChanged), what="the changed-on-disk dialog")
        assert "goodbye.xml" in screen_text(again)
        await pilot.press("escape")
        await settle(pilot, until=lambda: isinstance(again.screen, FlowScreen))
        assert path.read_text() == theirs and again.project.documents["goodbye.xml"].dirty


# --------------------------------------------------------- 2: quit, then Save all


async def test_quit_save_all_asks_about_a_document_changed_on_disk(folder: Path) -> None:
    path = folder / "goodbye.xml"
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        doc = app.project.document("goodbye.xml")
        doc.set_text(say_of(doc), "Edited here.")
        theirs = path.read_text().replace("<Say", "<Say loop='2'", 1)
        path.write_text(theirs)
        await pilot.press("ctrl+q")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmQuitMany), what="the quit question")
        await pilot.press("ctrl+s")  # Save all
        await settle(pilot, until=lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        assert path.read_text() == theirs and app.is_running
        await pilot.press("escape")  # cancel: nothing written, still editing
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        assert app.is_running and doc.dirty
    assert path.read_text() == theirs


# ------------------------------------------------------------------ 3: flow.toml


async def test_flow_toml_changed_on_disk_is_never_overwritten_silently(folder: Path) -> None:
    toml = folder / FLOW_FILE
    app = FlowEditorApp(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        app.project.add_route("/extra", "goodbye.xml")
        theirs = toml.read_text() + "# a line another program added\n"
        toml.write_text(theirs)
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        assert FLOW_FILE in screen_text(app) and toml.read_text() == theirs
        await pilot.press("escape")
        await settle(pilot, until=lambda: isinstance(app.screen, FlowScreen))
        assert toml.read_text() == theirs and app.project.toml_dirty
        await pilot.press("ctrl+q")  # quit, then Save all: the same question
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmQuitMany), what="the quit question")
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: isinstance(app.screen, DiskChanged), what="the changed-on-disk dialog")
        assert toml.read_text() == theirs
        app.screen.query_one("#disk-overwrite", Button).press()
        await settle(pilot, until=lambda: not app.is_running, what="the quit after the save")
    assert "/extra" in toml.read_text() and "a line another program added" not in toml.read_text()
