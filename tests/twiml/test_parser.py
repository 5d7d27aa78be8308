"""twiml.parse: classes, round trips, whitespace, kinds, positions, files, encodings and safety."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

import twiml
from twiml import GenericNode, TwiMLException, TwiMLParseError
from twiml.base import Comment
from twiml.fax_response import FaxResponse, Receive
from twiml.fax_response import Reject as FaxReject
from twiml.messaging_response import Message, MessagingResponse
from twiml.messaging_response import Redirect as MsgRedirect
from twiml.parser import Kind
from twiml.parser import parse as _parse
from twiml.voice_response import (
    Dial,
    Gather,
    Number,
    Pause,
    Refer,
    ReferSip,
    Say,
    Sip,
    SsmlBreak,
    SsmlEmphasis,
    SsmlLang,
    VoiceResponse,
)
from twiml.voice_response import Redirect as VoiceRedirect

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def parse(source: str | bytes | Path, kind: Kind | None = None) -> Any:
    """`twiml.parse`, typed loosely so tests can reach into nodes without narrowing each one."""
    return _parse(source, kind)


def canon(xml: str) -> str:
    return str(parse(xml).to_xml(xml_declaration=False))


def test_lazy_export_and_from_xml() -> None:
    assert twiml.parse is _parse
    doc = VoiceResponse.from_xml("<Response><Say>hi</Say></Response>")
    assert isinstance(doc, VoiceResponse)
    assert isinstance(MessagingResponse.from_xml("<Response><Redirect>/x</Redirect></Response>"), MessagingResponse)
    fax = FaxResponse.from_xml("<Response><Reject/></Response>")
    assert isinstance(fax.verbs[0], FaxReject)


def test_canonical_form_sorted_attributes_and_self_closing() -> None:
    src = '<?xml version="1.0"?>\n<Response>\n  <Gather numDigits="1" action="/menu" input="dtmf"></Gather>\n  <Hangup/>\n</Response>\n'
    assert (
        parse(src).to_xml()
        == DECL + '<Response><Gather action="/menu" input="dtmf" numDigits="1" /><Hangup /></Response>'
    )


def test_builds_library_classes_with_xml_attribute_names() -> None:
    doc = parse('<Response><Gather numDigits="4" action="/pin"><Say voice="alice">PIN?</Say></Gather></Response>')
    assert type(doc) is VoiceResponse
    gather = doc.verbs[0]
    assert type(gather) is Gather
    assert gather.attrs == {"numDigits": "4", "action": "/pin"}
    say = gather.verbs[0]
    assert type(say) is Say and say.value == "PIN?" and say.attrs == {"voice": "alice"}
    # nodes behave like built ones: builder methods work on them
    gather.pause(length=2)
    assert type(gather.verbs[-1]) is Pause
    assert (
        doc.to_xml(False)
        == '<Response><Gather action="/pin" numDigits="4"><Say voice="alice">PIN?</Say><Pause length="2" /></Gather></Response>'
    )


def test_same_tag_resolves_by_parent() -> None:
    doc = parse(
        "<Response><Refer><Sip>sip:a@b.com</Sip></Refer><Dial><Sip>sip:c@d.com</Sip><Number>+1</Number></Dial></Response>"
    )
    refer, dial = doc.verbs
    assert type(refer) is Refer and type(refer.verbs[0]) is ReferSip
    assert type(dial) is Dial and type(dial.verbs[0]) is Sip and type(dial.verbs[1]) is Number


def test_redirect_class_follows_dialect() -> None:
    assert type(parse("<Response><Redirect>/a</Redirect></Response>").verbs[0]) is VoiceRedirect
    msg = parse("<Response><Message>hi</Message><Redirect>/a</Redirect></Response>")
    assert type(msg) is MessagingResponse
    assert type(msg.verbs[0]) is Message and type(msg.verbs[1]) is MsgRedirect


@pytest.mark.parametrize(
    ("xml", "kind"),
    [
        ("<Response/>", VoiceResponse),
        ("<Response><Say>hi</Say></Response>", VoiceResponse),
        ("<Response><Message>hi</Message></Response>", MessagingResponse),
        ("<Response><Message>hi</Message><Redirect>/x</Redirect></Response>", MessagingResponse),
        ("<Response><Redirect>/x</Redirect></Response>", VoiceResponse),
        ("<Response><Message>hi</Message><Say>x</Say></Response>", VoiceResponse),
        ("<Response><Receive action='/f'/></Response>", FaxResponse),
        ("<Response><Reject/></Response>", VoiceResponse),
    ],
)
def test_kind_detection(xml: str, kind: type) -> None:
    assert type(parse(xml)) is kind


def test_kind_can_be_forced() -> None:
    doc = parse("<Response><Reject reason='busy'/></Response>", kind="fax")
    assert type(doc) is FaxResponse and type(doc.verbs[0]) is FaxReject
    doc2 = parse("<Response><Redirect>/x</Redirect></Response>", kind="messaging")
    assert type(doc2.verbs[0]) is MsgRedirect
    assert type(parse("<Response><Receive/></Response>", kind="fax").verbs[0]) is Receive
    with pytest.raises(ValueError, match="kind"):
        _parse("<Response/>", kind="sms")  # type: ignore[arg-type]  # the wrong type on purpose


def test_unknown_elements_attributes_and_comments_survive() -> None:
    src = (
        '<Response><!-- main menu --><Say foo="bar" voice="alice">Hi</Say>'
        '<Custom a="1"><Say>inner</Say>tail</Custom><Gather><Bogus/></Gather></Response>'
    )
    doc = parse(src)
    comment, say, custom, gather = doc.verbs
    assert type(comment) is Comment and comment.value == " main menu "
    assert say.attrs == {"foo": "bar", "voice": "alice"}
    assert type(custom) is GenericNode and custom.name == "Custom" and custom.attrs == {"a": "1"}
    assert type(custom.verbs[0]) is Say and custom.verbs[1] == "tail"
    assert type(gather.verbs[0]) is GenericNode and gather.verbs[0].name == "Bogus"
    assert doc.to_xml(False) == (
        '<Response><!-- main menu --><Say foo="bar" voice="alice">Hi</Say>'
        '<Custom a="1"><Say>inner</Say>tail</Custom><Gather><Bogus /></Gather></Response>'
    )


def test_mixed_text_goes_to_value_then_verbs_in_order() -> None:
    doc = parse(
        '<Response><Say>Hello <emphasis level="strong">big</emphasis> world<break time="1s"/>bye</Say></Response>'
    )
    say = doc.verbs[0]
    assert say.value == "Hello "
    emph, t1, brk, t2 = say.verbs
    assert type(emph) is SsmlEmphasis and emph.value == "big"
    assert t1 == " world" and type(brk) is SsmlBreak and t2 == "bye"


def test_text_in_bodyless_element_is_a_string_child() -> None:
    gather = parse("<Response><Gather>press<Say>x</Say></Gather></Response>").verbs[0]
    assert gather.value is None and gather.verbs[0] == "press"
    assert gather.to_xml(False) == "<Gather>press<Say>x</Say></Gather>"


def test_formatting_whitespace_dropped_real_whitespace_kept() -> None:
    src = "<Response>\n  <Gather>\n    <Say>  two  spaces\n  here </Say>\n  </Gather>\n  <Say> </Say>\n</Response>\n"
    assert canon(src) == "<Response><Gather><Say>  two  spaces\n  here </Say></Gather><Say> </Say></Response>"
    # a space between SSML words is speech, not formatting
    assert (
        canon("<Response><Say><emphasis>a</emphasis> <emphasis>b</emphasis></Say></Response>")
        == "<Response><Say><emphasis>a</emphasis> <emphasis>b</emphasis></Say></Response>"
    )
    # once an element has real text, all its text is kept verbatim
    assert (
        canon("<Response><Say>Hi\n  <break/>\n  there</Say></Response>")
        == "<Response><Say>Hi\n  <break />\n  there</Say></Response>"
    )
    assert canon("<Response>\n</Response>") == "<Response />"
    assert canon("<Response><Hangup>\n</Hangup></Response>") == "<Response><Hangup /></Response>"


def test_pretty_output_parses_back_to_the_same_document() -> None:
    r = VoiceResponse()
    g = r.gather(input="speech dtmf", action="/a")
    s = g.say("Hello ", voice="Polly.Joanna")
    s.emphasis("there")
    s.append(" friend")
    g.pause(length=1)
    d = r.dial(caller_id="+1")
    d.number("+15551234567")
    d.sip("sip:x@y").append("")
    r.append(Comment(" note "))
    r.hangup()
    pretty = r.to_xml(pretty=True)
    assert "\n    " in pretty
    assert parse(pretty).to_xml() == r.to_xml()


def test_escapes_cdata_and_entities_are_normalised() -> None:
    src = '<Response><Say a="&lt;&amp;&quot;&#10;">x &gt; y &amp; <![CDATA[<raw> & stuff]]>&#233;</Say></Response>'
    doc = parse(src)
    say = doc.verbs[0]
    assert say.attrs == {"a": '<&"\n'}
    assert say.value == "x > y & <raw> & stuff\u00e9"
    assert (
        doc.to_xml(False)
        == '<Response><Say a="&lt;&amp;&quot;&#10;">x &gt; y &amp; &lt;raw&gt; &amp; stuff\u00e9</Say></Response>'
    )


def test_namespaces_and_xml_lang_round_trip() -> None:
    src = (
        '<Response xmlns:v="urn:vendor"><Say><lang xml:lang="fr-FR">Bonjour</lang></Say>'
        '<v:Thing v:a="1" b="2"><v:Sub/></v:Thing></Response>'
    )
    doc = parse(src)
    lang = doc.verbs[0].verbs[0]
    assert type(lang) is SsmlLang and lang.attrs == {"xml:lang": "fr-FR"}
    thing = doc.verbs[1]
    assert type(thing) is GenericNode and thing.name == "v:Thing"
    assert doc.attrs == {"xmlns:v": "urn:vendor"}
    assert doc.to_xml(False) == (
        '<Response xmlns:v="urn:vendor"><Say><lang xml:lang="fr-FR">Bonjour</lang></Say>'
        '<v:Thing b="2" v:a="1"><v:Sub /></v:Thing></Response>'
    )


def test_default_namespace_kept() -> None:
    src = '<Response xmlns="urn:x"><Say>hi</Say></Response>'
    doc = parse(src)
    assert type(doc.verbs[0]) is Say
    assert doc.to_xml(False) == src


def test_source_lines_and_columns() -> None:
    src = (
        '<?xml version="1.0"?>\n<!-- <Say>in a prolog comment</Say> -->\n<Response>\n'
        '  <Gather\n      numDigits="1">\n    <![CDATA[<Say>]]><Say>a</Say><!-- x --><Play>u</Play>\n'
        "  </Gather>\n</Response>"
    )
    doc = parse(src, kind="voice")
    nodes = list(doc.iter())
    got = [(n.name, n.source_line, n.source_column) for n in nodes]
    line6 = src.split("\n")[5]
    cols = [line6.index(s) + 1 for s in ("<Say>a", "<!-- x", "<Play>")]
    assert got == [
        ("Response", 3, 1),
        ("Gather", 4, 3),
        ("Say", 6, cols[0]),
        ("#comment", 6, cols[1]),
        ("Play", 6, cols[2]),
    ]
    assert cols[0] == 22


def test_root_must_be_response() -> None:
    with pytest.raises(TwiMLParseError, match="12102") as info:
        parse("<?xml version='1.0'?>\n<Resp><Say>x</Say></Resp>")
    assert (info.value.line, info.value.column) == (2, 1)


@pytest.mark.parametrize(
    ("xml", "line", "column"),
    [
        ("<Response>", 1, 11),
        ("<Response>\n<Say>x</Sya>\n</Response>", 2, None),
        ("", 1, 1),
        ("<Response><Say>a & b</Say></Response>", 1, 18),  # at the '&'
        ("<Response><Say>&nope;</Say></Response>", 1, 16),
    ],
)
def test_malformed_raises_parse_error_with_position(xml: str, line: int, column: int | None) -> None:
    with pytest.raises(TwiMLParseError) as info:
        parse(xml)
    err = info.value
    assert err.line == line and isinstance(err.column, int) and err.column >= 1
    if column is not None:
        assert err.column == column
    assert err.message and not re.search(r"column \d+\s*$", err.message)
    assert isinstance(err, TwiMLException)


@pytest.mark.parametrize(
    ("xml", "line", "column", "says"),
    [
        # ../shared/corpus/malformed/Danish-Asghar2909__mp3.xml__sip_test_version_eight.xml: a SIP URI's query
        ("<Response>\r\n<Dial><Sip>sip:a@b.io?X-a=tcp&X-b=1</Sip></Dial></Response>", 2, 30, "'&amp;'"),
        ('<Response><Play url="https://x/?a=1&b=2">éé&c</Play></Response>', 1, 36, "attribute values such as URLs"),
        ("<Response><Say>Tom & Jerry</Say></Response>", 1, 20, "must be written '&amp;'"),
        ("<Response><Say>caf&eacute;</Say></Response>", 1, 19, "unknown entity '&eacute;'"),
    ],
)
def test_unescaped_ampersand_is_named_at_the_ampersand(xml: str, line: int, column: int, says: str) -> None:
    with pytest.raises(TwiMLParseError, match=re.escape(says)) as info:
        parse(xml)
    assert (info.value.line, info.value.column) == (line, column)
    assert xml.splitlines()[line - 1][column - 1] == "&"


def test_not_xml_and_not_a_file() -> None:
    with pytest.raises(TwiMLParseError, match="neither TwiML nor an existing file"):
        parse("no/such/file.xml")


def test_reads_files_from_str_and_pathlike(tmp_path: Path) -> None:
    f = tmp_path / "flow.xml"
    f.write_text("<Response>\n  <Say>from file</Say>\n</Response>\n", encoding="utf-8")
    assert parse(str(f)).verbs[0].value == "from file"
    assert parse(f).verbs[0].source_line == 2
    bad = tmp_path / "bad.xml"
    bad.write_text("<Response>\n<Say>", encoding="utf-8")
    with pytest.raises(TwiMLParseError) as info:
        parse(bad)
    assert info.value.filename == str(bad)
    assert str(info.value).startswith(f"{bad}:2:")
    with pytest.raises(TwiMLParseError) as info2:
        parse(str(bad))
    assert info2.value.filename == str(bad)


@pytest.mark.parametrize(
    "data",
    [
        '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>caf\u00e9</Say></Response>'.encode("latin-1"),
        '<?xml version="1.0" encoding="UTF-16"?><Response><Say>caf\u00e9</Say></Response>'.encode("utf-16"),
        b"\xef\xbb\xbf" + "<Response><Say>caf\u00e9</Say></Response>".encode(),
        "<Response><Say>caf\u00e9</Say></Response>".encode(),
    ],
)
def test_encodings(data: bytes) -> None:
    assert parse(data).verbs[0].value == "caf\u00e9"


def test_str_with_encoding_declaration_and_bom() -> None:
    doc = parse('\ufeff<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>\u00e9</Say></Response>')
    assert doc.verbs[0].value == "\u00e9"


@pytest.mark.parametrize(
    "data",
    [
        b"<Response><Say>\xff\xfe</Say></Response>",
        "<Response><Say>\ud800</Say></Response>",
        "<Response><Say>\x00</Say></Response>",
        b'<?xml version="1.0" encoding="no-such-codec"?><Response/>',
    ],
)
def test_bad_characters_and_encodings_are_parse_errors(data: str | bytes) -> None:
    with pytest.raises(TwiMLParseError):
        parse(data)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Response><Say voice="&lol9;">&lol9;</Say></Response>"""


