"""Did-you-mean fixes applied through the document's commands: one key, undoable."""

from __future__ import annotations

from pathlib import Path

from app_helpers import SIZE, settle
from textual.coordinate import Coordinate

from twiml.base import TwiML
from twiml.validator import Fix
from twiml_editor.app import EditorApp
from twiml_editor.document import Document
from twiml_editor.fixes import apply_fix, describe_fix


def only_fixable(doc: Document) -> tuple[TwiML, Fix]:
    [d] = [d for d in doc.diagnostics() if d.fix is not None]
    assert d.node is not None and d.fix is not None
    return d.node, d.fix


def test_value_fix_sets_the_value_and_undoes() -> None:
    doc = Document.from_xml('<Response><Gather method="Post"/></Response>')
    node, fix = only_fixable(doc)
    assert describe_fix(fix) == "set method='POST'"
    apply_fix(doc, node, fix)
    assert doc.diagnostics() == [] and 'method="POST"' in doc.to_xml()
    doc.undo()
    assert 'method="Post"' in doc.to_xml()


def test_attribute_rename_keeps_the_value() -> None:
    doc = Document.from_xml('<Response><Gather numdigits="4"/></Response>')
    node, fix = only_fixable(doc)
    apply_fix(doc, node, fix)
    assert 'numDigits="4"' in doc.to_xml() and "numdigits" not in doc.to_xml()
    doc.undo()
    doc.undo()
    assert 'numdigits="4"' in doc.to_xml() and "numDigits" not in doc.to_xml()


def test_element_rename_keeps_text_attributes_and_place() -> None:
    doc = Document.from_xml('<Response><Pause/><Sayy loop="2">typo</Sayy><Hangup/></Response>')
    node, fix = only_fixable(doc)
    _changes, node = apply_fix(doc, node, fix)
    assert node.name == "Say" and doc.diagnostics() == []
    assert [v.name for v in doc.root.verbs if not isinstance(v, str)] == ["Pause", "Say", "Hangup"]
    assert '<Say loop="2">typo</Say>' in doc.to_xml()
    doc.undo()
    doc.undo()
    assert "<Sayy" in doc.to_xml()


def test_element_rename_saves_only_the_name(tmp_path: Path) -> None:
    """The renamed element keeps its text in the file: an inline parent stays on its line, and
    undo or redo then save give back exactly the file or exactly the renamed one."""
    text = '<Response>\r\n  <Dial timeout="10"><Numbr  >+15551234567</Numbr ></Dial>\r\n  <Say>bye</Say>\r\n</Response>\r\n'
    renamed = text.replace("<Numbr  >", "<Number  >").replace("</Numbr >", "</Number >")
    path = tmp_path / "dial.xml"
    path.write_bytes(text.encode())
    doc = Document.open(path)
    node, fix = only_fixable(doc)
    _changes, new = apply_fix(doc, node, fix)
    assert new.name == "Number"
    doc.save()
    assert path.read_bytes() == renamed.encode()
    doc.undo()
    doc.save()
    assert path.read_bytes() == text.encode()
    doc.redo()
    doc.save()
    assert path.read_bytes() == renamed.encode()


def test_suppressed_findings_reach_the_editor_marked() -> None:
    doc = Document.from_xml('<Response><!-- twiml: ignore[13212] --><Dial timeout="3">+15551234567</Dial></Response>')
    [d] = doc.diagnostics()
    assert d.suppressed and d.code == 13212


async def test_f_applies_the_fix_of_the_selected_node_and_ctrl_z_undoes_it(tmp_path: Path) -> None:
    path = tmp_path / "typo.xml"
    path.write_text('<Response><Gather method="Post"><Say>Hi</Say></Gather></Response>', encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gather = app.doc.root.children[0]
        assert len(app.problems.diagnostics) == 1
        assert "did you mean 'POST'? [f]" in _cell(app, 0, 2)
        app.document_screen.select(gather)
        app.tree.focus()
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert gather.attrs["method"] == "POST" and app.problems.diagnostics == []
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert gather.attrs["method"] == "Post"


async def test_suppressed_findings_are_listed_dimmed_and_not_counted(tmp_path: Path) -> None:
    path = tmp_path / "quiet.xml"
    path.write_text(
        '<Response><!-- twiml: ignore[13212] --><Dial timeout="3">+15551234567</Dial></Response>', encoding="utf-8"
    )
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert _cell(app, 0, 0) == "warning (ignored)"
        assert app.problems.border_title == "Problems (none), 1 ignored"
        dial = app.doc.root.children[1]
        shown = app.tree.tree_node(dial)
        assert shown is not None and not str(shown.label).startswith("⚠")


def _cell(app: EditorApp, row: int, column: int) -> str:
    return str(app.problems.get_cell_at(Coordinate(row, column)))
