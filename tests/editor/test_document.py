"""The headless document: open/save, navigation, every edit with undo/redo, dirty flag, clipboard."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_edits import EDITS, random_edit

from twiml import GenericNode, TwiML, TwiMLException, TwiMLParseError
from twiml.base import Comment
from twiml.fax_response import FaxResponse
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element, element_of
from twiml.messaging_response import MessagingResponse
from twiml.voice_response import Gather, ReferSip, Say, Sip, VoiceResponse
from twiml_editor.document import Change, Document, Kind
from twiml_editor.edits import Insert, Remove, SetAttr

pytest.importorskip("twiml.parser")

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"
IVR = SAMPLES / "ivr_main_menu.xml"

MENU = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="/menu" numDigits="1">
    <Say>Press 1</Say>
    <Play>https://example.com/a.mp3</Play>
  </Gather>
  <Say voice="alice">Bye</Say>
  <Redirect>/next</Redirect>
</Response>
"""


def el(kind: str, cls: str) -> Element:
    return GRAMMAR.get(kind, cls)


def menu() -> Document:
    return Document.from_xml(MENU)


def nodes_named(doc: Document, name: str) -> list[TwiML]:
    return [n for n in doc.root.iter() if n.name == name]


# ---------------------------------------------------------------- creation and files


@pytest.mark.parametrize(
    ("kind", "cls"), [("voice", VoiceResponse), ("messaging", MessagingResponse), ("fax", FaxResponse)]
)
def test_new_document(kind: Kind, cls: type) -> None:
    doc = Document.new(kind)
    assert type(doc.root) is cls and doc.kind == kind
    assert doc.to_xml() == '<?xml version="1.0" encoding="UTF-8"?>\n<Response />\n'
    assert not doc.dirty and doc.version == 0 and doc.file_path is None
    assert not doc.can_undo and not doc.can_redo and doc.undo() is None and doc.redo() is None


@pytest.mark.parametrize("sample", sorted(SAMPLES.rglob("*.xml")), ids=lambda p: p.stem)
def test_open_every_sample_round_trips(sample: Path) -> None:
    doc = Document.open(sample)
    assert doc.file_path == sample and not doc.dirty
    assert doc.file_text() == sample.read_text(encoding="utf-8")
    expected = "messaging" if sample.stem.startswith("sms_") else "fax" if sample.stem.startswith("fax_") else "voice"
    assert doc.kind == expected


def test_open_malformed_file_raises_with_position_and_leaves_file_alone(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    original = b"<Response>\n  <Say>Hello</Sya>\n</Response>\n"
    bad.write_bytes(original)
    stamp = bad.stat().st_mtime_ns
    with pytest.raises(TwiMLParseError) as info:
        Document.open(bad)
    err = info.value
    assert err.line == 2 and err.column is not None
    assert err.filename == str(bad) and str(bad) in str(err)
    assert bad.read_bytes() == original and bad.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.xml"]


def test_open_missing_file_is_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        Document.open(tmp_path / "none.xml")


def test_open_non_utf8_without_declaration_is_parse_error(tmp_path: Path) -> None:
    p = tmp_path / "l1.xml"
    p.write_bytes(b"<Response><Say>caf\xe9</Say></Response>")
    with pytest.raises(TwiMLParseError) as info:
        Document.open(p)
    assert info.value.filename == str(p)


def test_open_declared_latin1_file(tmp_path: Path) -> None:
    p = tmp_path / "l1.xml"
    p.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>caf\xe9</Say></Response>')
    doc = Document.open(p)
    assert doc.root.children[0].value == "café"


def test_from_xml_never_reads_a_file_named_by_the_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "flow.xml").write_text("<Response><Say>from file</Say></Response>")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TwiMLParseError, match="not XML"):
        Document.from_xml("flow.xml")


def test_from_xml_kind_for_ambiguous_document() -> None:
    assert Document.from_xml("<Response/>").kind == "voice"
    doc = Document.from_xml("<Response/>", kind="messaging")
    assert doc.kind == "messaging" and type(doc.root) is MessagingResponse


