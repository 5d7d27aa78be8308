"""Format-preserving documents (twiml.source): no edit gives the same bytes, edits give minimal diffs.

Runs over every `.xml` in sample_flows/ and tests/corpus/ (written here), and the documents collected
from public repositories in ../shared/corpus/real/ when that folder is there: comments, odd
indentation, CRLF, single quotes, attribute orders twilio would not write, BOMs and encodings.
"""

from __future__ import annotations

import codecs
import difflib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_data import CORPUS, corpus_files, needs_corpus

from twiml import TwiMLParseError, parse
from twiml.base import Comment, GenericNode, ProcessingInstruction, TwiML, is_markup
from twiml.source import SourceDocument, load, loads
from twiml.voice_response import Gather, Say, VoiceResponse

ROOT = Path(__file__).resolve().parents[2]
# Our own documents, then the real ones of ../shared/corpus/real/ when that folder is there.
FILES = sorted((ROOT / "sample_flows").rglob("*.xml")) + sorted((ROOT / "tests" / "corpus").rglob("*.xml"))
FILES += corpus_files("real")
IDS = [str(p.relative_to(ROOT.parent if p.is_relative_to(CORPUS) else ROOT)) for p in FILES]


def elements(root: TwiML) -> list[TwiML]:
    return [n for n in root.iter() if not is_markup(n)]


def plain_attrs(node: TwiML) -> list[str]:
    """Attribute names other than namespace declarations (changing those changes the names)."""
    return [k for k in node.attrs if not k.startswith("xmlns")]


def parent_map(root: TwiML) -> dict[int, TwiML]:
    return {id(kid): node for node in root.iter() for kid in node.verbs if isinstance(kid, TwiML)}


