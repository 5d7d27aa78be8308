"""The headless document in a vendor dialect (Telnyx TeXML, SignalWire cXML): detected on open,
switched at will, and read by the add-menus, the forms and the problems list; the text on disk
never changes beyond the edits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shared_data import CORPUS, needs_corpus

from twiml import GenericNode, TwiML
from twiml.grammar_types import element_of
from twiml_editor.document import Document

ROOT = Path(__file__).resolve().parents[2]
TEXML = ROOT / "tests" / "corpus" / "telnyx_texml_support.xml"


def _child(doc: Document, name: str, parent: TwiML | None = None) -> TwiML:
    parent = parent if parent is not None else doc.root
    return next(v for v in parent.verbs if isinstance(v, TwiML) and v.name == name)


def _names(doc: Document, node: TwiML) -> set[str]:
    return {e.xml for e in doc.allowed_children(node)}


def _attrs(doc: Document, node: TwiML) -> set[str]:
    element = doc.element_of(node)
    assert element is not None
    return {a.xml for a in element.attrs}


def test_texml_document_opens_as_telnyx_texml(tmp_path: Path) -> None:
    path = tmp_path / "support.xml"
    shutil.copy(TEXML, path)
    doc = Document.open(path)
    assert (doc.dialect, doc.dialect_origin, doc.dialect_title) == ("texml", "detected", "Telnyx TeXML")
    assert [d.format() for d in doc.diagnostics() if d.severity != "info"] == []


def test_a_document_that_tells_nothing_is_twilio_unless_configured(tmp_path: Path) -> None:
    path = tmp_path / "plain.xml"
    path.write_text("<Response><Say>Hi</Say></Response>")
    assert (Document.open(path).dialect, Document.open(path).dialect_origin) == ("twilio", "default")
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\ndialect = "cxml"\n')
    doc = Document.open(path)
    assert (doc.dialect, doc.dialect_origin, doc.dialect_title) == ("cxml", "configured", "SignalWire cXML")
    # what the document itself uses wins over the setting
    path.write_text("<Response><Suppression/></Response>")
    assert Document.open(path).dialect == "texml"
    assert Document.new().dialect == "twilio"


def test_add_menus_offer_what_the_dialect_has() -> None:
    doc = Document.open(TEXML)
    top = _names(doc, doc.root)
    assert {"AIGather", "HttpRequest", "Suppression"} <= top
    assert "Pay" not in top and "Denoise" not in top
    assert _names(doc, _child(doc, "Connect")) >= {"Stream", "AIAssistant"}
    assert not {"Room", "VirtualAgent"} & _names(doc, _child(doc, "Connect"))
    assert _names(doc, _child(doc, "AIGather")) >= {"Greeting", "Parameters", "Voice"}
    doc.set_dialect("twilio")
    top = _names(doc, doc.root)
    assert "Pay" in top and not {"AIGather", "HttpRequest", "Suppression"} & top
    assert doc.allowed_children(_child(doc, "AIGather")) == []
    doc.set_dialect("cxml")
    assert "Denoise" in _names(doc, doc.root) and "Verto" in _names(doc, _child(doc, "Dial"))


def test_forms_read_the_dialects_attributes() -> None:
    doc = Document.open(TEXML)
    dial, record = _child(doc, "Dial"), _child(doc, "Record")
    assert "answerOnBridge" not in _attrs(doc, dial)
    timeout = doc.element_of(dial).attr("timeout")  # type: ignore[union-attr]
    assert timeout is not None and (timeout.min, timeout.max) == (5, 120)
    assert {"transcription", "transcriptionCallback"} <= _attrs(doc, record)
    assert "transcribe" not in _attrs(doc, record)
    assert _attrs(doc, _child(doc, "AIGather")) == {"action", "method"}
    # a vendor element with a Twilio name reads as the vendor's at its place
    stream = _child(doc, "Stream", _child(doc, "Connect"))
    assert {"bidirectionalMode", "bidirectionalCodec"} <= _attrs(doc, stream)
    doc.set_dialect("twilio")
    assert "answerOnBridge" in _attrs(doc, dial) and "transcription" not in _attrs(doc, record)
    assert doc.element_of(dial) is element_of(dial)
    assert doc.element_of(_child(doc, "AIGather")) is None


def test_vendor_element_is_added_as_the_parser_reads_it_and_checked_in_the_dialect() -> None:
    doc = Document.open(TEXML)
    element = next(e for e in doc.allowed_children(doc.root) if e.xml == "Suppression")
    _, node = doc.add_child(doc.root, element)
    assert isinstance(node, GenericNode) and node.name == "Suppression"
    assert doc.element_of(node) is element
    greeting = next(e for e in doc.allowed_children(_child(doc, "AIGather")) if e.xml == "Greeting")
    assert doc.make_node(greeting).name == "Greeting"
    assert "\n    <Suppression />\n</Response>" in doc.file_text()  # in the file's own style
    assert not [d for d in doc.diagnostics() if d.severity != "info"]
    doc.set_dialect("twilio")
    assert {d.message.split(" ")[0] for d in doc.diagnostics() if d.severity == "warning"} >= {
        "<Suppression>",
        "<AIGather>",
    }
    # a Twilio element from the menu is still the builder's own class
    say = next(e for e in doc.allowed_children(doc.root) if e.xml == "Say")
    assert type(doc.make_node(say)).__name__ == "Say"


def test_switching_never_changes_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "support.xml"
    shutil.copy(TEXML, path)
    before = path.read_bytes()
    doc = Document.open(path)
    for name in ("twilio", "cxml", "texml"):
        doc.set_dialect(name)
        assert not doc.dirty
        doc.diagnostics()
    doc.save()
    assert path.read_bytes() == before
    doc.set_attr(_child(doc, "Dial"), "timeout", "45")
    doc.set_dialect("twilio")
    doc.save()
    changed = [(a, b) for a, b in zip(before.splitlines(), path.read_bytes().splitlines(), strict=True) if a != b]
    assert changed == [
        (b'    <Dial timeout="30" callerId="+15550100">', b'    <Dial timeout="45" callerId="+15550100">')
    ]


def test_unknown_dialect_is_refused() -> None:
    doc = Document.new()
    with pytest.raises(ValueError, match="choose one of twilio, texml, cxml"):
        doc.set_dialect("plivo")
    assert doc.dialect == "twilio"


@needs_corpus
def test_real_texml_and_cxml_documents_open_in_their_dialect() -> None:
    assert Document.open(CORPUS / "texml" / "Vijaypepakayala__ai__aigather.xml").dialect == "texml"
    assert Document.open(CORPUS / "cxml" / "signalwire__docs__denoise-on.xml").dialect == "cxml"


def test_a_rename_fix_migrates_one_attribute_in_place(tmp_path: Path) -> None:
    from twiml_editor.fixes import apply_fix

    path = tmp_path / "ivr.xml"
    shutil.copy(ROOT / "tests" / "twiml" / "dialect_docs" / "twilio_ivr.xml", path)
    before = path.read_text(encoding="utf-8")
    doc = Document.open(path)
    assert doc.dialect == "twilio"
    doc.set_dialect("texml")
    codes = sorted(str(d.code) for d in doc.diagnostics() if str(d.code).startswith("DIALECT-"))
    assert codes == ["DIALECT-IGNORED", "DIALECT-RENAMED", "DIALECT-UNSUPPORTED"]
    renamed = next(d for d in doc.diagnostics() if d.code == "DIALECT-RENAMED")
    assert renamed.fix is not None and renamed.node is not None
    apply_fix(doc, renamed.node, renamed.fix)
    doc.save()
    changed = [
        (a, b)
        for a, b in zip(before.splitlines(), path.read_text(encoding="utf-8").splitlines(), strict=True)
        if a != b
    ]
    # one line: the renamed attribute (the editor's fix writes it last among the attributes)
    assert changed == [
        (
            '  <Record maxLength="60" transcribe="true" action="/recorded"/>',
            '  <Record maxLength="60" action="/recorded" transcription="true"/>',
        )
    ]
    assert "DIALECT-RENAMED" not in {str(d.code) for d in doc.diagnostics()}