def test_unknown_elements_and_attributes_survive_edit_and_save(tmp_path: Path) -> None:
    path = tmp_path / "flow.xml"
    path.write_text('<Response><Foo bar="1"/><Say madeUp="x">Hi</Say><Play>a.mp3</Play></Response>')
    doc = Document.open(path)
    foo = doc.root.children[0]
    assert isinstance(foo, GenericNode)
    play = nodes_named(doc, "Play")[0]
    doc.set_attr(play, "loop", "2")
    doc.set_text(play, "b.mp3")
    doc.save()
    again = Document.open(path)
    foo2, say2, play2 = again.root.children
    assert (foo2.name, foo2.attrs) == ("Foo", {"bar": "1"})
    assert say2.attrs == {"madeUp": "x"} and say2.value == "Hi"
    assert play2.attrs == {"loop": "2"} and play2.value == "b.mp3"


def test_save_needs_a_path_and_then_remembers_it(tmp_path: Path) -> None:
    doc = Document.new()
    doc.add_child(doc.root, el("voice", "Hangup"))
    with pytest.raises(ValueError, match="file name"):
        doc.save()
    target = tmp_path / "out.xml"
    assert doc.save(target) == target
    assert doc.file_path == target and not doc.dirty
    assert target.read_text(encoding="utf-8") == doc.file_text() == doc.to_xml()
    assert Document.open(target).to_xml() == doc.to_xml()


def test_save_replaces_existing_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "flow.xml"
    target.write_text(MENU)
    doc = Document.open(target)
    doc.remove(nodes_named(doc, "Redirect")[0])
    doc.save()
    assert "Redirect" not in target.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["flow.xml"]


def test_save_refuses_output_that_would_not_read_back(tmp_path: Path) -> None:
    target = tmp_path / "flow.xml"
    target.write_text(MENU)
    doc = Document.open(target)
    node = nodes_named(doc, "Redirect")[0]
    doc.set_text(node, "/changed")
    node.name = "v:Redirect"  # a tree broken behind the document's back: the prefix is never declared
    with pytest.raises(TwiMLException, match="not saved"):
        doc.save()
    assert target.read_text() == MENU and doc.dirty


def test_export_python(tmp_path: Path) -> None:
    pytest.importorskip("twiml.exporter")
    doc = menu()
    out = doc.export_python(tmp_path / "flow.py")
    code = out.read_text()
    assert code == doc.to_python()
    assert "from twiml" in code and "gather(" in code and "/menu" in code
    assert doc.file_path is None and not doc.dirty


# ---------------------------------------------------------------- navigation


def test_paths_round_trip_on_every_node() -> None:
    doc = Document.open(IVR)
    for node in doc.root.iter():
        path = doc.path_of(node)
        assert doc.node_at(path) is node
        parent = doc.parent_of(node)
        if path:
            assert parent is not None and parent.children[path[-1]] is node
        else:
            assert parent is None and node is doc.root


def test_paths_count_text_pieces_and_comments() -> None:
    doc = Document.from_xml("<Response><!-- c --><Say>a</Say><Foo>x<Bar/>y<Baz/></Foo></Response>")
    foo = doc.root.children[2]
    assert isinstance(doc.root.children[0], Comment)
    bar, baz = foo.children
    assert foo.value == "x" and foo.verbs[1] == "y"
    assert doc.path_of(bar) == (2, 0) and doc.path_of(baz) == (2, 2)
    with pytest.raises(TwiMLException):
        doc.node_at((2, 1))  # a text piece


def test_path_of_foreign_node_and_paths_after_structure_changes() -> None:
    doc = menu()
    with pytest.raises(ValueError):
        doc.path_of(Say("elsewhere"))
    bye = nodes_named(doc, "Say")[1]
    assert doc.path_of(bye) == (1,)
    doc.add_sibling(doc.root.children[0], el("voice", "Pause"))
    assert doc.path_of(bye) == (2,)
    doc.undo()
    assert doc.path_of(bye) == (1,)


def test_path_index_is_kept_across_attribute_and_text_edits() -> None:
    doc = Document.open(IVR)
    say = nodes_named(doc, "Say")[-1]
    doc.path_of(say)
    index = doc._index
    doc.set_attr(say, "voice", "man")
    doc.set_text(say, "changed")
    doc.undo()
    assert doc._index is index  # no re-walk of the tree for non-structural edits
    doc.add_sibling(say, el("voice", "Pause"))
    assert doc._index is None  # rebuilt lazily on the next lookup
    assert doc.path_of(say) == (3,)


