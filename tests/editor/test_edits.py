"""Edit commands on their own: each applies, and its inverse restores the tree exactly."""

from __future__ import annotations

import pickle

import pytest

from twiml.base import TwiML
from twiml.voice_response import Say, VoiceResponse
from twiml_editor.edits import MISSING, Change, EditError, Insert, Move, Remove, SetAttr, SetText, resolve


def tree() -> VoiceResponse:
    r = VoiceResponse()
    g = r.gather(num_digits=1, action="/menu")
    g.say("Press 1")
    r.append("text piece")
    r.say("Bye", voice="alice")
    r.redirect("/next")
    return r


def verb(node: TwiML, index: int) -> TwiML:
    """`node.verbs[index]`, which must be an element (tree() mixes in a text piece)."""
    child = node.verbs[index]
    assert isinstance(child, TwiML)
    return child


def xml(node: VoiceResponse) -> str:
    return node.to_xml(xml_declaration=False)


def test_resolve_walks_verbs_and_rejects_text_and_bad_paths() -> None:
    r = tree()
    assert resolve(r, ()) is r
    assert resolve(r, (0, 0)).name == "Say"
    assert resolve(r, (2,)).attrs == {"voice": "alice"}
    with pytest.raises(EditError, match="text piece"):
        resolve(r, (1,))
    with pytest.raises(EditError, match="no node"):
        resolve(r, (9,))
    with pytest.raises(EditError, match="no node"):
        resolve(r, (-1,))
    with pytest.raises(EditError):
        resolve(r, (0, 0, 0))


def test_set_attr_add_change_remove_and_inverse() -> None:
    r = tree()
    before = xml(r)
    add = SetAttr((2,), "loop", MISSING, "2")
    assert add.apply(r) == Change("attr", (2,), None)
    assert verb(r, 2).attrs["loop"] == "2"
    add.inverse().apply(r)
    assert "loop" not in verb(r, 2).attrs
    assert xml(r) == before

    drop = SetAttr((2,), "voice", "alice", MISSING)
    drop.apply(r)
    assert "voice" not in verb(r, 2).attrs
    drop.inverse().apply(r)
    assert xml(r) == before


def test_set_attr_keeps_non_string_old_value_for_undo() -> None:
    r = tree()
    cmd = SetAttr((0,), "numDigits", 1, "x")
    cmd.apply(r)
    assert verb(r, 0).attrs["numDigits"] == "x"
    cmd.inverse().apply(r)
    assert verb(r, 0).attrs["numDigits"] == 1


def test_set_text_and_inverse() -> None:
    r = tree()
    cmd = SetText((3,), "/next", "/other")
    assert cmd.apply(r).kind == "text"
    assert verb(r, 3).value == "/other"
    cmd.inverse().apply(r)
    assert verb(r, 3).value == "/next"


def test_insert_remove_are_inverses_and_keep_identity() -> None:
    r = tree()
    before = xml(r)
    node = Say("new")
    change = Insert((0,), 0, node).apply(r)
    assert change == Change("insert", (0, 0), (0,))
    assert verb(verb(r, 0), 0) is node
    undo = Insert((0,), 0, node).inverse()
    assert isinstance(undo, Remove)
    assert undo.apply(r) == Change("remove", (0, 0), (0,), old_path=(0, 0))
    assert xml(r) == before
    assert undo.inverse().apply(r).kind == "insert"
    assert verb(verb(r, 0), 0) is node


def test_remove_refuses_a_different_node() -> None:
    r = tree()
    with pytest.raises(EditError):
        Remove((), 0, Say("not this one")).apply(r)
    with pytest.raises(EditError):
        Insert((), 99, Say("x")).apply(r)


@pytest.mark.parametrize(("source", "target"), [(0, 3), (3, 0), (2, 1), (1, 2), (0, 1), (3, 2)])
def test_move_inverse_restores_order(source: int, target: int) -> None:
    r = tree()
    before = xml(r)
    moved = r.verbs[source]
    change = Move((), source, target).apply(r)
    assert r.verbs[target] is moved
    assert change.path == (target,) and change.old_path == (source,) and change.parent == ()
    Move((), source, target).inverse().apply(r)
    assert xml(r) == before


def test_move_out_of_range() -> None:
    with pytest.raises(EditError):
        Move((), 0, 4).apply(tree())


def test_commands_hold_values_not_tree_copies() -> None:
    r = tree()
    node = verb(r, 0)
    cmd = Remove((), 0, node)
    assert cmd.node is node  # the removed subtree itself, not a copy
    assert not hasattr(SetAttr((0,), "a", MISSING, "b"), "__dict__")  # slots: small


def test_missing_is_a_singleton_that_survives_pickle() -> None:
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING
    assert repr(MISSING) == "MISSING"
