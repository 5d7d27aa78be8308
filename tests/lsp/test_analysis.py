"""`twiml.lsp.analysis`: incremental findings equal a fresh `validate`, positions follow edits, context at a cursor."""

from __future__ import annotations

import io
import random
import sys
from pathlib import Path

import pytest

from twiml.cli import main
from twiml.errors import TwiMLParseError
from twiml.lsp.analysis import TwimlFile, _source, context_at, spans
from twiml.parser import parse
from twiml.validator import validate

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "sample_flows").glob("*.xml")) + sorted((ROOT / "tests" / "corpus").glob("*.xml"))
PIECES = ["", "a", " ", "\n", "<Say>x</Say>", "\n  <Pause/>", '"', "<", ">", "D", "\n\n", '<Gather numdigits="1">']


def _state(f: TwimlFile) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    for x in f.findings():
        node = x.diagnostic.node
        line = node.source_line if node is not None else x.diagnostic.line
        out.append((x.diagnostic.code, x.diagnostic.message, line, f.position(x.start)))
    return out


def _fresh_error(text: str) -> tuple[str, int | None, int | None] | None:
    try:
        parse(_source(text))
    except TwiMLParseError as exc:
        return exc.message, exc.line, exc.column
    return None


def _fresh_errors(text: str) -> list[tuple[str, int | None, int | None]]:
    try:
        parse(_source(text))
    except TwiMLParseError as exc:
        return [(e.message, e.line, e.column) for e in exc.all()]
    return []


def _fresh(text: str) -> list[tuple[object, ...]] | None:
    if _fresh_error(text) is not None:
        return None
    g = TwimlFile(text)
    assert g.doc is not None
    return [(d.code, d.message, d.line, g.position(g.place(d).start)) for d in validate(g.doc)]


@pytest.mark.parametrize("seed", range(4))
def test_incremental_findings_equal_a_fresh_validation(seed: int) -> None:
    rng = random.Random(seed)
    checked = partial = 0
    for path in DOCS[seed::4]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        f = TwimlFile(text)
        if f.error is not None:
            continue
        for _ in range(40):
            before = f.text
            s = rng.randrange(len(before))
            e = min(len(before), s + rng.choice([0, 0, 1, 2, 5]))
            new = rng.choice(PIECES)
            f.change(f.position(s), f.position(e), new)
            assert f.text == before[:s] + new + before[e:]
            expected = _fresh(f.text)
            if expected is None:
                assert f.error is not None, (path.name, s, e, new)
                assert (f.error.message, f.error.line, f.error.column) == _fresh_error(f.text)
                if rng.random() < 0.7:
                    f.change(f.position(s), f.position(s + len(new)), before[s:e])  # undo, as people do
                f.findings()
                continue
            assert _state(f) == expected, (path.name, s, e, new)
            checked += 1
        partial += f.partial_parses
    assert checked > 10 and partial > 10  # valid states were compared, and edits took the incremental path


def test_a_finding_is_placed_on_its_attribute() -> None:
    f = TwimlFile('<Response>\n  <Gather numdigits="1" timeout="x"><Say>Hi</Say></Gather>\n</Response>\n')
    placed = {str(x.diagnostic.code): f.text[x.start : x.end] for x in f.findings()}
    assert placed["12200"] == "numdigits"  # an unknown attribute: its name
    assert placed["13313"] == "x"  # a bad value: the value


def test_context_at_the_cursor() -> None:
    text = '<Response>\n  <Gather input="dtmf" >\n    <Sa\n'
    f = TwimlFile(text)
    assert f.error is not None  # still typing
    at = text.index('" >') + 2
    ctx = context_at(f, at)
    assert (ctx.kind, ctx.stack, ctx.tag, ctx.attrs) == ("attr", ["Response"], "Gather", {"input": "dtmf"})
    ctx = context_at(f, text.index("dtmf") + 2)
    assert (ctx.kind, ctx.attr, ctx.prefix) == ("value", "input", "dt")
    ctx = context_at(f, len(text) - 1)
    assert (ctx.kind, ctx.stack, ctx.prefix) == ("tag", ["Response", "Gather"], "Sa")


def test_spans_give_the_outline() -> None:
    (root,) = spans('<Response>\n  <!-- hi -->\n  <Gather action="/m"><Say>x</Say></Gather>\n  <Hangup/>\n</Response>')
    assert [c.name for c in root.children] == ["#comment", "Gather", "Hangup"]
    assert root.children[1].attrs["action"][2] == "/m"
    assert [c.name for c in root.children[1].children] == ["Say"]