def test_path_of_survives_changes_made_behind_its_back() -> None:
    doc = menu()
    bye = nodes_named(doc, "Say")[1]
    doc.path_of(bye)
    doc.root.verbs.insert(0, Say("sneaky"))
    assert doc.path_of(bye) == (2,)


def test_allowed_children_follow_the_grammar() -> None:
    doc = menu()
    gather = doc.root.children[0]
    names = [e.xml for e in doc.allowed_children(gather)]
    assert set(names) == {"Say", "Play", "Pause"}
    root_names = {e.xml for e in doc.allowed_children(doc.root)}
    assert {"Say", "Gather", "Dial", "Redirect", "Hangup"} <= root_names and "Number" not in root_names
    assert doc.allowed_children(GenericNode("Foo", None)) == []
    assert doc.element_of(gather) is element_of(gather)


def test_make_node_for_every_grammar_element() -> None:
    for kind in ("voice", "messaging", "fax"):
        doc = Document.new(kind)
        for element in GRAMMAR.elements:
            if element.kind != kind:
                continue
            node = doc.make_node(element)
            assert element_of(node) is element
            assert node.attrs == {} and node.verbs == []
            body = element.body
            if body is not None and (body.kind == "required" or body.param_required):
                assert node.value and node.value == body.example, element.cls
            else:
                assert node.value is None, element.cls
            node.to_xml()


def test_make_node_placeholders() -> None:
    doc = Document.new()
    assert doc.make_node(el("voice", "Redirect")).value == "/next"
    assert doc.make_node(el("voice", "Number")).value == "+15550100"


# ---------------------------------------------------------------- edits, undo, redo

Op = Callable[[Document], object]


def _say(doc: Document) -> TwiML:
    return nodes_named(doc, "Say")[1]


OPS: dict[str, Op] = {
    "set_attr": lambda d: d.set_attr(_say(d), "voice", "man"),
    "remove_attr": lambda d: d.set_attr(_say(d), "voice", None),
    "unknown_attr": lambda d: d.set_attr(_say(d), "madeUp", "x"),
    "set_text": lambda d: d.set_text(_say(d), "Goodbye"),
    "clear_text": lambda d: d.set_text(_say(d), None),
    "insert": lambda d: d.insert(d.root, 0, Say("first")),
    "add_child": lambda d: d.add_child(d.root.children[0], el("voice", "Pause")),
    "add_sibling": lambda d: d.add_sibling(d.root.children[0], el("voice", "Hangup")),
    "remove": lambda d: d.remove(d.root.children[0]),
    "duplicate": lambda d: d.duplicate(d.root.children[0]),
    "move_up": lambda d: d.move(_say(d), -1),
    "move_down": lambda d: d.move(d.root.children[0], 1),
    "cut": lambda d: d.cut(d.root.children[0].children[1]),
    "paste": lambda d: d.paste(d.root.children[0], 1, "<Say loop='2'>Pasted</Say>"),
}


@pytest.mark.parametrize("op", OPS, ids=list(OPS))
def test_every_edit_is_undoable_and_redoable(op: str) -> None:
    doc = menu()
    before = doc.to_xml()
    OPS[op](doc)
    after = doc.to_xml()
    assert after != before
    assert doc.dirty and doc.can_undo and not doc.can_redo and doc.version == 1
    assert doc.undo() is not None
    assert doc.to_xml() == before and not doc.dirty and doc.can_redo
    assert doc.redo() is not None
    assert doc.to_xml() == after and doc.dirty
    doc.undo()
    assert doc.to_xml() == before and doc.version == 4


def test_changes_describe_what_moved() -> None:
    doc = menu()
    say = _say(doc)
    assert doc.set_attr(say, "loop", "2") == Change("attr", (1,), None)
    assert doc.set_text(say, "x") == Change("text", (1,), None)
    change, node = doc.add_child(doc.root.children[0], el("voice", "Pause"))
    assert change == Change("insert", (0, 2), (0,)) and doc.path_of(node) == (0, 2)
    assert doc.move(say, -1) == Change("move", (0,), (), old_path=(1,))
    assert doc.undo() == Change("move", (1,), (), old_path=(0,))
    assert doc.remove(node) == Change("remove", (0, 2), (0,), old_path=(0, 2))
    assert doc.undo() == Change("insert", (0, 2), (0,))


