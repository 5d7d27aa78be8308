"""Headless Document: format-preserving saves over sample_flows/ and tests/corpus/, disk stamps,
reformat and the depth limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from shared_data import corpus_files

from twiml.errors import TwiMLException
from twiml.grammar import GRAMMAR
from twiml.limits import MAX_DEPTH
from twiml_editor.document import Document

ROOT = Path(__file__).resolve().parents[2]
FILES = [
    *sorted((ROOT / "sample_flows").rglob("*.xml")),
    *sorted((ROOT / "tests" / "corpus").rglob("*.xml")),
    *corpus_files("real"),  # ../shared/corpus/real/ when it is there
]


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_open_and_save_without_edits_gives_the_same_bytes(path: Path, tmp_path: Path) -> None:
    doc = Document.open(path)
    target = tmp_path / path.name
    doc.save(target)
    assert target.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_undo_back_to_the_file_gives_the_same_bytes(path: Path, tmp_path: Path) -> None:
    doc = Document.open(path)
    victim = next((n for n in doc.root.iter() if n is not doc.root and n.name[:1] != "#"), None)
    if victim is None:
        pytest.skip("nothing to delete")
    doc.remove(victim)
    assert doc.file_text() != path.read_bytes().decode(doc.source.encoding).lstrip("\ufeff")
    doc.undo()
    target = tmp_path / path.name
    doc.save(target)
    assert target.read_bytes() == path.read_bytes()


def test_disk_changed_notices_other_writers_but_not_a_touch(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<Response><Say>Hi</Say></Response>")
    doc = Document.open(path)
    assert not doc.disk_changed()
    os.utime(path, ns=(5, 5))  # touched, same bytes
    assert not doc.disk_changed()
    path.write_text("<Response><Say>Yo</Say></Response>")
    assert doc.disk_changed()
    doc.save()
    assert not doc.disk_changed()
    path.unlink()
    assert not doc.disk_changed()  # gone: saving writes it again


def test_reformat_then_save_writes_canonical_xml(tmp_path: Path) -> None:
    path = tmp_path / "a.xml"
    path.write_text("<Response  >\n<Say   voice='alice'>Hi</Say></Response>")
    doc = Document.open(path)
    doc.reformat()
    assert doc.dirty
    doc.save()
    assert path.read_text() == doc.root.to_xml(pretty=True)


def test_edits_beyond_the_depth_limit_are_refused() -> None:
    doc = Document.from_xml("<Response>" + "<x>" * (MAX_DEPTH - 1) + "</x>" * (MAX_DEPTH - 1) + "</Response>")
    bottom = doc.root
    while bottom.children:
        bottom = bottom.children[0]
    say = GRAMMAR.get("voice", "Say")
    with pytest.raises(TwiMLException, match=f"{MAX_DEPTH + 1} levels deep"):
        doc.add_child(bottom, say)
    with pytest.raises(TwiMLException, match="levels deep"):
        doc.paste(bottom, 0, "<Say>Hi</Say>")
    doc.duplicate(doc.root.verbs[0])  # type: ignore[arg-type]  # same depth: fine
    assert len(doc.root.verbs) == 2
