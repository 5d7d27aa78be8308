"""Which vendor a document is written for, from what only that vendor has.

A TeXML or cXML document mostly reads exactly like TwiML; it gives itself away only where it
uses an element, an attribute or a voice family that one vendor's profile adds (`<AIGather>`,
`<Record transcription>`, `<Denoise>`, ``voice="gcloud.…"``).  `detect` counts those, per vendor,
with the same overlay grammars the validator reads, so the editor opens a TeXML file as TeXML.

Duck-typed over the node shape (`name`, `attrs`, `verbs`) so that the profiles stay data: this
module imports nothing of the builder.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol, cast

from twiml.dialects import DIALECTS, grammar_for
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Attr, Element, Grammar, element_of

__all__ = ["Evidence", "detect", "evidence"]


class _Node(Protocol):
    name: str
    attrs: Mapping[str, object]
    verbs: Iterable[object]


Evidence = dict[str, int]
"""Vendor dialect name -> how many constructs in the document only it has."""


class _Place:
    """Where a walk stands: the element in Twilio's grammar and in each vendor's, with the
    answers for this place remembered (a document repeats the same shapes thousands of times,
    so each (place, child name) and (place, attribute) is worked out once)."""

    __slots__ = ("attrs", "here", "kids", "theirs", "values")

    def __init__(self, here: Element | None, theirs: tuple[Element | None, ...]) -> None:
        self.here = here
        self.theirs = theirs
        self.kids: dict[tuple[str, type], tuple[_Place | None, tuple[int, ...] | None]] = {}
        """(child name, node class) -> the child's place (None: not an element) and its hits."""
        self.attrs: dict[str, tuple[int, ...] | None] = {}
        """Attribute name -> hits per vendor (None: none); absent for voice-family attributes."""
        self.values: dict[tuple[str, str], tuple[int, ...] | None] = {}
        """(attribute, value) -> hits, for attributes whose value families differ."""


def evidence(root: object) -> Evidence:
    """Per vendor (texml, cxml), the elements, attributes and voice values of the document that
    the vendor's grammar has and Twilio's lacks at that place."""
    vendors = tuple((name, grammar_for(name)) for name in DIALECTS if name != "twilio")
    counts = [0] * len(vendors)
    base = element_of(root)
    if base is None or not _is_node(root):
        return {name: 0 for name, _ in vendors}
    kind = base.key[0]  # voice, messaging or fax
    places: dict[tuple[int, ...], _Place] = {}

    def place(here: Element | None, theirs: tuple[Element | None, ...]) -> _Place:
        key = (id(here), *map(id, theirs))
        found = places.get(key)
        if found is None:
            found = places[key] = _Place(here, theirs)
        return found

    def step(at: _Place, kid: object) -> tuple[_Place | None, tuple[int, ...] | None]:
        if not _is_node(kid):
            return None, None
        name = cast(_Node, kid).name
        if name[:1] == "#":  # comments, processing instructions
            return None, None
        here = GRAMMAR.child(at.here, name) if at.here is not None else None
        theirs = tuple(
            g.child(p, name) if p is not None else None for (_, g), p in zip(vendors, at.theirs, strict=True)
        )
        hits = tuple(
            int(here is None and (el is not None or (element_of(kid) is None and _vendor_only(g, kind, name))))
            for (_, g), el in zip(vendors, theirs, strict=True)
        )
        return place(here if here is not None else element_of(kid), theirs), hits if any(hits) else None

    def attr_hits(at: _Place, name: str, value: object) -> tuple[int, ...] | None:
        hits = tuple(_vendor_attr(at.here, el, name) for el in at.theirs)
        if _BY_VALUE in hits:
            if not isinstance(value, str):
                return None
            hits = tuple(
                int(h == _BY_VALUE and _vendor_value(at.here, el, name, value))
                for h, el in zip(hits, at.theirs, strict=True)
            )
            at.values[(name, value)] = hits if any(hits) else None
            return at.values[(name, value)]
        at.attrs[name] = hits if any(hits) else None
        return at.attrs[name]

    stack: list[tuple[_Node, _Place]] = [(cast(_Node, root), place(base, tuple(g.find(*base.key) for _, g in vendors)))]
    while stack:
        node, at = stack.pop()
        for name, value in node.attrs.items():
            if name in at.attrs:
                hits = at.attrs[name]
            elif isinstance(value, str) and (name, value) in at.values:
                hits = at.values[(name, value)]
            else:
                hits = attr_hits(at, name, value)
            if hits is not None:
                for i, hit in enumerate(hits):
                    counts[i] += hit
        for kid in node.verbs:
            if isinstance(kid, str):
                continue
            key = (getattr(kid, "name", ""), type(kid))
            move = at.kids.get(key)
            if move is None:
                move = at.kids[key] = step(at, kid)
            if move[0] is None:
                continue
            if move[1] is not None:
                for i, hit in enumerate(move[1]):
                    counts[i] += hit
            stack.append((cast(_Node, kid), move[0]))
    return {name: counts[i] for i, (name, _) in enumerate(vendors)}


def detect(root: object) -> str | None:
    """The vendor dialect (texml or cxml) whose own constructs the document uses, when one
    vendor's outnumber the other's; None when nothing tells (plain TwiML reads the same
    everywhere) or both tie."""
    counts = sorted(evidence(root).items(), key=lambda item: item[1], reverse=True)
    if not counts or counts[0][1] == 0 or (len(counts) > 1 and counts[1][1] == counts[0][1]):
        return None
    return counts[0][0]


def _vendor_only(g: Grammar, kind: str, xml: str) -> bool:
    """An element name the vendor has somewhere and Twilio nowhere (a vendor verb out of place)."""
    return bool(g.by_xml(kind, xml)) and not GRAMMAR.by_xml(kind, xml)


_BY_VALUE = 2


def _vendor_attr(here: Element | None, theirs: Element | None, name: str) -> int:
    """1: only the vendor has the attribute; 0: both or neither; _BY_VALUE: both, and the vendor
    accepts value families (voices) that Twilio may not."""
    if theirs is None or theirs is here:
        return 0
    attr = theirs.attr(name)
    if attr is None:
        return 0
    if (here.attr(name) if here is not None else None) is None:
        return 1
    return _BY_VALUE if attr.prefixes else 0


def _vendor_value(here: Element | None, theirs: Element | None, name: str, value: str) -> int:
    if theirs is None:
        return 0
    attr = theirs.attr(name)
    ours = here.attr(name) if here is not None else None
    return int(attr is not None and ours is not None and _family(attr, value) and not _accepts(ours, value))


def _family(attr: Attr, value: str) -> bool:
    return any(value.startswith(p) for p in attr.prefixes)


def _accepts(attr: Attr, value: str) -> bool:
    """Twilio's attribute names this value (listed, or of a family it accepts whole)."""
    return value in attr.values or _family(attr, value)


def _is_node(obj: object) -> bool:
    return isinstance(getattr(obj, "name", None), str) and hasattr(obj, "attrs") and hasattr(obj, "verbs")
