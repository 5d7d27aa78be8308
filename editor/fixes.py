"""Apply a validator `Fix` (did-you-mean) to the document through its undoable commands.

Headless: the app calls `apply_fix` for the problem under the cursor (key `f`); tests call it
directly.  A value fix is one `SetAttr`; an attribute rename is two (set the new name, remove
the old one); an element rename puts the same XML under the right name in the node's place
(`Document.rename`: a save changes only the name in the tags).
"""

from __future__ import annotations

import re

from twiml.base import TwiML
from twiml.validator import Fix
from twiml_editor.document import Change, Document

__all__ = ["apply_fix", "describe_fix"]


def describe_fix(fix: Fix, node: TwiML | None = None) -> str:
    """What the fix does, for the problems panel and notifications; with `node`, also the
    value it replaces (an attribute rename onto a name the element already has)."""
    if fix.kind == "rename_element":
        return f"rename the element to <{fix.new}>"
    if fix.kind == "rename_attribute":
        text = f"rename {fix.attr} to {fix.new}"
        if node is not None and fix.attr is not None:
            replaced = node.attrs.get(fix.new)
            if replaced is not None and str(replaced) != str(node.attrs.get(fix.attr)):
                text += f', replacing {fix.new}="{replaced}"'
        return text
    return f"set {fix.attr}={fix.new!r}"


def apply_fix(doc: Document, node: TwiML, fix: Fix) -> tuple[list[Change], TwiML]:
    """Make the change `fix` describes at `node` as one undo step; returns the changes and the
    node to select."""
    with doc.grouped():
        return _apply(doc, node, fix)


def _apply(doc: Document, node: TwiML, fix: Fix) -> tuple[list[Change], TwiML]:
    if fix.kind == "set_value" and fix.attr is not None:
        return [doc.set_attr(node, fix.attr, fix.new)], node
    if fix.kind == "rename_attribute" and fix.attr is not None:
        value = node.attrs[fix.attr]
        first = doc.set_attr(node, fix.new, value if isinstance(value, str) else str(value))
        return [first, doc.set_attr(node, fix.attr, None)], node
    if fix.kind == "rename_element":
        parent = doc.parent_of(node)
        if parent is None:
            raise ValueError("the root element cannot be renamed by a fix")
        old = re.escape(node.name)
        xml = node.to_xml(xml_declaration=False)
        xml = re.sub(rf"^<{old}(?=[\s/>])", f"<{fix.new}", xml)
        xml = re.sub(rf"</{old}>$", f"</{fix.new}>", xml)
        new = doc.parse_snippet(parent, xml)
        return [doc.rename(node, new)], new
    raise ValueError(f"cannot apply {fix}")
