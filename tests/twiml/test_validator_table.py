"""Table of documents with the codes and levels the validator must give them (issue 12).

Each row: a document, then the expected (level, code) findings in document order.  Levels are
Twilio's log level for the code; values merely missing from an advisory table are `info`.
Hints (did-you-mean) and run-time effects are checked for the rows that carry them.
"""

from __future__ import annotations

import pytest

import twiml
from twiml.checks import for_attr
from twiml.grammar import GRAMMAR
from twiml.validator import Fix, validate

R = "<Response>{}</Response>"

# (id, xml, [(level, code), ...])
TABLE: list[tuple[str, str, list[tuple[str, int | str]]]] = [
    # --- Twilio's own levels (the examples) -------------------------------------------
    ("dial_timeout_below_min_is_warning", R.format('<Dial timeout="3">+15551234567</Dial>'), [("warning", 13212)]),
    ("gather_timeout_not_int_is_warning", R.format('<Gather timeout="soon"/>'), [("warning", 13313)]),
    ("gather_num_digits_underscore", R.format('<Gather numDigits="1_0"/>'), [("warning", 13314)]),
    ("gather_num_digits_float", R.format('<Gather numDigits="1.5"/>'), [("warning", 13314)]),
    ("gather_num_digits_exponent", R.format('<Gather numDigits="1e3"/>'), [("warning", 13314)]),
    ("dial_inside_gather_is_warning", R.format("<Gather><Dial>+15551234567</Dial></Gather>"), [("warning", 13320)]),
    ("unknown_attribute_is_12200_warning", R.format('<Say colour="red">hi</Say>'), [("warning", 12200)]),
    ("start_with_say_is_error", R.format("<Start><Say>hi</Say></Start>"), [("error", 14300)]),
    ("root_not_response", "<Document><Say>hi</Say></Document>", [("error", 12102)]),
    (
        "conference_end_on_exit_not_bool_is_error",
        R.format('<Dial><Conference endConferenceOnExit="yes">r</Conference></Dial>'),
        [("error", 13231)],
    ),
    (
        "conference_muted_not_bool_is_warning",
        R.format('<Dial><Conference muted="yes">r</Conference></Dial>'),
        [("warning", 13230)],
    ),
    ("say_loop_negative", R.format('<Say loop="-1">hi</Say>'), [("warning", 13510)]),
    ("play_loop_not_int", R.format('<Play loop="x">https://e.com/a.mp3</Play>'), [("warning", 13410)]),
    ("pause_length_zero", R.format('<Pause length="0"/>'), [("warning", 13910)]),
    ("record_finish_on_key_letter", R.format('<Record finishOnKey="x"/>'), [("warning", 13613)]),
    ("record_status_event_bad_is_error", R.format('<Record recordingStatusCallbackEvent="done"/>'), [("error", 13621)]),
    ("redirect_method_put", R.format('<Redirect method="PUT">/next</Redirect>'), [("warning", 13710)]),
    ("enqueue_without_name_is_error", R.format("<Enqueue/>"), [("error", 14204)]),
    ("enqueue_name_too_long", R.format("<Enqueue>" + "q" * 65 + "</Enqueue>"), [("error", 14205)]),
    ("enqueue_method_bad_is_error", R.format('<Enqueue method="PUT">q</Enqueue>'), [("error", 14201)]),
    ("task_not_json", R.format('<Enqueue workflowSid="WW1"><Task>{oops</Task></Enqueue>'), [("error", 14221)]),
    ("stream_ws_scheme", R.format('<Start><Stream url="https://e.com/s"/></Start>'), [("error", 31922)]),
    (
        "connect_stream_track",
        R.format('<Connect><Stream url="wss://e.com/s" track="both_tracks"/></Connect>'),
        [("error", 31941)],
    ),
    ("pay_ach_attr_with_card", R.format('<Pay bankAccountType="consumer-checking"/>'), [("error", 64017)]),
    (
        "dial_conference_and_number",
        R.format("<Dial><Number>+15551234567</Number><Conference>r</Conference></Dial>"),
        [("warning", 13000)],
    ),
    (
        "dial_eleven_numbers",
        R.format("<Dial>" + "<Number>+15551234567</Number>" * 11 + "</Dial>"),
        [("warning", "TWIML-TOO-MANY-NOUNS")],
    ),
    ("record_transcribe_too_long", R.format('<Record transcribe="true" maxLength="600"/>'), [("warning", 13615)]),
    ("say_ssml_with_man", R.format('<Say voice="man">Hi <emphasis>you</emphasis></Say>'), [("warning", 13513)]),
    ("say_empty", R.format("<Say/>"), [("warning", 13520)]),
    ("say_too_long_polly", R.format('<Say voice="Polly.Joanna">' + "a" * 3001 + "</Say>"), [("warning", 13521)]),
    ("play_empty", R.format("<Play/>"), [("error", "TWIML-MISSING-CONTENT")]),
    ("play_digits_bad", R.format('<Play digits="12x"/>'), [("warning", 13430)]),
    ("gather_say_bad_loop", R.format('<Gather><Say loop="x">hi</Say></Gather>'), [("warning", 13322)]),
    ("gather_play_digits", R.format('<Gather><Play digits="1"/></Gather>'), [("warning", 13320)]),
    ("text_in_gather_ignored", R.format("<Gather>Press 1</Gather>"), [("warning", 12200)]),
    ("unreachable_after_hangup", R.format("<Hangup/><Say>bye</Say>"), [("warning", "TWIML-UNREACHABLE")]),
    (
        "after_dial_action_is_info",
        R.format('<Dial action="/next">+15551234567</Dial><Say>bye</Say>'),
        [("info", "TWIML-AFTER-ACTION")],
    ),
    ("url_with_space_is_error", R.format('<Gather action="/a b"/>'), [("error", 11100)]),
    ("url_padded_is_warning", R.format('<Gather action=" /next "/>'), [("warning", 11100)]),
    ("bool_capitalised", R.format('<Record playBeep="True"/>'), [("warning", 13616)]),
    ("list_commas", R.format('<Gather input="dtmf,speech"/>'), [("warning", 13326)]),
    # --- open tables: info, with the nearest known names ------------------------------------------
    ("unknown_polly_voice_is_info", R.format('<Say voice="Polly.Zed-Generative">hi</Say>'), [("info", 13511)]),
    ("unknown_language_is_info", R.format('<Say language="xx-YY">hi</Say>'), [("info", "12200")]),
    ("unknown_gather_language_is_info", R.format('<Gather language="tlh-QO"/>'), [("info", 13331)]),
    (
        "namespaced_ssml_is_info",
        '<Response xmlns:amazon="urn:x"><Say voice="Polly.Joanna"><amazon:effect name="whispered">hi</amazon:effect>'
        "</Say></Response>",
        [("info", 12200)],
    ),
    ("speech_model_new_is_info", R.format('<Gather speechModel="deepgram_nova-9"/>'), [("info", 13334)]),
    # --- legacy voices and languages -----------------------------------------------------------
    ("woman_spanish_is_clean", R.format('<Say voice="woman" language="es">Hola</Say>'), []),
    ("man_en_gb_is_clean", R.format('<Say voice="man" language="en-gb">Hello</Say>'), []),
    ("alice_ja_jp_is_clean", R.format('<Say voice="alice" language="ja-JP">hi</Say>'), []),
    ("alice_legacy_fr_is_clean", R.format('<Say voice="alice" language="fr">Bonjour</Say>'), []),
    (
        "man_japanese_is_warning",
        R.format('<Say voice="man" language="ja-JP">hi</Say>'),
        [("warning", "TWIML-VOICE-LANGUAGE")],
    ),
    (
        "google_voice_other_locale",
        R.format('<Say voice="Google.en-GB-Standard-A" language="fr-FR">hi</Say>'),
        [("warning", "TWIML-VOICE-LANGUAGE")],
    ),
    # --- fax <Receive> (Twilio's documented values) -------------------------------------------
    ("receive_tiff_is_clean", '<Response><Receive mediaType="image/tiff" pageSize="a4"/></Response>', []),
    ("receive_html_is_warning", '<Response><Receive mediaType="text/html"/></Response>', [("warning", 12200)]),
    ("fax_without_receive", "<Response></Response>", []),
    # --- did-you-mean -------------------------------------------------------------------------------
    ("element_typo", R.format("<Sayy>typo</Sayy>"), [("warning", 12200)]),
    ("element_case", R.format("<say>hi</say>"), [("warning", 12200)]),
    ("attribute_case", R.format('<Gather numdigits="1"/>'), [("warning", 12200)]),
    ("attribute_typo", R.format('<Gather actoin="/next"/>'), [("warning", 12200)]),
    ("value_case", R.format('<Gather method="Post"/>'), [("warning", 13312)]),
    ("value_typo", R.format('<Dial record="record-from-answr">+15551234567</Dial>'), [("warning", 13217)]),
    # --- messaging ---------------------------------------------------------------------------------
    ("message_too_long", R.format("<Message>" + "a" * 1601 + "</Message>"), [("error", 21617)]),
    ("message_empty", R.format("<Message/>"), [("error", 21602)]),
    ("messaging_say_is_warning", R.format("<Message>hi</Message><Say>no</Say>"), [("warning", 14110)]),
    # --- suppression ------------------------------------------------------------------------------
    ("suppressed_code", R.format('<!-- twiml: ignore[13212] --><Dial timeout="3">+15551234567</Dial>'), []),
    ("suppressed_all", R.format("<!-- twiml: ignore --><Sayy>x</Sayy>"), []),
    (
        "suppression_names_other_code",
        R.format('<!-- twiml: ignore[13510] --><Dial timeout="3">+1555</Dial>'),
        [("warning", 13212)],
    ),
    (
        "suppression_covers_only_next_element",
        R.format('<!-- twiml: ignore --><Pause length="0"/><Pause length="0"/>'),
        [("warning", 13910)],
    ),
    ("ordinary_comment_suppresses_nothing", R.format('<!-- menu --><Pause length="0"/>'), [("warning", 13910)]),
]

