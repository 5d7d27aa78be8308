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
from twiml.validator import validate
from twiml_editor.disk_check import ChangedOnDisk
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
    with pytest.raises(ChangedOnDisk):  # never over another program's change unasked
        doc.save()
    assert path.read_text() == "<Response><Say>Yo</Say></Response>"
    doc.save(overwrite=True)
    assert not doc.disk_changed()
    path.unlink()
    assert not doc.disk_changed()  # gone: saving writes it again


def test_disk_changed_notices_a_same_size_change_with_its_time_put_back(tmp_path: Path) -> None:
    """Issue 19 case 11: `cp -p` or `touch -r` keeps the size and puts the modification time
    back; the stamp's change time and inode (which no program can set back) still differ."""
    path = tmp_path / "a.xml"
    path.write_text("<Response><Say>Hi</Say></Response>")
    doc = Document.open(path)
    before = path.stat()
    other = tmp_path / "other.xml"
    other.write_text("<Response><Say>Yo</Say></Response>")  # same size
    os.utime(other, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(other, path)  # what `cp -p` through a temporary file leaves
    assert path.stat().st_mtime_ns == before.st_mtime_ns and path.stat().st_size == before.st_size
    assert doc.disk_changed()


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


def test_namespaced_document_edited_once_saves_one_changed_line(tmp_path: Path) -> None:
    """Issue 18: on lxml 6.2 the namespace declarations were lost on save (xmlns:amazon gone,
    <amazon:effect> written as <effect>) and the validator reported a false 12200."""
    source = ROOT / "tests" / "corpus" / "namespaced_ssml.xml"
    target = tmp_path / source.name
    target.write_bytes(source.read_bytes())
    doc = Document.open(target)
    say = doc.root.children[0]
    doc.set_attr(say, "voice", "Polly.Matthew")
    doc.save()
    before = source.read_text(encoding="utf-8").splitlines()
    after = target.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [(before[2], before[2].replace("Polly.Joanna", "Polly.Matthew"))]
    assert [d.code for d in validate(doc.root) if d.severity != "info"] == []