def test_undo_restores_the_very_same_node_objects() -> None:
    doc = menu()
    gather = doc.root.children[0]
    first = gather.children[0]
    doc.remove(gather)
    doc.undo()
    assert doc.root.children[0] is gather and gather.children[0] is first
    _change, clone = doc.duplicate(gather)
    doc.undo()
    doc.redo()
    assert doc.root.children[1] is clone and clone is not gather


def test_add_sibling_goes_right_after_and_root_has_none() -> None:
    doc = menu()
    _, node = doc.add_sibling(doc.root.children[0], el("voice", "Pause"))
    assert doc.root.children[1] is node
    with pytest.raises(TwiMLException):
        doc.add_sibling(doc.root, el("voice", "Say"))
    with pytest.raises(TwiMLException):
        doc.remove(doc.root)
    with pytest.raises(TwiMLException):
        doc.duplicate(doc.root)
    assert doc.version == 1


def test_duplicate_is_independent_and_forgets_source_lines() -> None:
    doc = menu()
    gather = doc.root.children[0]
    assert getattr(gather, "source_line", None) == 3
    _, clone = doc.duplicate(gather)
    assert clone.to_xml() == gather.to_xml()
    assert getattr(clone, "source_line", None) is None
    doc.set_attr(clone.children[0], "voice", "man")
    assert "voice" not in gather.children[0].attrs


def test_move_skips_text_pieces_and_stops_at_edges() -> None:
    doc = Document.from_xml("<Response><Foo>a<X/>b<Y/>c<Z/>d</Foo></Response>")
    foo = doc.root.children[0]
    x, y, z = foo.children
    change = doc.move(x, 1)
    assert change is not None and [n.name for n in foo.children] == ["Y", "X", "Z"]
    assert foo.verbs == ["b", y, x, "c", z, "d"]
    assert doc.move(z, 1) is None and doc.move(y, -1) is None
    assert doc.move(y, -5) is None and doc.move(y, 0) is None
    assert doc.move(x, 2) is None
    assert doc.move(y, 2) is not None and [n.name for n in foo.children] == ["X", "Z", "Y"]
    assert doc.version == 2
    doc.undo()
    doc.undo()
    assert doc.to_xml() == Document.from_xml("<Response><Foo>a<X/>b<Y/>c<Z/>d</Foo></Response>").to_xml()


def test_move_text_pieces_stay_in_place() -> None:
    doc = Document.from_xml("<Response><Foo>a<X/>b<Y/>c</Foo></Response>")
    foo = doc.root.children[0]
    x, y = foo.children
    assert foo.value == "a" and foo.verbs == [x, "b", y, "c"]
    doc.move(x, 1)
    assert foo.verbs == ["b", y, x, "c"]
    doc.move(x, -1)
    assert foo.verbs == ["b", x, y, "c"]
    doc.undo()
    doc.undo()
    assert foo.verbs == [x, "b", y, "c"]


def test_set_attr_keeps_invalid_and_unknown_values_as_given() -> None:
    doc = menu()
    gather = doc.root.children[0]
    doc.set_attr(gather, "numDigits", "many")
    doc.set_attr(gather, "vendorFlag", "on")
    doc.set_attr(gather, "xml:lang", "fr-FR")
    assert gather.attrs["numDigits"] == "many" and gather.attrs["vendorFlag"] == "on"
    assert 'numDigits="many"' in doc.to_xml() and 'xml:lang="fr-FR"' in doc.to_xml()


@pytest.mark.parametrize("name", ["", "bad name", "1st", "a>b", "a:b:c"])
def test_set_attr_rejects_names_xml_cannot_carry(name: str) -> None:
    doc = menu()
    with pytest.raises(TwiMLException):
        doc.set_attr(doc.root.children[0], name, "x")
    assert doc.version == 0 and not doc.can_undo


def test_values_xml_cannot_carry_are_rejected_without_change() -> None:
    doc = menu()
    say = _say(doc)
    with pytest.raises(TwiMLException, match="U\\+001B"):
        doc.set_attr(say, "voice", "a\x1bb")
    with pytest.raises(TwiMLException):
        doc.set_text(say, "nul\x00")
    assert doc.version == 0 and say.attrs["voice"] == "alice"
    doc.to_xml()


