"""Which vendor a document is written for (`twiml.dialects.detect`): what only one vendor's profile
has gives the document away; plain TwiML tells nothing. Real documents from ../shared/corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from shared_data import corpus_files, needs_corpus, params

import twiml
from twiml.dialects.detect import detect, evidence

DOCS = Path(__file__).parent / "dialect_docs"


def test_own_texml_document_is_texml_and_twilio_ivr_tells_nothing() -> None:
    assert detect(twiml.parse((DOCS / "texml_app.xml").read_bytes())) == "texml"
    assert detect(twiml.parse((DOCS / "twilio_ivr.xml").read_bytes())) is None


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        ('<Response><Record transcription="true"/></Response>', "texml"),  # TeXML's spelling of transcribe
        ("<Response><Suppression/></Response>", "texml"),
        ('<Response><Say voice="Telnyx.NaturalHD.Astra">Hi</Say></Response>', "texml"),
        ("<Response><Connect><AIAssistant/></Connect></Response>", "texml"),
        ("<Response><AIAssistant/></Response>", "texml"),  # out of place, but Telnyx's verb all the same
        ("<Response><Denoise>on</Denoise></Response>", "cxml"),
        ('<Response><Say voice="gcloud.en-US-Neural2-A">Hi</Say></Response>', "cxml"),
        ("<Response><Dial><Verto>a@b</Verto></Dial></Response>", "cxml"),
        ('<Response><Say voice="Polly.Joanna">Hi</Say><Dial timeout="20">+15550100</Dial></Response>', None),
        ("<Response><Denoise>on</Denoise><Suppression/></Response>", None),  # one each: a tie tells nothing
        ("<Response><Denoise>on</Denoise><Suppression/><Suppression/></Response>", "texml"),
        ("<Response><!-- <AIGather/> --><Foo/></Response>", None),
    ],
)
def test_vendor_only_constructs_tell_the_vendor(xml: str, expected: str | None) -> None:
    assert detect(twiml.parse(xml)) == expected


def test_evidence_counts_each_construct() -> None:
    doc = twiml.parse(
        '<Response><HttpRequest><Request url="https://example.com/a"/><Response><Field name="x" path="a"/>'
        "</Response></HttpRequest></Response>"
    )
    # four elements (<HttpRequest>, its <Request>, its inner <Response> and <Field>) and the three
    # attributes only their TeXML entries have (url, name, path)
    assert evidence(doc) == {"texml": 7, "cxml": 0}


@needs_corpus
@pytest.mark.parametrize("path", params(corpus_files("texml")))
def test_real_texml_is_never_taken_for_cxml(path: Path | None) -> None:
    assert path is not None
    assert detect(twiml.parse(path.read_bytes())) in ("texml", None)


@needs_corpus
@pytest.mark.parametrize("path", params(corpus_files("cxml")))
def test_real_cxml_is_never_taken_for_texml(path: Path | None) -> None:
    assert path is not None
    assert detect(twiml.parse(path.read_bytes())) in ("cxml", None)


@needs_corpus
def test_real_documents_with_vendor_constructs_are_detected() -> None:
    texml = {p.name: detect(twiml.parse(p.read_bytes())) for p in corpus_files("texml")}
    cxml = {p.name: detect(twiml.parse(p.read_bytes())) for p in corpus_files("cxml")}
    assert texml["Vijaypepakayala__ai__aigather.xml"] == "texml"
    assert texml["team-telnyx__ai__realtime-transcription.xml"] == "texml"
    assert cxml["signalwire__docs__denoise-on.xml"] == "cxml"
    assert cxml["signalwire__docs__tts-gcloud-neural2.xml"] == "cxml"
    # 2026-12-06: 7 of 23 TeXML and 14 of 25 cXML documents use something only their vendor has
    assert sum(v == "texml" for v in texml.values()) >= 7
    assert sum(v == "cxml" for v in cxml.values()) >= 14
