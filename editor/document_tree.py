"""The document's tree and the questions asked about it, in its vendor dialect.

Where a node is (paths by identity, from an index rebuilt only after structural edits), its
parent, siblings and neighbours, what the dialect's grammar makes of it, which elements may go
inside it, where a paste lands, the rows of the attribute picker, a fresh node for an element.
These are model questions: the screens ask them rather than walking the tree themselves.
Headless: no Textual.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from twiml.base import GenericNode, TwiML
from twiml.classes import class_of
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element, Grammar, Kind
from twiml.grammar_types import element_of as _element_of
from twiml_editor.edits import (
    Change,
    NodePath,
    resolve,
)

if TYPE_CHECKING:
    from twiml.validator import Diagnostic, Revalidator

__all__ = ["DECLARATION", "DialectOrigin", "DocumentTree"]

DialectOrigin = Literal["detected", "configured", "default", "chosen"]
"""Why a document is checked in its vendor dialect (`Document.dialect_origin`)."""

DECLARATION = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>\s*")
"""An XML declaration at the start of a text (a pasted snippet may carry one)."""


class DocumentTree:
    """The tree of a `Document` and what the views ask about it (see the module docstring)."""

    root: TwiML
    file_path: Path | None
    kind: Kind
    dialect: str
    """The vendor the document is written for (twilio, texml, cxml): what the document's own
    constructs tell (`twiml.dialects.detect`), else `dialect` in the nearest [tool.twiml],
    else twilio; `set_dialect` switches it. Checks, forms and add-menus follow it. (`kind` is voice,
    messaging or fax.)"""
    dialect_origin: DialectOrigin
    """Why `dialect` is what it is: detected, configured, default or chosen."""
    _grammar: Grammar
    _index: dict[int, tuple[TwiML, NodePath]] | None
    _revalidator: Revalidator | None
    _diagnostics: tuple[int, list[Diagnostic]] | None

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
        found = re.search(r"<([A-Za-z_][\w.:-]*)", DECLARATION.sub("", xml))
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


def _configured_dialect(path: Path | None) -> str:
    """`dialect` of the nearest [tool.twiml] for a file (twilio when unset or unreadable)."""
    if path is None:
        return "twilio"
    from twiml.settings import BadSettings, settings_for

    try:
        return settings_for(str(path)).dialect
    except BadSettings:
        return "twilio"
