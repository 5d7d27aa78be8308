"""Each validator check: a document that triggers it and a near-identical one that does not.

Documents are built with the builder API (the editor validates built documents) and, further
down, parsed from XML so that line and column numbers are checked too.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import twiml
from twiml import GenericNode, TwiML, fax_response, messaging_response, rules, voice_response
from twiml.base import Comment
from twiml.fax_response import FaxResponse
from twiml.grammar import GRAMMAR
from twiml.messaging_response import MessagingResponse
from twiml.validator import Diagnostic, validate
from twiml.voice_response import (
    Connect,
    Dial,
    Enqueue,
    Gather,
    Pay,
    Prompt,
    Say,
    SsmlP,
    SsmlS,
    Start,
    Stream,
    VoiceResponse,
)

Found = tuple[str, "int | str", str]


def found(doc: TwiML) -> list[Found]:
    return [(d.severity, d.code, d.path) for d in validate(doc)]


def voice(*verbs: TwiML | str) -> VoiceResponse:
    r = VoiceResponse()
    for v in verbs:
        r.append(v)
    return r


def gather(*verbs: TwiML | str, **kw: object) -> Gather:
    g = Gather(**kw)
    for v in verbs:
        g.append(v)
    return g


def dial(*nouns: TwiML | str, **kw: object) -> Dial:
    d = Dial(**kw)
    for n in nouns:
        d.append(n)
    return d


def say(text: object = "Hi", **kw: object) -> Say:
    return Say(text, **kw)


def messaging(*messages: TwiML) -> MessagingResponse:
    m = MessagingResponse()
    for x in messages:
        m.append(x)
    return m


def message(body: str | None = "Hi", media: int = 0, bodies: tuple[str, ...] = ()) -> TwiML:
    from twiml.messaging_response import Message

    msg = Message(body)
    for b in bodies:
        msg.body(b)
    for i in range(media):
        msg.media(f"https://example.com/{i}.png")
    return msg


def with_child(parent: TwiML, *kids: TwiML | str) -> TwiML:
    for k in kids:
        parent.append(k)
    return parent


Factory = Callable[[], TwiML]

# (id, document that triggers the check, document that does not, expected finding)
CASES: list[tuple[str, Factory, Factory, Found]] = [
    # structure
    (
        "root_not_response",
        lambda: with_child(GenericNode("Document", None), say()),
        lambda: voice(say()),
        ("error", 12102, "Document"),
    ),
    (
        "dial_inside_gather",
        lambda: voice(gather(dial("+15551234567"))),
        lambda: voice(gather(say(), twiml.voice_response.Pause(), twiml.voice_response.Play("a.mp3"))),
        ("warning", 13320, "Response/Gather[1]/Dial[1]"),
    ),
    (
        "say_inside_dial",
        lambda: voice(dial(say())),
        lambda: voice(dial("+15551234567")),
        ("warning", 13215, "Response/Dial[1]/Say[1]"),
    ),
    (
        "say_inside_start",
        lambda: voice(with_child(Start(), say())),
        lambda: voice(with_child(Start(), Stream(url="wss://example.com/s"))),
        ("error", 14300, "Response/Start[1]/Say[1]"),
    ),
    (
        "voice_verb_in_messaging",
        lambda: messaging(say()),
        lambda: messaging(message()),
        ("warning", 14110, "Response/Say[1]"),
    ),
    (
        "voice_name_as_generic_node_in_messaging",
        lambda: messaging(GenericNode("Play", "a.mp3")),
        lambda: messaging(GenericNode("Message", "hi")),
        ("warning", 14110, "Response/Play[1]"),
    ),
    (
        "builder_only_top_level_prompt",
        lambda: voice(Prompt(for_="payment-card-number")),
        lambda: voice(with_child(Pay(), Prompt(for_="payment-card-number"))),
        ("warning", 12200, "Response/Prompt[1]"),
    ),
    (
        "builder_only_top_level_queue",
        lambda: voice(twiml.voice_response.Queue("support")),
        lambda: voice(dial(twiml.voice_response.Queue("support"))),
        ("warning", 12200, "Response/Queue[1]"),
    ),
    (
        "ssml_p_inside_s",
        lambda: voice(with_child(Say(), with_child(SsmlS(), SsmlP("x")))),
        lambda: voice(with_child(Say(), with_child(SsmlP(), SsmlS("x")))),
        ("warning", 12200, "Response/Say[1]/s[1]/p[1]"),
    ),
    (
        "unknown_element",
        lambda: voice(GenericNode("Speak", "hi")),
        lambda: voice(GenericNode("Say", "hi")),
        ("warning", 12200, "Response/Speak[1]"),
    ),
    (
        "text_in_element_without_body",
        lambda: voice(gather(say(), "press one")),
        lambda: voice(gather(say(), "\n   ", Comment(" note "))),
        ("warning", 12200, "Response/Gather[1]"),
    ),
    ("text_in_response", lambda: voice(say(), "stray"), lambda: voice(say(), "  \n"), ("warning", 12200, "Response")),
    # attributes
    (
        "unknown_attribute",
        lambda: voice(say(weirdAttr="x")),
        lambda: voice(say(loop=2)),
        ("warning", 12200, "Response/Say[1]"),
    ),
    (
        "int_not_integer",
        lambda: voice(gather(num_digits="four")),
        lambda: voice(gather(num_digits="4")),
        ("warning", 13314, "Response/Gather[1]"),
    ),
    (
        "int_python_float",
        lambda: voice(gather(timeout=5.0)),
        lambda: voice(gather(timeout=5)),
        ("warning", 13313, "Response/Gather[1]"),
    ),
    (
        "int_above_max",
        lambda: voice(dial("+15551234567", timeout=601)),
        lambda: voice(dial("+15551234567", timeout=600)),
        ("warning", 13212, "Response/Dial[1]"),
    ),
    (
        "int_below_min",
        lambda: voice(twiml.voice_response.Pause(length=0)),
        lambda: voice(twiml.voice_response.Pause(length=1)),
        ("warning", 13910, "Response/Pause[1]"),
    ),
    (
        "bool_not_boolean",
        lambda: voice(twiml.voice_response.Record(play_beep="yes")),
        lambda: voice(twiml.voice_response.Record(play_beep=False)),
        ("warning", 13616, "Response/Record[1]"),
    ),
    (
        "bool_wrong_case",
        lambda: voice(twiml.voice_response.Record(play_beep="True")),
        lambda: voice(twiml.voice_response.Record(play_beep="true")),
        ("warning", 13616, "Response/Record[1]"),
    ),
    (
        "float_not_number",
        lambda: voice(Pay(charge_amount="ten")),
        lambda: voice(Pay(charge_amount="10.50")),
        ("error", 64003, "Response/Pay[1]"),
    ),
    (
        "float_out_of_range",
        lambda: voice(
            with_child(
                Connect(), twiml.voice_response.ConversationRelay(url="wss://x.example/r", eager_eot_threshold=0.95)
            )
        ),
        lambda: voice(
            with_child(
                Connect(), twiml.voice_response.ConversationRelay(url="wss://x.example/r", eager_eot_threshold=0.9)
            )
        ),
        ("warning", 12200, "Response/Connect[1]/ConversationRelay[1]"),
    ),
    (
        "enum_bad_method",
        lambda: voice(dial("+15551234567", method="PUT")),
        lambda: voice(dial("+15551234567", method="GET")),
        ("warning", 13210, "Response/Dial[1]"),
    ),
    (
        "enum_wrong_case",
        lambda: voice(twiml.voice_response.Redirect("/x", method="post")),
        lambda: voice(twiml.voice_response.Redirect("/x", method="POST")),
        ("warning", 13710, "Response/Redirect[1]"),
    ),
    (
        "enum_without_code",
        lambda: voice(twiml.voice_response.Reject(reason="maybe")),
        lambda: voice(twiml.voice_response.Reject(reason="busy")),
        ("warning", 12200, "Response/Reject[1]"),
    ),
    (
        "enum_grammar_gap_alias",
        lambda: voice(dial("+15551234567", record="yes")),
        lambda: voice(dial("+15551234567", record="true")),
        ("warning", 13217, "Response/Dial[1]"),
    ),
    (
        "open_enum_unknown_voice_is_warning",
        lambda: voice(say(voice="Polly.Nobody-Neural")),
        lambda: voice(say(voice="Polly.Joanna-Neural")),
        ("info", 13511, "Response/Say[1]"),
    ),
    (
        "open_enum_unknown_language_is_warning",
        lambda: voice(gather(language="xx-YY")),
        lambda: voice(gather(language="en-GB")),
        ("info", 13331, "Response/Gather[1]"),
    ),
    (
        "list_bad_token",
        lambda: voice(gather(input="dtmf voice")),
        lambda: voice(gather(input=["dtmf", "speech"])),
        ("warning", 13326, "Response/Gather[1]"),
    ),
    (
        "list_python_repr",
        lambda: voice(
            dial(twiml.voice_response.Number("+15551234567", status_callback_event="['initiated', 'answered']"))
        ),
        lambda: voice(
            dial(twiml.voice_response.Number("+15551234567", status_callback_event=("initiated", "answered")))
        ),
        ("warning", 12200, "Response/Dial[1]/Number[1]"),
    ),
    (
        "list_commas",
        lambda: voice(twiml.voice_response.Record(recording_status_callback_event="in-progress,completed")),
        lambda: voice(twiml.voice_response.Record(recording_status_callback_event="in-progress completed")),
        ("error", 13621, "Response/Record[1]"),
    ),
    (
        "list_int_items",
        lambda: voice(with_child(Pay(), Prompt(attempt="1 x"))),
        lambda: voice(with_child(Pay(), Prompt(attempt=[1, 2]))),
        ("warning", 12200, "Response/Pay[1]/Prompt[1]"),
    ),
    (
        "url_with_space",
        lambda: voice(gather(action="/next step")),
        lambda: voice(gather(action="/next-step")),
        ("error", 11100, "Response/Gather[1]"),
    ),
    (
        "url_with_code",
        lambda: voice(with_child(Start(), Stream(url="wss://example.com/a b"))),
        lambda: voice(with_child(Start(), Stream(url="wss://example.com/ab"))),
        ("error", 31922, "Response/Start[1]/Stream[1]"),
    ),
    (
        "url_scheme_stream",
        lambda: voice(with_child(Connect(), Stream(url="https://example.com/s"))),
        lambda: voice(with_child(Connect(), Stream(url="WSS://example.com/s"))),
        ("error", 31922, "Response/Connect[1]/Stream[1]"),
    ),
    (
        "url_scheme_relay",
        lambda: voice(with_child(Connect(), twiml.voice_response.ConversationRelay(url="ws://x.example/r"))),
        lambda: voice(with_child(Connect(), twiml.voice_response.ConversationRelay(url="wss://x.example/r"))),
        ("error", 11100, "Response/Connect[1]/ConversationRelay[1]"),
    ),
    (
        "url_empty",
        lambda: voice(gather(action="")),
        lambda: voice(dial(twiml.voice_response.Conference("r", wait_url=""))),
        ("warning", 11100, "Response/Gather[1]"),
    ),
    (
        "url_padded",
        lambda: voice(gather(action=" /next ")),
        lambda: voice(gather(action="/next")),
        ("warning", 11100, "Response/Gather[1]"),
    ),
    (
        "pattern_play_digits",
        lambda: voice(twiml.voice_response.Play(digits="12x")),
        lambda: voice(twiml.voice_response.Play(digits="w1W#*D")),
        ("warning", 13430, "Response/Play[1]"),
    ),
    (
        "pattern_record_finish_on_key",
        lambda: voice(twiml.voice_response.Record(finish_on_key="a")),
        lambda: voice(twiml.voice_response.Record(finish_on_key="")),
        ("warning", 13613, "Response/Record[1]"),
    ),
    (
        "max_length",
        lambda: voice(dial(twiml.voice_response.Conference("r", participant_label="x" * 129))),
        lambda: voice(dial(twiml.voice_response.Conference("r", participant_label="x" * 128))),
        ("error", 16023, "Response/Dial[1]/Conference[1]"),
    ),
    (
        "required_attribute",
        lambda: voice(with_child(twiml.voice_response.Hangup(), twiml.voice_response.Parameter(value="v"))),
        lambda: voice(with_child(twiml.voice_response.Hangup(), twiml.voice_response.Parameter(name="n", value="v"))),
        ("warning", 12200, "Response/Hangup[1]/Parameter[1]"),
    ),
    (
        "gather_say_voice_code",
        lambda: voice(gather(say(voice="robot"))),
        lambda: voice(gather(say(voice="woman"))),
        ("info", 13321, "Response/Gather[1]/Say[1]"),
    ),
    (
        "gather_say_loop_code",
        lambda: voice(gather(say(loop=-1))),
        lambda: voice(gather(say(loop=0))),
        ("warning", 13322, "Response/Gather[1]/Say[1]"),
    ),
    (
        "play_digits_inside_gather",
        lambda: voice(gather(twiml.voice_response.Play(digits="1"))),
        lambda: voice(gather(twiml.voice_response.Play("beep.mp3"))),
        ("warning", 13320, "Response/Gather[1]/Play[1]"),
    ),
    (
        "connect_stream_track",
        lambda: voice(with_child(Connect(), Stream(url="wss://e.com/s", track="both_tracks"))),
        lambda: voice(with_child(Start(), Stream(url="wss://e.com/s", track="both_tracks"))),
        ("error", 31941, "Response/Connect[1]/Stream[1]"),
    ),
    (
        "doubtful_range_is_only_a_warning",
        lambda: voice(Enqueue("q", max_queue_size=0)),
        lambda: voice(Enqueue("q", max_queue_size=1)),
        ("warning", 12200, "Response/Enqueue[1]"),
    ),
    (
        "ssml_say_as_open_values",
        lambda: voice(
            with_child(Say(voice="Google.en-US-Neural2-A"), twiml.voice_response.SsmlSayAs("$5", interpret_as="moneyz"))
        ),
        lambda: voice(
            with_child(
                Say(voice="Google.en-US-Neural2-A"), twiml.voice_response.SsmlSayAs("5", interpret_as="cardinal")
            )
        ),
        ("info", 12200, "Response/Say[1]/say-as[1]"),
    ),
    # body
    (
        "required_body_redirect",
        lambda: voice(twiml.voice_response.Redirect("  ")),
        lambda: voice(twiml.voice_response.Redirect("/next")),
        ("error", "TWIML-MISSING-CONTENT", "Response/Redirect[1]"),
    ),
    (
        "required_body_number",
        lambda: voice(dial(twiml.voice_response.Number(""))),
        lambda: voice(dial(twiml.voice_response.Number("+15551234567"))),
        ("error", "TWIML-MISSING-CONTENT", "Response/Dial[1]/Number[1]"),
    ),
    (
        "required_body_queue_code",
        lambda: voice(dial(twiml.voice_response.Queue(""))),
        lambda: voice(dial(twiml.voice_response.Queue("support"))),
        ("error", 14212, "Response/Dial[1]/Queue[1]"),
    ),
    (
        "play_needs_url_or_digits",
        lambda: voice(twiml.voice_response.Play()),
        lambda: voice(twiml.voice_response.Play(digits="1234")),
        ("error", "TWIML-MISSING-CONTENT", "Response/Play[1]"),
    ),
    (
        "dial_needs_something",
        lambda: voice(dial()),
        lambda: voice(dial(twiml.voice_response.Client("bob"))),
        ("error", "TWIML-MISSING-CONTENT", "Response/Dial[1]"),
    ),
    (
        "enqueue_needs_name_or_workflow",
        lambda: voice(Enqueue()),
        lambda: voice(Enqueue(workflow_sid="WW1")),
        ("error", 14204, "Response/Enqueue[1]"),
    ),
    (
        "say_empty",
        lambda: voice(say("")),
        lambda: voice(with_child(Say(), twiml.voice_response.SsmlBreak(time="1s"))),
        ("warning", 13520, "Response/Say[1]"),
    ),
    (
        "enqueue_name_too_long",
        lambda: voice(Enqueue("q" * 65)),
        lambda: voice(Enqueue("q" * 64)),
        ("error", 14205, "Response/Enqueue[1]"),
    ),
    (
        "queue_name_too_long",
        lambda: voice(dial(twiml.voice_response.Queue("q" * 65))),
        lambda: voice(dial(twiml.voice_response.Queue("q" * 64))),
        ("error", 14213, "Response/Dial[1]/Queue[1]"),
    ),
    (
        "task_not_json",
        lambda: voice(with_child(Enqueue("q"), twiml.voice_response.Task("{'a': 1}"))),
        lambda: voice(with_child(Enqueue("q"), twiml.voice_response.Task({"a": 1}))),
        ("error", 14221, "Response/Enqueue[1]/Task[1]"),
    ),
    (
        "say_too_long_default_voice",
        lambda: voice(say("a" * 4097)),
        lambda: voice(say("a" * 4096)),
        ("warning", 13521, "Response/Say[1]"),
    ),
    (
        "say_too_long_polly",
        lambda: voice(say("a" * 3001, voice="Polly.Joanna")),
        lambda: voice(say("a" * 5000, voice="Google.en-US-Standard-C")),
        ("warning", 13521, "Response/Say[1]"),
    ),
    (
        "say_too_long_with_ssml",  # the text inside SSML and between it counts too
        lambda: voice(
            with_child(say("a" * 2000, voice="Polly.Joanna"), twiml.voice_response.SsmlProsody("b" * 1000), " ")
        ),
        lambda: voice(with_child(say("a" * 2000, voice="Polly.Joanna"), twiml.voice_response.SsmlProsody("b" * 1000))),
        ("warning", 13521, "Response/Say[1]"),
    ),
    (
        "ssml_with_basic_voice",
        lambda: voice(with_child(say("Hi ", voice="man"), twiml.voice_response.SsmlBreak())),
        lambda: voice(with_child(say("Hi ", voice="Polly.Joanna"), twiml.voice_response.SsmlBreak())),
        ("warning", 13513, "Response/Say[1]"),
    ),
    # messaging
    (
        "message_empty",
        lambda: messaging(message(None)),
        lambda: messaging(message(None, media=1)),
        ("error", 21602, "Response/Message[1]"),
    ),
    (
        "message_body_too_long",
        lambda: messaging(message("a" * 1000, bodies=("b" * 601,))),
        lambda: messaging(message("a" * 1000, bodies=("b" * 600,))),
        ("error", 21617, "Response/Message[1]"),
    ),
    (
        "too_many_media",
        lambda: messaging(message(media=11)),
        lambda: messaging(message(media=10)),
        ("error", 21623, "Response/Message[1]"),
    ),
    (
        "too_many_messages",
        lambda: messaging(*[message() for _ in range(11)]),
        lambda: messaging(*[message() for _ in range(10)]),
        ("warning", 14109, "Response"),
    ),
    (
        "messaging_unreachable_after_redirect",
        lambda: messaging(twiml.messaging_response.Redirect("/next"), message()),
        lambda: messaging(message(), twiml.messaging_response.Redirect("/next")),
        ("warning", "TWIML-UNREACHABLE", "Response/Message[1]"),
    ),
    # dial
    (
        "too_many_numbers",
        lambda: voice(dial(*[twiml.voice_response.Number(f"+1555000{i:04}") for i in range(11)])),
        lambda: voice(dial(*[twiml.voice_response.Number(f"+1555000{i:04}") for i in range(10)])),
        ("warning", "TWIML-TOO-MANY-NOUNS", "Response/Dial[1]"),
    ),
    (
        "conference_with_number",
        lambda: voice(dial(twiml.voice_response.Conference("r"), twiml.voice_response.Number("+15551234567"))),
        lambda: voice(dial(twiml.voice_response.Conference("r"))),
        ("warning", 13000, "Response/Dial[1]"),
    ),
    (
        "record_transcribe_too_long",
        lambda: voice(twiml.voice_response.Record(transcribe=True, max_length=300)),
        lambda: voice(twiml.voice_response.Record(transcribe=True, max_length=120)),
        ("warning", 13615, "Response/Record[1]"),
    ),
    (
        "pay_bank_account_type_without_ach",
        lambda: voice(Pay(bank_account_type="consumer-savings")),
        lambda: voice(Pay(bank_account_type="consumer-savings", payment_method="ach-debit")),
        ("error", 64017, "Response/Pay[1]"),
    ),
    # reachability
    (
        "unreachable_after_hangup",
        lambda: voice(twiml.voice_response.Hangup(), say()),
        lambda: voice(say(), twiml.voice_response.Hangup()),
        ("warning", "TWIML-UNREACHABLE", "Response/Say[1]"),
    ),
    (
        "unreachable_after_reject",
        lambda: voice(twiml.voice_response.Reject(), say()),
        lambda: voice(twiml.voice_response.Reject()),
        ("warning", "TWIML-UNREACHABLE", "Response/Say[1]"),
    ),
    (
        "unreachable_after_redirect",
        lambda: voice(twiml.voice_response.Redirect("/x"), say(), say()),
        lambda: voice(say(), say(), twiml.voice_response.Redirect("/x")),
        ("warning", "TWIML-UNREACHABLE", "Response/Say[2]"),
    ),
    (
        "after_dial_action",
        lambda: voice(dial("+15551234567", action="/done"), say()),
        lambda: voice(dial("+15551234567"), say()),
        ("info", "TWIML-AFTER-ACTION", "Response/Say[1]"),
    ),
    (
        "after_gather_action_on_empty",
        lambda: voice(gather(say(), action_on_empty_result=True), say()),
        lambda: voice(gather(say(), action_on_empty_result=False), say()),
        ("info", "TWIML-AFTER-ACTION", "Response/Say[1]"),
    ),
    # fax
    (
        "fax_without_action",
        lambda: FaxResponse(),
        lambda: FaxResponse().append(twiml.fax_response.Receive()),
        ("error", 34106, "Response"),
    ),
    # size budgets
    (
        "response_too_large",
        lambda: voice(*[say("x" * 1000) for _ in range(66)]),
        lambda: voice(*[say("x" * 1000) for _ in range(3)]),
        ("error", 11750, "Response"),
    ),
    (
        "inline_budget",
        lambda: voice(*[say("x" * 1000) for _ in range(5)]),
        lambda: voice(*[say("x" * 1000) for _ in range(3)]),
        ("info", 32018, "Response"),
    ),
    ("not_writable_as_xml", lambda: voice(say("bell \x07")), lambda: voice(say("bell")), ("error", 12100, "Response")),
]


@pytest.mark.parametrize(("bad", "expected"), [pytest.param(c[1], c[3], id=c[0]) for c in CASES])
def test_check_fires(bad: Factory, expected: Found) -> None:
    assert expected in found(bad())


@pytest.mark.parametrize("good", [pytest.param(c[2], id=c[0]) for c in CASES])
def test_check_stays_quiet(good: Factory) -> None:
    assert [d for d in found(good()) if d != ("info", 32018, "Response")] == []


def test_quiet_documents_are_fully_clean_except_noted_budget() -> None:
    # the only expected noise among the quiet documents: the long-Say ones exceed 4,000 characters
    noisy = {c[0]: found(c[2]()) for c in CASES if found(c[2]())}
    assert set(noisy) == {"say_too_long_default_voice", "say_too_long_polly"}
    assert all(f == [("info", 32018, "Response")] for f in noisy.values())


def test_no_value_of_a_doubtful_attribute_is_an_error() -> None:
    doc = voice(dial(twiml.voice_response.Conference("r", max_participants=0)), Enqueue("q", max_queue_size="lots"))
    assert {d.severity for d in validate(doc)} == {"warning"}


def test_values_missing_from_open_tables_are_only_info() -> None:
    doc = voice(
        say("x", voice="Polly.Brand-New-Generative", language="xx-XX"),
        gather(language="tlh-QO", speech_model="deepgram_nova-9"),
    )
    assert {d.severity for d in validate(doc)} == {"info"}


def test_unknown_element_suggests_the_right_case() -> None:
    [d] = validate(voice(GenericNode("say", "hi")))
    assert d.severity == "warning" and d.code == 12200 and d.hint is not None and "<Say>" in d.hint


def test_unknown_element_children_are_still_walked() -> None:
    outer = GenericNode("Vendor", None)
    outer.append(say(loop="x"))
    got = found(voice(outer))
    assert ("warning", 12200, "Response/Vendor[1]") in got
    assert ("warning", 13510, "Response/Vendor[1]/Say[1]") in got


def test_generic_node_with_a_known_name_is_checked_like_the_class() -> None:
    assert found(voice(GenericNode("Pause", None, length="soon"))) == [("warning", 13910, "Response/Pause[1]")]


def test_misplaced_element_is_still_checked_inside() -> None:
    got = found(voice(gather(dial(twiml.voice_response.Number("+15551234567", method="PUT")))))
    assert got == [
        ("warning", 13320, "Response/Gather[1]/Dial[1]"),
        ("warning", 13221, "Response/Gather[1]/Dial[1]/Number[1]"),
    ]


def test_paths_count_same_named_siblings_from_one_and_skip_comments() -> None:
    r = voice(say(), Comment(" c "), gather(say(), say(), say(loop="x")), say(loop="y"))
    assert found(r) == [("warning", 13322, "Response/Gather[1]/Say[3]"), ("warning", 13510, "Response/Say[2]")]


def test_diagnostics_come_in_document_order() -> None:
    r = voice(say(loop="a"), gather(say(loop="b")), say(loop="c"))
    assert [d.message.split("=")[1][:3] for d in validate(r)] == ["'a'", "'b'", "'c'"]


def test_comment_does_not_end_or_break_reachability() -> None:
    assert found(voice(say(), Comment(" then hang up "), twiml.voice_response.Hangup(), Comment(" end "))) == []


def test_every_verb_after_an_ending_verb_is_reported() -> None:
    got = found(voice(twiml.voice_response.Hangup(), say(), twiml.voice_response.Pause(), say()))
    assert [g[2] for g in got] == ["Response/Say[1]", "Response/Pause[1]", "Response/Say[2]"]


def test_nested_verbs_are_not_reported_unreachable() -> None:
    assert found(voice(gather(say(), say()), twiml.voice_response.Hangup())) == []


def test_built_attribute_values_are_normalised_like_the_xml() -> None:
    ok = voice(gather(num_digits=3, profanity_filter=False, input=("dtmf",)), say(loop=0))
    assert found(ok) == []
    bad = voice(gather(num_digits=True))  # writes numDigits="true"
    assert found(bad) == [("warning", 13314, "Response/Gather[1]")]


def test_severities_are_the_three_documented_ones() -> None:
    r = voice(twiml.voice_response.Hangup(), say(loop="x"), GenericNode("Foo", None))
    assert {d.severity for d in validate(r)} <= {"error", "warning", "info"}


def test_deep_nesting_does_not_hit_the_recursion_limit() -> None:
    node: TwiML = GenericNode("Wrap", None)
    top = node
    for _ in range(sys.getrecursionlimit() + 100):
        kid = GenericNode("Wrap", None)
        node.append(kid)
        node = kid
    node.append(say(loop="x"))
    got = validate(voice(top))
    assert got[0].code == 12200 and got[-1].code == 13510


def test_validate_is_exported_lazily_from_the_package() -> None:
    assert twiml.validate is validate
    assert twiml.Diagnostic is Diagnostic


# --- Diagnostic -------------------------------------------------------------------------------


def test_format_with_position() -> None:
    d = Diagnostic("error", 13320, "<Dial> is not allowed inside <Gather>", "Response/Gather[1]/Dial[1]", 4, 5)
    assert d.format("menu.xml") == "menu.xml:4:5: error 13320 <Dial> is not allowed inside <Gather>"


def test_format_with_line_only_and_without_position() -> None:
    assert Diagnostic("warning", 12200, "m", "Response", 3).format("f.xml") == "f.xml:3:0: warning 12200 m"
    assert Diagnostic("info", "TWIML-AFTER-ACTION", "m", "Response/Say[1]").format() == (
        "-: info TWIML-AFTER-ACTION m (at Response/Say[1])"
    )


def test_diagnostic_equality_ignores_the_node() -> None:
    a = Diagnostic("error", 1, "m", "p", node=VoiceResponse())
    b = Diagnostic("error", 1, "m", "p", node=None)
    assert a == b and "node" not in repr(a)


# --- parsed documents: positions --------------------------------------------------------------

PARSED_CASES = [
    (
        "dial_in_gather",
        """<Response>
  <Gather>
    <Say>Hi</Say>
    <Dial>+15551234567</Dial>
  </Gather>
