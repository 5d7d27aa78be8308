"""Flow folders for the language server: which flow.toml a document belongs to, where a URL is routed,
and flow.toml's problems with their lines, as `twiml map` reports them. No pygls here.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from twiml.codes import FLOW_UNREACHABLE
from twiml.diagnostic import Diagnostic
from twiml.flow.config import FLOW_FILE, Flow, FlowError, parse_flow
from twiml.flow.routing import Route, is_forward

__all__ = ["flow_for", "flow_problems", "route_line", "url_path"]


def flow_for(path: Path) -> Flow | None:
    """The flow of the folder holding `path` (a document or flow.toml itself), read fresh."""
    folder = path.parent
    config = folder / FLOW_FILE
    if not config.is_file():
        return None
    try:
        return parse_flow(config.read_text(encoding="utf-8"), folder)
    except (OSError, UnicodeDecodeError, FlowError):
        return None


def url_path(url: str) -> str | None:
    """The path a URL asks a flow for (`/menu` of `https://example.com/menu?x=1`), or None."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    return path if path.startswith("/") else None


def route_line(flow: Flow, path: str) -> int:
    """0-based line of the route for `path` in flow.toml (its key), or -1."""
    route: Route | None = flow.routes.get(path)
    return route.line - 1 if route is not None and route.line else -1


def flow_problems(text: str, folder: Path, explore: bool = True) -> list[Diagnostic]:
    """flow.toml's problems and, when it reads, the map's broken links and unreachable documents,
    each placed on the line of flow.toml it concerns (1-based; None for the file as a whole)."""
    try:
        flow = parse_flow(text, folder)
    except FlowError as exc:
        return [exc.problem]
    out = list(flow.problems)
    if explore and not flow.errors:
        from twiml.flow.explore import explore_flow

        flow_map = explore_flow(flow, max_states=200)
        config = str(folder / FLOW_FILE)
        for b in flow_map.broken:
            path = url_path(b.url) or b.url
            line = route_line(flow, path)
            if line < 0:
                line = _line_mentioning(text, path)
            out.append(replace(b.diagnostic(), file=config, line=line + 1, column=None))
        for d in flow_map.findings:
            if d.code == FLOW_UNREACHABLE and d.file is not None:
                doc = Path(d.file).relative_to(folder).as_posix()
                out.append(
                    replace(d, message=f"{doc} is {d.message}", file=config, line=_line_mentioning(text, doc) + 1)
                )
    return out


def _line_mentioning(text: str, needle: str) -> int:
    m = re.search(re.escape(needle), text)
    return text.count("\n", 0, m.start()) if m else 0


def target_at(text: str, offset: int) -> str | None:
    """The quoted string at `offset` in flow.toml (a route key, a target file or a forward)."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    col = offset - line_start
    for m in re.finditer(r"\"([^\"]*)\"|'([^']*)'", line):
        if m.start() <= col <= m.end():
            return m.group(1) if m.group(1) is not None else m.group(2)
    return None


def is_document(target: str) -> bool:
    return not is_forward(target)