def _unsafe_documents(tmp_path: Path) -> list[str | bytes]:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "file://{secret}">', encoding="utf-8")
    return [
        BILLION_LAUGHS,
        BILLION_LAUGHS.encode("utf-16"),
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file://{secret}">]><Response><Say>&xxe;</Say></Response>',
        f'<!DOCTYPE Response SYSTEM "file://{dtd}"><Response><Say>&leak;</Say></Response>',
        '<!DOCTYPE Response SYSTEM "http://127.0.0.1:9/evil.dtd"><Response/>',
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "file://{dtd}"> %p;]><Response><Say>&leak;</Say></Response>',
        "<!-- c -->\n<!DOCTYPE Response><Response/>",
        '<Response><Say>x</Say></Response><!DOCTYPE x [<!ENTITY a "b">]>',
    ]


def test_unsafe_documents_are_refused_never_expanded(tmp_path: Path) -> None:
    for doc in _unsafe_documents(tmp_path):
        start = time.perf_counter()
        with pytest.raises(TwiMLParseError) as info:
            parse(doc)
        assert time.perf_counter() - start < 5  # generous: expansion would take far longer or exhaust memory
        assert "TOP-SECRET" not in str(info.value)


def test_doctype_text_inside_content_is_not_a_dtd() -> None:
    doc = parse("<Response><Say>&lt;!DOCTYPE is just text</Say><!-- <!DOCTYPE x> --></Response>")
    assert doc.verbs[0].value == "<!DOCTYPE is just text"


