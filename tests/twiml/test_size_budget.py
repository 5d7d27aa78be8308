"""The 64 KB budget (11750) counts the bytes that are served, never a re-serialized form."""

from __future__ import annotations

from pathlib import Path

from twiml import TwiML, parse, validate
from twiml.voice_response import VoiceResponse

WIDE = " " * 8


def indented(pauses: int, say: str = "") -> bytes:
    r = VoiceResponse()
    for _ in range(pauses):
        r.pause()
    if say:
        r.say(say)
    return r.to_xml(pretty=True, indent=WIDE).encode()


def codes(doc: TwiML) -> list[int]:
    return [d.code for d in validate(doc)]


def test_an_indented_file_over_64k_is_flagged_though_its_compact_form_fits(tmp_path: Path) -> None:
    data = indented(6159, say="x" * 8)  # the size of a file the issue reported
    assert len(data) == 110_952
    doc = parse(data)
    assert len(doc.to_xml().encode()) < 64 * 1024  # what the old check measured
    assert 11750 in codes(doc)
    path = tmp_path / "big.xml"
    path.write_bytes(data)
    assert 11750 in codes(parse(path))
    assert 11750 not in codes(parse(indented(3000)))


def test_a_built_document_counts_its_own_output() -> None:
    r = VoiceResponse()
    while len(r.to_xml().encode()) <= 64 * 1024:
        r.say("é" * 100)
    assert 11750 in codes(r)
    r.verbs.pop()
    assert len(r.to_xml().encode()) <= 64 * 1024
    assert 11750 not in codes(r)


def test_parse_records_the_size_read() -> None:
    data = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>héllo</Say>\n</Response>\n'
    assert parse(data.encode()).source_size == (len(data), len(data.encode()))
    assert parse(data).source_size == (len(data), len(data.encode()))
