"""One decoder (twiml.decoding) for the parser and the format-preserving loader: what is parsed
and what a save writes back agree on the encoding, and both refuse the same declarations."""

from __future__ import annotations

import codecs

import pytest

from twiml import TwiMLParseError, parse
from twiml.decoding import decode, sniff_encoding
from twiml.source import load, loads

BODY = "<Response><Say>Caf\u00e9 \u00fc</Say></Response>"

CASES = [
    ("utf-8", b"", BODY.encode("utf-8")),
    ("utf-8", codecs.BOM_UTF8, codecs.BOM_UTF8 + BODY.encode("utf-8")),
    ("utf-16-le", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_LE + BODY.encode("utf-16-le")),
    ("utf-16-be", b"", BODY.encode("utf-16-be")),  # no BOM: recognised by its first bytes
    ("utf-32-le", codecs.BOM_UTF32_LE, codecs.BOM_UTF32_LE + BODY.encode("utf-32-le")),
    ("iso8859-1", b"", ('<?xml version="1.0" encoding="ISO-8859-1"?>' + BODY).encode("latin-1")),
    ("utf-16-be", b"", ('<?xml version="1.0" encoding="UTF-16"?>' + BODY).encode("utf-16-be")),
]


@pytest.mark.parametrize(("codec", "bom", "data"), CASES, ids=[c[0] + ("+bom" if c[1] else "") for c in CASES])
def test_parser_and_loader_read_the_same_encoding(codec: str, bom: bytes, data: bytes) -> None:
    assert sniff_encoding(data) == (codec, bom)
    text, found, found_bom = decode(data)
    assert (found, found_bom) == (codec, bom) and "Caf\u00e9" in text
    doc = load(data)
    assert (doc.encoding, doc.bom) == (codec, bom)
    assert doc.to_bytes() == data  # no edit: the same bytes
    assert parse(data).to_xml() == doc.root.to_xml()


@pytest.mark.parametrize("declared", ["hex", "base64", "rot13", "bogus", "idna"])
def test_every_reader_refuses_a_declaration_no_document_can_be_in(declared: str) -> None:
    text = f'<?xml version="1.0" encoding="{declared}"?><Response/>'
    for read in (lambda: parse(text.encode()), lambda: load(text.encode()), lambda: loads(text)):
        with pytest.raises(TwiMLParseError, match="unsupported encoding") as info:
            read()
        assert (info.value.line, info.value.column) == (1, 31)


def test_undecodable_bytes_are_placed() -> None:
    with pytest.raises(TwiMLParseError, match="not valid utf-8") as info:
        decode(b"<Response>\n<Say>\xff</Say></Response>", "x.xml")
    assert (info.value.line, info.value.column, info.value.filename) == (2, 6, "x.xml")