def test_processing_instructions_are_kept_in_place() -> None:
    assert canon("<Response><Say>a<?pi data?>b</Say></Response>") == "<Response><Say>a<?pi data?>b</Say></Response>"
    doc = parse('<?xml-stylesheet href="s.xsl"?><!-- head --><Response/><?end?>')
    assert [m.name for m in doc.prolog] == ["#pi", "#comment"]
    assert [m.name for m in doc.epilog] == ["#pi"]
    assert doc.to_xml() == (
        '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet href="s.xsl"?><!-- head --><Response /><?end?>'
    )


def test_excessive_depth_is_a_parse_error() -> None:
    with pytest.raises(TwiMLParseError, match="depth"):
        parse("<Response>" + "<x>" * 300 + "</x>" * 300 + "</Response>")


def test_type_error_for_other_inputs() -> None:
    with pytest.raises(TypeError):
        _parse(123)  # type: ignore[arg-type]  # the wrong type on purpose


def _twilio_documents() -> list[Any]:
    from twilio.twiml.messaging_response import MessagingResponse as TMessaging
    from twilio.twiml.voice_response import VoiceResponse as TVoice

    r = TVoice()
    g = r.gather(num_digits=1, action="/menu", method="POST", input="dtmf speech", timeout=5)
    s = g.say("For sales, press 1.", voice="Polly.Joanna", language="en-US")
    s.break_(strength="x-weak", time="100ms")
    s.say_as("12345", interpret_as="digits")
    g.play("https://example.com/a.mp3", loop=2)
    r.redirect("/voice", method="GET")
    d = r.dial(caller_id="+15550001111", record="record-from-answer", timeout=20)
    d.number("+15551112222", send_digits="wwww1928", status_callback="/s")
    d.client("alice").parameter(name="k", value="v")
    sip = d.sip("sip:x@example.com", username="u", password="p")
    sip.headers().header(name="X-Foo", value="1")
    conn = r.connect(action="/c")
    conn.stream(url="wss://a/b").parameter(name="a", value="b")
    r.pay(charge_amount="10.00", payment_connector="Stripe").prompt(for_="payment-card-number").say("card")
    r.refer().sip("sip:refer@x")
    r.enqueue("support", wait_url="/w").task('{"a": 1}')
    r.hangup()
    m = TMessaging()
    msg = m.message("Thanks!", to="+1", from_="+2")
    msg.media("https://example.com/a.png")
    m.redirect("/next")
    return [r, m]


