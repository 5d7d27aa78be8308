"""The editor's headless document: a twiml tree plus file, dirty flag and undo history.

The model is the builder's own tree (``TwiML`` objects); nothing is mirrored.  Every change
goes through an edit command (`twiml_editor.edits`), which is what makes undo/redo, the dirty flag and
incremental view refresh possible.  No Textual here: the whole editing behaviour is testable
without a terminal.

Speed matters because the UI re-renders the preview and the problems list after each edit:
node paths come from an index that is rebuilt only after structural edits (inserts, removes,
moves), and the XML, Python and diagnostics are cached per document version.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import os
import re
import warnings
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from twiml.base import Comment, GenericNode, TwiML, is_markup
from twiml.classes import class_of
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.files import FileStamp, atomic_write
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element, Grammar, Kind
from twiml.grammar_types import element_of as _element_of
from twiml.limits import MAX_DEPTH
from twiml.naming import is_xml_name
from twiml.serialize import attr_text, body_text, comment_text, escape_attr, escape_text, pi_text
from twiml.source import SourceDocument, load, loads
from twiml_editor.edits import (
    MISSING,
    Change,
    Command,
    EditError,
    Group,
    Insert,
    Move,
    NodePath,
    Remove,
    SetAttr,
    SetPiece,
    SetText,
    resolve,
)
from twiml_editor.pretty import Pretty

if TYPE_CHECKING:
    from twiml.validator import Diagnostic, Revalidator

__all__ = [
    "Change",
    "DialectOrigin",
    "Document",
    "EditError",
    "Kind",
    "NodePath",
]

DialectOrigin = Literal["detected", "configured", "default", "chosen"]
"""Why a document is checked in its vendor dialect (`Document.dialect_origin`)."""


_DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>\s*")
_SOURCE_ATTRS = ("source_line", "source_column")

DEFAULT_MAX_HISTORY = 10_000
_EDIT_LOG = 256  # edits remembered for `edited_since`; views further behind re-render everything


def _parse(text: str | bytes, kind: Kind | None) -> TwiML:
    """`twiml.parse` with every failure reported as TwiMLParseError."""
    from twiml.parser import parse

    try:
        return parse(text, kind=kind)
    except TwiMLParseError:
        raise
    except TwiMLException as exc:
        raise TwiMLParseError(str(exc)) from exc


def _forget_source(node: TwiML) -> None:
    """Drop source positions from a subtree that no longer comes from the file (copies, pastes)."""
    for sub in node.iter():
        for name in _SOURCE_ATTRS:
            if hasattr(sub, name):
                delattr(sub, name)


class Document:
    """One open TwiML document: `root` tree, `file_path`, `kind`, `dirty`, `version` and history."""

    def __init__(
        self,
        root: TwiML,
        *,
        kind: Kind | None = None,
        file_path: str | os.PathLike[str] | None = None,
        max_history: int = DEFAULT_MAX_HISTORY,
        source: SourceDocument | None = None,
    ) -> None:
        element = _element_of(root)
        self.root: TwiML = root
        self.kind: Kind = element.kind if element is not None else (kind or "voice")
        self.file_path: Path | None = Path(file_path) if file_path is not None else None
        self.version: int = 0
        self.max_history = max_history
        self._undo: deque[tuple[int, Command]] = deque()
        self._redo: list[tuple[int, Command]] = []
        self._serial: Iterator[int] = itertools.count(1)
        self._state = 0  # serial of the last applied command; names the current history state
        self._base = 0  # state under the oldest remembered command
        self._saved = 0  # state that matches the file on disk (-1: none does)
        self._index: dict[int, tuple[TwiML, NodePath]] | None = None
        self._xml: tuple[int, Pretty] | None = None
        self._python: tuple[int, str, str] | None = None
        self._diagnostics: tuple[int, list[Diagnostic]] | None = None
        self._edited: deque[tuple[int, tuple[TwiML, ...] | None]] = deque(maxlen=_EDIT_LOG)
        """(version, the root's children each edit touched; None: anything) for `edited_since`."""
        self._revalidator: Revalidator | None = None
        self._validated = -1  # the version `_revalidator` last ran on
        self.dialect: str = "twilio"
        """The vendor the document is written for (twilio, texml, cxml): what the document's own
        constructs tell (`twiml.dialects.detect`), else `dialect` in the nearest [tool.twiml],
        else twilio; `set_dialect` switches it. Checks, forms and add-menus follow it. (`kind` is voice,
        messaging or fax.)"""
        self.dialect_origin: DialectOrigin = "default"
        """Why `dialect` is what it is: detected, configured, default or chosen."""
        self._grammar: Grammar = GRAMMAR
        self._initial_dialect(root)
        self.source: SourceDocument = source if source is not None and source.root is root else SourceDocument(root)
        """The text the document was read from: saves rewrite only what was edited (see twiml.source)."""
        self._text: tuple[int, str] | None = None
        self._disk: FileStamp | None = None
        if self.file_path is not None and source is not None:
            self._disk = FileStamp.of(self.file_path, source.bom + (source.text or "").encode(source.encoding))

    # ------------------------------------------------------------------ creation

    @classmethod
    def new(cls, kind: Kind = "voice") -> Document:
        """An empty <Response> of the given kind."""
        return cls(class_of(GRAMMAR.root(kind))(), kind=kind)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, kind: Kind | None = None) -> Document:
        """Load a file in any encoding the library reads (BOM, declared encoding, else UTF-8).
        Raises TwiMLParseError (with line, column and file name) or OSError; only reads the
        file, so a malformed file stays exactly as it was. Saving keeps its formatting, encoding
        and BOM. The alignment of the text with the tree (`SourceDocument.index`) is left for
        later, so a large file shows sooner; it runs before the first edit at the latest."""
        path = Path(path)
        try:
            source = load(path, kind=kind, defer_index=True)  # indexed before the first edit (`_apply`)
        except TwiMLParseError:
            raise
        except TwiMLException as exc:
            raise TwiMLParseError(str(exc), filename=str(path)) from exc
        return cls(source.root, kind=kind, file_path=path, source=source)

    @classmethod
    def from_xml(
        cls, text: str, file_path: str | os.PathLike[str] | None = None, *, kind: Kind | None = None
    ) -> Document:
        """Parse `text`; `kind` picks the kind when the content cannot tell. The text's own
        formatting is what a save keeps."""
        try:
            start = text.lstrip("\ufeff \t\r\n")
            if not start.startswith("<"):  # never let the parser take the text for a file name
                before = text[: len(text) - len(start)]
                raise TwiMLParseError(
                    "not XML: a TwiML document starts with '<'",
                    before.count("\n") + 1,
                    len(before) - before.rfind("\n"),
                )
            try:
                source = loads(text, kind=kind)
            except TwiMLParseError:
                raise
            except TwiMLException as exc:
                raise TwiMLParseError(str(exc)) from exc
        except TwiMLParseError as exc:
            if exc.filename is None and file_path is not None:
                raise exc.in_file(str(file_path)) from exc
            raise
        return cls(source.root, kind=kind, file_path=file_path, source=source)

    # ------------------------------------------------------------------ state

    @property
    def dirty(self) -> bool:
        """True when the tree differs from the last load or save (undo back to it clears it)."""
        return self._state != self._saved

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._saved = -1 if value else self._state

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_serial(self) -> int | None:
        """The number of the edit `undo` would revert (None: nothing to undo)."""
        return self._undo[-1][0] if self._undo else None

    @property
    def redo_serial(self) -> int | None:
        """The number of the edit `redo` would re-apply (None: nothing to redo)."""
        return self._redo[-1][0] if self._redo else None

    def use_clock(self, clock: Iterator[int]) -> None:
        """Number the edits from here on from `clock`: the documents of a flow share one, so
        the flow's single undo history can tell which edit, of any of them, came last."""
        self._serial = clock

    def mark_saved(self) -> None:
        """Declare the current tree to be what is on disk."""
        self._saved = self._state

    # ------------------------------------------------------------------ navigation

    def _paths(self) -> dict[int, tuple[TwiML, NodePath]]:
        index = self._index
        if index is None:
            index = {}
            stack: list[tuple[TwiML, NodePath]] = [(self.root, ())]
            while stack:
                node, path = stack.pop()
                index[id(node)] = (node, path)
                for i, child in enumerate(node.verbs):
                    if not isinstance(child, str):
                        stack.append((child, (*path, i)))
            self._index = index
        return index

    def node_at(self, path: NodePath) -> TwiML:
        """The node at `path`; EditError (a TwiMLException) if there is none."""
        return resolve(self.root, tuple(path))

    def path_of(self, node: TwiML) -> NodePath:
        """Path of `node` (by identity).  ValueError if it is not in this document."""
        if node is self.root:  # without indexing the whole tree (the root is selected on opening)
            return ()
        entry = self._paths().get(id(node))
        if entry is not None and entry[0] is node:
            path = entry[1]
            if self._at(path) is node:
                return path
        # The tree was changed behind our back (not through an edit): index afresh once.
        self._index = None
        entry = self._paths().get(id(node))
        if entry is None or entry[0] is not node:
            raise ValueError(f"{node!r} is not part of this document")
        return entry[1]

    def _at(self, path: NodePath) -> object:
        node: Any = self.root
        try:
            for index in path:
                node = node.verbs[index]
        except (IndexError, AttributeError):
            return None
        return node

    def landing(self, change: Change) -> TwiML | None:
        """The node to select after `change` (an edit, an undo or a redo): the node it edited,
        inserted or moved; for a removal (an added node undone) the node before it, else the one
        now in its place, else its parent (the root only when nothing else is left)."""
        path = change.path if change.kind != "remove" else (change.old_path or change.path)
        if change.kind == "replace":
            return self.root
        candidates = [path]
        if change.kind == "remove" and path:
            before = [(*path[:-1], path[-1] - 1)] if path[-1] > 0 else []
            candidates = [*before, path, path[:-1]]
        for place in candidates:
            found = self._at(place)
            if isinstance(found, TwiML):
                return found
        return None

    def contains(self, node: TwiML) -> bool:
        """True if `node` (this very object) is in the tree."""
        try:
            self.path_of(node)
        except ValueError:
            return False
        return True

    def parent_of(self, node: TwiML) -> TwiML | None:
        """The node's parent; None for the root."""
        path = self.path_of(node)
        return resolve(self.root, path[:-1]) if path else None

    @property
    def grammar(self) -> Grammar:
        """The grammar as the document's vendor dialect has it (`twiml.dialects.grammar_for`)."""
        return self._grammar

    def element_of(self, node: object) -> Element | None:
        """Grammar entry of `node` as the document's dialect reads it at its place (a TeXML
        `<AIGather>` is an element there, Twilio's `<Record>` has TeXML's attributes); None for
        what the dialect does not know, and for comments."""
        base = _element_of(node)
        if self._grammar is GRAMMAR or not isinstance(node, TwiML):
            return base
        try:
            path = self.path_of(node)
        except ValueError:  # not in this document: by its class alone
            return self._grammar.find(*base.key) if base is not None else None
        current: TwiML = self.root
        root = _element_of(current)
        element = self._grammar.find(*root.key) if root is not None else None
        for index in path:
            current = current.verbs[index]  # type: ignore[assignment]  # paths lead to nodes
            element = self._dialect_child(element, current)
        return element

    def _dialect_child(self, parent: Element | None, node: TwiML) -> Element | None:
        """What `node` is inside `parent` in the document's dialect: the dialect's child of that
        name, else (misplaced) the dialect's entry for the node's class."""
        g = self._grammar
        if parent is not None:
            kid = g.child(parent, node.name)
            if kid is not None:
                return kid
        base = _element_of(node)
        return g.find(*base.key) if base is not None else None

    def allowed_children(self, node: TwiML) -> list[Element]:
        """Elements the dialect's grammar accepts inside `node`, in table order (the add menu)."""
        element = self.element_of(node)
        return list(self._grammar.allowed_children(element)) if element is not None else []

    def siblings(self, node: TwiML) -> list[TwiML]:
        """The nodes beside `node` in its parent, `node` included (text pieces left out); [] for the root."""
        parent = self.parent_of(node)
        return [] if parent is None else [v for v in parent.verbs if isinstance(v, TwiML)]

    def neighbour(self, node: TwiML) -> TwiML | None:
        """The node to select once `node` is gone: its next sibling, else the previous one,
        else its parent (None for the root)."""
        siblings = self.siblings(node)
        index = next((i for i, s in enumerate(siblings) if s is node), None)
        if index is None:
            return None
        if index + 1 < len(siblings):
            return siblings[index + 1]
        if index > 0:
            return siblings[index - 1]
        return self.parent_of(node)

    def paste_target(self, node: TwiML, xml: str) -> tuple[TwiML, int]:
        """Where a paste of `xml` with `node` selected lands: (parent, index). Inside `node`, at
        its end, when the grammar allows the pasted element there (or `node` is the root),
        else right after `node`."""
        found = re.search(r"<([A-Za-z_][\w.:-]*)", _DECLARATION.sub("", xml))
        name = found.group(1) if found else None
        allowed = {e.xml for e in self.allowed_children(node)} if node.name[:1] != "#" else set()
        parent = self.parent_of(node)
        if name in allowed or parent is None:
            return node, len(node.verbs)
        return parent, next(i for i, v in enumerate(parent.verbs) if v is node) + 1

    def attribute_rows(self, node: TwiML) -> list[tuple[str, str, str]]:
        """(label, description, key) for each thing of `node` one can edit, in the order the
        attribute picker lists them: its body text when it takes one ("#text"), the grammar's
        attributes with their value or type, the attributes the grammar does not list, and a new
        attribute ("#new")."""
        element = self.element_of(node)
        rows: list[tuple[str, str, str]] = []
        if element is None or (element.body is not None and element.body.kind != "none"):
            rows.append(("(text)", "the element's body text", "#text"))
        if element is not None:
            rows += [
                (a.xml, f"= {node.attrs[a.xml]}" if a.xml in node.attrs else f"{a.type}  {a.doc}", a.xml)
                for a in element.attrs
            ]
        rows += [
            (k, f"= {v} (not in the grammar)", k)
            for k, v in node.attrs.items()
            if element is None or element.attr(k) is None
        ]
        rows.append(("(new attribute)", "add an attribute the grammar does not list", "#new"))
        return rows

    def make_node(self, element: Element) -> TwiML:
        """A fresh node for `element` (of any dialect's grammar), without attributes; a required
        body starts as the grammar's example, so a freshly added <Redirect> or <Number> is
        already a working element. A vendor-only element is a `GenericNode` of its XML name, as
        the parser reads it."""
        body = element.body
        value = None
        if body is not None and body.param is not None and (body.kind == "required" or body.param_required):
            value = body.example or element.xml.lower()
        base = GRAMMAR.find(*element.key)
        if base is None or base.xml != element.xml:
            return GenericNode(element.xml, value)
        cls = class_of(base)
        if body is None or body.param is None:
            return cls()
        return cls(value)  # type: ignore[call-arg]  # classes with a body take it first

    # ------------------------------------------------------------------ history

    def _apply(self, command: Command) -> Change:
        self.source.index()  # what the file looked like must be recorded before the tree changes
        change = command.apply(self.root)
        self._undo.append((next(self._serial), command))
        self._state = self._undo[-1][0]
        self._redo.clear()
        while len(self._undo) > self.max_history:
            self._base = self._undo.popleft()[0]
        self._changed(command, change)
        return change

    def _changed(self, command: Command, change: Change | None = None) -> None:
        self.version += 1
        if command.structural:
            self._index = None
        self._edited.append((self.version, self._touched(change) if change is not None else None))

    def _touched(self, change: Change) -> tuple[TwiML, ...] | None:
        """The root's children whose subtrees `change` edited (a node inserted or removed at the
        root's level, or an edit of the root itself, leaves them all as they were)."""
        if change.kind == "replace":
            return None
        paths = [p for p in (change.parent, change.old_path and change.old_path[:-1]) if p]
        if change.kind in ("attr", "text") and change.path:
            paths.append(change.path)
        verbs = self.root.verbs
        found: list[TwiML] = []
        for path in paths:
            node = verbs[path[0]] if path[0] < len(verbs) else None
            if isinstance(node, TwiML):
                found.append(node)
        return tuple(found)

    def edited_since(self, version: int) -> list[TwiML] | None:
        """The root's children whose subtrees were edited after `version` (views re-render only
        those); None when that is not known (too long ago, or the whole tree was replaced)."""
        if version == self.version:
            return []
        log = self._edited
        if version < 0 or not log or log[0][0] > version + 1:
            return None
        found: list[TwiML] = []
        for at, nodes in reversed(log):
            if at <= version:
                break
            if nodes is None:
                return None
            found.extend(reversed(nodes))
        found.reverse()  # in the order of the edits
        return found

    def undo(self) -> Change | None:
        """Revert the last edit; None when there is nothing to undo."""
        if not self._undo:
            return None
        serial, command = self._undo[-1]
        change = command.inverse().apply(self.root)
        self._undo.pop()
        self._redo.append((serial, command))
        self._state = self._undo[-1][0] if self._undo else self._base
        self._changed(command, change)
        return change

    def redo(self) -> Change | None:
        """Re-apply the last undone edit; None when there is nothing to redo."""
        if not self._redo:
            return None
        serial, command = self._redo[-1]
        change = command.apply(self.root)
        self._redo.pop()
        self._undo.append((serial, command))
        self._state = serial
        self._changed(command, change)
        return change

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """The edits made inside count as one: a single undo reverts them all (a fix that
        renames an attribute is one step, as the user sees one change)."""
        before = self._undo[-1][0] if self._undo else None
        yield
        added: list[tuple[int, Command]] = []
        while self._undo and self._undo[-1][0] != before:
            added.append(self._undo.pop())
        if not added:
            return
        added.reverse()
        if len(added) == 1:
            self._undo.append(added[0])
            return
        self._undo.append((added[-1][0], Group(tuple(command for _, command in added))))

    def _merge(self, command: SetAttr | SetText | SetPiece) -> Change | None:
        """Fold `command` into the previous edit of the same field (typing in a form field), so
        one undo reverts the whole entry.  Never merges into the saved state or after an undo."""
        if not self._undo or self._redo or self._state == self._saved:
            return None
        _serial, last = self._undo[-1]
        if type(last) is not type(command) or last.path != command.path:
            return None
        if isinstance(last, SetAttr) and isinstance(command, SetAttr) and last.name != command.name:
            return None
        if isinstance(last, SetPiece) and isinstance(command, SetPiece) and last.index != command.index:
            return None
        change = command.apply(self.root)
        self._undo.pop()
        merged: SetAttr | SetText | SetPiece
        if isinstance(last, SetAttr):
            merged = SetAttr(last.path, last.name, last.old, command.new)
        elif isinstance(last, SetPiece):
            merged = SetPiece(last.path, last.index, last.old, command.new)
        else:
            merged = SetText(last.path, last.old, command.new)
        if _same(merged.old, merged.new):
            self._state = self._undo[-1][0] if self._undo else self._base
        else:
            self._undo.append((next(self._serial), merged))
            self._state = self._undo[-1][0]
        self._changed(command, change)
        return change

    # ------------------------------------------------------------------ edits

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
        if _same(old, new):
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
        if _same(old, text):
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
        command = SetPiece(path, index, old, text)
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

    def duplicate(self, node: TwiML) -> tuple[Change, TwiML]:
        """A deep copy of `node` inserted right after it."""
        path = self._child_path(node, "duplicate")
        clone = copy.deepcopy(node)
        _forget_source(clone)
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

    # ------------------------------------------------------------------ clipboard

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
        snippet = _DECLARATION.sub("", xml).strip()
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
            container = _parse(prefix + snippet + suffix, self.kind)
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
        _forget_source(node)
        return node

    def paste(self, parent: TwiML, index: int, xml: str) -> tuple[Change, TwiML]:
        """Parse `xml` (one element, as `copy_subtree` gives) and insert it at `index` of
        `parent`.  Malformed XML raises TwiMLParseError and changes nothing."""
        node = self.parse_snippet(parent, xml)
        return self.insert(parent, index, node), node

    # ------------------------------------------------------------------ output

    def to_xml(self) -> str:
        """The document as indented XML with declaration (cached per version)."""
        return self.pretty().text

    def pretty(self) -> Pretty:
        """The indented XML in pieces (see `twiml_editor.pretty`), rewritten after an edit only where
        the edit touched it; cached per version.  Raises TwiMLException when it cannot be written."""
        cached = self._xml
        if cached is not None and cached[0] == self.version:
            return cached[1]
        edited = self.edited_since(cached[0]) if cached is not None else None
        pretty = Pretty.build(self.root, cached[1] if cached is not None else None, edited)
        self._xml = (self.version, pretty)
        return pretty

    def pretty_start(self, children: int) -> str:
        """The first lines of `pretty().text`, up to the end of the root's first `children`
        items, without writing the rest (a large document's first screen)."""
        return Pretty.start(self.root, children)

    def node_lines(self, node: TwiML) -> tuple[int, int] | None:
        """First and last line (0-based) of `node` in `to_xml()`."""
        if not self.contains(node):
            return None
        return self.pretty().node_lines(node, self.path_of(node))

    def to_python(self, import_root: str = "twiml") -> str:
        """Python code that rebuilds the document (cached per version)."""
        cached = self._python
        if cached is not None and cached[0] == self.version and cached[1] == import_root:
            return cached[2]
        from twiml.exporter import to_python

        text: str = to_python(self.root, import_root)
        self._python = (self.version, import_root, text)
        return text

    def set_dialect(self, name: str, origin: DialectOrigin = "chosen") -> None:
        """Check the document as vendor `name` runs it from now on (ValueError for an unknown
        name). The tree and the text are untouched: a save writes the same bytes as before."""
        from twiml.dialects import grammar_for, profile

        profile(name)
        self.dialect_origin = origin
        if name != self.dialect:
            self.dialect = name
            self._grammar = grammar_for(name)
            self._revalidator = None
            self._diagnostics = None

    @property
    def dialect_title(self) -> str:
        """The dialect as people name it: "Telnyx TeXML", "SignalWire cXML", "Twilio TwiML"."""
        from twiml.dialects import profile

        p = profile(self.dialect)
        return f"{p.vendor} {p.title}"

    def _initial_dialect(self, root: TwiML) -> None:
        """The dialect the document's own vendor-only constructs tell, else the configured one."""
        configured = _configured_dialect(self.file_path)
        detected = None
        if _element_of(root) is not None and any(isinstance(v, TwiML) for v in root.verbs):
            from twiml.dialects.detect import detect

            detected = detect(root)
        if detected is not None:
            self.set_dialect(detected, "detected")
        elif configured != "twilio":
            self.set_dialect(configured, "configured")

    def set_vendor_dialect(self, name: str) -> None:
        """Deprecated name of `set_dialect`, kept for one release."""
        warnings.warn("Document.set_vendor_dialect is deprecated: use set_dialect", DeprecationWarning, stacklevel=2)
        self.set_dialect(name)

    @property
    def vendor_dialect(self) -> str:
        """Deprecated name of `dialect`, kept for one release."""
        warnings.warn("Document.vendor_dialect is deprecated: use Document.dialect", DeprecationWarning, stacklevel=2)
        return self.dialect

    def diagnostics(self) -> list[Diagnostic]:
        """The validator's findings for the current tree (cached per version), including those a
        ``twiml: ignore`` comment silences (marked `suppressed`; the problems panel dims them).
        Only the subtrees edited since the last run are checked again (`Revalidator`)."""
        cached = self._diagnostics
        if cached is None or cached[0] != self.version:
            from twiml.validator import Revalidator

            if self.version or getattr(self.root, "source_size", None) is None:
                # What a save writes is what is served: the size budgets count that.
                try:
                    xml = self.file_text()
                except TwiMLException:  # the validator reports why it cannot be written
                    vars(self.root).pop("source_size", None)
                else:
                    size = len(xml) if xml.isascii() else len(xml.encode("utf-8"))
                    self.root.source_size = (len(xml), size)  # type: ignore[attr-defined]  # a parsed root's extra, read with getattr
            if self._revalidator is None:
                self._revalidator = Revalidator(suppressed=True, dialect=self.dialect)
            found = self._revalidator.run(self.root, self.edited_since(self._validated))
            self._validated = self.version
            cached = self._diagnostics = (self.version, found)
        return list(cached[1])

    def file_text(self) -> str:
        """The text a save writes: the original file's text wherever it was not edited (cached
        per version); canonical indented XML for new documents and after `reformat`."""
        cached = self._text
        if cached is not None and cached[0] == self.version:
            return cached[1]
        if self.source.text is None or not self.source.preserving:
            text = self.pretty().text  # canonical: the preview's text, rewritten only where edited
        else:
            edited = self.edited_since(cached[0] if cached is not None else 0)  # the first: since it was read
            text = self.source.dumps(edited=edited)
        self._text = (self.version, text)
        return text

    def reformat(self) -> None:
        """Write canonical indented XML from now on (attributes sorted, two-space indentation,
        declaration, UTF-8) instead of keeping the file's own formatting; marks the document dirty."""
        self.source.reformat()
        self._text = None
        self.version += 1
        self._edited.append((self.version, None))
        self._saved = -1

    def disk_changed(self) -> bool:
        """True when the file at `file_path` is no longer what was read or last saved (another
        program wrote it). A file that is gone or was never read counts as unchanged."""
        if self.file_path is None or self._disk is None:
            return False
        return self._disk.changed(self.file_path)

    def save(self, path: str | os.PathLike[str] | None = None, *, replace_read_only: bool = False) -> Path:
        """Write the document atomically to `path` (default: `file_path`), in the file's own
        formatting and encoding, then remember that path and clear `dirty`.  The text is parsed
        back first: a document that would not read back is not written, so a good file is never
        replaced by a bad one.  Raises twiml.files.ReadOnlyFileError for a read-only file unless
        `replace_read_only`; does not check `disk_changed` (the caller asks the user first)."""
        target = Path(path) if path is not None else self.file_path
        if target is None:
            raise ValueError("the document has no file name yet; save it with a path")
        data = self.bytes_to_save()
        atomic_write(target, data, replace_read_only=replace_read_only)
        self.saved_as(target, data)
        return target

    def bytes_to_save(self) -> bytes:
        """What a save writes (the file's own formatting and encoding), checked to read back:
        raises TwiMLException instead of returning a document that would not."""
        text = self.file_text()
        data = self.source.to_bytes() if self.source.text is not None else text.encode("utf-8")
        try:
            importlib.import_module("twiml.parser")
        except ImportError:
            pass
        else:
            try:
                _parse(data, self.kind)
            except TwiMLParseError as exc:
                raise TwiMLException(f"not saved: the XML would not read back ({exc})") from exc
        return data

    def saved_as(self, path: Path, data: bytes) -> None:
        """Record that `data` (from `bytes_to_save`) is now the file at `path` (a caller that
        writes several files together, such as a flow folder's save)."""
        self.file_path = path
        self._saved = self._state
        self._disk = FileStamp.of(path, data)

    def export_python(self, path: str | os.PathLike[str], import_root: str = "twiml") -> Path:
        """Write the Python export atomically; the document's file and dirty flag are unaffected."""
        target = Path(path)
        atomic_write(target, self.to_python(import_root))
        return target

    def __repr__(self) -> str:
        name = self.file_path.name if self.file_path else "untitled"
        return f"<Document {name} {self.kind} v{self.version}{' dirty' if self.dirty else ''}>"


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


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type (so "1" replacing 1 still counts as an edit)."""
    if a is b:
        return True
    return type(a) is type(b) and a == b


def _configured_dialect(path: Path | None) -> str:
    """`dialect` of the nearest [tool.twiml] for a file (twilio when unset or unreadable)."""
    if path is None:
        return "twilio"
    from twiml.settings import BadSettings, settings_for

    try:
        return settings_for(str(path)).dialect
    except BadSettings:
        return "twilio"