</Response>""",
        ("warning", 13320, 4, 5),
    ),
    (
        "bad_attribute_value",
        """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say loop="twice">Hi</Say>
</Response>""",
        ("warning", 13510, 3, 3),
    ),
    (
        "unknown_attribute",
        """<Response>

  <Play lop="2">a.mp3</Play>
</Response>""",
        ("warning", 12200, 3, 3),
    ),
    (
        "text_in_gather",
        """<Response><Gather>
  Press 1
</Gather></Response>""",
        ("warning", 12200, 1, 11),
    ),
    (
        "unreachable",
        """<Response>
  <Hangup/>
  <Say>bye</Say>
</Response>""",
        ("warning", "TWIML-UNREACHABLE", 3, 3),
    ),
    (
        "lowercase_verb",
        """<Response>
  <say>hi</say>
</Response>""",
        ("warning", 12200, 2, 3),
    ),
    (
        "ssml_capitalised",
        """<Response>
  <Say voice="Polly.Amy"><Emphasis>hi</Emphasis></Say>
</Response>""",
        ("warning", 12200, 2, 26),
    ),
    (
        "messaging_limits",
        """<Response>
  <Message>
"""
        + "".join(f"    <Media>https://e.com/{i}.png</Media>\n" for i in range(11))
        + """  </Message>
