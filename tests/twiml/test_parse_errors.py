"""A malformed document's syntax errors, each with its own message at its own line and column,
the earliest first: as `twiml validate` prints them (a real process on real files), as
`twiml.parse` and the lossless loader raise them, and whatever was parsed before."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

import twiml
from twiml import TwiMLParseError
from twiml.source import load, loads

ROOT = Path(__file__).resolve().parents[2]
# libxml2 before 2.13 ends an attribute value at a '<' and fails the start tag there, and reports
# nothing after the mismatch that follows: only the first error of such a file is known.
OLD_LIBXML = etree.LIBXML_VERSION < (2, 13)

AMP = "'&' must be written '&amp;' (in text and in attribute values such as URLs)"
BAD_ATTR = "Specification mandates value for attribute x-"

# name -> (file bytes, the errors as `line:column: message`, first one first)
CASES: dict[str, tuple[bytes, list[str]]] = {
    # the tryout's file: the '&' first, then a broken attribute name (its start tag fails, and the
    # mismatch of its end tag that follows is a consequence, not a second error)
    "amp_then_bad_attr": (
        b'<Response>\n  <Play>https://example.com/a?x=1&y=2</Play>\n  <Unknown x-[="1">hi</Unknown>\n</Response>\n',
        [f"2:34: {AMP}", f"3:14: {BAD_ATTR}"],
    ),
    "bad_attr_then_amp": (
        b'<Response>\n  <Pause x-[="1"/>\n  <Play>https://example.com/a?x=1&y=2</Play>\n</Response>\n',
        [f"2:12: {BAD_ATTR}", f"3:34: {AMP}"],
    ),
    "amp_then_unclosed_tag": (
        b"<Response>\n  <Play>u?a=1&b=2</Play>\n  <Say>hi\n</Response>\n",
        [f"2:14: {AMP}", "4:1: Opening and ending tag mismatch: Say line 3 and Response"],
    ),
    "lt_in_text_then_amp": (
        b"<Response>\n  <Say>a < b</Say>\n  <Play>u?a=1&b=2</Play>\n</Response>\n",
        ["2:11: StartTag: invalid element name", f"3:14: {AMP}"],
    ),
    "amp_then_lt_in_text": (
        b"<Response>\n  <Play>u?a=1&b=2</Play>\n  <Say>a < b</Say>\n</Response>\n",
        [f"2:14: {AMP}", "3:11: StartTag: invalid element name"],
    ),
    "mismatched_end_tag_then_amp": (
        b"<Response>\n  <Say>hi</Sya>\n  <Play>u?a=1&b=2</Play>\n</Response>\n",
        ["2:10: Opening and ending tag mismatch: Say line 2 and Sya", f"3:14: {AMP}"],
    ),
    "bad_attr_alone": (b'<Response>\n  <Unknown x-[="1">hi</Unknown>\n</Response>\n', [f"2:14: {BAD_ATTR}"]),
    "error_on_last_line": (
        b"<Response>\n  <Say>hi</Say>\n</Respons>",
        ["3:1: Opening and ending tag mismatch: Response line 1 and Respons"],
    ),
    "crlf": (
        b'<Response>\r\n  <Play>https://example.com/a?x=1&y=2</Play>\r\n  <Unknown x-[="1">hi</Unknown>\r\n</Response>\r\n',
        [f"2:34: {AMP}", f"3:14: {BAD_ATTR}"],
    ),
    "bom": (
        "\ufeff<Response><Say>a & b</Say>\n<Say>x</Play></Response>\n".encode(),
        [f"1:18: {AMP}", "2:7: Opening and ending tag mismatch: Say line 2 and Play"],
    ),
    "non_ascii_before_amp": ("<Response>\n  <Say>héllo wörld & x</Say>\n</Response>\n".encode(), [f"2:20: {AMP}"]),
    # an attribute value missing its closing quote swallows the markup after it: one error
    "runaway_attribute_value": (
        b'<Response>\n  <Play loop="2>x</Play>\n  <Say>a & b</Say>\n</Response>\n',
        ["2:18: Unescaped '<' not allowed in attributes values"],
    ),
    "two_values_with_lt": (
        b'<Response>\n  <Play url="a<b">x</Play>\n  <Say voice="x<y">hi</Say>\n</Response>\n',
        [
            "2:15: Unescaped '<' not allowed in attributes values",
            "3:16: Unescaped '<' not allowed in attributes values",
        ][: 1 if OLD_LIBXML else 2],
    ),
    # a '<' in a closed value, then a start tag broken on its own further on: both are errors
    "lt_in_value_then_broken_start_tag": (
        b'<Response>\n  <Play url="a<b">x</Play><Say a="1"b="2">hi</Say>\n</Response>\n',
        ["2:15: Unescaped '<' not allowed in attributes values", "2:37: attributes construct error"][
            : 1 if OLD_LIBXML else 2
        ],
    ),
    # a start tag that fails, then a real mismatch of the same name further on: both are errors
    "failed_start_then_real_mismatch": (
        b'<Response>\n  <Play x-[="1"/>\n  <Say>hi</Play>\n</Response>\n',
        [f"2:11: {BAD_ATTR}", "3:10: Opening and ending tag mismatch: Say line 3 and Play"],
    ),
    "unknown_entities": (
        b"<Response>\n  <Say>&nbsp; hi &copy;</Say>\n</Response>\n",
        [
            "2:8: unknown entity '&nbsp;': XML knows only &amp; &lt; &gt; &quot; &apos; (write '&' as '&amp;')",
            "2:18: unknown entity '&copy;': XML knows only &amp; &lt; &gt; &quot; &apos; (write '&' as '&amp;')",
        ],
    ),
}


def _errors(exc: TwiMLParseError) -> list[str]:
    return [f"{e.line}:{e.column}: {e.message}" for e in exc.all()]


def test_validate_prints_each_error_at_its_own_place(tmp_path: Path) -> None:
    names = []
    for name, (data, _) in CASES.items():
        (tmp_path / f"{name}.xml").write_bytes(data)
        names.append(f"{name}.xml")
    proc = subprocess.run(
        [sys.executable, "-m", "twiml", "validate", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    printed = [line for line in (proc.stdout + proc.stderr).splitlines() if line.strip()]
    expected = [
        f"{name}.xml:{where} error 12100 {message}"
        for name, (_, errors) in CASES.items()
        for where, message in (e.split(" ", 1) for e in errors)
    ]
    assert printed == expected


@pytest.mark.parametrize("name", list(CASES))
def test_parse_raises_the_first_error_with_the_others_after_it(name: str) -> None:
    data, expected = CASES[name]
    with pytest.raises(TwiMLParseError) as info:
        twiml.parse(data)
    exc = info.value
    assert _errors(exc) == expected
    first_line, first_column = (int(n) for n in expected[0].split(":")[:2])
    assert (exc.line, exc.column, exc.code) == (first_line, first_column, 12100)
    assert str(exc) == expected[0]


@pytest.mark.parametrize("name", ["amp_then_bad_attr", "crlf", "bom"])
def test_the_lossless_loader_raises_the_same_errors_naming_the_file(name: str, tmp_path: Path) -> None:
    data, expected = CASES[name]
    path = tmp_path / "doc.xml"
    path.write_bytes(data)
    with pytest.raises(TwiMLParseError) as info:
        load(path)
    assert _errors(info.value) == expected
    assert {e.filename for e in info.value.all()} == {str(path)}
    with pytest.raises(TwiMLParseError) as from_text:
        loads(data.decode("utf-8"))
    assert _errors(from_text.value) == expected


def test_errors_of_an_earlier_parse_do_not_leak_into_the_next() -> None:
    # lxml's exception carries the thread's whole error log: the errors of earlier parses too
    with pytest.raises(TwiMLParseError):
        twiml.parse(CASES["amp_then_bad_attr"][0])
    with pytest.raises(TwiMLParseError) as info:
        twiml.parse(b"<Response>\n  <Say>a < b</Say>\n</Response>\n")
    assert _errors(info.value) == ["2:11: StartTag: invalid element name"]


def test_recoverable_errors_are_all_reported() -> None:
    with pytest.raises(TwiMLParseError) as info:
        twiml.parse(b"<Response>\n  <x:Say>hi</x:Say>\n  <y:Play>u</y:Play>\n</Response>\n")
    assert _errors(info.value) == [
        "2:3: Namespace prefix x on Say is not defined",
        "3:3: Namespace prefix y on Play is not defined",
    ]


def test_an_undeclared_prefix_points_at_the_name_that_uses_it() -> None:
    with pytest.raises(TwiMLParseError) as info:
        twiml.parse(b'<Response>\n  <Play y:loop="1" a="2">u</Play>\n</Response>\n')
    assert _errors(info.value) == ["2:9: Namespace prefix y for loop on Play is not defined"]
