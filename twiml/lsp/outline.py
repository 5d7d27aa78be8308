"""The outline (document symbols: one per element, with its telling attribute) and folding ranges."""

from __future__ import annotations

from lsprotocol import types as T

from twiml.lsp.analysis import Span, TwimlFile, spans
from twiml.lsp.protocol import lsp_range

__all__ = ["document_symbols", "folding_ranges"]


def _summary(span: Span) -> str:
    for key in ("action", "url", "name", "voice", "to"):
        if key in span.attrs:
            return f'{key}="{span.attrs[key][2]}"'
    return ""


def _symbol(f: TwimlFile, span: Span) -> T.DocumentSymbol:
    kind = T.SymbolKind.Module if span.name == "Response" else T.SymbolKind.Function
    if span.name[:1].islower():
        kind = T.SymbolKind.String
    return T.DocumentSymbol(
        name=f"<{span.name}>",
        detail=_summary(span),
        kind=kind,
        range=lsp_range(f, span.start, span.end),
        selection_range=lsp_range(f, span.start + 1, span.start + 1 + len(span.name)),
        children=[_symbol(f, c) for c in span.children if not c.comment],
    )


def document_symbols(f: TwimlFile) -> list[T.DocumentSymbol]:
    return [_symbol(f, s) for s in spans(f.text) if not s.comment]


def folding_ranges(f: TwimlFile) -> list[T.FoldingRange]:
    """Every element and comment over more than one line; an element's end tag stays visible."""
    out: list[T.FoldingRange] = []
    pending = spans(f.text)
    while pending:
        span = pending.pop()
        first, last = f.position(span.start)[0], f.position(span.end)[0]
        if last > first:
            out.append(
                T.FoldingRange(
                    first,
                    last if span.comment else last - 1,  # an element's end tag stays visible
                    kind=T.FoldingRangeKind.Comment if span.comment else T.FoldingRangeKind.Region,
                )
            )
        pending.extend(span.children)
    return sorted(out, key=lambda r: r.start_line)
