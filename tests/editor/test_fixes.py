"""Did-you-mean fixes applied through the document's commands: one key, undoable."""

from __future__ import annotations

from editor.document import Document
from editor.fixes import apply_fix, describe_fix


def only_fixable(doc: Document):  # type: ignore[no-untyped-def]
    [d] = [d for d in doc.diagnostics() if d.fix is not None]
    return d


def test_value_fix_sets_the_value_and_undoes() -> None:
    doc = Document.from_xml('<Response><Gather method="Post"/></Response>')
    d = only_fixable(doc)
    assert describe_fix(d.fix) == "set method='POST'"
    apply_fix(doc, d.node, d.fix)
    assert doc.diagnostics() == [] and 'method="POST"' in doc.to_xml()
    doc.undo()
    assert 'method="Post"' in doc.to_xml()


def test_attribute_rename_keeps_the_value() -> None:
    doc = Document.from_xml('<Response><Gather numdigits="4"/></Response>')
    d = only_fixable(doc)
    apply_fix(doc, d.node, d.fix)
    assert 'numDigits="4"' in doc.to_xml() and "numdigits" not in doc.to_xml()
    doc.undo()
    doc.undo()
    assert 'numdigits="4"' in doc.to_xml() and "numDigits" not in doc.to_xml()


def test_element_rename_keeps_text_attributes_and_place() -> None:
    doc = Document.from_xml('<Response><Pause/><Sayy loop="2">typo</Sayy><Hangup/></Response>')
    d = only_fixable(doc)
    _changes, node = apply_fix(doc, d.node, d.fix)
    assert node.name == "Say" and doc.diagnostics() == []
    assert [v.name for v in doc.root.verbs if not isinstance(v, str)] == ["Pause", "Say", "Hangup"]
    assert '<Say loop="2">typo</Say>' in doc.to_xml()
    doc.undo()
    doc.undo()
    assert "<Sayy" in doc.to_xml()


def test_suppressed_findings_reach_the_editor_marked() -> None:
    doc = Document.from_xml('<Response><!-- twiml: ignore[13212] --><Dial timeout="3">+15551234567</Dial></Response>')
    [d] = doc.diagnostics()
    assert d.suppressed and d.code == 13212