def test_same_value_records_nothing() -> None:
    doc = menu()
    say = _say(doc)
    assert doc.set_attr(say, "voice", "alice") == Change("attr", (1,), None)
    assert doc.set_attr(say, "loop", None).kind == "attr"
    assert doc.set_text(say, "Bye").kind == "text"
    assert doc.version == 0 and not doc.can_undo and not doc.dirty


def test_merge_folds_typing_into_one_undo_step() -> None:
    doc = menu()
    say = _say(doc)
    for partial in ("m", "ma", "man"):
        doc.set_attr(say, "voice", partial, merge=True)
    assert say.attrs["voice"] == "man" and doc.version == 3
    doc.undo()
    assert say.attrs["voice"] == "alice" and not doc.can_undo and not doc.dirty
    doc.redo()
    assert say.attrs["voice"] == "man"
    for partial in ("G", "Go"):
        doc.set_text(say, partial, merge=True)
    doc.set_attr(say, "voice", "woman", merge=True)  # another field: its own step
    doc.undo()
    assert say.value == "Go"
    doc.undo()
    assert say.value == "Bye" and say.attrs["voice"] == "man"


def test_merge_back_to_the_original_value_leaves_no_step() -> None:
    doc = menu()
    say = _say(doc)
    doc.set_attr(say, "voice", "x", merge=True)
    doc.set_attr(say, "voice", "alice", merge=True)
    assert not doc.can_undo and not doc.dirty


def test_merge_never_swallows_the_saved_state(tmp_path: Path) -> None:
    doc = menu()
    say = _say(doc)
    doc.set_attr(say, "voice", "m", merge=True)
    doc.save(tmp_path / "f.xml")
    doc.set_attr(say, "voice", "ma", merge=True)
    assert doc.dirty
    doc.undo()
    assert not doc.dirty and say.attrs["voice"] == "m"


def test_comments_take_text_but_no_attributes() -> None:
    doc = Document.from_xml("<Response><!-- note --><Hangup/></Response>")
    comment = doc.root.children[0]
    doc.set_text(comment, " changed ")
    assert "<!-- changed -->" in doc.to_xml()
    with pytest.raises(TwiMLException):
        doc.set_text(comment, "bad -- text")
    with pytest.raises(TwiMLException):
        doc.set_attr(comment, "a", "b")
    with pytest.raises(TwiMLException):
        doc.insert(comment, 0, Say("x"))


def test_insert_guards() -> None:
    doc = menu()
    say = _say(doc)
    with pytest.raises(TwiMLException, match="already"):
        doc.insert(doc.root, 0, say)
    with pytest.raises(IndexError):
        doc.insert(doc.root, 99, Say("x"))
    with pytest.raises(TypeError):
        doc.insert(doc.root, 0, "text")  # type: ignore[arg-type]  # the wrong type on purpose
    with pytest.raises(TwiMLException):
        doc.insert(doc.root, 0, GenericNode("bad name", None))
    with pytest.raises(TwiMLException):
        doc.insert(doc.root, 0, Say("\x00"))
    assert doc.version == 0


# ---------------------------------------------------------------- dirty flag


def test_dirty_tracks_the_saved_version(tmp_path: Path) -> None:
    doc = menu()
    say = _say(doc)
    doc.set_text(say, "one")
    assert doc.dirty
    doc.undo()
    assert not doc.dirty
    doc.redo()
    assert doc.dirty
    doc.save(tmp_path / "f.xml")
    assert not doc.dirty
    doc.set_text(say, "two")
    assert doc.dirty
    doc.undo()
    assert not doc.dirty
    doc.undo()
    assert doc.dirty  # before the saved version
    doc.redo()
    assert not doc.dirty


def test_new_edit_after_undo_cannot_return_to_clean_by_redo() -> None:
    doc = menu()
    say = _say(doc)
    doc.set_text(say, "one")
    doc.undo()
    doc.set_text(say, "two")
    assert doc.dirty and not doc.can_redo
    doc.undo()
    assert not doc.dirty


def test_dirty_setter() -> None:
    doc = menu()
    doc.dirty = True
    assert doc.dirty
    doc.dirty = False
    assert not doc.dirty


