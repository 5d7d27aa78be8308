"""`twiml schema`: the XSD and JSON Schema generated from the grammar.

Every corpus document `twiml validate` passes (no warning or error) validates against the XSD
(checked with xmlschema) and, in its JSON form, against the JSON Schema (jsonschema); every
element the validator reports as misplaced or unknown is where the XSD rejects the document too,
and the JSON Schema rejects it.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

xmlschema = pytest.importorskip("xmlschema")
jsonschema = pytest.importorskip("jsonschema")

from lxml import etree  # noqa: E402
from shared_data import corpus_files, needs_corpus  # noqa: E402

from twiml.cli import main  # noqa: E402
from twiml.errors import TwiMLParseError  # noqa: E402
from twiml.grammar import GRAMMAR  # noqa: E402
from twiml.grammar_types import element_of  # noqa: E402
from twiml.parser import parse  # noqa: E402
from twiml.schema import json_schema, to_json, xsd  # noqa: E402
from twiml.validator import Diagnostic, validate  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
LOCAL = sorted(p for p in CORPUS.rglob("*.xml") if "malformed" not in p.parts)
NESTING = ("is not allowed inside", "TwiML element", "unknown element <")

# Nesting mistakes people make, beside the ones the corpus has: each document is clean but for them.
MISPLACED = {
    "dial_in_gather": '<Response><Gather numDigits="1"><Say>Hi</Say><Dial>+15550100</Dial></Gather></Response>',
    "say_in_pause": '<Response><Pause length="2"><Say>Hi</Say></Pause></Response>',
    "lowercase_verb": "<Response><say>Hi</say></Response>",
    "number_at_top": "<Response><Say>Hi</Say><Number>+15550100</Number></Response>",
    "message_in_say": "<Response><Say>Hi<Message>x</Message></Say></Response>",
    "sms_in_messaging": "<Response><Message>Hi</Message><Sms>x</Sms></Response>",
    "stream_in_stop_nested": '<Response><Start><Say>x</Say><Stream url="wss://a.example/s"/></Start></Response>',
}


@pytest.fixture(scope="module")
def schemas() -> dict[str, object]:
    out: dict[str, object] = {d: xmlschema.XMLSchema(xsd(d).encode()) for d in ("all", "voice", "messaging", "fax")}
    for d in ("all", "voice", "messaging", "fax"):
        out[f"json-{d}"] = jsonschema.Draft202012Validator(json_schema(d))
    return out


def _load(data: bytes) -> tuple[list[Diagnostic], str, etree._ElementTree]:
    doc = parse(data)
    el = element_of(doc)
    tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False)).getroottree()
    return validate(doc), el.kind if el is not None else "voice", tree


def _rejected_lines(schema: object, tree: etree._ElementTree) -> set[int]:
    """Lines of the elements the XSD does not accept where they are."""
    lines: set[int] = set()
    for e in schema.iter_errors(tree):  # type: ignore[attr-defined]
        if isinstance(e, xmlschema.XMLSchemaChildrenValidationError) and e.index is not None and e.index < len(e.elem):
            lines.add(e.elem[e.index].sourceline)
    return lines


def _documents(paths: list[Path]) -> list[tuple[str, bytes]]:
    out = []
    for p in paths:
        data = p.read_bytes()
        try:
            parse(data)
        except TwiMLParseError:
            continue
        out.append((p.name, data))
    return out


def _check(name: str, data: bytes, schemas: dict[str, object], both: bool = True) -> tuple[bool, bool]:
    """(was clean, had nesting findings), asserting what each implies; a clean document is checked
    against the schema of every kind ("all") and, with `both`, its own kind's too."""
    findings, kind, tree = _load(data)
    as_json = to_json(parse(data))
    serious = [d for d in findings if d.severity != "info"]
    nesting = [d for d in findings if any(n in d.message for n in NESTING)]
    if not serious:
        for d in ("all", kind) if both else ("all",):
            errors = [str(e.reason) for e in schemas[d].iter_errors(tree)]  # type: ignore[attr-defined]
            assert errors == [], f"{name}: clean for the validator, rejected by the {d} XSD: {errors[:3]}"
            problems = [e.message[:200] for e in schemas[f"json-{d}"].iter_errors(as_json)]  # type: ignore[attr-defined]
            assert problems == [], f"{name}: clean for the validator, rejected by the {d} JSON Schema: {problems[:2]}"
    if nesting:
        rejected = _rejected_lines(schemas[kind], tree)
        first = {d.line for d in nesting}
        assert first & rejected, f"{name}: validator flags lines {first}, the XSD rejects elements at {rejected}"
        assert rejected <= {d.line for d in findings}, f"{name}: the XSD rejects more than the validator reports"
        assert not schemas[f"json-{kind}"].is_valid(as_json)  # type: ignore[attr-defined]
    return not serious, bool(nesting)


