"""Hover: the findings under the cursor (with Twilio's text and page for their codes), then the
documentation of the element or attribute there."""

from __future__ import annotations

from collections.abc import Iterable

from twiml import codes
from twiml.lsp.analysis import Finding, TwimlFile, context_at
from twiml.lsp.diagnostics import ERRORS_URL
from twiml.lsp.docs import attr_markdown, element_doc

__all__ = ["hover_markdown"]


def _word_end(text: str, offset: int) -> int:
    while offset < len(text) and (text[offset].isalnum() or text[offset] in "_-:."):
        offset += 1
    return offset


def hover_markdown(f: TwimlFile, placed: Iterable[Finding], offset: int) -> str | None:
    """The hover text at `offset` of `f`, given the findings last published for it (None: nothing)."""
    parts: list[str] = []
    for x in placed:
        if x.start <= offset <= x.end:
            d = x.diagnostic
            text = f"**{d.code}** ({d.severity}): {codes.text_of(d.code) or d.message}"
            if d.effect:
                text += f"; at run time: {d.effect}"
            if isinstance(d.code, int):
                text += f" ([{d.code}]({ERRORS_URL}/{d.code}))"
            parts.append(text)
    ctx = context_at(f, _word_end(f.text, offset))
    if ctx.kind == "tag" and ctx.prefix:
        el = f.element_at([*ctx.stack, ctx.prefix])
        if el is not None:
            parts.insert(0, element_doc(el))
    elif ctx.kind in ("attr", "value"):
        el = f.element_at([*ctx.stack, ctx.tag or ""])
        name = ctx.prefix if ctx.kind == "attr" else ctx.attr
        a = el.attr(name or "") if el is not None else None
        if el is not None and a is not None:
            parts.insert(0, attr_markdown(el, a))
        elif el is not None and ctx.kind == "attr" and not ctx.prefix:
            parts.insert(0, element_doc(el))
    return "\n\n---\n\n".join(parts) if parts else None
