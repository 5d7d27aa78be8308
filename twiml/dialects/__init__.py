"""Vendor dialects of TwiML: Twilio itself, Telnyx TeXML, SignalWire cXML.

Each vendor profile (`twiml.dialects.texml`, `twiml.dialects.cxml`) is data: an overlay on the one
grammar.  `grammar_for(name)` applies it and returns a `Grammar` that the validator, the builder
forms and the simulator read exactly as they read Twilio's; `notes_for(name)` gives the validator
what to say about a construct that exists elsewhere (a rename with its fix, a verb the vendor
rejects, an element only another vendor has), each with the rule's source.

"Dialect" here is the vendor; the document's kind (voice, messaging, fax) is `Element.dialect`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from twiml.codes import DIALECT_IGNORED as IGNORED
from twiml.codes import DIALECT_RENAMED as RENAMED
from twiml.codes import DIALECT_UNSUPPORTED as UNSUPPORTED
from twiml.codes import SCHEMA
from twiml.dialects import cxml, texml
from twiml.dialects.types import (
    AddAttrs,
    Adds,
    Drop,
    Profile,
    Relax,
    Rename,
    Signing,
    Source,
    Unsupported,
    ValueRename,
)
from twiml.grammar import ELEMENTS, GRAMMAR
from twiml.grammar_types import Element, Grammar
from twiml.naming import method_name

__all__ = ["DIALECTS", "AttrNote", "ElementNote", "Notes", "Profile", "grammar_for", "notes_for", "profile"]

TWILIO = Profile(
    name="twilio",
    title="TwiML",
    vendor="Twilio",
    rules=(),
    signing=Signing(
        "hmac-sha1",
        ("X-Twilio-Signature",),
        Source("https://www.twilio.com/docs/usage/webhooks/webhooks-security", "2026-12-06"),
    ),
)
PROFILES: dict[str, Profile] = {p.name: p for p in (TWILIO, texml.PROFILE, cxml.PROFILE)}
DIALECTS: tuple[str, ...] = tuple(PROFILES)
"""Names accepted by ``--dialect`` and ``dialect =`` in settings."""


def profile(name: str) -> Profile:
    """The profile called `name`; ValueError naming the choices for anything else."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}; choose one of {', '.join(DIALECTS)}") from None


@cache
def grammar_for(name: str) -> Grammar:
    """The grammar as the vendor `name` has it (Twilio's own for "twilio")."""
    p = profile(name)
    if not p.rules:
        return GRAMMAR
    return Grammar(tuple(_overlay(p)))


def _overlay(p: Profile) -> list[Element]:
    els: dict[tuple[str, str], Element] = {e.key: e for e in ELEMENTS}

    def edit(key: tuple[str, str], **changes: object) -> None:
        els[key] = replace(els[key], **changes)  # type: ignore[arg-type]

    for rule in p.rules:
        if isinstance(rule, Adds):
            el = rule.element
            els[el.key] = el
            for parent in rule.parents:
                pe = els[(el.kind, parent)]
                edit(pe.key, children=(*pe.children, el.cls), methods=(*pe.methods, (method_name(el.xml), el.cls)))
        elif isinstance(rule, AddAttrs):
            key = (rule.kind, rule.cls)
            new = {a.kwarg: a for a in rule.attrs}
            kept = tuple(new.pop(a.kwarg, a) for a in els[key].attrs)
            edit(key, attrs=(*kept, *new.values()))
        elif isinstance(rule, Unsupported):
            for pe in list(els.values()):
                if pe.kind == rule.kind and rule.cls in pe.children and (not rule.parents or pe.cls in rule.parents):
                    edit(
                        pe.key,
                        children=tuple(c for c in pe.children if c != rule.cls),
                        methods=tuple(m for m in pe.methods if m[1] != rule.cls),
                    )
        elif isinstance(rule, Rename | Drop):
            key = (rule.kind, rule.cls)
            gone = rule.old if isinstance(rule, Rename) else rule.attr
            edit(key, attrs=tuple(a for a in els[key].attrs if a.xml != gone))
        elif isinstance(rule, Relax):
            key = (rule.kind, rule.cls)
            pe = els[key]
            edit(key, child_attrs=tuple(c for c in pe.child_attrs if (c.child, c.attr) != (rule.child, rule.attr)))
    return list(els.values())


Level = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class AttrNote:
    """What to say about an attribute this dialect does not have, where some profile knows it."""

    message: str
    code: str | int
    level: Level
    source: Source
    rename_to: str | None = None
    effect: str = "attribute ignored"


@dataclass(frozen=True)
class ElementNote:
    """What to say about an element this dialect rejects or does not have."""

    message: str
    code: str | int
    level: Level
    source: Source
    parents: tuple[str, ...] = ()
    """XML names of the parents the note applies under; empty for everywhere."""
    effect: str = "element ignored"
    vendor: str = ""
    """The dialect that has the element (for a construct of another vendor)."""


