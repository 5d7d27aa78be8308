"""Apply a validator `Fix` (did-you-mean) to a parsed tree, in place.

One place for what a fix does, used by `twiml validate --fix` and `twiml migrate` (both then
write through the format-preserving writer, `twiml.source`, so only the fixed tag changes: a
renamed element is handed to `SourceDocument.adopt`, which keeps its text and its parent's). The
editor applies the same fixes through its undoable commands (`editor/fixes.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from twiml.base import TwiML
from twiml.diagnostic import Diagnostic, Fix

if TYPE_CHECKING:
    from twiml.source import SourceDocument

__all__ = ["apply_fix", "apply_fixes"]


def apply_fix(root: TwiML, node: TwiML, fix: Fix, document: SourceDocument | None = None) -> bool:
    """Make the change `fix` describes at `node` (somewhere under `root`); False when it cannot be
    made there (the node is gone, or the root itself would be renamed). With the `document` the
    tree was read into, a renamed element keeps its text: only the name in its tags changes."""
    if fix.kind in ("set_value", "rename_attribute"):
        if fix.attr is None or (fix.kind == "rename_attribute" and fix.attr not in node.attrs):
            return False
        _set(node.attrs, fix)
        return True
    chain = _ancestors(root, node)
    if not chain:
        return False
    parent = chain[-1]
    index = next(i for i, v in enumerate(parent.verbs) if v is node)
    new = _renamed(root, chain, node, fix.new)
    parent.verbs[index] = new
    if document is not None:
        document.adopt(node, new)
    return True


def apply_fixes(root: TwiML, found: Iterable[Diagnostic], document: SourceDocument | None = None) -> list[Diagnostic]:
    """Apply the fix of every finding that has one (see `apply_fix` for `document`); returns the
    findings fixed. A node renamed by one fix is a new node: fixes found on the old one wait for
    the next validation."""
    fixed: list[Diagnostic] = []
    replaced: set[int] = set()
    for d in found:
        if d.fix is None or d.node is None or id(d.node) in replaced:
            continue
        if apply_fix(root, d.node, d.fix, document):
            fixed.append(d)
            if d.fix.kind == "rename_element":
                replaced.add(id(d.node))
    return fixed


def _set(attrs: dict[str, object], fix: Fix) -> None:
    """Rename or set in place, keeping the attribute's position among the others."""
    assert fix.attr is not None
    if fix.kind == "set_value":
        attrs[fix.attr] = fix.new
        return
    items = [(fix.new if k == fix.attr else k, v) for k, v in attrs.items()]
    attrs.clear()
    attrs.update(items)


def _ancestors(root: TwiML, node: TwiML) -> list[TwiML]:
    """The elements from `root` down to `node`'s parent ([] when `node` is the root or not there)."""
    stack: list[tuple[TwiML, list[TwiML]]] = [(root, [])]
    while stack:
        current, above = stack.pop()
        for child in current.verbs:
            if child is node:
                return [*above, current]
            if isinstance(child, TwiML):
                stack.append((child, [*above, current]))
    return []


def _renamed(root: TwiML, chain: list[TwiML], node: TwiML, name: str) -> TwiML:
    """`node` under the name `name`, with its attributes and content, parsed where it stands so it
    is the grammar's class for that place (a `<Numbr>` in a `<Dial>` becomes a `Number`)."""
    from twiml.grammar_types import element_of
    from twiml.parser import parse

    old = re.escape(node.name)
    xml = node.to_xml(xml_declaration=False)
    xml = re.sub(rf"^<{old}(?=[\s/>])", f"<{name}", xml)
    xml = re.sub(rf"</{old}>$", f"</{name}>", xml)
    wrapped = "".join(f"<{a.name}>" for a in chain) + xml + "".join(f"</{a.name}>" for a in reversed(chain))
    element = element_of(root)
    new = parse(wrapped, kind=element.kind if element is not None else None)
    for _ in chain[1:]:
        new = next(v for v in new.verbs if isinstance(v, TwiML))
    return next(v for v in new.verbs if isinstance(v, TwiML))
