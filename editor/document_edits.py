"""The document's edits: attributes, text, inserts, removes, moves, duplicates, cut and paste.

Each checks what it is given (names, characters XML cannot carry, nesting depth, a snippet that
is exactly one element) before anything changes, then applies one edit command through the
history, so it can be undone. Headless: no Textual.
"""

from __future__ import annotations

import copy

from twiml.base import Comment, TwiML, is_markup
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.grammar_types import Element, Kind
from twiml.limits import MAX_DEPTH
from twiml.naming import is_xml_name
from twiml.serialize import attr_text, body_text, comment_text, escape_attr, escape_text, pi_text
from twiml_editor.document_history import DocumentHistory, same
from twiml_editor.document_tree import DECLARATION
from twiml_editor.edits import (
    MISSING,
    Change,
    Insert,
    Move,
    NodePath,
    Remove,
    Rename,
    SetAttr,
    SetText,
    resolve,
)

__all__ = ["DocumentEdits", "forget_source", "parse_xml"]

SOURCE_ATTRS = ("source_line", "source_column")


def parse_xml(text: str | bytes, kind: Kind | None) -> TwiML:
    """`twiml.parse` with every failure reported as TwiMLParseError."""
    from twiml.parser import parse

    try:
        return parse(text, kind=kind)
    except TwiMLParseError:
        raise
    except TwiMLException as exc:
        raise TwiMLParseError(str(exc)) from exc


def forget_source(node: TwiML) -> None:
    """Drop source positions from a subtree that no longer comes from the file (copies, pastes)."""
    for sub in node.iter():
        for name in SOURCE_ATTRS:
            if hasattr(sub, name):
                delattr(sub, name)


def _height(node: TwiML) -> int:
    """Levels of elements in the subtree (1 for a leaf element, 0 for a comment)."""
    height = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        if is_markup(current):
            continue
        height = max(height, level)
        stack.extend((v, level + 1) for v in current.verbs if isinstance(v, TwiML))
    return height


