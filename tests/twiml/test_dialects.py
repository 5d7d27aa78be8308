"""Vendor dialects (Telnyx TeXML, SignalWire cXML): profiles read by the validator, the migration
linter and `--dialect` on the command line. Real documents come from ../shared/corpus/{texml,cxml};
the small documents in dialect_docs/ are our own and always run."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from shared_data import corpus_files, needs_corpus, params

import twiml
from twiml import TwiMLParseError
from twiml.cli import main
from twiml.dialects import grammar_for, notes_for
from twiml.source import load
from twiml.validator import Diagnostic, validate

DOCS = Path(__file__).parent / "dialect_docs"
TEXML = corpus_files("texml")
CXML = corpus_files("cxml")

# What each real document has beyond TwiML, from the inventory in ../shared/corpus/DIALECTS.md
# ("TeXML constructs not in TwiML", "cXML constructs not in TwiML"): under --dialect twilio these, and
# only these, are reported beyond what the vendor's own dialect reports. Element@attribute for an
# attribute; a construct inside a vendor-only element is reported with that element.
VENDOR_ONLY = {
    "Ayushbh6__Telnyx_Voice__texml.xml": {"Answer", "Stream@bidirectionalMode"},
    "Vijaypepakayala__ai__aigather.xml": {"AIGather"},
    "kosm1x__pipesong__inbound-stream.xml": {"Stream@bidirectionalMode"},
    # TeXML's names for Twilio's statusCallbackUrl, track, speechModel; Telnyx spells the engine "Deepgram"
    "team-telnyx__ai__realtime-transcription.xml": {
        "Transcription@transcriptionEngine",
        "Transcription@transcriptionCallback",
        "Transcription@transcriptionTracks",
        "Transcription@model",
    },
    # Telnyx streams both tracks back on <Connect><Stream>; Twilio takes only the inbound one
    "team-telnyx__ai__stream-bidirectional.xml": {
        "Stream@bidirectionalMode",
        "Stream@bidirectionalCodec",
        "Stream@track",
    },
    "team-telnyx__demo-node-telnyx__pbx-voicemail.xml": {"Record@beep"},
    "team-telnyx__demo-python-telnyx__ai-realtime-assistant.xml": {"Answer", "Stream@bidirectionalMode"},
    "team-telnyx__telnyx-code-examples__aiassistant-voice.xml": {"AIAssistant"},
    # <Connect><Assistant id> (undocumented by Telnyx there) is TwiML too since twilio-node added <Assistant>
    "signalwire-community__signalwire-php__ai-swaig-functions.xml": {"AI"},
    "signalwire__compatibility-api-js__ai-attributes.xml": {"AI"},
    "signalwire__compatibility-api-js__ai-languages.xml": {"AI"},
    "signalwire__compatibility-api-js__ai-prompt-postprompt.xml": {"AI"},
    "signalwire__compatibility-api-js__ai-swaig-defaults.xml": {"AI"},
    "signalwire__compatibility-api-js__ai-swaig-function.xml": {"AI"},
    "signalwire__docs__conference-stream-bidir.xml": {"Stream", "Conference@streamUrl"},
    "signalwire__docs__denoise-off-record.xml": {"Denoise"},
    "signalwire__docs__denoise-on.xml": {"Denoise"},
    "signalwire__docs__echo.xml": {"Echo@timeout"},
    "signalwire__docs__tts-gcloud-neural2.xml": {"Say@voice"},
    "signalwire__docs__verto-dial-attributes.xml": {"Verto"},
    "signalwire__docs__verto.xml": {"Verto"},
    "signalwire__examples__stream-outbound-track.xml": {"say"},
    "signalwire__signalwire-solutions__dial-methods.xml": {"Dial@methods"},
}

# Malformed documents: our (line, column), 1-based. DIALECTS.md records Expat's, whose columns
# count from 0; for the unescaped '&' Expat points at the '=' ending the would-be entity name
# (column 59), we at the '&' itself (0-based 51).
PARSE_ERRORS = {
    "team-telnyx__demo-node-telnyx__ivr-record.xml": (4, 84),
    "cassieemb__SignalWire__bin-gather-input.xml": (1, 1),
    "signalwire__signalwire-solutions__sip-headers.xml": (5, 52),
}


def _construct(d: Diagnostic) -> str:
    m = re.match(r"<([\w:]+)> (?:has no attribute )?'(\w+)'", d.message) or re.match(r"<(\w+)> (\w+)=", d.message)
    if m:
        return f"{m.group(1)}@{m.group(2)}"
    if d.code == 31941:  # <Connect><Stream> track
        return "Stream@track"
    m = re.search(r"<([\w:]+)>", d.message)
    assert m, d
    return m.group(1)


def _serious(doc: twiml.TwiML, dialect: str) -> list[Diagnostic]:
    return [d for d in validate(doc, dialect=dialect) if d.severity != "info"]


@needs_corpus
@pytest.mark.parametrize(("path", "dialect"), [*((p, "texml") for p in TEXML), *((p, "cxml") for p in CXML)])
def test_real_vendor_document_has_no_error_in_its_dialect(path: Path, dialect: str) -> None:
    found = validate(twiml.parse(path.read_bytes()), dialect=dialect)
    assert [d for d in found if d.severity == "error"] == []


@needs_corpus
@pytest.mark.parametrize(("path", "dialect"), [*((p, "texml") for p in TEXML), *((p, "cxml") for p in CXML)])
def test_under_twilio_the_vendor_only_constructs_are_reported(path: Path, dialect: str) -> None:
    doc = twiml.parse(path.read_bytes())
    theirs = {(d.line, d.column, d.message.split(" (")[0]) for d in _serious(doc, dialect)}
    extra = [d for d in _serious(doc, "twilio") if (d.line, d.column, d.message.split(" (")[0]) not in theirs]
    assert {_construct(d) for d in extra} == VENDOR_ONLY.get(path.name, set())
    assert all(d.line is not None and d.column is not None for d in extra)


@needs_corpus
def test_vendor_only_findings_name_their_source() -> None:
    doc = twiml.parse((corpus_files("texml", "Vijaypepakayala__ai__aigather.xml")[0]).read_bytes())
    (d,) = [d for d in validate(doc) if "AIGather" in d.message]
    assert "TeXML (Telnyx) only" in d.message and "texml-verbs/aigather" in d.source and "read 2026-" in d.source


@pytest.mark.parametrize("path", params(corpus_files("texml/malformed") + corpus_files("cxml/malformed")))
def test_malformed_vendor_document_fails_at_the_recorded_place(path: Path) -> None:
    with pytest.raises(TwiMLParseError) as info:
        load(path)
    assert (info.value.line, info.value.column) == PARSE_ERRORS[path.name]


def test_twilio_ivr_gets_one_finding_per_texml_difference_with_place_and_source() -> None:
    found = validate(twiml.parse((DOCS / "twilio_ivr.xml").read_bytes()), dialect="texml")
    assert [(d.line, d.column, d.severity, d.code) for d in found] == [
        (6, 3, "error", "DIALECT-UNSUPPORTED"),  # <Pay>
        (7, 3, "warning", "DIALECT-RENAMED"),  # transcribe
        (8, 3, "warning", "DIALECT-IGNORED"),  # answerOnBridge
    ]
    assert all(d.source.startswith(("https://developers.telnyx.com/", "team-telnyx/ai@")) for d in found)
    assert found[1].fix is not None and (found[1].fix.attr, found[1].fix.new) == ("transcribe", "transcription")
    assert _serious(twiml.parse((DOCS / "twilio_ivr.xml").read_bytes()), "twilio") == []


def test_migrate_to_texml_rewrites_the_rename_as_a_one_line_diff_and_lists_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "ivr.xml"
    shutil.copy(DOCS / "twilio_ivr.xml", path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["migrate", "--to", "texml", str(path)], stdout=out, stderr=err) == 1
    changed = [line for line in out.getvalue().splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == [
        '-  <Record maxLength="60" transcribe="true" action="/recorded"/>',
        '+  <Record maxLength="60" transcription="true" action="/recorded"/>',
    ]
    people = [line for line in err.getvalue().splitlines() if "needs a person" in line]
    assert [line.split(": needs")[0] for line in people] == [f"{path}:6:3", f"{path}:8:3"]
    assert all("[source: " in line for line in people)
    assert path.read_bytes() == (DOCS / "twilio_ivr.xml").read_bytes()  # a diff only, without --write
    assert main(["migrate", "--to", "texml", "--write", str(path)], stdout=io.StringIO(), stderr=io.StringIO()) == 1
    old, new = (DOCS / "twilio_ivr.xml").read_text().splitlines(), path.read_text().splitlines()
    assert [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b] == [6]


def test_migrate_texml_to_twilio_renames_back_and_lists_vendor_only_verbs(tmp_path: Path) -> None:
    doc = load(DOCS / "texml_app.xml")
    from twiml.migrate import migrate

    result = migrate(doc, "twilio")
    text = doc.dumps()
    assert 'speechModel="latest_long"' in text and 'statusCallbackUrl="https://example.com/t"' in text
    assert "model=" not in text.replace("speechModel", "")
    assert [(d.line, d.message.split(" ")[0]) for d in result.left] == [(6, "<AIGather>")]


def test_vendor_range_is_checked_with_its_source() -> None:
    doc = twiml.parse((DOCS / "texml_app.xml").read_bytes())
    (pause,) = [d for d in validate(doc, dialect="texml") if "Pause" in d.message]
    assert pause.severity == "warning" and "180" in pause.message and pause.source
    assert not [d for d in validate(doc) if "Pause" in d.message]  # Twilio has no maximum


def test_what_a_profile_does_not_know_is_info() -> None:
    doc = twiml.parse(b'<Response><Answer/><Say mystery="1" voice="Telnyx.KokoroTTS.af">hi</Say></Response>')
    found = validate(doc, dialect="texml")
    assert {d.severity for d in found} == {"info"} and len(found) == 2
    assert {d.severity for d in validate(doc)} >= {"warning"}


def test_profiles_are_overlays_of_the_one_grammar() -> None:
    texml, twilio = grammar_for("texml"), grammar_for("twilio")
    assert twilio is twiml.grammar.GRAMMAR
    record = texml.get("voice", "Record")
    assert record.attr("transcription") is not None and record.attr("transcribe") is None
    assert "Pay" not in texml.root("voice").children and "Pay" in twilio.root("voice").children
    assert texml.get("voice", "Dial").attr("timeout").max == 120  # type: ignore[union-attr]
    assert ("voice", "Verto") in notes_for("twilio").elements
    with pytest.raises(ValueError, match="texml"):
        grammar_for("plivo")


def test_dialect_comes_from_tool_twiml_and_the_command_line_wins(tmp_path: Path) -> None:
    shutil.copy(DOCS / "twilio_ivr.xml", tmp_path / "ivr.xml")
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\ndialect = "texml"\n')
    out = io.StringIO()
    assert main(["validate", str(tmp_path / "ivr.xml")], stdout=out, stderr=io.StringIO()) == 1
    assert out.getvalue().count("DIALECT-") == 3 and "[source: " in out.getvalue()
    out = io.StringIO()
    assert main(["validate", "--dialect", "twilio", str(tmp_path / "ivr.xml")], stdout=out) == 0
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\ndialect = "plivo"\n')
    err = io.StringIO()
    assert main(["validate", str(tmp_path / "ivr.xml")], stdout=io.StringIO(), stderr=err) == 2
    assert "dialect must be one of twilio, texml, cxml" in err.getvalue()
