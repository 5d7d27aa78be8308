"""The documents in `sample_flows/`: well-formed, exactly what our builder writes, valid TwiML.

Each sample has a recipe here that rebuilds it with the builder API, so the files double as
builder examples and a check that `to_xml(pretty=True)` output stays stable.  To rewrite the
files from the recipes, run from the repository root:
`python -c "from tests.test_sample_flows import write_samples; write_samples()"`.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from twiml import GenericNode, TwiML
from twiml.base import Comment
from twiml.fax_response import FaxResponse
from twiml.grammar_types import Element
from twiml.messaging_response import MessagingResponse
from twiml.voice_response import Dial, Gather, VoiceResponse

SAMPLES = Path(__file__).resolve().parent.parent / "sample_flows"
DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def _note(text: str) -> Comment:
    """A short explanatory XML comment; padded with spaces the way people write them."""
    return Comment(f" {text} ")


# --- recipes: one function per sample file -------------------------------------------------


def ivr_main_menu() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Main menu: caller presses a key or says a department; /menu routes the choice."))
    g: Gather = r.gather(
        input="dtmf speech",
        num_digits=1,
        action="/menu",
        method="POST",
        timeout=6,
        speech_timeout="auto",
        hints="sales, support, billing, operator",
        language="en-US",
    )
    g.say("Thank you for calling Acme Corporation.", voice="Polly.Joanna-Neural", language="en-US")
    g.say("For sales, press 1 or say sales.", voice="Polly.Joanna-Neural", language="en-US")
    g.say("For technical support, press 2 or say support.", voice="Polly.Joanna-Neural", language="en-US")
    g.say("For billing, press 3 or say billing.", voice="Polly.Joanna-Neural", language="en-US")
    g.say("To speak with an operator, press 0.", voice="Polly.Joanna-Neural", language="en-US")
    r.append(_note("Reached only when the caller gave no input before the timeout."))
    r.say("Sorry, we did not receive your selection.", voice="Polly.Joanna-Neural", language="en-US")
    r.redirect("/voice/incoming", method="POST")
    return r


VOICE = {"voice": "Polly.Joanna-Neural", "language": "en-US"}


def menu_retry() -> TwiML:
    r = VoiceResponse()
    r.append(_note("/menu/speech default: the caller said or pressed something the menu does not offer."))
    r.say("Sorry, I did not catch that.", **VOICE)
    r.redirect("/voice/incoming", method="POST")
    return r


def sales() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Sales: ring the sales desk; /dial-complete continues after the call or when nobody answers."))
    r.say("Connecting you to sales.", **VOICE)
    d: Dial = r.dial(action="/dial-complete", method="POST", caller_id="+15551234567", timeout=20)
    d.number("+15557650001")
    return r


def support() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Support: queue the caller; /support/hold-music (queue_hold_music.xml) plays while they wait."))
    r.say("All of our support agents are busy. Please stay on the line.", **VOICE)
    r.enqueue(
        "support",
        action="/support/queue-exit",
        method="POST",
        wait_url="/support/hold-music",
        wait_url_method="POST",
        max_queue_size=50,
    )
    return r


def queue_hold_music() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Enqueue waitUrl: announce, play hold music, then Twilio fetches this URL again."))
    r.say("Thank you for your patience. Your call is important to us.", **VOICE)
    r.play("https://assets.example.com/audio/hold-music.mp3", loop=3)
    return r


def billing() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Billing: ring the billing team; /dial-complete takes over when the call ends."))
    r.say("Connecting you to billing. Please have your account number ready.", **VOICE)
    d: Dial = r.dial(action="/dial-complete", method="POST", caller_id="+15551234567", timeout=20)
    d.number("+15557650003")
    return r


def operator() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Operator: the agent first hears /operator/screen (call_screening_whisper.xml) and accepts."))
    r.say("Please hold while we connect you to an operator.", **VOICE)
    d: Dial = r.dial(
        action="/dial-complete",
        method="POST",
        caller_id="+15551234567",
        timeout=20,
        answer_on_bridge=True,
        record="record-from-answer-dual",
        recording_status_callback="/operator/recording-status",
    )
    d.number(
        "+15557654321",
        url="/operator/screen",
        method="POST",
        status_callback="/operator/number-status",
        status_callback_event="initiated ringing answered completed",
    )
    return r


def call_screening_whisper() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Whisper played to the agent (Number url) before bridging: press 1 to accept the call."))
    g: Gather = r.gather(num_digits=1, action="/operator/screen/accept", method="POST", timeout=8)
    g.say("Incoming call from a customer. Press 1 to accept, or hang up to decline.", **VOICE)
    r.say("No response received. Disconnecting.", **VOICE)
    r.hangup()
    return r


def call_screening_accept() -> TwiML:
    r = VoiceResponse()
    r.append(_note("The agent pressed 1: ending the whisper document bridges the two calls."))
    r.say("Connecting.", **VOICE)
    return r


def call_screening_decline() -> TwiML:
    r = VoiceResponse()
    r.append(_note("Any other key declines: hanging up the agent's leg sends the caller to /dial-complete."))
    r.hangup()
    return r


def voicemail() -> TwiML:
    r = VoiceResponse()
    r.append(_note("After-hours voicemail: record up to two minutes and transcribe it."))
    r.say(
        "You have reached Acme support after hours. Please leave your name, number and a short message after the tone.",
        voice="Polly.Matthew-Neural",
        language="en-US",
    )
    r.record(
        action="/voicemail/complete",
        method="POST",
        max_length=120,
        timeout=5,
        finish_on_key="#",
        play_beep=True,
        trim="trim-silence",
        transcribe=True,
        transcribe_callback="/voicemail/transcription",
        recording_status_callback="/voicemail/recording-status",
        recording_status_callback_event="completed",
    )
    r.append(_note("Twilio continues here only when nothing was recorded."))
    r.say("We did not receive a message. Goodbye.", voice="Polly.Matthew-Neural", language="en-US")
    r.hangup()
    return r


def voicemail_saved() -> TwiML:
    r = VoiceResponse()
    r.append(_note("/voicemail/complete with a recording: thank the caller and hang up."))
    r.say(
        "Thank you. Your message has been saved and we will call you back.",
        voice="Polly.Matthew-Neural",
        language="en-US",
    )
    r.hangup()
    return r


def goodbye() -> TwiML:
    r = VoiceResponse()
    r.append(_note("The end of every completed call."))
    r.say("Thank you for calling Acme Corporation. Goodbye.", **VOICE)
    r.hangup()
    return r


def sms_auto_reply() -> TwiML:
    r = MessagingResponse()
    r.append(_note("/sms/incoming default: any message that is not a keyword."))
    r.message("Thanks for texting Acme Support. Reply HOURS for our opening hours, HELP for help, STOP to unsubscribe.")
    return r


def sms_help() -> TwiML:
    r = MessagingResponse()
    r.append(_note("Keyword HELP."))
    r.message(
        "Acme Support: call +1 555 123 4567 or visit acme.example.com/help. Msg and data rates may apply. Reply STOP to unsubscribe."
    )
    return r


def sms_stop() -> TwiML:
    r = MessagingResponse()
    r.append(_note("Keyword STOP: confirm the opt-out (Twilio also blocks further messages to this number)."))
    r.message("You are unsubscribed from Acme Support messages. Reply START to subscribe again.")
    return r


def sms_hours() -> TwiML:
    r = MessagingResponse()
    r.append(_note("Keyword HOURS."))
    m = r.message()
    m.body("Acme Support is open Mon-Fri 8am-8pm and Sat 9am-5pm ET. Reply HELP for help or STOP to unsubscribe.")
    return r


def fax_receive() -> TwiML:
    r = FaxResponse()
    r.append(_note("Accept incoming faxes as PDF and keep them in Twilio's media storage."))
    r.receive(media_type="application/pdf", page_size="letter", store_media=True)
    return r


RECIPES: dict[str, Callable[[], TwiML]] = {
    "ivr_main_menu.xml": ivr_main_menu,
    "menu_retry.xml": menu_retry,
    "sales.xml": sales,
    "support.xml": support,
    "queue_hold_music.xml": queue_hold_music,
    "billing.xml": billing,
    "operator.xml": operator,
    "call_screening_whisper.xml": call_screening_whisper,
    "call_screening_accept.xml": call_screening_accept,
    "call_screening_decline.xml": call_screening_decline,
    "voicemail.xml": voicemail,
    "voicemail_saved.xml": voicemail_saved,
    "goodbye.xml": goodbye,
    "sms_auto_reply.xml": sms_auto_reply,
    "sms_help.xml": sms_help,
    "sms_stop.xml": sms_stop,
    "sms_hours.xml": sms_hours,
    "fax_receive.xml": fax_receive,
}

DIALECT = {
    name: "messaging" if name.startswith("sms_") else "fax" if name.startswith("fax_") else "voice" for name in RECIPES
}

REQUIRED = {
    "ivr_main_menu.xml",
    "sales.xml",
    "support.xml",
    "queue_hold_music.xml",
    "billing.xml",
    "operator.xml",
    "call_screening_whisper.xml",
    "voicemail.xml",
    "sms_auto_reply.xml",
    "sms_help.xml",
    "sms_stop.xml",
    "sms_hours.xml",
    "fax_receive.xml",
}

FILES = sorted(p.name for p in SAMPLES.glob("*.xml"))


def _text(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def _rebuild(element: etree._Element) -> TwiML:
    """A node tree mirroring the lxml tree element by element, independent of our parser."""
    text = element.text if element.text and element.text.strip() else None  # indentation is not content
    assert isinstance(element.tag, str)  # comments are handled by the caller
    node = GenericNode(element.tag, text)
    node.attrs = dict(element.attrib)
    for child in element:
        if isinstance(child, etree._Comment):
            node.append(Comment(child.text or ""))
        else:
            node.append(_rebuild(child))
        if child.tail and child.tail.strip():
            node.append(child.tail)
    return node


# --- tests ---------------------------------------------------------------------------------


def test_every_required_sample_exists_and_every_file_has_a_recipe() -> None:
    assert set(FILES) >= REQUIRED
    assert set(FILES) == set(RECIPES)


@pytest.mark.parametrize("name", FILES)
def test_sample_is_well_formed_twiml(name: str) -> None:
    text = _text(name)
    assert text.startswith(DECL + "\n")
    assert text.endswith("</Response>\n")
    root = etree.fromstring(text.encode("utf-8"))
    assert root.tag == "Response"
    assert [c for c in root if not isinstance(c, etree._Comment)], "every sample does something"


@pytest.mark.parametrize("name", FILES)
def test_sample_is_exactly_the_builders_pretty_output(name: str) -> None:
    assert RECIPES[name]().to_xml(pretty=True) == _text(name)


@pytest.mark.parametrize("name", FILES)
def test_sample_survives_an_lxml_rebuild_through_the_pretty_writer(name: str) -> None:
    text = _text(name)
    root = etree.fromstring(text.encode("utf-8"))
    assert _rebuild(root).to_xml(pretty=True) == text


@pytest.mark.parametrize("name", FILES)
def test_sample_attributes_are_known_to_the_grammar(name: str) -> None:
    """Every element and attribute is in the grammar table, and enum/list values are allowed."""
    from twiml.grammar import GRAMMAR

    dialect = DIALECT[name]
    root = etree.fromstring(_text(name).encode("utf-8"))

    def walk(element: etree._Element, parent: Element | None) -> None:
        tag = element.tag
        assert isinstance(tag, str)  # comments are skipped below
        spec = GRAMMAR.root(dialect) if parent is None else GRAMMAR.child(parent, tag)
        assert spec is not None, f"<{tag}> is not a documented child here"
        for key, value in element.attrib.items():
            attr = spec.attr(key)
            assert attr is not None, f"<{tag}> has no attribute {key!r}"
            if attr.values and not attr.open:
                tokens = value.split() if attr.type == "list" else [value]
                assert set(tokens) <= set(attr.values), f"{tag}@{key}={value!r}"
        for child in element:
            if not isinstance(child, etree._Comment):
                walk(child, spec)

    walk(root, None)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("name", FILES)
def test_sample_round_trips_through_the_parser(name: str) -> None:
    if not _has("twiml.parser"):
        pytest.skip("twiml.parser not written yet")
    import twiml

    text = _text(name)
    doc = twiml.parse(text)
    assert doc.to_xml(pretty=True) == text


@pytest.mark.parametrize("name", FILES)
def test_sample_validates_without_errors(name: str) -> None:
    if not (_has("twiml.parser") and _has("twiml.validator")):
        pytest.skip("twiml.parser / twiml.validator not written yet")
    import twiml

    diagnostics = list(twiml.validate(twiml.parse(_text(name))))
    errors = [d for d in diagnostics if d.severity == "error"]
    assert errors == [], errors


def write_samples() -> None:
    """Regenerate every sample file from its recipe (a maintenance helper, not a test)."""
    SAMPLES.mkdir(exist_ok=True)
    for file_name, recipe in RECIPES.items():
        (SAMPLES / file_name).write_text(recipe().to_xml(pretty=True), encoding="utf-8")
        print("wrote", SAMPLES / file_name, file=sys.stderr)