def test_history_limit_keeps_dirty_right() -> None:
    doc = Document.from_xml(MENU)
    doc.max_history = 3
    say = _say(doc)
    for i in range(5):
        doc.set_text(say, f"v{i}")
    undone = 0
    while doc.undo() is not None:
        undone += 1
    assert undone == 3 and say.value == "v1" and doc.dirty


def test_history_holds_small_commands() -> None:
    doc = menu()
    say = _say(doc)
    for i in range(50):
        doc.set_attr(say, "loop", str(i))
    doc.remove(say)
    commands = [c for _, c in doc._undo]
    assert all(type(c) is SetAttr for c in commands[:-1]) and type(commands[-1]) is Remove
    assert commands[-1].node is say
    doc.undo()
    _, node = doc.add_child(doc.root, el("voice", "Hangup"))
    assert type(doc._undo[-1][1]) is Insert and doc._undo[-1][1].node is node


# ---------------------------------------------------------------- clipboard


def test_copy_paste_round_trip() -> None:
    doc = menu()
    gather = doc.root.children[0]
    text = doc.copy_subtree(gather)
    assert text.startswith("<Gather") and not text.startswith("<?xml") and not text.endswith("\n")
    _, pasted = doc.paste(doc.root, len(doc.root.verbs), text)
    assert pasted.to_xml() == gather.to_xml() and pasted is not gather
    assert type(pasted) is Gather and getattr(pasted, "source_line", None) is None


def test_cut_then_paste_moves_a_subtree() -> None:
    doc = menu()
    text, change = doc.cut(doc.root.children[0].children[1])
    assert change.kind == "remove" and text.startswith("<Play")
    doc.paste(doc.root, 0, text)
    assert doc.root.children[0].name == "Play"
    doc.undo()
    doc.undo()
    assert doc.to_xml() == menu().to_xml()


def test_paste_resolves_names_in_context() -> None:
    doc = Document.from_xml("<Response><Dial/><Refer/></Response>")
    dial, refer = doc.root.children
    _, in_dial = doc.paste(dial, 0, '<?xml version="1.0"?>\n<Sip>sip:a@example.com</Sip>\n')
    _, in_refer = doc.paste(refer, 0, "<Sip>sip:b@example.com</Sip>")
    assert type(in_dial) is Sip and type(in_refer) is ReferSip
    _, number = doc.paste(dial, 1, "<Number>+15550100</Number>")
    assert element_of(number) is el("voice", "Number")


@pytest.mark.parametrize(
    "snippet",
    ["<Say>unclosed", "<Say></Play>", "", "just text", "<A/><B/>", "text<Say/>", "<Say/>tail", "<!DOCTYPE x><Say/>"],
)
def test_paste_of_bad_xml_raises_and_changes_nothing(snippet: str) -> None:
    doc = menu()
    before = doc.to_xml()
    with pytest.raises(TwiMLParseError):
        doc.paste(doc.root.children[0], 0, snippet)
    assert doc.to_xml() == before and doc.version == 0 and not doc.can_undo and not doc.dirty


def test_paste_error_position_refers_to_the_snippet() -> None:
    doc = menu()
    with pytest.raises(TwiMLParseError) as info:
        doc.paste(doc.root, 0, "<Say>a</Sya>")
    assert (
        info.value.line == 1 and info.value.column is not None and info.value.column <= 13
    )  # not shifted by the wrapper
    with pytest.raises(TwiMLParseError) as info:
        doc.paste(doc.root, 0, "<Say>\n  <Play>\n</Say>")
    assert info.value.line == 3


def test_paste_comment() -> None:
    doc = menu()
    _, node = doc.paste(doc.root, 0, "<!-- hello -->")
    assert isinstance(node, Comment) and node.value == " hello "


# ---------------------------------------------------------------- output caches


def test_to_xml_is_cached_per_version() -> None:
    doc = menu()
    first = doc.to_xml()
    assert doc.to_xml() is first
    doc.set_text(_say(doc), "changed")
    assert "changed" in doc.to_xml() and doc.to_xml() is not first


def test_diagnostics_follow_edits() -> None:
    pytest.importorskip("twiml.validator")
    doc = menu()
    assert [d for d in doc.diagnostics() if d.severity == "error"] == []
    gather = doc.root.children[0]
    doc.set_attr(gather, "numDigits", "many")
    found = [d for d in doc.diagnostics() if d.node is gather]
    assert found and any("numDigits" in d.message for d in found)
    doc.undo()
    assert not [d for d in doc.diagnostics() if d.node is gather and "numDigits" in d.message]