def test_lsp_names_the_extra_when_pygls_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)
    err = io.StringIO()
    assert main(["lsp"], stderr=err) == 2
    assert 'pip install "twiml-toolkit[lsp]"' in err.getvalue()


def test_context_stays_right_while_the_text_does_not_parse() -> None:
    menu = '  <Gather action="/m{0}">\n    <Say>Menu {0}</Say>\n  </Gather>\n'
    text = "<Response>\n" + "".join(menu.format(i) for i in range(3)) + "</Response>\n"
    f = TwimlFile(text)
    say = f.text.index("<Say>Menu 1")
    f.change(f.position(say), f.position(say), "<Play ")  # the second menu no longer parses
    assert f.error is not None
    f.change((1, 0), (1, 0), "  <Pause/>\n\n")  # lines move while the tree cannot follow
    at = f.text.index("<Play ") + len("<Play ")
    ctx = context_at(f, at)
    assert (ctx.kind, ctx.stack, ctx.tag) == ("attr", ["Response", "Gather"], "Play")
    later = f.text.index("<Say>Menu 2") + len("<Say>Me")
    assert context_at(f, later).stack == ["Response", "Gather", "Say"]


def test_a_one_character_edit_parses_and_checks_one_child() -> None:
    text = "<Response>\n" + "".join(f'  <Gather timeout="5" action="/m{i}"/>\n' for i in range(50)) + "</Response>\n"
    f = TwimlFile(text)
    assert f.findings() == []
    at = text.index('timeout="5" action="/m20"') + len('timeout="')
    f.change(f.position(at), f.position(at + 1), "x")
    (found,) = f.findings()
    assert found.diagnostic.code == 13313 and f.text[found.start : found.end] == "x"
    assert (f.full_parses, f.partial_parses) == (1, 1)
    assert f._revalidator is not None and f._revalidator.reused == 49  # the other children kept their findings


def test_typing_a_new_element_keeps_to_its_region() -> None:
    menu = '  <Gather action="/m{0}">\n    <Say>Menu {0}</Say>\n  </Gather>\n'
    text = "<Response>\n" + "".join(menu.format(i) for i in range(40)) + "</Response>\n"
    f = TwimlFile(text)
    f.findings()
    at = f.text.index("<Say>Menu 20")
    typed = '<Pause length="0"/>\n    '
    for i, char in enumerate(typed):
        f.change(f.position(at + i), f.position(at + i), char)
        found = f.findings()
        error = _fresh_error(f.text)
        if error is None:
            assert f.error is None
        else:  # the parse error `twiml validate` reports, from the region alone
            assert f.error is not None and (f.error.message, f.error.line, f.error.column) == error
            every = _fresh_errors(f.text)  # each syntax error at its own place, as `twiml validate` lists them
            assert [(e.message, e.line, e.column) for e in f.error.all()] == every
            assert [(str(x.diagnostic.code), x.diagnostic.line, x.diagnostic.column) for x in found] == [
                ("12100", line, column) for _, line, column in every
            ]
    assert f.full_parses == 1  # the whole text was parsed once, when it was opened
    (pause,) = f.findings()
    assert pause.diagnostic.code == 13910 and f.position(pause.start)[0] == f.text.count("\n", 0, at)


def test_findings_follow_the_vendor_dialect_of_the_settings() -> None:
    text = '<Response>\n  <Record transcribe="true"/>\n  <AIGather action="/x"/>\n</Response>\n'
    f = TwimlFile(text)
    twilio = [(x.diagnostic.code, x.diagnostic.message.split(" ")[0]) for x in f.findings()]
    texml = [(x.diagnostic.code, x.diagnostic.message.split(" ")[0]) for x in f.findings("texml")]
    assert twilio == [(12200, "<AIGather>")]
    assert texml == [("DIALECT-RENAMED", "<Record>")]
    assert [(x.diagnostic.code, x.diagnostic.line) for x in f.findings("texml")] == [("DIALECT-RENAMED", 2)]


def test_each_syntax_error_is_a_finding_at_its_own_place() -> None:
    text = '<Response>\n  <Play>https://example.com/a?x=1&y=2</Play>\n  <Unknown x-[="1">hi</Unknown>\n</Response>\n'
    f = TwimlFile(text)
    found = f.findings()
    assert [(x.diagnostic.code, x.diagnostic.line, x.diagnostic.column) for x in found] == [
        (12100, 2, 34),
        (12100, 3, 14),
    ]
    assert [f.text[x.start] for x in found] == ["&", "["]
    assert "'&' must be written '&amp;'" in found[0].diagnostic.message
    assert found[1].diagnostic.message == "Specification mandates value for attribute x-"
