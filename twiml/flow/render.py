"""Print a flow map: an indented tree (text), a Mermaid flowchart, Graphviz DOT, or JSON.

In the tree each state is printed once; reaching it again prints a back-reference (`↩ s1`),
which is how loops show. Findings (`FlowMap.findings`, printed as `twiml validate` prints them)
follow the graph: broken links, unreachable documents, callbacks without a route, documents with
problems, and inputs that only a split's default catches.
"""

from __future__ import annotations

import json
from typing import IO, Any

from twiml.flow.explore import Edge, FlowMap, MapState

__all__ = ["FORMATS", "render", "render_findings", "write_map"]

FORMATS = ("text", "mermaid", "dot", "json")
_MARK = {"error": " ✖", "warning": " ⚠"}


def _state_text(state: MapState) -> str:
    if state.kind == "broken":
        return f"[{state.id}] {state.path}  ✖ broken link"
    heard = f'  "{state.heard}"' if state.heard else ""
    return f"[{state.id}] {state.path}  {state.document or '-'}{_MARK.get(state.worst or '', '')}{heard}"


def _shown_document(state: MapState) -> str:
    """` (sales.xml)` for a folder's document, ` (broken)` for a broken link, nothing for an app."""
    if state.kind == "broken":
        return " (broken)"
    return f" ({state.document})" if state.document else ""


def _end_text(edge: Edge) -> str:
    return f"■ {edge.end}"