def diff(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines removed and lines added."""
    removed: list[str] = []
    added: list[str] = []
    for line in difflib.ndiff(old.splitlines(True), new.splitlines(True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def same_meaning(doc: SourceDocument) -> None:
    """What is written reads back as the tree in memory does (through the canonical writer, so
    whitespace the parser itself treats as formatting counts the same on both sides)."""
    assert parse(doc.to_bytes()).to_xml() == parse(doc.root.to_xml()).to_xml()


def test_corpus_is_there() -> None:
    assert len(FILES) >= 50


@needs_corpus
def test_shared_corpus_is_there() -> None:
    assert len([p for p in FILES if p.parent.name == "real"]) >= 100  # collected, see ../shared/corpus/INDEX.md


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_edit_gives_the_same_bytes(path: Path) -> None:
    doc = load(path)
    assert doc.preserving
    assert doc.to_bytes() == path.read_bytes()
    assert not doc.changed


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_deferred_index_gives_the_same_results(path: Path) -> None:
    """`defer_index=True` (the editor's open): the same bytes without an edit, and the same
    one-line diff when the index is built before the tree changes."""
    doc = load(path, defer_index=True)
    assert doc.to_bytes() == path.read_bytes()
    nodes = [n for n in elements(doc.root) if plain_attrs(n)]
    if not nodes:
        return
    doc = load(path, defer_index=True)
    doc.index()
    target = next(n for n in elements(doc.root) if plain_attrs(n))
    target.attrs[plain_attrs(target)[0]] = "deferred"
    eager = load(path)
    twin = next(n for n in elements(eager.root) if plain_attrs(n))
    twin.attrs[plain_attrs(twin)[0]] = "deferred"
    assert doc.dumps() == eager.dumps()


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_one_attribute_change_is_a_one_line_diff(path: Path) -> None:
    doc = load(path)
    nodes = [n for n in elements(doc.root) if plain_attrs(n)]
    if not nodes:
        pytest.skip("no attributes")
    for index in range(0, len(nodes), max(1, len(nodes) // 8)):
        doc = load(path)
        target = [n for n in elements(doc.root) if plain_attrs(n)][index]
        key = plain_attrs(target)[0]
        target.attrs[key] = "edited & <new>"
        removed, added = diff(doc.text or "", doc.dumps())
        assert len(removed) == 1 and len(added) == 1, (key, removed, added)
        assert "edited &amp; &lt;new&gt;" in added[0]
        same_meaning(doc)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_removing_a_node_removes_only_its_lines(path: Path) -> None:
    original = load(path)
    count = len(elements(original.root)) - 1
    for index in range(1, count + 1, max(1, count // 6)):
        doc = load(path)
        node = elements(doc.root)[index]
        parent = parent_map(doc.root)[id(node)]
        before = doc.text or ""
        parent.verbs.remove(node)
        after = doc.dumps()
        same_meaning(doc)
        removed, added = diff(before, after)
        own = before.splitlines(True)[(node.source_line or 1) - 1]
        if own.strip().startswith("<" + node.name) and own.rstrip().endswith(">") and not added:
            assert own in removed  # a node on lines of its own takes them along
        assert len(added) <= 2  # at most the lines it shared with its neighbours


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_adding_a_node_adds_only_its_lines(path: Path) -> None:
    doc = load(path)
    parents = [n for n in elements(doc.root) if any(not isinstance(v, str) for v in n.verbs)]
    for index in range(min(4, len(parents))):
        doc = load(path)
        target = [n for n in elements(doc.root) if any(not isinstance(v, str) for v in n.verbs)][index]
        kids = [v for v in target.verbs if isinstance(v, TwiML)]
        new = GenericNode("Added", "x", a="1")
        target.verbs.insert(target.verbs.index(kids[-1]) + 1, new)
        after = doc.dumps()
        same_meaning(doc)
        removed, added = diff(doc.text or "", after)
        assert any('<Added a="1">x</Added>' in line for line in added)
        if not removed:  # element-only content on lines of its own: one new line, indented like its sibling
            assert len(added) == 1
            newline_style = "\r\n" if "\r\n" in (doc.text or "") else "\n"
            assert added[0].endswith(newline_style) or after.endswith(added[0])
            line = added[0]
            sibling = (doc.text or "").splitlines(True)[(kids[-1].source_line or 1) - 1]
            assert line[: len(line) - len(line.lstrip())] == sibling[: len(sibling) - len(sibling.lstrip())]


# --------------------------------------------------------------------------------- focused cases


def test_attribute_edits_keep_order_quotes_and_spacing() -> None:
    text = "<Response>\n\t<Gather  timeout='5'   action=\"/a\" numDigits='1' >\n\t</Gather>\n</Response>"
    doc = loads(text)
    g = doc.root.verbs[0]
    assert isinstance(g, TwiML)
    g.attrs["timeout"] = "it's"
    assert doc.dumps() == text.replace("timeout='5'", "timeout='it&apos;s'")
    del g.attrs["action"]
    g.attrs["method"] = "GET"
    assert doc.dumps() == (
        "<Response>\n\t<Gather  timeout='it&apos;s' numDigits='1' method='GET' >\n\t</Gather>\n</Response>"
    )


def test_new_attribute_on_its_own_line_when_the_tag_has_one_per_line() -> None:
    text = '<Response>\n  <Dial\n    callerId="+1"\n    timeout="20">+2</Dial>\n</Response>\n'
    doc = loads(text)
    dial = doc.root.verbs[0]
    assert isinstance(dial, TwiML)
    dial.attrs["record"] = "true"
    assert doc.dumps() == text.replace('timeout="20"', 'timeout="20"\n    record="true"')


def test_removed_attribute_that_begins_a_line_takes_just_that_line() -> None:
    # api-snippets record-3: attributes one per line, a trailing space after one of them
    text = '<Response>\n    <Record \n        action="/a"\n        method="GET" \n        maxLength="20"\n        />\n</Response>'
    doc = loads(text)
    record = doc.root.verbs[0]
    assert isinstance(record, TwiML)
    del record.attrs["action"]
    assert doc.dumps() == text.replace('        action="/a"\n', "")
    del record.attrs["maxLength"]
    assert doc.dumps() == text.replace('        action="/a"\n', "").replace('        maxLength="20"\n', "")


def test_new_node_goes_in_at_the_last_line_break_of_the_formatting() -> None:
    # api-snippets sip-9: a blank line after the start tag; a hand-edited file: trailing spaces, blank lines
    text = '<Response>\n  <Dial\n   timeout="10">\n\n    <Sip>sip:a@b</Sip>\n  </Dial>\n  <Say>A</Say>  \n\n  <Say>B</Say>\n</Response>\n'
    doc = loads(text)
    dial = doc.root.verbs[0]
    assert isinstance(dial, TwiML)
    dial.verbs.append(GenericNode("Sip", "sip:c@d"))
    doc.root.verbs.insert(2, GenericNode("Pause", None))
    assert doc.dumps() == text.replace("<Sip>sip:a@b</Sip>\n", "<Sip>sip:a@b</Sip>\n    <Sip>sip:c@d</Sip>\n").replace(
        "\n  <Say>B", "\n  <Pause />\n  <Say>B"
    )
    doc.root.verbs.append(GenericNode("Hangup", None))
    doc.root.verbs.insert(0, GenericNode("Say", "first"))
    assert doc.dumps().startswith("<Response>\n  <Say>first</Say>\n  <Dial\n")
    assert doc.dumps().endswith("<Say>B</Say>\n  <Hangup />\n</Response>\n")


def test_crlf_bom_and_declaration_kept_and_new_lines_use_crlf() -> None:
    data = codecs.BOM_UTF8 + b"<?xml version='1.0'?>\r\n<Response>\r\n    <Say>Hi</Say>\r\n</Response>\r\n"
    doc = load(data)
    assert doc.to_bytes() == data
    doc.root.verbs.append(GenericNode("Hangup", None))
    assert doc.to_bytes() == data.replace(b"</Say>\r\n", b"</Say>\r\n    <Hangup />\r\n")


def test_utf16_and_latin1_round_trip_in_their_own_encoding() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<Response><Say>Grüße €</Say></Response>\n'
    data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    doc = load(data)
    assert doc.to_bytes() == data
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>Café</Say></Response>'.encode("latin-1")
    doc = load(latin)
    assert doc.to_bytes() == latin
    say = doc.root.verbs[0]
    assert isinstance(say, TwiML)
    say.value = "Café €"  # € is not in Latin-1: a character reference
    assert doc.to_bytes() == latin.replace(b"Caf\xe9<", b"Caf\xe9 &#8364;<")
    same_meaning(doc)


def test_self_closing_element_gains_children_indented_one_step_deeper() -> None:
    text = "<Response>\n  <Gather action='/a'/>\n</Response>\n"
    doc = loads(text)
    g = doc.root.verbs[0]
    assert isinstance(g, TwiML)
    g.verbs.append(GenericNode("Say", "Hi"))
    assert doc.dumps() == "<Response>\n  <Gather action='/a'>\n    <Say>Hi</Say>\n  </Gather>\n</Response>\n"


def test_text_edits_and_mixed_content() -> None:
    text = "<Response>\n  <Say>Hello <emphasis>you</emphasis> my &amp; friend</Say>\n</Response>"
    doc = loads(text)
    say = doc.root.verbs[0]
    assert isinstance(say, TwiML)
    say.value = "Bye "
    assert doc.dumps() == text.replace("Hello ", "Bye ")
    say.verbs.append(GenericNode("break", None))
    assert doc.dumps() == text.replace("Hello ", "Bye ").replace("friend</Say>", "friend<break /></Say>")
    same_meaning(doc)


def test_text_added_where_there_was_only_formatting() -> None:
    text = "<Response>\n  <Say>\n    <emphasis>a</emphasis>\n  </Say>\n</Response>"
    doc = loads(text)
    say = doc.root.verbs[0]
    assert isinstance(say, TwiML)
    say.value = "Hi "
    same_meaning(doc)  # the indentation cannot become part of the text
    assert "<Say>Hi <emphasis>a</emphasis></Say>" in doc.dumps()


def test_comments_and_processing_instructions_around_the_root() -> None:
    text = '<?xml version="1.0"?>\n<?xml-stylesheet href="a.xsl"?>\n<!-- head -->\n<Response/>\n<!-- tail -->\n'
    doc = loads(text)
    assert doc.dumps() == text
    assert [m.name for m in doc.root.prolog] == ["#pi", "#comment"]
    doc.root.prolog = [doc.root.prolog[1]]
    assert doc.dumps() == '<?xml version="1.0"?>\n<!-- head -->\n<Response/>\n<!-- tail -->\n'
    doc.root.epilog = [*doc.root.epilog, ProcessingInstruction("end", "now")]
    assert doc.dumps() == '<?xml version="1.0"?>\n<!-- head -->\n<Response/>\n<!-- tail -->\n<?end now?>\n'
    same_meaning(doc)


def test_comment_added_before_the_root_of_a_file_without_declaration() -> None:
    doc = loads("<Response/>\n")
    doc.root.prolog = [Comment(" new ")]
    assert doc.dumps() == "<!-- new -->\n<Response/>\n"


def test_moved_node_keeps_its_text() -> None:
    text = "<Response>\n  <Say voice='alice'>One</Say>\n  <Play>two.mp3</Play>\n</Response>\n"
    doc = loads(text)
    doc.root.verbs.reverse()
    assert doc.dumps() == "<Response>\n  <Play>two.mp3</Play>\n  <Say voice='alice'>One</Say>\n</Response>\n"


def test_undoing_an_edit_gives_the_original_bytes_back() -> None:
    text = "<Response>\n  <Say voice='alice'>One</Say>\n</Response>\n"
    doc = loads(text)
    say = doc.root.verbs[0]
    assert isinstance(say, TwiML)
    say.attrs["voice"] = "man"
    assert doc.dumps() != text
    say.attrs["voice"] = "alice"
    assert doc.dumps() == text


def test_reformat_gives_canonical_output(tmp_path: Path) -> None:
    doc = loads("<Response >\n<Say   voice='a'>x</Say></Response>")
    doc.reformat()
    assert doc.dumps() == doc.root.to_xml(pretty=True)
    path = doc.save(tmp_path / "out.xml")
    assert path.read_text() == doc.root.to_xml(pretty=True)


def test_load_names_the_file_in_parse_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<Response><Say></Response>")
    with pytest.raises(TwiMLParseError, match=r"bad\.xml"):
        load(bad)


# --------------------------------------------------------------------------------- random edits

EDITABLE = [p for p in FILES if p.stat().st_size < 20_000]


@st.composite
def edited(draw: st.DrawFn) -> SourceDocument:
    doc = load(draw(st.sampled_from(EDITABLE)))
    for _ in range(draw(st.integers(1, 4))):
        nodes = elements(doc.root)
        node = draw(st.sampled_from(nodes))
        parents = parent_map(doc.root)
        op = draw(st.sampled_from(["attr", "drop_attr", "text", "remove", "insert", "move", "comment"]))
        if op == "attr":
            key = draw(st.sampled_from([*plain_attrs(node), "newAttr"]))
            node.attrs[key] = draw(st.text("ab &<>\"'\n", max_size=5))
        elif op == "drop_attr" and plain_attrs(node):
            del node.attrs[draw(st.sampled_from(plain_attrs(node)))]
        elif op == "text":
            node.value = draw(st.none() | st.text("ab &<\n ", max_size=5))
        elif op == "remove" and id(node) in parents:
            parents[id(node)].verbs.remove(node)
        elif op == "insert":
            new = GenericNode("New", draw(st.none() | st.just("t")), k="v")
            if draw(st.booleans()):
                new.verbs.append(GenericNode("Inner", None))
            node.verbs.insert(draw(st.integers(0, len(node.verbs))), new)
        elif op == "move" and id(node) in parents:
            siblings = parents[id(node)].verbs
            siblings.remove(node)
            siblings.insert(draw(st.integers(0, len(siblings))), node)
        elif op == "comment":
            node.verbs.insert(draw(st.integers(0, len(node.verbs))), Comment(" c "))
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited())
def test_any_edit_reads_back_as_the_tree(doc: SourceDocument) -> None:
    same_meaning(doc)


NASTY = st.text(alphabet=st.sampled_from("&<>\"' \t\n\r]]>ab=/é中"), max_size=8)


@st.composite
def trees(draw: st.DrawFn) -> TwiML:
    """Random documents: builder and unknown elements, attributes and text with characters that
    need escaping, string children between elements, comments and processing instructions."""
    root: TwiML = VoiceResponse()
    nodes = [root]
    for _ in range(draw(st.integers(0, 12))):
        parent = draw(st.sampled_from(nodes))
        kind = draw(st.integers(0, 5))
        if kind == 0:
            parent.verbs.append(draw(NASTY))
        elif kind == 1:
            parent.verbs.append(Comment(draw(st.text("ab <>&é", max_size=5))))
        elif kind == 2:
            parent.verbs.append(ProcessingInstruction("pi", draw(st.text("ab <>&", max_size=5))))
        else:
            node = {3: Say(draw(st.none() | NASTY)), 4: Gather()}.get(kind) or GenericNode("X-y.z", draw(NASTY))
            for key in draw(st.lists(st.sampled_from(["a", "voice", "b-c"]), max_size=3, unique=True)):
                node.attrs[key] = draw(NASTY)
            parent.verbs.append(node)
            nodes.append(node)
    return root


@settings(max_examples=300, deadline=None)
@given(trees(), st.booleans(), st.sampled_from(["\n", "\r\n"]))
def test_written_documents_are_indexed_whole(tree: TwiML, pretty: bool, newline: str) -> None:
    """The lexer and the alignment accept whatever the writer produces (nasty text, comments,
    self-closing and mixed content): nothing edited, the same text back."""
    text = tree.to_xml(pretty=pretty).replace("\n", newline)
    doc = loads(text)
    assert doc.preserving
    assert doc.dumps() == text
    edited = elements(doc.root)[-1]
    edited.attrs["z"] = "new & <z>"
    same_meaning(doc)


def test_a_new_attribute_in_the_place_of_a_removed_one_is_written_there() -> None:
    doc = loads(
        "<Response>\n  <Record maxLength='60' transcribe='true'\n          action='/r'/>\n  <Dial a=\"1\" b=\"2\"/>\n</Response>\n"
    )
    record, dial = doc.root.verbs[0], doc.root.verbs[1]
    assert isinstance(record, TwiML) and isinstance(dial, TwiML)
    items = [("transcription" if k == "transcribe" else k, v) for k, v in record.attrs.items()]
    record.attrs.clear()
    record.attrs.update(items)  # a rename keeping the order
    del dial.attrs["a"]
    dial.attrs["c"] = "3"  # a removal and an addition at the end: the new one is appended
    assert doc.dumps() == (
        "<Response>\n  <Record maxLength='60' transcription='true'\n          action='/r'/>\n"
        '  <Dial b="2" c="3"/>\n</Response>\n'
    )
