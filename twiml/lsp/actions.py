"""Code actions: each finding's fix (a rename also renames the end tag), a `twiml: ignore` comment
for each finding, and, on a URL the flow folder does not route, a new route with its document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lsprotocol import types as T

from twiml.flow.config import FLOW_FILE
from twiml.lsp.analysis import TOKEN, Finding, TwimlFile
from twiml.lsp.definition import url_at
from twiml.lsp.diagnostics import to_lsp
from twiml.lsp.flows import url_path
from twiml.lsp.protocol import flow_of, lsp_range, uri_of

__all__ = ["code_actions"]


def _end_tag_name(text: str, start: int, name: str) -> tuple[int, int] | None:
    """The name in the end tag of the element whose start tag begins at `start`."""
    depth = 0
    for m in TOKEN.finditer(text, start):
        if m.group(2) is not None:
            if m.group(4):
                if depth == 0:
                    return None  # self-closing
                continue
            depth += 1
        elif m.group(1) is not None:
            depth -= 1
            if depth == 0:
                return (m.start(1), m.end(1)) if m.group(1) == name else None
    return None


def code_actions(f: TwimlFile, uri: str, placed: Iterable[Finding], lo: int, hi: int) -> list[T.CodeAction]:
    """The quick fixes for the text offsets `lo`..`hi` of `f`, given the findings last published."""
    actions: list[T.CodeAction] = []
    ignored: set[tuple[int, str]] = set()
    for x in placed:
        if x.end < lo or x.start > hi:
            continue
        d = x.diagnostic
        shown = to_lsp(f, x)
        fix = d.fix
        if fix is not None:
            edits = [T.TextEdit(lsp_range(f, x.start, x.end), fix.new)]
            if fix.kind == "rename_element" and d.node is not None:
                start = f.node_offset(d.node)
                closing = _end_tag_name(f.text, start, d.node.name) if start is not None else None
                if closing is not None:
                    edits.append(T.TextEdit(lsp_range(f, *closing), fix.new))
            title = {
                "rename_element": f"Rename to <{fix.new}>",
                "rename_attribute": f"Rename {fix.attr} to {fix.new}",
                "set_value": f"Set {fix.attr} to {fix.new!r}",
            }[fix.kind]
            actions.append(
                T.CodeAction(
                    title,
                    kind=T.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    is_preferred=True,
                    edit=T.WorkspaceEdit(changes={uri: edits}),
                )
            )
        node_start = f.node_offset(d.node) if d.node is not None else None  # the root: no comment can silence it
        if node_start is not None and d.node is not f.doc and (node_start, str(d.code)) not in ignored:
            ignored.add((node_start, str(d.code)))
            line, col = f.position(node_start)
            line_text = f.text[f.starts[line] : node_start]
            indent = line_text if not line_text.strip() else ""
            insert = f"<!-- twiml: ignore[{d.code}] -->" + (f"\n{indent}" if indent or col == 0 else " ")
            actions.append(
                T.CodeAction(
                    f"Ignore {d.code} here (twiml: ignore comment)",
                    kind=T.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    edit=T.WorkspaceEdit(changes={uri: [T.TextEdit(lsp_range(f, node_start, node_start), insert)]}),
                )
            )
    route = _new_route_action(f, uri, lo)
    if route is not None:
        actions.append(route)
    return actions


def _new_route_action(f: TwimlFile, uri: str, offset: int) -> T.CodeAction | None:
    url = url_at(f, offset)
    path = url_path(url) if url else None
    flow = flow_of(uri)
    if path is None or flow is None or path in flow.routes:
        return None
    name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "index"
    document = f"{name}.xml"
    config = flow.config_path
    text = config.read_text(encoding="utf-8")
    lines = text.split("\n")
    last = max((r.line for r in flow.routes.values()), default=0)
    at = last if last else len(lines)
    if not text.endswith("\n") and at >= len(lines):
        entry = f'\n"{path}" = "{document}"'
        line_no, char = len(lines) - 1, len(lines[-1])
    else:
        entry = f'"{path}" = "{document}"\n'
        line_no, char = min(at, len(lines)), 0
    config_uri = uri_of(config)
    new_uri = uri_of(flow.folder / document)
    changes: list[Any] = [
        T.TextDocumentEdit(
            T.OptionalVersionedTextDocumentIdentifier(uri=config_uri, version=None),
            [T.TextEdit(T.Range(T.Position(line_no, char), T.Position(line_no, char)), entry)],
        )
    ]
    if not (flow.folder / document).exists():
        skeleton = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>TODO</Say>\n</Response>\n'
        changes[:0] = [T.CreateFile(uri=new_uri, options=T.CreateFileOptions(ignore_if_exists=True))]
        changes.append(
            T.TextDocumentEdit(
                T.OptionalVersionedTextDocumentIdentifier(uri=new_uri, version=None),
                [T.TextEdit(T.Range(T.Position(0, 0), T.Position(0, 0)), skeleton)],
            )
        )
    return T.CodeAction(
        f"Create a route for {path} in {FLOW_FILE} ({document})",
        kind=T.CodeActionKind.QuickFix,
        edit=T.WorkspaceEdit(document_changes=changes),
    )
