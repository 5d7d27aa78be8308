"""The model questions the document screen asks, answered headless: where a paste lands, siblings
and neighbours, the attribute picker's rows, and the `KeyAction.when` predicates."""

from __future__ import annotations

import pytest

from twiml_editor.document import Document
from twiml_editor.keymap import ALL_ACTIONS, WHEN
from twiml_editor.selection import PREDICATES, Selection, applies

XML = """<Response>
  <Gather action="/menu" bogus="1"><Say>Press 1</Say><Pause/></Gather>
  <!-- a comment -->
  <Hangup/>
</Response>
"""


def _doc() -> tuple[Document, list[object]]:
    doc = Document.from_xml(XML)
    return doc, [v for v in doc.root.verbs if not isinstance(v, str)]


def test_every_condition_has_a_predicate_and_every_action_names_one() -> None:
    assert set(PREDICATES) == set(WHEN)
    assert {a.when for a in ALL_ACTIONS} <= set(PREDICATES)
    doc, _ = _doc()
    with pytest.raises(ValueError, match="unknown action condition 'sunny'"):
        applies("sunny", Selection(doc, doc.root))


def test_predicates_over_a_selection() -> None:
    doc, (gather, comment, hangup) = _doc()
    say = gather.children[0]  # type: ignore[attr-defined]
    root = Selection(doc, doc.root)
    assert not applies("not_root", root) and applies("takes_children", root)
    assert applies("not_root", Selection(doc, say))
    assert not applies("not_first", Selection(doc, say)) and applies("not_last", Selection(doc, say))
    assert applies("not_first", Selection(doc, hangup)) and not applies("not_last", Selection(doc, hangup))  # type: ignore[arg-type]
    assert not applies("element", Selection(doc, comment)) and not applies("takes_children", Selection(doc, comment))  # type: ignore[arg-type]
    assert not applies("takes_children", Selection(doc, gather.children[1]))  # type: ignore[attr-defined]  # <Pause>
    assert not applies("clipboard", root) and applies("clipboard", Selection(doc, doc.root, "<Pause/>"))
    assert not applies("can_undo", root)
    doc.remove(hangup)  # type: ignore[arg-type]
    assert applies("can_undo", root) and not applies("can_redo", root)
    assert applies("fixable", Selection(doc, say, fixable=lambda node: node is say))
    assert not applies("fixable", root)


def test_siblings_and_the_neighbour_selected_after_a_delete() -> None:
    doc, (gather, comment, hangup) = _doc()
    say, pause = gather.children  # type: ignore[attr-defined]
    assert doc.siblings(doc.root) == []
    assert doc.siblings(say) == [say, pause]
    assert doc.neighbour(say) is pause  # the next one
    assert doc.neighbour(pause) is say  # type: ignore[arg-type]  # else the previous one
    assert doc.neighbour(hangup) is comment  # type: ignore[arg-type]
    only = Document.from_xml("<Response><Gather><Say>x</Say></Gather></Response>")
    gather_only = only.root.children[0]
    say_only = gather_only.children[0] if gather_only is not None else None
    assert say_only is not None and only.neighbour(say_only) is gather_only  # else the parent
    assert only.neighbour(only.root) is None


def test_a_paste_lands_inside_where_the_grammar_allows_it_else_after() -> None:
    doc, (gather, _comment, hangup) = _doc()
    say = gather.children[0]  # type: ignore[attr-defined]
    assert doc.paste_target(gather, "<Say>Hi</Say>") == (gather, len(gather.verbs))  # type: ignore[arg-type, attr-defined]
    assert doc.paste_target(gather, "<Dial>+1</Dial>") == (doc.root, 1)  # type: ignore[arg-type]
    assert doc.paste_target(say, "<Pause/>") == (gather, 1)
    assert doc.paste_target(hangup, '<?xml version="1.0"?>\n<Say>x</Say>') == (doc.root, len(doc.root.verbs))  # type: ignore[arg-type]
    assert doc.paste_target(doc.root, "<Bogus/>") == (doc.root, len(doc.root.verbs))  # the root takes it or nothing


def test_attribute_rows_for_the_picker() -> None:
    doc, (gather, _comment, _hangup) = _doc()
    rows = doc.attribute_rows(gather)  # type: ignore[arg-type]
    keys = [key for _, _, key in rows]
    assert keys[-1] == "#new" and "#text" not in keys  # <Gather> takes no body text
    assert ("action", "= /menu", "action") in rows
    assert ("bogus", "= 1 (not in the grammar)", "bogus") in rows
    assert "timeout" in keys and keys.index("action") < keys.index("bogus")
    say = gather.children[0]  # type: ignore[attr-defined]
    assert next(key for _, _, key in doc.attribute_rows(say)) == "#text"
