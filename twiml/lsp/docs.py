"""The Markdown shown for an element or an attribute, in hover and in completion, from the grammar."""

from __future__ import annotations

from twiml import codes
from twiml.grammar import GRAMMAR
from twiml.grammar_types import LIST, Attr, Element
from twiml.schema import attr_doc, docs_url

__all__ = ["attr_markdown", "element_doc"]


def element_doc(el: Element) -> str:
    lines = [f"**<{el.xml}>** ({el.kind})", "", el.doc]
    if el.attrs:
        required = [a.xml for a in el.attrs if a.required]
        if required:
            lines.append(f"\nRequired: {', '.join(required)}")
    kids = GRAMMAR.allowed_children(el)
    if kids:
        lines.append(f"\nChildren: {', '.join(dict.fromkeys(k.xml for k in kids))}")
    if el.body is not None and el.body.meaning:
        lines.append(f"\nText: {el.body.meaning}")
    lines.append(f"\n[Twilio docs]({docs_url(el)})")
    return "\n".join(lines)


def attr_markdown(el: Element, a: Attr) -> str:
    kind = a.type if a.type != LIST else f"list of {a.item_type or 'tokens'}"
    lines = [f"**{a.xml}** on <{el.xml}>: {kind}", "", attr_doc(a)]
    if a.values:
        shown = ", ".join(f"`{v}`" for v in a.values[:20])
        more = f" and {len(a.values) - 20} more" if len(a.values) > 20 else ""
        lines.append(f"\nValues{' (known; others may work)' if a.open else ''}: {shown}{more}")
    if a.min is not None or a.max is not None:
        lines.append(f"\nRange: {a.min if a.min is not None else ''}..{a.max if a.max is not None else ''}")
    if a.code is not None:
        lines.append(f"\nBad value: {a.code} {codes.text_of(a.code)}")
    lines.append(f"\n[Twilio docs]({a.source or docs_url(el)})")
    return "\n".join(lines)