def test_round_trips_twilio_built_documents() -> None:
    for doc in _twilio_documents():
        xml = doc.to_xml()
        parsed = parse(xml)
        assert parsed.to_xml() == xml
        assert not any(isinstance(n, GenericNode) for n in parsed.iter())


def test_empty_comment_round_trips() -> None:
    doc = parse("<Response><!----><Say>a</Say></Response>")
    assert type(doc.verbs[0]) is Comment and doc.verbs[0].value == ""
    assert doc.to_xml(False) == "<Response><!----><Say>a</Say></Response>"


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("&amp;", "&"),
        ("&amp;#38;", "&#38;"),
        ("&#38;", "&"),
        ("a&amp;amp;b", "a&amp;b"),
        ("&#x26;lt;", "&lt;"),
    ],
)
def test_ampersands_in_attributes_are_exact(written: str, value: str) -> None:
    doc = parse(f'<Response><Play digits="1" x="{written}">u</Play></Response>')
    assert doc.verbs[0].attrs["x"] == value
    assert parse(doc.to_xml()).verbs[0].attrs["x"] == value


@pytest.mark.parametrize(
    "xml",
    [
        '<Response><v:X v:a="1"/></Response>',
        '<Response><Say b:c="2">x</Say></Response>',
        '<Response xmlns:v="urn:v"><w:Y/></Response>',
    ],
)
def test_undeclared_namespace_prefix_is_malformed(xml: str) -> None:
    with pytest.raises(TwiMLParseError, match=r"[Nn]amespace prefix"):
        parse(xml)