</Response>""",
        ("error", 21623, 2, 3),
    ),
]


@pytest.mark.parametrize(("xml", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in PARSED_CASES])
def test_parsed_document_reports_line_and_column(xml: str, expected: tuple[str, int | str, int, int]) -> None:
    got = [(d.severity, d.code, d.line, d.column) for d in validate(twiml.parse(xml))]
    assert expected in got


def test_parsed_and_built_documents_give_the_same_findings() -> None:
    built = voice(gather(dial("+15551234567"), num_digits="x"), twiml.voice_response.Hangup(), say(voice="robot"))
    parsed = twiml.parse(built.to_xml(pretty=True))
    assert found(parsed) == found(built)


def test_parsed_position_appears_in_format() -> None:
    [d] = validate(twiml.parse("<Response>\n  <Pause length='-3'/>\n</Response>"))
    assert d.format("p.xml") == "p.xml:2:3: warning 13910 <Pause> length='-3' is below the minimum 1"


# --- the rules table stays in step with the grammar ------------------------------------------


def test_rule_codes_are_codes_the_grammar_lists_for_that_element() -> None:
    for el in GRAMMAR.elements:
        if el.nesting_code != rules.SCHEMA:
            assert el.nesting_code in el.codes, el.cls
        for child, attr, code in el.child_attr_codes:
            [kid] = [k for k in GRAMMAR.allowed_children(el) if k.xml == child]
            assert code in kid.codes and kid.attr(attr) is not None, (el.cls, child, attr)
        if el.content is not None:
            if isinstance(el.content.code, int):
                assert el.content.code in el.codes, el.cls
            for name in el.content.attrs:
                assert el.attr(name) is not None, (el.cls, name)
        for limit_code in (el.text_limit[1] if el.text_limit else None, el.json_code):
            assert limit_code is None or limit_code in el.codes, (el.cls, limit_code)
        for ca in el.child_attrs:
            kid = GRAMMAR.get(el.kind, ca.child)
            assert ca.code in el.codes or ca.code in kid.codes, ca
            assert kid.attr(ca.attr) is not None, ca
    pay = GRAMMAR.get("voice", "Pay")
    assert rules.ACH_ONLY_CODE in pay.errors and pay.attr(rules.ACH_ONLY_ATTR) is not None
    method = pay.attr("paymentMethod")
    assert method is not None and rules.ACH_METHOD in method.values


def test_reachability_marks_and_named_checks_name_real_entries() -> None:
    from twiml.validator_rules import _NAMED_CHECKS

    named: set[str] = set()
    for el in GRAMMAR.elements:
        if el.ends or el.hands_off:
            root = GRAMMAR.root(el.kind)
            assert el.cls in root.children, el.cls
        if el.hands_off:
            assert el.attr(el.hands_off[0]) is not None, el.cls
        named.update(el.checks)
        for a in el.attrs:
            assert not (a.schemes or a.empty_ok) or a.type == "url", (el.cls, a.xml)
    assert named == set(_NAMED_CHECKS)


def test_every_grammar_attribute_gets_a_checker_that_accepts_its_default_and_values() -> None:
    from twiml.dialects import DIALECTS, grammar_for
    from twiml.validator_rules import _place, _rules_for

    for el, place in ((el, _place(name)) for name in DIALECTS for el in grammar_for(name).elements):
        r = _rules_for(el, place)
        assert _rules_for(el, place) is r  # built once
        for a in el.attrs:
            check = r.checkers[a.xml][1]
            if check is None:
                continue
            for v in a.values:
                assert check(v) is None, (el.cls, a.xml, v)
            if a.default is not None and (" " not in a.default or a.type == "list"):
                result = check(a.default)
                assert result is None or result.unknown or result.doubtful, (el.cls, a.xml, a.default, result)


# --- properties over generated documents ------------------------------------------------------

_MODULES = {"voice": voice_response, "messaging": messaging_response, "fax": fax_response}
_TEXT = st.sampled_from(["", "  ", "hello", "+15551234567", "/next", "a b", '{"k": 1}', "x" * 70, "é ✓"])


def _value(a: object) -> st.SearchStrategy[object]:
    from twiml.grammar_types import Attr

    assert isinstance(a, Attr)
    choices: list[st.SearchStrategy[object]] = [
        st.sampled_from(["", "true", "False", "POST", "get", "abc", "a,b", "1 2", "wss://x.example/s", "/p q"]),
        st.integers(-5, 700),
        st.booleans(),
        st.lists(st.sampled_from(["dtmf", "speech", "x"]), max_size=3),
    ]
    if a.values:
        choices.append(st.sampled_from(a.values))
    return st.one_of(choices)


@st.composite
def _node(draw: st.DrawFn, kind: str, depth: int) -> TwiML:
    elements = [e for e in GRAMMAR.elements if e.kind == kind and e.xml != "Response"]
    if draw(st.integers(0, 9)) == 0:
        node: TwiML = GenericNode(draw(st.sampled_from(["Foo", "say", "Say", "Message", "Sip"])), None)
    else:
        el = draw(st.sampled_from(elements))
        cls = getattr(_MODULES[kind], el.cls)
        node = cls.__new__(cls)
        TwiML.__init__(node)
        for a in draw(st.lists(st.sampled_from(el.attrs), max_size=3)) if el.attrs else []:
            node.attrs[a.xml] = draw(_value(a))
    if draw(st.booleans()):
        node.attrs["madeUp"] = "1"
    node.value = draw(st.one_of(st.none(), _TEXT))
    if depth > 0:
        for kid in draw(st.lists(_node(kind, depth - 1), max_size=3)):
            node.append(kid)
    return node


@st.composite
def _document(draw: st.DrawFn) -> tuple[str, TwiML]:
    kind = draw(st.sampled_from(["voice", "voice", "messaging", "fax"]))
    root = getattr(_MODULES[kind], GRAMMAR.root(kind).cls)()
    for kid in draw(st.lists(_node(kind, 2), max_size=5)):
        root.append(kid)
    return kind, root


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_document())
def test_any_document_validates_and_parsing_it_back_changes_nothing(case: tuple[str, TwiML]) -> None:
    kind, doc = case
    diagnostics = validate(doc)
    assert all(isinstance(d, Diagnostic) and d.severity in ("error", "warning", "info") for d in diagnostics)
    assert all(d.path.startswith("Response") for d in diagnostics)
    parsed = twiml.parse(doc.to_xml(), kind=kind)
    assert found(parsed) == found(doc)
