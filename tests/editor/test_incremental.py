"""Views refresh only what an edit touched: `Document.edited_since`, the validator's `Revalidator`
and `SourceDocument.dumps(edited=...)` must give exactly what a full pass gives."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_edits import EDITS, random_edit
from shared_data import corpus_files

from twiml.base import Comment, TwiML, is_markup
from twiml_editor.document import Document
from twiml_editor.pretty import Pretty, node_lines

pytest.importorskip("twiml.parser")
validator = pytest.importorskip("twiml.validator")

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"

# Problems of every kind that depends on a node's place: unreachable after <Hangup>, runs only if
# the <Gather> cannot reach its action, a `twiml: ignore` comment, an unknown element, a misspelt
# attribute, a missing required value, a comment before the root.
MIXED = """<?xml version="1.0" encoding="UTF-8"?>
<!-- header -->
<Response>
  <Say voice="Polly.Joanna" loop="x">Hello &amp; welcome</Say>
  <Gather action="/menu" numDigits="1" timout="5">
    <Say>Press 1</Say>
    <Play>https://example.com/a.mp3</Play>
  </Gather>
  <Redirect/>
  <!-- twiml: ignore[13910] -->
  <Pause length="abc"/>
  <Sayy>typo</Sayy>
  <Dial><Number>+15551234567</Number><Client>bob</Client></Dial>
  <Hangup/>
  <Play>https://example.com/after.mp3</Play>
</Response>
"""


def _key(found: Sequence[object]) -> list[tuple[object, int]]:
    return [(d, id(getattr(d, "node", None))) for d in found]


def _check(doc: Document, shown: list[Pretty]) -> None:
    """Every incremental result equals a full pass; the preview's splice turns the text shown
    last into the new one."""
    assert _key(doc.diagnostics()) == _key(validator.validate(doc.root, suppressed=True))
    assert doc.file_text() == doc.source.dumps()
    pretty = doc.pretty()
    assert pretty.text == doc.root.to_xml(pretty=True)
    if shown:
        old = shown[-1]
        splice = pretty.splice(old)
        if splice is None:
            assert old.text == pretty.text
        else:
            first, end, text = splice
            rows = old.text.split("\n")
            rows[first:end] = text.split("\n")[:-1]
            assert "\n".join(rows) == pretty.text
    shown.append(pretty)
    for node in doc.root.iter():
        assert doc.node_lines(node) == node_lines(doc.root, node)


CRLF = (Path(__file__).resolve().parents[1] / "corpus" / "crlf_comments_tabs.xml").read_bytes().decode("utf-8")


REAL = corpus_files("real")
"""Documents collected from public repositories (comments, CRLF, tabs, odd attribute orders), read
from ../shared/corpus/real/; the written ones above stand in where that folder is absent."""


def _document(data: st.DataObject) -> Document:
    choices: list[str | Path] = [MIXED, CRLF, *REAL]
    source = data.draw(st.sampled_from(choices))
    if isinstance(source, Path):
        try:
            return Document.open(source)
        except Exception:  # a collected document this editor cannot open is tested elsewhere
            return Document.from_xml(MIXED)
    return Document.from_xml(source)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_incremental_refresh_equals_a_full_pass(data: st.DataObject) -> None:
    doc = _document(data)
    shown: list[Pretty] = []
    if data.draw(st.booleans()):  # else the first refresh comes after edits (the file's text is reused)
        _check(doc, shown)
    for _ in range(data.draw(st.integers(1, 15))):
        random_edit(doc, data, (*EDITS, "undo", "redo", "reformat"))
        if data.draw(st.booleans()):  # views may skip versions (keys arrive faster than refreshes)
            _check(doc, shown)
    _check(doc, shown)


def test_an_edit_rechecks_only_its_subtree() -> None:
    doc = Document.open(SAMPLES / "ivr_main_menu.xml")
    doc.diagnostics()
    revalidator = doc._revalidator
    assert revalidator is not None
    children = [v for v in doc.root.verbs if isinstance(v, TwiML)]
    elements = [v for v in children if not is_markup(v)]
    assert len(elements) >= 2
    doc.set_attr(elements[-1], "madeUp", "1")
    found = doc.diagnostics()
    assert revalidator.reused == len(elements) - 1
    assert any("madeUp" in d.message for d in found)


def test_editing_a_comment_at_the_root_rechecks_what_it_silences() -> None:
    doc = Document.from_xml(MIXED)
    comment = next(v for v in doc.root.verbs if isinstance(v, Comment))
    assert [d.code for d in doc.diagnostics() if d.suppressed] == [13910]
    for text in (" twiml: ignore ", " just a note ", " twiml: ignore[13910] "):
        doc.set_text(comment, text)
        assert _key(doc.diagnostics()) == _key(validator.validate(doc.root, suppressed=True))


def test_edited_since() -> None:
    doc = Document.from_xml(MIXED)
    say, gather = doc.root.children[0], doc.root.children[1]
    start = doc.version
    assert doc.edited_since(start) == []
    doc.set_attr(gather.children[0], "voice", "man")  # deep: its top-level ancestor
    doc.set_attr(say, "loop", "2")
    assert doc.edited_since(start) == [gather, say]
    assert doc.edited_since(start + 1) == [say]
    doc.remove(say)  # at the root's level: no child's subtree changed
    assert doc.edited_since(start + 2) == []
    doc.reformat()
    assert doc.edited_since(start) is None
    assert doc.edited_since(-1) is None


@pytest.mark.parametrize("source", [MIXED, CRLF, *REAL], ids=lambda s: s.name if isinstance(s, Path) else s[:12])
def test_the_start_of_the_preview_is_the_start_of_the_whole_text(source: str | Path) -> None:
    """What a large document's first screen shows (`pretty_start`) is exactly the first lines of
    the XML shown once all of it is written, for any number of children."""
    try:
        doc = Document.open(source) if isinstance(source, Path) else Document.from_xml(source)
    except Exception:  # a collected document this editor cannot open is tested elsewhere
        return
    whole = doc.pretty().text
    for count in range(len(doc.root.verbs) + 2):
        start = doc.pretty_start(count)
        assert whole.startswith(start) and start.endswith("\n"), count
    if doc.pretty().items:  # not a root written on one line (text in it): the start is shorter
        assert len(doc.pretty_start(0)) < len(whole)
