"""What the user has selected, headless: the document, the node, the clipboard; and the named
predicates that `KeyAction.when` names (keymap.WHEN words them for help and README).

The document screen builds a `Selection` when it asks whether an action applies (the palette
lists only those, a key that does not apply says why); the questions themselves are answered here
and by the Document, never by the Textual views, so they are tested without an app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from twiml.base import TwiML
from twiml_editor.document import Document
from twiml_editor.keymap import WHEN

__all__ = ["PREDICATES", "Selection", "applies"]


def _no_fix(node: TwiML) -> bool:
    return False


@dataclass(frozen=True)
class Selection:
    """One moment of the editor: `node` of `doc` is selected, `clipboard` holds a cut or copied
    subtree (or None); `fixable` says whether a problem with a suggested fix is at a node (the
    problems list knows, with its own cursor)."""

    doc: Document
    node: TwiML
    clipboard: str | None = None
    fixable: Callable[[TwiML], bool] = field(default=_no_fix)


def _not_first(s: Selection) -> bool:
    siblings = s.doc.siblings(s.node)
    return bool(siblings) and siblings[0] is not s.node


def _not_last(s: Selection) -> bool:
    siblings = s.doc.siblings(s.node)
    return bool(siblings) and siblings[-1] is not s.node


def _takes_children(s: Selection) -> bool:
    return s.node.name[:1] != "#" and (s.doc.element_of(s.node) is None or bool(s.doc.allowed_children(s.node)))


PREDICATES: dict[str, Callable[[Selection], bool]] = {
    "always": lambda s: True,
    "not_root": lambda s: s.node is not s.doc.root,
    "not_first": _not_first,
    "not_last": _not_last,
    "can_undo": lambda s: s.doc.can_undo,
    "can_redo": lambda s: s.doc.can_redo,
    "clipboard": lambda s: s.clipboard is not None,
    "takes_children": _takes_children,
    "element": lambda s: s.node.name[:1] != "#",
    "fixable": lambda s: s.fixable(s.node),
}
"""One predicate per condition of `keymap.WHEN` (a test checks both name the same set)."""


def applies(when: str, selection: Selection) -> bool:
    """Whether the condition `when` (a `KeyAction.when`) holds for `selection`."""
    try:
        predicate = PREDICATES[when]
    except KeyError:
        raise ValueError(f"unknown action condition {when!r} (known: {', '.join(WHEN)})") from None
    return predicate(selection)