@dataclass(frozen=True)
class Notes:
    attrs: dict[tuple[str, str], dict[str, AttrNote]]
    """(kind, element XML name) -> attribute XML name -> note."""
    elements: dict[tuple[str, str], tuple[ElementNote, ...]]
    """(kind, element XML name) -> notes, tried in order."""
    sources: dict[tuple[str, str, str], Source]
    """(kind, element XML name, attribute XML name) -> source of a vendor's own range or values."""
    values: dict[tuple[str, str, str], tuple[tuple[str, str, Source], ...]]
    """(kind, element, attribute) -> (prefix written, prefix meant here, source): value renames."""


OTHER_VENDOR = SCHEMA
"""A construct only another vendor has: Twilio itself logs it as a schema warning."""


@cache
def notes_for(name: str) -> Notes:
    """Findings the validator gives in dialect `name` for constructs that some profile knows."""
    here = profile(name)
    g = grammar_for(name)
    attrs: dict[tuple[str, str], dict[str, AttrNote]] = {}
    elements: dict[tuple[str, str], list[ElementNote]] = {}
    sources: dict[tuple[str, str, str], Source] = {}
    values: dict[tuple[str, str, str], list[tuple[str, str, Source]]] = {}
    title = f"{here.title} ({here.vendor})"
    for rule in here.rules:
        if isinstance(rule, Unsupported):
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            parents = tuple(GRAMMAR.get(rule.kind, c).xml for c in rule.parents)
            where = f" inside <{parents[0]}>" if len(parents) == 1 else ""
            elements.setdefault((rule.kind, xml), []).append(
                ElementNote(
                    f"<{xml}>{where} is not in {title}: {rule.note}", UNSUPPORTED, "error", rule.source, parents
                )
            )
        elif isinstance(rule, Rename):
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            attrs.setdefault((rule.kind, xml), {})[rule.old] = AttrNote(
                f"<{xml}> {rule.old!r} is spelled {rule.new!r} in {title}; as written it is ignored",
                RENAMED,
                "warning",
                rule.source,
                rule.new,
            )
        elif isinstance(rule, Drop):
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            attrs.setdefault((rule.kind, xml), {})[rule.attr] = AttrNote(
                f"<{xml}> {rule.attr!r} is not in {title}: {rule.note}", IGNORED, "warning", rule.source
            )
        elif isinstance(rule, AddAttrs):
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            for a in rule.attrs:
                sources[(rule.kind, xml, a.xml)] = rule.source
        elif isinstance(rule, ValueRename):
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            values.setdefault((rule.kind, xml, rule.attr), []).append((rule.old_prefix, rule.new_prefix, rule.source))
    for other in PROFILES.values():
        if other is here:
            continue
        _other_vendor_notes(here, other, g, attrs, elements, values)
    return Notes(
        attrs,
        {k: tuple(v) for k, v in elements.items()},
        sources,
        {k: tuple(v) for k, v in values.items()},
    )


def _other_vendor_notes(
    here: Profile,
    other: Profile,
    g: Grammar,
    attrs: dict[tuple[str, str], dict[str, AttrNote]],
    elements: dict[tuple[str, str], list[ElementNote]],
    values: dict[tuple[str, str, str], list[tuple[str, str, Source]]],
) -> None:
    """Notes on what only `other` has: a rename back where `here` is Twilio, else "only there"."""
    level: Level = "warning" if here.name == "twilio" else "info"
    title = f"{other.title} ({other.vendor})"
    twilio_spelling = {(r.kind, r.cls, r.new): r.old for r in other.rules if isinstance(r, Rename)}
    for rule in other.rules:
        if isinstance(rule, Adds):
            el = rule.element
            theirs = grammar_for(other.name)
            parents = tuple(theirs.get(el.kind, p).xml for p in rule.parents)
            elements.setdefault((el.kind, el.xml), []).append(
                ElementNote(
                    f"<{el.xml}>{_inside(parents) if g.by_xml(el.kind, el.xml) else ''} is {title} only",
                    OTHER_VENDOR,
                    level,
                    rule.source,
                    parents,
                    vendor=other.name,
                )
            )
        elif isinstance(rule, AddAttrs):
            base = g.find(rule.kind, rule.cls)
            if base is None:
                continue
            for a in rule.attrs:
                if base.attr(a.xml) is not None:
                    continue  # a new range or default, not a new attribute
                back = twilio_spelling.get((rule.kind, rule.cls, a.xml)) if here.name == "twilio" else None
                if back is not None:
                    note = AttrNote(
                        f"<{base.xml}> {a.xml!r} is {title}'s spelling; TwiML says {back!r}",
                        RENAMED,
                        "warning",
                        rule.source,
                        back,
                    )
                else:
                    note = AttrNote(f"<{base.xml}> {a.xml!r} is {title} only", OTHER_VENDOR, level, rule.source)
                attrs.setdefault((rule.kind, base.xml), {}).setdefault(a.xml, note)
        elif isinstance(rule, ValueRename) and here.name == "twilio":
            xml = GRAMMAR.get(rule.kind, rule.cls).xml
            values.setdefault((rule.kind, xml, rule.attr), []).append((rule.new_prefix, rule.old_prefix, rule.source))


def _inside(parents: tuple[str, ...]) -> str:
    return f" inside <{parents[0]}>" if len(parents) == 1 else ""