class DocumentEdits(DocumentHistory):
    """The edits the editor makes (each one undoable)."""

    def set_attr(self, node: TwiML, xml_name: str, value: str | None, *, merge: bool = False) -> Change:
        """Set attribute `xml_name` (any name, known to the grammar or not) to `value`, kept as
        given even if invalid; None removes it.  Setting the current value records nothing.
        `merge=True` folds this into an immediately preceding edit of the same attribute.
        Raises TwiMLException for a name that is not an XML name or a value XML cannot carry."""
        path = self.path_of(node)
        if is_markup(node):
            raise TwiMLException("a comment or processing instruction has no attributes")
        if not isinstance(xml_name, str) or not is_xml_name(xml_name):
            raise TwiMLException(f"{xml_name!r} is not a valid XML attribute name")
        new = MISSING if value is None else value
        if new is not MISSING:
            escape_attr(attr_text(new), node.name, xml_name)  # raises for characters XML forbids
        old = node.attrs.get(xml_name, MISSING)
        command = SetAttr(path, xml_name, old, new)
        if same(old, new):
            return Change("attr", path, None)
        if merge:
            merged = self._merge(command)
            if merged is not None:
                return merged
        return self._apply(command)

    def set_text(self, node: TwiML, text: str | None, *, merge: bool = False) -> Change:
        """Replace the node's body text (``.value``); None or "" leaves it empty.
        Raises TwiMLException for text XML cannot carry (see `set_attr` for `merge`)."""
        path = self.path_of(node)
        if is_markup(node) and text is None:
            text = ""  # a comment always has text, if only an empty one
        if text is not None:
            if isinstance(node, Comment):
                comment_text(str(text))
            elif is_markup(node):
                pi_text(getattr(node, "target", ""), text)
            else:
                escape_text(body_text(text), node.name)
        old = node.value
        command = SetText(path, old, text)
        if same(old, text):
            return Change("text", path, None)
        if merge:
            merged = self._merge(command)
            if merged is not None:
                return merged
        return self._apply(command)

    def set_piece(self, node: TwiML, index: int, text: str, *, merge: bool = False) -> Change:
        """Replace the text piece ``node.verbs[index]`` (text after a child element, e.g. SSML
        inside <Say>); "" keeps an empty piece so the paths of the children stay put.
        Raises TwiMLException if there is no text piece there or XML cannot carry the text."""
        path = self.path_of(node)
        old = node.verbs[index] if 0 <= index < len(node.verbs) else None
        if not isinstance(old, str):
            raise TwiMLException(f"<{node.name}> has no text piece at position {index}")
        escape_text(text, node.name)
        if old == text:
            return Change("text", path, None)
        command = SetText(path, old, text, piece=index)
        if merge:
            merged = self._merge(command)
            if merged is not None:
                return merged
        return self._apply(command)

    def insert(self, parent: TwiML, index: int, node: TwiML) -> Change:
        """Insert `node` (a subtree not yet in the document) at ``parent.verbs[index]``;
        index == len(parent.verbs) appends."""
        parent_path = self.path_of(parent)
        if not isinstance(node, TwiML):
            raise TypeError(f"only TwiML nodes can be inserted, not {type(node).__name__}")
        if is_markup(parent):
            raise TwiMLException("a comment or processing instruction cannot have children")
        if not 0 <= index <= len(parent.verbs):
            raise IndexError(f"index {index} outside 0..{len(parent.verbs)}")
        paths = self._paths()
        for sub in node.iter():
            if not is_markup(sub) and not (isinstance(sub.name, str) and is_xml_name(sub.name)):
                raise TwiMLException(f"{sub.name!r} is not a valid XML element name")
            entry = paths.get(id(sub))
            if entry is not None and entry[0] is sub:
                raise TwiMLException("the node is already in the document; duplicate or move it instead")
        depth = len(parent_path) + 1 + _height(node)
        if depth > MAX_DEPTH:
            raise TwiMLException(
                f"that would nest elements {depth} levels deep; TwiML files are limited to {MAX_DEPTH} levels"
            )
        node.to_xml(xml_declaration=False)  # a subtree the preview could not render never gets in
        return self._apply(Insert(parent_path, index, node))

    def add_child(self, parent: TwiML, element: Element) -> tuple[Change, TwiML]:
        """A new `element` node appended to `parent`."""
        node = self.make_node(element)
        return self.insert(parent, len(parent.verbs), node), node

    def add_sibling(self, node: TwiML, element: Element) -> tuple[Change, TwiML]:
        """A new `element` node right after `node`."""
        path = self._child_path(node, "add a sibling to")
        new = self.make_node(element)
        return self.insert(resolve(self.root, path[:-1]), path[-1] + 1, new), new

    def remove(self, node: TwiML) -> Change:
        """Delete `node` and its subtree."""
        path = self._child_path(node, "remove")
        return self._apply(Remove(path[:-1], path[-1], node))

    def rename(self, node: TwiML, new: TwiML) -> Change:
        """Put `new` (the same subtree under another element name, see `parse_snippet`) where
        `node` is; a save then changes only the name in its tags, not its parent's layout."""
        path = self._child_path(node, "rename")
        return self._apply(Rename(path[:-1], path[-1], node, new))

    def duplicate(self, node: TwiML) -> tuple[Change, TwiML]:
        """A deep copy of `node` inserted right after it."""
        path = self._child_path(node, "duplicate")
        clone = copy.deepcopy(node)
        forget_source(clone)
        return self.insert(resolve(self.root, path[:-1]), path[-1] + 1, clone), clone

    def move(self, node: TwiML, delta: int) -> Change | None:
        """Move `node` `delta` places among its sibling nodes (-1 up, +1 down); text pieces do
        not count as places.  None (and no change) when that would pass the first or last."""
        path = self._child_path(node, "move")
        if delta == 0:
            return None
        verbs = resolve(self.root, path[:-1]).verbs
        step = 1 if delta > 0 else -1
        remaining = abs(delta)
        target = path[-1]
        while remaining:
            target += step
            if not 0 <= target < len(verbs):
                return None
            if not isinstance(verbs[target], str):
                remaining -= 1
        return self._apply(Move(path[:-1], path[-1], target))

    def _child_path(self, node: TwiML, action: str) -> NodePath:
        path = self.path_of(node)
        if not path:
            raise TwiMLException(f"cannot {action} the root <{node.name}>")
        return path

    def copy_subtree(self, node: TwiML) -> str:
        """The subtree as indented XML without declaration (what the clipboard holds)."""
        return node.to_xml(xml_declaration=False, pretty=True).rstrip("\n")

    def cut(self, node: TwiML) -> tuple[str, Change]:
        """Copy then remove."""
        text = self.copy_subtree(node)
        return text, self.remove(node)

    def parse_snippet(self, parent: TwiML, xml: str) -> TwiML:
        """Parse one element of XML as it would be read inside `parent` (so names resolve to the
        right classes, e.g. <Sip> under <Dial> or <Refer>).  TwiMLParseError if the text is not
        exactly one well-formed element; positions refer to the snippet."""
        path = self.path_of(parent)
        chain = [resolve(self.root, path[:k]) for k in range(len(path) + 1)]
        snippet = DECLARATION.sub("", xml).strip()
        # Ancestors' namespace declarations come along, so prefixed names in the snippet resolve.
        prefix = "".join(
            "<"
            + n.name
            + "".join(
                f' {k}="{escape_attr(attr_text(v))}"'
                for k, v in n.attrs.items()
                if k == "xmlns" or k.startswith("xmlns:")
            )
            + ">"
            for n in chain
        )
        suffix = "".join(f"</{n.name}>" for n in reversed(chain))
        try:
            container = parse_xml(prefix + snippet + suffix, self.kind)
        except TwiMLParseError as exc:
            line, column = exc.line, exc.column
            if line == 1 and column is not None:
                column = max(1, column - len(prefix))
            raise TwiMLParseError(exc.message, line, column) from exc
        for _ in path:
            container = next(v for v in container.verbs if isinstance(v, TwiML))
        if container.value not in (None, ""):
            raise TwiMLParseError("text outside an element; paste one element such as <Say>Hi</Say>")
        nodes = []
        for piece in container.verbs:
            if isinstance(piece, str):
                if piece.strip():
                    raise TwiMLParseError("text outside an element; paste one element such as <Say>Hi</Say>")
            else:
                nodes.append(piece)
        if len(nodes) != 1:
            raise TwiMLParseError(f"expected one element to paste, found {len(nodes)}")
        node = nodes[0]
        forget_source(node)
        return node

    def paste(self, parent: TwiML, index: int, xml: str) -> tuple[Change, TwiML]:
        """Parse `xml` (one element, as `copy_subtree` gives) and insert it at `index` of
        `parent`.  Malformed XML raises TwiMLParseError and changes nothing."""
        node = self.parse_snippet(parent, xml)
        return self.insert(parent, index, node), node
