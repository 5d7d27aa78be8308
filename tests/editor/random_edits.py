"""One random edit through the Document's API, for the property tests that replay edit
sequences (undo history, incremental refresh)."""

from __future__ import annotations

from hypothesis import strategies as st

from twiml.base import Comment
from twiml.grammar import GRAMMAR
from twiml_editor.document import Document

EDITS = ("attr", "text", "add", "sibling", "remove", "dup", "up", "down")
"""Edits of the tree itself; a test adds "undo", "redo", "reformat" or "cut_paste"."""


def random_edit(doc: Document, data: st.DataObject, actions: tuple[str, ...], states: list[str] | None = None) -> None:
    """Apply one of `actions` to a random node (an edit that does not fit the node does nothing).
    "cut_paste" is two edits; the XML between them goes to `states`."""
    node = data.draw(st.sampled_from(list(doc.root.iter())))
    action = data.draw(st.sampled_from(actions))
    is_root = node is doc.root
    if action == "attr" and not isinstance(node, Comment):
        name = data.draw(st.sampled_from(["loop", "voice", "action", "numDigits", "length", "madeUp"]))
        doc.set_attr(node, name, data.draw(st.sampled_from([None, "1", "x y", "/next"])))
    elif action == "text":
        doc.set_text(node, data.draw(st.sampled_from([None, "", "hi", "a & b", "twiml: ignore"])))
    elif action == "add" and not isinstance(node, Comment):
        choices = doc.allowed_children(node) or list(doc.allowed_children(doc.root))
        doc.add_child(node, data.draw(st.sampled_from(choices)))
    elif action == "sibling" and not is_root:
        doc.add_sibling(node, GRAMMAR.get("voice", data.draw(st.sampled_from(["Hangup", "Pause", "Say"]))))
    elif action == "remove" and not is_root:
        doc.remove(node)
    elif action == "dup" and not is_root:
        doc.duplicate(node)
    elif action in ("up", "down") and not is_root:
        doc.move(node, -1 if action == "up" else 1)
    elif action == "cut_paste" and not is_root:
        text, _ = doc.cut(node)
        if states is not None:
            states.append(doc.to_xml())
        doc.paste(doc.root, 0, text)
    elif action == "undo":
        doc.undo()
    elif action == "redo":
        doc.redo()
    elif action == "reformat" and data.draw(st.integers(0, 3)) == 0:
        doc.reformat()