def render_text(flow_map: FlowMap) -> str:
    lines: list[str] = []
    printed: set[str] = set()

    def visit(state_id: str, prefix: str, label: str, last: bool, root: bool) -> None:
        state = flow_map.states[state_id]
        branch = "" if root else ("└─ " if last else "├─ ")
        head = f"{label} → " if label else ""
        if state_id in printed:
            lines.append(f"{prefix}{branch}{head}↩ {state.id} {state.path}{_shown_document(state)}")
            return
        printed.add(state_id)
        lines.append(f"{prefix}{branch}{head}{_state_text(state)}")
        child_prefix = prefix + ("" if root else ("   " if last else "│  "))
        edges = flow_map.out(state_id)
        for i, edge in enumerate(edges):
            is_last = i == len(edges) - 1
            if edge.dst is not None:
                visit(edge.dst, child_prefix, edge.label, is_last, False)
            else:
                lead = f"{edge.label} → " if edge.label else ""
                lines.append(f"{child_prefix}{'└─ ' if is_last else '├─ '}{lead}{_end_text(edge)}")

    for entry, label, state_id in flow_map.entries:
        lines.append(f"{entry}: {label}")
        visit(state_id, "", "", True, True)
        lines.append("")
    if flow_map.truncated:
        lines.append(f"(stopped at {len(flow_map.states)} states: raise --max-states to see more)")
    return "\n".join(lines).rstrip("\n") + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def render_mermaid(flow_map: FlowMap) -> str:
    lines = ["flowchart TD"]
    for entry, label, state_id in flow_map.entries:
        lines.append(f'    {entry}(["{_mermaid_text(entry)}"]) -->|"{_mermaid_text(label)}"| {state_id}')
    for state in flow_map.states.values():
        if state.kind == "broken":
            lines.append(f'    {state.id}["✖ {_mermaid_text(state.path)}<br/>broken link"]')
            continue
        mark = _MARK.get(state.worst or "", "")
        body = f"{state.path}<br/>{state.document or ''}{mark}"
        if state.heard:
            body += f"<br/><i>{state.heard}</i>"
        lines.append(
            f'    {state.id}["{_mermaid_text(body).replace("#lt;br/#gt;", "<br/>").replace("#lt;i#gt;", "<i>").replace("#lt;/i#gt;", "</i>")}"]'
        )
    ends = 0
    for edge in flow_map.edges:
        arrow = f'-->|"{_mermaid_text(edge.label)}"|' if edge.label else "-->"
        if edge.dst is not None:
            lines.append(f"    {edge.src} {arrow} {edge.dst}")
        else:
            ends += 1
            lines.append(f'    {edge.src} {arrow} end{ends}(("{edge.end}"))')
    broken = [s.id for s in flow_map.states.values() if s.kind == "broken" or s.worst == "error"]
    if broken:
        lines.append("    classDef bad fill:#fdd,stroke:#c00")
        lines.append(f"    class {','.join(broken)} bad")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def render_dot(flow_map: FlowMap) -> str:
    lines = ["digraph flow {", "    rankdir=TB;", '    node [shape=box, fontname="Helvetica"];']
    for entry, label, state_id in flow_map.entries:
        lines.append(f'    "{entry}" [shape=oval];')
        lines.append(f'    "{entry}" -> {state_id} [label="{_dot_text(label)}"];')
    for state in flow_map.states.values():
        if state.kind == "broken":
            lines.append(f'    {state.id} [label="{_dot_text(state.path)}\\nbroken link", color=red];')
            continue
        text = f"{state.path}\\n{_dot_text(state.document or '')}{_MARK.get(state.worst or '', '')}"
        if state.heard:
            text += f"\\n{_dot_text(state.heard)}"
        color = ", color=red" if state.worst == "error" else ""
        lines.append(f'    {state.id} [label="{text}"{color}];')
    ends = 0
    for edge in flow_map.edges:
        label = f' [label="{_dot_text(edge.label)}"]' if edge.label else ""
        if edge.dst is not None:
            lines.append(f"    {edge.src} -> {edge.dst}{label};")
        else:
            ends += 1
            lines.append(f'    end{ends} [label="{edge.end}", shape=circle];')
            lines.append(f"    {edge.src} -> end{ends}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def as_dict(flow_map: FlowMap) -> dict[str, Any]:
    return {
        "entries": [{"entry": e, "label": label, "state": s} for e, label, s in flow_map.entries],
        "states": [
            {
                "id": s.id,
                "url": s.url,
                "document": s.document,
                "heard": s.heard,
                "kind": s.kind,
                "problems": [p.as_dict() for p in s.problems],
            }
            for s in flow_map.states.values()
        ],
        "edges": [{"from": e.src, "label": e.label, "to": e.dst, "end": e.end} for e in flow_map.edges],
        "broken_links": [
            {"url": b.url, "requested_by": b.origin, "code": b.code, "message": b.message} for b in flow_map.broken
        ],
        "unreachable_documents": flow_map.unreachable,
        "callbacks": [
            {
                "url": c.url,
                "attribute": c.attr,
                "element": c.element,
                "file": c.file,
                "line": c.line,
                "routed": c.routed,
            }
            for c in flow_map.callbacks
        ],
        "findings": [d.as_dict() for d in flow_map.findings],
        "fall_to_default": [
            {"state": f.state, "input": f.label, "route": f.route, "document": f.document}
            for f in flow_map.fallthroughs
        ],
        "truncated": flow_map.truncated,
        "failed": flow_map.failed,
    }


def render_findings(flow_map: FlowMap) -> str:
    """The report printed after the graph (to standard error in text formats): every finding in
    the one format of `twiml validate`, then a summary line."""
    lines = [d.format() for d in flow_map.findings]
    n_states = len(flow_map.states)
    n_edges = len(flow_map.edges) + len(flow_map.entries)
    summary = f"{n_states} states, {n_edges} edges, {len(flow_map.broken)} broken links, "
    summary += f"{len(flow_map.unreachable)} unreachable documents"
    if flow_map.folder is not None:
        summary += f", {len(flow_map.callbacks)} callbacks ({len(flow_map.unrouted)} without a route)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render(flow_map: FlowMap, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(as_dict(flow_map), indent=2, ensure_ascii=False) + "\n"
    return {"text": render_text, "mermaid": render_mermaid, "dot": render_dot}[fmt](flow_map)


def write_map(flow_map: FlowMap, fmt: str, out: IO[str], err: IO[str]) -> None:
    """What `twiml map` prints for any target (folder, app, URL, Studio flow): the map in `fmt`, and
    its findings after a text map, or on stderr beside a Mermaid or DOT graph (JSON carries them);
    control characters a hostile document or reply carries are escaped (twiml.textsafe)."""
    from twiml.textsafe import json_printable, printable_lines

    rendered = render(flow_map, fmt)
    out.write(json_printable(rendered) if fmt == "json" else printable_lines(rendered))
    if fmt != "json":
        findings = printable_lines(render_findings(flow_map))
        if fmt == "text":
            out.write("\n" + findings)
        else:
            err.write(findings)