def test_diagnostics_cached_until_next_version(monkeypatch: pytest.MonkeyPatch) -> None:
    validator = pytest.importorskip("twiml.validator")
    calls: list[object] = []
    real = validator.Revalidator.run

    def counting(self: object, root: TwiML, edited: object = None) -> list[object]:
        calls.append(root)
        found: list[object] = real(self, root, edited)  # the module came from importorskip, so untyped
        return found

    monkeypatch.setattr(validator.Revalidator, "run", counting)
    doc = menu()
    doc.diagnostics()
    doc.diagnostics()
    assert len(calls) == 1
    doc.set_text(_say(doc), "x")
    doc.diagnostics()
    assert len(calls) == 2


# ---------------------------------------------------------------- random edit sequences


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edit_sequences_undo_and_redo_exactly(data: st.DataObject) -> None:
    doc = Document.open(IVR)
    states = [doc.to_xml()]
    steps = data.draw(st.integers(1, 12))
    for _ in range(steps):
        version = doc.version
        random_edit(doc, data, (*EDITS, "cut_paste"), states)
        if doc.version != version:
            states.append(doc.to_xml())
        for node in doc.root.iter():
            assert doc.node_at(doc.path_of(node)) is node
    for expected in reversed(states[:-1]):
        assert doc.undo() is not None
        assert doc.to_xml() == expected
    assert doc.undo() is None and not doc.dirty
    for expected in states[1:]:
        assert doc.redo() is not None
        assert doc.to_xml() == expected
    assert doc.redo() is None


def test_file_never_touched_by_open(tmp_path: Path) -> None:
    p = tmp_path / "ok.xml"
    p.write_text(MENU)
    stamp = os.stat(p).st_mtime_ns
    doc = Document.open(p)
    doc.set_text(_say(doc), "changed")
    assert os.stat(p).st_mtime_ns == stamp and p.read_text() == MENU


def test_paste_inside_a_namespaced_element() -> None:
    doc = Document.from_xml('<Response xmlns:v="urn:vendor"><v:Box/></Response>')
    box = doc.root.children[0]
    _, node = doc.paste(box, 0, '<v:Item size="2"/>')
    assert node.name == "v:Item" and node.attrs == {"size": "2"}
    assert "<v:Box>" in doc.to_xml() and '<v:Item size="2" />' in doc.to_xml()
    Document.from_xml(doc.to_xml())


def test_size_budget_counts_the_indented_text_a_save_writes() -> None:
    """The 64 KB check (11750) measures what the editor would save, not the compact form."""
    r = VoiceResponse()
    for _ in range(3):
        g = r.gather()
        for _ in range(1700):
            g.pause()
    compact = len(r.to_xml().encode())
    doc = Document(r)
    assert compact < 64 * 1024 < len(doc.to_xml().encode())
    assert 11750 in [d.code for d in doc.diagnostics()]
    doc.remove(r.children[0])
    assert 11750 not in [d.code for d in doc.diagnostics()]


def test_the_vendor_dialect_comes_from_tool_twiml_and_can_be_switched(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\ndialect = "texml"\n', encoding="utf-8")
    path = tmp_path / "ivr.xml"
    path.write_text('<Response>\n  <Record transcribe="true"/>\n</Response>\n', encoding="utf-8")
    doc = Document.open(path)
    assert doc.dialect == "texml"
    assert [(d.code, d.line, d.fix.new if d.fix else None) for d in doc.diagnostics()] == [
        ("DIALECT-RENAMED", 2, "transcription")
    ]
    doc.set_dialect("twilio")
    assert doc.diagnostics() == []
    with pytest.raises(ValueError, match="texml"):
        doc.set_dialect("plivo")


def test_the_old_vendor_dialect_names_still_work_for_one_release(tmp_path: Path) -> None:
    doc = Document.new()
    with pytest.warns(DeprecationWarning, match="set_dialect"):
        doc.set_vendor_dialect("cxml")
    assert doc.dialect == "cxml"
    with pytest.warns(DeprecationWarning, match=r"Document\.dialect"):
        assert doc.vendor_dialect == "cxml"
