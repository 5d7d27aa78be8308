"""Fuzzing twiml.parse: whatever the input, it returns a document or raises TwiMLParseError."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from twiml import TwiML, TwiMLParseError, parse

VALID = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather numDigits="1" action="/menu">\n'
    '    <Say voice="alice">Press <emphasis>1</emphasis> &amp; wait</Say>\n  </Gather>\n'
    '  <!-- fallback -->\n  <Redirect method="GET">/voice</Redirect>\n</Response>\n',
    "<Response><Message to='+1'>Hi<Media>https://x/y.png</Media></Message></Response>",
    "<Response><Receive action='/fax' mediaType='application/pdf'/></Response>",
    '<Response xmlns:v="urn:v"><v:X v:a="1">t<![CDATA[<c>]]></v:X><Dial><Sip>sip:a@b</Sip></Dial></Response>',
    "<!-- <Response> -->\n<Response><?pi <Say> ?><Say>a<![CDATA[<Say>]]></Say>\n<!-- <Play> --><Play>u</Play></Response>",
]

INSERTS = [
    "<",
    "&",
    ">",
    "\x00",
    "]]>",
    "<!--",
    "-->",
    "<!DOCTYPE x>",
    "&#0;",
    "&#xD800;",
    "\ud800",
    "\uffff",
    '"',
    "'",
    "</Response>",
    "<Response>",
    "<?",
    "&lt",
    "\xff",
    "\r",
    "<![CDATA[",
]


def check(source: str | bytes) -> None:
    try:
        doc = parse(source)
    except TwiMLParseError as exc:
        assert exc.message
        assert exc.line is None or exc.line >= 1
        assert exc.column is None or exc.column >= 1
        return
    assert isinstance(doc, TwiML)
    for node in doc.iter():  # the position scan never loses step on a well-formed document
        assert isinstance(node.source_line, int) and isinstance(node.source_column, int)


@st.composite
def mutated(draw: st.DrawFn) -> str | bytes:
    text = draw(st.sampled_from(VALID))
    op = draw(st.sampled_from(["truncate", "insert", "delete", "swap", "encode", "nul"]))
    i = draw(st.integers(0, len(text)))
    if op == "truncate":
        return text[:i]
    if op == "insert":
        return text[:i] + draw(st.sampled_from(INSERTS) | st.text(max_size=3)) + text[i:]
    if op == "delete":
        j = draw(st.integers(i, min(len(text), i + 20)))
        return text[:i] + text[j:]
    if op == "swap":
        j = draw(st.integers(0, len(text)))
        a, b = sorted((i, j))
        return text[:a] + text[b:] + text[a:b]
    if op == "nul":
        return (text[:i] + "\x00" + text[i:]).encode()
    codec = draw(st.sampled_from(["utf-16", "utf-16-le", "latin-1", "utf-32", "cp1252"]))
    data = text.encode(codec, errors="replace")
    k = draw(st.integers(0, len(data)))
    return data[:k] + draw(st.binary(max_size=4)) + data[k:]


FUZZ = settings(
    max_examples=int(os.environ.get("TWIML_FUZZ_EXAMPLES", "400")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(st.binary(max_size=300))
@example(b"\xfe\xff\x00<")
@example(b"\xef\xbb\xbf")
@example(b"\x00\x00\xfe\xff")
@example(b'<?xml version="1.0" encoding="utf-32"?><Response/>')
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.text(max_size=300))
@example("<")
@example("\ufeff")
@example("<Response>\ud800</Response>")
def test_random_text(text: str) -> None:
    check(text)


@FUZZ
@given(
    st.lists(
        st.sampled_from(
            [
                "<Response>",
                "</Response>",
                "<Say>",
                "</Say>",
                "<a:b>",
                "x",
                " ",
                "\n",
                "&amp;",
                "&",
                "<!-- c -->",
                "<![CDATA[x]]>",
                '<Play loop="2"/>',
                "<?p?>",
                "<!DOCTYPE Response>",
                "xmlns:a='u'",
                ">",
                "<Gather",
                "/>",
            ]
        ),
        max_size=30,
    )
)
def test_random_token_soup(tokens: list[str]) -> None:
    check("".join(tokens))


@FUZZ
@given(mutated())
def test_mutated_valid_documents(source: str | bytes) -> None:
    check(source)


@FUZZ
@given(mutated())
def test_successful_parses_round_trip_stably(source: str | bytes) -> None:
    """Whatever parses, its canonical form parses back to the same canonical form."""
    try:
        doc = parse(source)
    except TwiMLParseError:
        return
    xml = doc.to_xml()
    assert parse(xml).to_xml() == xml
