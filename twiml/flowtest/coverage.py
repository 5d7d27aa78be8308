"""Coverage of a phone tree: which states, edges (inputs, timeouts, endings) and split cases of
the map the tests' calls walked.

The pytest plugin turns every simulator Session of a test run into a walk (requests, inputs, the
end) and saves the walks in `.twiml-coverage` in the current folder; `twiml coverage TARGET`
(and the plugin's own summary) lays them over the map of TARGET. A walk's request is matched to a
map state by its URL path and document; the move between two requests to the map edge from the
first state to the second with the same kinds of input (keys, speech, timeout, dial, record,
silence, queue); a request routed through a split marks the case (or default) it took.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from twiml.flow.explore import Edge, FlowMap, MapState
from twiml.flow.routing import Split
from twiml.simulator.driver import Session
from twiml.simulator.engine import Sent
from twiml.simulator.events import Fetched, Input, Stop, Verb

__all__ = ["DATA_FILE", "Coverage", "dead_start", "load_walks", "measure", "render", "save_walks", "walk_of"]

DATA_FILE = ".twiml-coverage"
_KINDS = (
    ("press ", "keys"),
    ("other keys", "keys"),
    ('say "', "speech"),
    ("no input", "timeout"),
    ("dial ", "dial"),
    ("recording ", "record"),
    ("silence", "silence"),
    ("queue ", "queue"),
    ("no reply", "timeout"),
    ('reply "', "reply"),
)


class CoverageError(Exception):
    """The coverage data cannot be read; the message names the file."""


# ----------------------------------------------------------------------------------------- walks


def walk_of(session: Session) -> dict[str, Any]:
    """What a session did, as plain data: requests (with parameters other than SIDs), inputs, the end."""
    items: list[dict[str, Any]] = []
    fetch: dict[str, Any] | None = None
    for event in session.events:
        if fetch is not None and "heard" not in fetch:
            heard = _first_heard(event)
            if heard:
                fetch["heard"] = heard
        if isinstance(event, Fetched):
            params = {k: v for k, v in event.request.params if not k.endswith("Sid")}
            fetch = {
                "fetch": event.request.url,
                "url": event.url,
                "method": event.request.method,
                "source": os.path.abspath(event.source) if event.source else None,
                "status": event.status,
                "params": params,
            }
            items.append(fetch)
        elif isinstance(event, Input):
            items.append({"input": event.kind, "value": event.value, "params": dict(event.params)})
        elif isinstance(event, Stop):
            items.append({"end": event.reason})
    return {"channel": session.kind, "items": items}


def _first_heard(event: object) -> str:
    """What the map shows a state by (its first prompt or message, as `twiml map` shortens it):
    replies without a file (an app, a URL) are told apart by it."""
    text, music = "", False
    if isinstance(event, Sent):
        text = event.body
    elif isinstance(event, Verb) and event.name in ("Say", "Play") and event.text:
        text, music = event.text, event.name == "Play"
    if not text:
        return ""
    text = " ".join(text.split())
    return ("♪ " if music else "") + (text if len(text) <= 60 else text[:57] + "...")


def save_walks(walks: list[dict[str, Any]], path: Path = Path(DATA_FILE)) -> None:
    from twiml.files import atomic_write

    atomic_write(path, json.dumps({"version": 1, "walks": walks}, ensure_ascii=False) + "\n")


def load_walks(path: Path = Path(DATA_FILE)) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CoverageError(f"{path}: no coverage data (run pytest --twiml-cov=TARGET first)") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CoverageError(f"{path}: not coverage data: {exc}") from None
    walks = data.get("walks") if isinstance(data, dict) else None
    if not isinstance(walks, list):
        raise CoverageError(f"{path}: not coverage data (no walks)")
    return walks


# --------------------------------------------------------------------------------------- measure


def _input_kind(item: dict[str, Any]) -> str:
    params = item.get("params", {})
    kind = item.get("input")
    if kind == "gather":
        return "keys" if "Digits" in params else "speech" if "SpeechResult" in params else "timeout"
    if kind == "record":
        return "record" if params.get("RecordingDuration", "0") not in ("", "0") else "silence"
    return str(kind)


def edge_kinds(edge: Edge) -> tuple[str, ...]:
    from twiml.flowtest.cases import input_labels

    out = []
    for token in input_labels(edge.label):
        out.append(next(kind for prefix, kind in _KINDS if token.startswith(prefix)))
    return tuple(out)


@dataclass
class Coverage:
    """Walked and unwalked parts of a map."""

    flow_map: FlowMap
    walks: int = 0
    states: dict[str, bool] = field(default_factory=dict)
    edges: list[tuple[Edge, bool]] = field(default_factory=list)
    cases: list[tuple[str, str, str, bool]] = field(default_factory=list)  # route, choice, target, walked

    def counts(self) -> dict[str, tuple[int, int]]:
        timeouts = [w for e, w in self.edges if "timeout" in edge_kinds(e)]
        ends = [w for e, w in self.edges if e.end is not None]
        return {
            "states": (sum(self.states.values()), len(self.states)),
            "edges": (sum(w for _, w in self.edges), len(self.edges)),
            "timeouts": (sum(timeouts), len(timeouts)),
            "endings": (sum(ends), len(ends)),
            "split cases": (sum(c[3] for c in self.cases), len(self.cases)),
        }

    @property
    def percent(self) -> float:
        c = self.counts()
        done = c["states"][0] + c["edges"][0] + c["split cases"][0]
        total = c["states"][1] + c["edges"][1] + c["split cases"][1]
        return 100.0 * done / total if total else 100.0


def _path(url: str) -> str:
    return urlsplit(url).path or "/"


def _place(url: str) -> str:
    """Where a state is, as the map and a walk both spell it: the path unquoted (a Studio subflow's
    widget answers at /run%2Finner, and the map shows /run/inner)."""
    return unquote(_path(url))


def dead_start(flow_map: FlowMap) -> str | None:
    """Why no entry of the map answers (a 403 for a wrong auth token, a dead server), or None:
    coverage of such a map would be 100% of nothing."""
    starts = [flow_map.states[state] for name, _, state in flow_map.entries if name != "fax_start"]
    if starts and all(state.kind == "broken" for state in starts):
        broken = flow_map.broken[0] if flow_map.broken else None
        return f"{broken.code} {broken.message}" if broken else "no reply"
    return None


def measure(
    flow_map: FlowMap,
    walks: list[dict[str, Any]],
    routes: dict[str, Any] | None = None,
    namer: Callable[[str], str | None] | None = None,
) -> Coverage:
    """Lay `walks` over `flow_map` (and the split cases of a folder's `routes`).

    `namer` turns a reply's source into the map's name for it where that is not a file of the
    map's folder (a Studio widget's type; None: a state without one; "": another flow's reply).
    A request is placed by the URL that answered it, as the map places it (a Studio widget
    answers at its own URL, not at the URL requested)."""
    folder = os.path.abspath(flow_map.folder) if flow_map.folder is not None else None
    by_key: dict[tuple[str, str | None], str] = {}
    by_heard: dict[tuple[str, str], str] = {}
    for mapped in flow_map.states.values():
        by_key.setdefault((_place(mapped.url), mapped.document), mapped.id)
        by_heard.setdefault((_place(mapped.url), mapped.heard), mapped.id)
    walked_states: set[str] = set()
    walked_edges: set[tuple[str, str, tuple[str, ...]]] = set()
    walked_cases: set[tuple[str, str]] = set()
    from twiml.flow.routing import resolve

    for walk in walks:
        current: str | None = None
        pending: list[str] = []
        ended = False
        for item in walk.get("items", []):
            if "fetch" in item:
                if ended and walk.get("channel") == "messaging":
                    # the conversation goes on: a reply, or a Studio send-and-wait timing out
                    pending = ["timeout" if _path(item["fetch"]).endswith("/timeout") else "reply"]
                ended = False
                source = item.get("source")
                document = source
                if source and namer is not None:
                    document = namer(source)
                    if document == "":
                        current = None
                        continue  # another flow's reply
                elif source and folder:
                    prefix = os.path.join(folder, "")
                    document = source[len(prefix) :] if source.startswith(prefix) else None
                    if document is None:
                        current = None
                        continue  # another flow's document
                at = _place(item.get("url") or item["fetch"])
                if document is not None:
                    state = by_key.get((at, document))
                else:  # a reply without a file (an app, a URL): the state with this first prompt
                    state = by_heard.get((at, item.get("heard", "")))
                if state is not None:
                    walked_states.add(state)
                    if current is not None:
                        walked_edges.add((current, state, tuple(pending)))
                if routes is not None and document is not None:
                    for route, choice in resolve(routes, _path(item["fetch"]), item.get("params", {})).hops:
                        walked_cases.add((route, choice))
                current, pending = state, []
            elif "input" in item:
                pending.append(_input_kind(item))
            elif "end" in item:
                ended = True
                if current is not None:
                    walked_edges.add((current, "■" + str(item["end"]), tuple(pending)))
    result = Coverage(flow_map, len(walks))
    fax = {state for name, _, state in flow_map.entries if name == "fax_start"}  # no Call or Text walks a fax
    result.states = {
        s.id: s.id in walked_states for s in flow_map.states.values() if s.kind == "document" and s.id not in fax
    }
    for edge in flow_map.edges:
        if edge.label.startswith("callee hears"):
            walked = edge.dst in walked_states
        else:
            walked = (edge.src, edge.dst or "■" + (edge.end or ""), edge_kinds(edge)) in walked_edges
        result.edges.append((edge, walked))
    for path, route in sorted((routes or {}).items()):
        split = route.target
        if not isinstance(split, Split):
            continue
        units = [(key, target) for key, target in split.cases]
        if split.then is not None:
            units.append((f"{split.by} present", split.then))
        if split.default is not None:
            units.append(("default", split.default))
        for choice, target in units:
            result.cases.append((path, choice, target, (path, choice) in walked_cases))
    return result


# ---------------------------------------------------------------------------------------- render


def _shown(state: MapState) -> str:
    """A state's document, or for a reply without a file its first prompt."""
    return state.document or (f'"{state.heard}"' if state.heard else "")


def _edge_text(flow_map: FlowMap, edge: Edge) -> str:
    src = flow_map.states[edge.src]
    head = f"[{src.id}] {src.path} {_shown(src)}".rstrip()
    if edge.dst is not None:
        dst = flow_map.states[edge.dst]
        return f"{head}: {edge.label or 'next'} → [{dst.id}] {_shown(dst) or dst.path}"
    return f"{head}: {edge.label or 'the document ends'} → ■ {edge.end}"


def _case_text(route: str, choice: str, target: str) -> str:
    what = "default" if choice == "default" else choice if choice.endswith(" present") else f'case "{choice}"'
    return f"route {route}: {what} → {target}"


def render(coverage: Coverage, fmt: str = "text", label: str = "") -> str:
    flow_map = coverage.flow_map
    if fmt == "json":
        data = {
            "target": label,
            "walks": coverage.walks,
            "percent": round(coverage.percent, 1),
            "counts": {k: {"walked": a, "total": b} for k, (a, b) in coverage.counts().items()},
            "unwalked": {
                "states": [s for s, w in coverage.states.items() if not w],
                "edges": [_edge_text(flow_map, e) for e, w in coverage.edges if not w],
                "split_cases": [_case_text(r, c, t) for r, c, t, w in coverage.cases if not w],
            },
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "mermaid":
        from twiml.flow.render import render_mermaid

        lines = render_mermaid(flow_map).rstrip("\n").split("\n")
        first = len(flow_map.entries)
        walked = [str(first + n) for n, (_, w) in enumerate(coverage.edges) if w]
        unwalked = [str(first + n) for n, (_, w) in enumerate(coverage.edges) if not w]
        if walked:
            lines.append(f"    linkStyle {','.join(walked)} stroke:#2a7d2a,stroke-width:3px")
        if unwalked:
            lines.append(f"    linkStyle {','.join(unwalked)} stroke:#c33,stroke-width:1px,stroke-dasharray:4 3")
        lines.append("    classDef walked fill:#dfd,stroke:#2a7d2a")
        lines.append("    classDef unwalked fill:#fee,stroke:#c33,stroke-dasharray:4 3")
        on = [s for s, w in coverage.states.items() if w]
        off = [s for s, w in coverage.states.items() if not w]
        if on:
            lines.append(f"    class {','.join(on)} walked")
        if off:
            lines.append(f"    class {','.join(off)} unwalked")
        return "\n".join(lines) + "\n"
    out = [f"twiml coverage of {label}: {coverage.walks} calls and texts walked"]
    for name, (done, total) in coverage.counts().items():
        pct = f"{100 * done / total:.0f}%" if total else "-"
        out.append(f"  {name:<12} {done:>4}/{total:<4} {pct:>5}")
    out.append(f"  {'total':<12} {coverage.percent:>15.1f}%")
    missing_states = [s for s, w in coverage.states.items() if not w]
    missing_edges = [e for e, w in coverage.edges if not w]
    missing_cases = [c for c in coverage.cases if not c[3]]
    if missing_states or missing_edges or missing_cases:
        out.append("not walked:")
    for state_id in missing_states:
        state = flow_map.states[state_id]
        out.append(f"  state [{state.id}] {state.path} {_shown(state)}".rstrip())
    for edge in missing_edges:
        out.append(f"  edge  {_edge_text(flow_map, edge)}")
    for route, choice, target, _ in missing_cases:
        out.append(f"  split {_case_text(route, choice, target)}")
    return "\n".join(out) + "\n"
