"""The collected corpus (../shared/corpus/real/ and malformed/): documented, validated as recorded.

The round trips themselves run in test_source.py and tests/editor/test_document_source.py; here:
every collected file is listed in ../shared/corpus/INDEX.md with its provenance, what `validate` reports
for real-world TwiML is pinned (clean, or the findings below), and the malformed documents fail to
parse at the place recorded for them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from shared_data import CORPUS, corpus_files, needs_corpus

import twiml
from twiml import TwiMLParseError
from twiml.source import load
from twiml.validator import validate

pytestmark = needs_corpus

REAL = corpus_files("real")
MALFORMED = corpus_files("malformed")
INDEX = (CORPUS / "INDEX.md").read_text(encoding="utf-8") if CORPUS.is_dir() else ""

# What validate reports (warnings and errors) for collected documents that are not clean.
FINDINGS: dict[str, set[tuple[str, str, int]]] = {
    # <Say>\n      \n    </Say>: nothing to speak.
    "TheMagic-AI__TwilioXML__voice.xml": {("warning", "13520", 3)},
    # <Redirect></Redirect> in Twilio's own queueing sample; Twilio documents the URL as the noun and
    # says nothing of an empty one (listed as doubtful in the INDEX).
    "TwilioDevEd__api-snippets__queue-redirect.xml": {("error", "TWIML-MISSING-CONTENT", 7)},
    # say-as role= is what older helper libraries wrote; Twilio documents format= (twilio 9.13 too).
    "TwilioDevEd__twiml-generator__ssml.xml": {("warning", "12200", 3)},
    # A Django template: {# ... #} comments are text to an XML parser; voice woman has no ja-JP.
    "umebosh__TwiML_Sample__twiml.xml": {("warning", "12200", 3), ("warning", "TWIML-VOICE-LANGUAGE", 5)},
    # Written for a Twilio-compatible provider: statusCallbackEvent with commas, answerOnBridge on <Number>.
    "Danish-Asghar2909__mp3.xml__answerOnBridgeInDial.xml": {("warning", "12200", 3)},
    "Danish-Asghar2909__mp3.xml__dialCallerId2.xml": {("warning", "12200", 4)},
    # <Pause length="0"/>: Twilio's minimum is 1.
    "Danish-Asghar2909__mp3.xml__steerling.xml": {("warning", "13910", 3)},
    # method="post": TwiML values are case-sensitive (listed as doubtful in the INDEX).
    "nelsonroque__Twilio_VoiceSMS_Automation__getNumForSMS.xml": {("warning", "13312", 3)},
}

# Malformed documents: (line, column) of the parse error.
PARSE_ERRORS = {
    "yamamanx__yamamugi_handson_from_twilio__api_gateway_response.xml": (1, 1),  # a VTL template: #set(...)
    "Danish-Asghar2909__mp3.xml__sip_test_version_eight.xml": (3, 79),  # the unescaped '&' itself
}


def _listed(section: str) -> set[str]:
    body = INDEX.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    return {Path(m).name for m in re.findall(r"^\| `([^`]+\.xml)` \|", body, flags=re.MULTILINE)}


def test_collected_corpus_is_there() -> None:
    repositories = {p.name.split("__")[0] + "/" + p.name.split("__")[1] for p in REAL}
    assert len(REAL) >= 100 and len(repositories) >= 40


def test_index_lists_every_collected_and_malformed_document() -> None:
    assert _listed("Collected documents") == {p.name for p in REAL}
    assert _listed("Malformed documents") == {p.name for p in MALFORMED} == set(PARSE_ERRORS)


def test_index_gives_repository_path_and_commit() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| ([\w.-]+/[\w.-]+) \| `([^`]+)` \| `([0-9a-f]{40})` \|", INDEX, re.MULTILINE)
    named = {Path(f).name: repo for f, repo, _, _ in rows}
    for path in [*REAL, *MALFORMED]:
        owner, repo = path.name.split("__")[:2]
        assert named.get(path.name) == f"{owner}/{repo}", path.name


def test_collected_documents_are_distinct() -> None:
    contents = [p.read_bytes() for p in REAL]
    assert len(set(contents)) == len(contents)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.name)
def test_collected_document_validates_as_recorded(path: Path) -> None:
    found = {
        (d.severity, str(d.code), d.line or 0) for d in validate(twiml.parse(path.read_bytes())) if d.severity != "info"
    }
    assert found == FINDINGS.get(path.name, set())


@pytest.mark.parametrize("path", MALFORMED, ids=lambda p: p.name)
def test_malformed_document_fails_at_the_recorded_place(path: Path) -> None:
    original = path.read_bytes()
    with pytest.raises(TwiMLParseError) as info:
        load(path)
    assert (info.value.line, info.value.column) == PARSE_ERRORS[path.name]
    assert info.value.filename == str(path)
    assert path.read_bytes() == original