SAMPLES = sorted((Path(__file__).resolve().parents[2] / "sample_flows").glob("*.xml"))


@pytest.mark.skipif(not SAMPLES, reason="sample_flows/ is empty")
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_flows_parse_to_known_classes_with_positions(path: Path) -> None:
    doc = parse(path)
    for node in doc.iter():
        assert not isinstance(node, GenericNode), node.name
        assert isinstance(node.source_line, int) and isinstance(node.source_column, int)
    lines = path.read_text(encoding="utf-8").splitlines()
    for node in doc.iter():
        line = lines[node.source_line - 1]
        opener = "<!--" if isinstance(node, Comment) else f"<{node.name}"
        assert line[node.source_column - 1 :].startswith(opener)
    assert parse(doc.to_xml(pretty=True)).to_xml() == doc.to_xml()


@pytest.mark.parametrize(
    "xml",
    [
        '<?xml version="1.0"?>\n<Response>\n  <Say voice="alice">Hi &amp; bye</Say>\n  <Pause length="1"/>\n</Response>',
        '<Response><Gather action="/a?x=1&amp;y=2"\n        method="POST"><Say>é 中 😀</Say><Play>u</Play></Gather></Response>',
        "<Response>\r\n\t<Dial><Number>+1</Number></Dial>\r\n\t<Hangup></Hangup>\r\n</Response>",
        "<Response><Say>a &gt; b</Say>" + "<Pause/>" * 50 + "<Redirect>/x</Redirect></Response>",
    ],
)
def test_positions_without_markup_match_the_full_scan(xml: str) -> None:
    """Without comments, CDATA or PIs every '<' not followed by '/' starts an element, so the
    parser takes offsets without matching names; a comment at the end (nothing before it moves)
    makes it scan every mark and check each name: the positions must agree."""

    def positions(text: str) -> list[tuple[str, int | None, int | None]]:
        return [(n.name, n.source_line, n.source_column) for n in _parse(text).iter() if n.name[:1] != "#"]

    fast = positions(xml)
    assert all(line is not None and column is not None for _, line, column in fast)
    assert fast == positions(xml + "<!-- end -->")
