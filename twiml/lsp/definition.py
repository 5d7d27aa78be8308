"""Go to definition in a flow folder: from a URL in a document (an attribute or `<Redirect>`'s text)
or a quoted route or file in flow.toml, to the document it is routed to, or to the route in flow.toml."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T

from twiml.flow.config import Flow
from twiml.lsp.analysis import TwimlFile, context_at
from twiml.lsp.flows import route_line, target_at, url_path
from twiml.lsp.protocol import file_location

__all__ = ["document_definition", "flow_toml_definition", "url_at"]


def url_at(f: TwimlFile, offset: int) -> str | None:
    """The URL under the cursor: a URL attribute's value or the text of <Redirect>."""
    ctx = context_at(f, offset)
    if ctx.kind == "value" and ctx.attr is not None:
        el = f.element_at([*ctx.stack, ctx.tag or ""])
        a = el.attr(ctx.attr) if el is not None else None
        if a is not None and a.type == "url":  # the grammar says which attributes are URLs
            return f.text[ctx.replace_from : max(ctx.value_end, offset)]
    if ctx.kind == "content" and ctx.stack and ctx.stack[-1] == "Redirect":
        start = f.text.rfind(">", 0, offset) + 1
        end = f.text.find("<", offset)
        return f.text[start : end if end >= 0 else offset].strip()
    return None


def _route_locations(flow: Flow, path: str, seen: set[str] | None = None) -> list[T.Location]:
    """Where a URL path leads: the document flow.toml routes it to, or the route (a split) in flow.toml."""
    seen = seen if seen is not None else set()
    route = flow.routes.get(path)
    if route is None or path in seen:
        return []
    seen.add(path)
    if isinstance(route.target, str):  # a split or an empty answer: the route itself, below
        if route.target.startswith("/"):
            return _route_locations(flow, route.target, seen)
        return [file_location(flow.folder / route.target)]
    return [file_location(flow.config_path, max(route_line(flow, path), 0))]


def flow_toml_definition(flow: Flow, text: str, line: int, character: int) -> list[T.Location] | None:
    """From the quoted string at (line, character) of flow.toml's `text`: a route or a file."""
    offset = sum(len(x) + 1 for x in text.split("\n")[:line]) + character
    target = target_at(text, offset)
    if target is None:
        return None
    if target.startswith("/"):
        return _route_locations(flow, target) if target in flow.routes else None
    file: Path = flow.folder / target
    if not file.is_file():
        return None
    return [file_location(file)]


def document_definition(flow: Flow, f: TwimlFile, offset: int) -> list[T.Location] | None:
    """From the URL at `offset` of a document in the flow folder."""
    url = url_at(f, offset)
    path = url_path(url) if url else None
    return _route_locations(flow, path) if path else None