MESSAGING = {"message_too_long", "message_empty", "messaging_say_is_warning"}
FAX = {"receive_tiff_is_clean", "receive_html_is_warning", "fax_without_receive"}


def _doc(case: str, xml: str) -> twiml.TwiML:
    if not xml.startswith("<Response"):  # the parser refuses other roots; build one instead
        root = twiml.GenericNode(xml[1 : xml.index(">")].rstrip("/"), None)
        root.append(twiml.voice_response.Say("hi"))
        return root
    kind = "messaging" if case in MESSAGING else "fax" if case in FAX else "voice"
    doc: twiml.TwiML = twiml.parse(xml, kind=kind)
    return doc


def test_the_table_is_big_enough() -> None:
    assert len(TABLE) >= 60
    assert len({c[0] for c in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("case", "xml", "expected"), TABLE, ids=[c[0] for c in TABLE])
def test_codes_and_levels(case: str, xml: str, expected: list[tuple[str, int | str]]) -> None:
    got = [(d.severity, d.code) for d in validate(_doc(case, xml))]
    want = [(level, int(code) if isinstance(code, str) and code.isdigit() else code) for level, code in expected]
    if case == "fax_without_receive":
        want = [("error", 34106)]
    assert got == want


HINTS: list[tuple[str, str, Fix]] = [
    ("element_typo", "did you mean <Say>?", Fix("rename_element", "Say")),
    ("element_case", "did you mean <Say>?; TwiML names are case-sensitive", Fix("rename_element", "Say")),
    ("attribute_case", "did you mean 'numDigits'?", Fix("rename_attribute", "numDigits", "numdigits")),
    ("attribute_typo", "did you mean 'action'?", Fix("rename_attribute", "action", "actoin")),
    ("value_case", "did you mean 'POST'?", Fix("set_value", "POST", "method")),
    ("value_typo", "did you mean 'record-from-answer'?", Fix("set_value", "record-from-answer", "record")),
    ("man_japanese_is_warning", "man speaks en, en-gb, es, fr, de", None),  # type: ignore[list-item]
    ("list_commas", "did you mean 'dtmf speech'?", Fix("set_value", "dtmf speech", "input")),
]


@pytest.mark.parametrize(("case", "hint", "fix"), HINTS, ids=[h[0] for h in HINTS])
def test_hints_and_fixes(case: str, hint: str, fix: Fix | None) -> None:
    xml = next(c[1] for c in TABLE if c[0] == case)
    [d] = validate(_doc(case, xml))
    assert d.hint == hint and d.fix == fix


def test_unknown_values_name_the_nearest_known_ones() -> None:
    [d] = validate(twiml.parse(R.format('<Say voice="Polly.Joana">hi</Say>')))
    assert d.severity == "info" and d.hint == "did you mean 'Polly.Joanna'?"


@pytest.mark.parametrize(
    ("xml", "effect"),
    [
        (R.format('<Dial timeout="3">+15551234567</Dial>'), "default used (30)"),
        (R.format('<Say colour="red">hi</Say>'), "attribute ignored"),
        (R.format("<Sayy>x</Sayy>"), "element ignored"),
        (R.format("<Gather><Dial>+15551234567</Dial></Gather>"), "verb skipped"),
        (R.format("<Hangup/><Say>bye</Say>"), "never runs"),
        ("<Document>", "document rejected: the call or message fails"),
    ],
)
def test_each_finding_says_what_twilio_does(xml: str, effect: str) -> None:
    [d] = validate(_doc("", xml))
    assert d.effect == effect and (d.twilio_message or isinstance(d.code, str))


def test_suppressed_findings_are_kept_when_asked() -> None:
    doc = twiml.parse(R.format('<!-- twiml: ignore[13212] --><Dial timeout="3">+15551234567</Dial>'))
    [d] = validate(doc, suppressed=True)
    assert d.suppressed and d.code == 13212


def test_form_and_validator_share_one_checker() -> None:
    """numDigits="1_0" (Python's int() takes it) is rejected by both; patterns match the whole value."""
    from twiml_editor.widgets.value_check import problem

    gather = GRAMMAR.get("voice", "Gather")
    num_digits = gather.attr("numDigits")
    assert num_digits is not None
    assert problem(num_digits, "1_0") is not None
    assert [d.code for d in validate(twiml.parse(R.format('<Gather numDigits="1_0"/>')))] == [13314]
    finish = GRAMMAR.get("voice", "Record").attr("finishOnKey")
    assert finish is not None and finish.pattern is not None
    check = for_attr(finish)
    assert check is not None and check("1\n") is not None  # fullmatch: no trailing-newline escape
    assert problem(finish, "1\n") is not None
    assert problem(num_digits, "") is None  # an empty form field is "unset", not a problem