def test_local_corpus_against_the_xsd(schemas: dict[str, object]) -> None:
    docs = _documents(LOCAL)
    results = [_check(name, data, schemas) for name, data in docs]
    assert sum(clean for clean, _ in results) >= 30  # the corpus is mostly clean real-world TwiML
    assert any(nesting for _, nesting in results)  # and has unknown elements (unknown_elements.xml)


@needs_corpus
def test_shared_corpus_against_the_xsd(schemas: dict[str, object]) -> None:
    results = [_check(name, data, schemas, both=False) for name, data in _documents(corpus_files("real"))]
    assert sum(clean for clean, _ in results) >= 50


@pytest.mark.parametrize("name", sorted(MISPLACED))
def test_misplaced_elements_fail_at_the_same_element(name: str, schemas: dict[str, object]) -> None:
    clean, nesting = _check(name, MISPLACED[name].encode(), schemas)
    assert nesting and not clean


def test_values_and_required_attributes_follow_the_grammar(schemas: dict[str, object]) -> None:
    voice = schemas["voice"]
    ok = b'<Response><Say voice="Polly.Made-Up-Neural">Hi</Say><Gather input="dtmf speech" numDigits="3"/></Response>'
    assert voice.is_valid(etree.fromstring(ok))  # type: ignore[attr-defined]  # voices are an open table
    assert not voice.is_valid(etree.fromstring(b'<Response><Gather input="keys"/></Response>'))  # type: ignore[attr-defined]
    assert not voice.is_valid(etree.fromstring(b"<Response><Pause length='0'/></Response>"))  # type: ignore[attr-defined]
    required = [a.xml for e in GRAMMAR.elements for a in e.attrs if a.required]
    assert "url" in required
    assert not voice.is_valid(  # type: ignore[attr-defined]
        etree.fromstring(b"<Response><Connect><ConversationRelay/></Connect></Response>")
    )


def test_every_element_and_attribute_is_in_the_xsd() -> None:
    text = xsd("all")
    for e in GRAMMAR.elements:
        assert f'name="{e.xml}"' in text
        for a in e.attrs:
            if not a.xml.startswith("xml:"):
                assert f'name="{a.xml}"' in text


def test_json_schema_describes_the_json_form() -> None:
    schema = json_schema("voice")
    defs = schema["$defs"]
    gather = defs["voice.Gather"]
    attrs = gather["properties"]["attributes"]["properties"]
    assert attrs["method"]["enum"] == ["GET", "POST"]
    assert "numDigits" in attrs and "numdigits" not in attrs
    kids = {ref["$ref"] for ref in gather["properties"]["children"]["items"]["anyOf"]}
    assert "#/$defs/voice.Say" in kids and "#/$defs/voice.Dial" not in kids
    doc = parse(b'<Response><Gather numDigits="1"><Say>Press 1</Say></Gather></Response>')
    assert to_json(doc) == {
        "element": "Response",
        "children": [
            {"element": "Gather", "attributes": {"numDigits": "1"}, "children": [{"element": "Say", "text": "Press 1"}]}
        ],
    }


def test_cli_writes_both_formats(tmp_path: Path) -> None:
    out = io.StringIO()
    assert main(["schema", "--format", "xsd"], stdout=out) == 0
    assert out.getvalue().startswith("<?xml") and "<xs:schema" in out.getvalue()
    target = tmp_path / "twiml.schema.json"
    assert main(["schema", "--format", "json-schema", "--kind", "messaging", "-o", str(target)]) == 0
    assert "messaging.Message" in json.loads(target.read_text(encoding="utf-8"))["$defs"]
    err = io.StringIO()
    assert main(["schema", "-o", str(tmp_path / "missing" / "x.xsd")], stderr=err) == 2
    assert "cannot write" in err.getvalue()
