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

__all__ = ["document_map_findings", "flow_folder", "flow_for", "flow_problems", "route_line", "url_path"]


def flow_folder(path: Path) -> Path | None:
    """The flow folder `path` (a document or flow.toml itself) belongs to: the nearest folder
    holding a flow.toml, from the file's own folder up, as `Flow.documents()` counts a document
    in a subfolder as the flow's."""
    for folder in path.parents:
        if (folder / FLOW_FILE).is_file():
            return folder
    return None


def flow_for(path: Path) -> Flow | None:
    """The flow `path` belongs to (see `flow_folder`), read fresh."""
    folder = flow_folder(path)
    if folder is None:
        return None
    try:
        return parse_flow((folder / FLOW_FILE).read_text(encoding="utf-8"), folder)
    except (OSError, UnicodeDecodeError, FlowError):
        return None


_MAPS: dict[Path, tuple[object, list[Diagnostic]]] = {}
"""Per flow folder: the saved files' stamp and the map's link findings (a map per open document
and per save would be a walk of the whole flow each time)."""


def document_map_findings(path: Path) -> list[Diagnostic]:
    """What `twiml map` finds about the document at `path` (`FlowMap.link_findings`: callbacks no
    route answers, at their attribute; broken links it requests; no path reaching it), from the
    saved files. [] outside a flow folder and while flow.toml has errors (its own diagnostics
    say so)."""
    from twiml.flow.config import load_flow

    folder = flow_folder(path)
    if folder is None:
        return []
    try:
        flow = load_flow(folder)
    except FlowError:
        return []
    if flow.errors:
        return []
    stamp = _stamp(folder, flow.documents())
    cached = _MAPS.get(folder)
    if cached is None or cached[0] != stamp:
        from twiml.flow.explore import explore_flow

        cached = (stamp, explore_flow(flow).link_findings)
        _MAPS[folder] = cached
    here = _real(path)
    return [d for d in cached[1] if d.file is not None and _real(Path(d.file)) == here]


def _stamp(folder: Path, documents: list[str]) -> object:
    """What the map read: flow.toml and each document, by size and modification time."""
    out = []
    for name in [FLOW_FILE, *documents]:
        try:
            st = (folder / name).stat()
        except OSError:
            continue
        out.append((name, st.st_size, st.st_mtime_ns))
    return tuple(out)


def _real(path: Path) -> str:
    import os

    return os.path.realpath(path)


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
