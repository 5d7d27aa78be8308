"""`twiml validate flow.json`: check a Studio flow definition, every finding with its line and column.

Findings are `twiml.validator.Diagnostic`s with codes of our own (`STUDIO-*`), so the CLI's text,
JSON and SARIF output and its `--fail-on`/`--ignore`/`[tool.twiml]` controls apply unchanged:
the definition's JSON Schema and each widget's property schema (jsonschema, the `studio` extra),
graph checks (a `next` naming no widget, widgets no path reaches, duplicate names, no trigger,
events a widget type does not have, a split without `noMatch`), Liquid that does not parse, and
references to widgets the flow does not have.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from twiml.studio.liquid import check, require
from twiml.studio.model import StudioError, StudioFlow
from twiml.studio.widgets import FLOW_SCHEMA, WIDGETS
from twiml.validator import Diagnostic

__all__ = ["CODES", "validate_config", "validate_flow", "validate_text"]

CODES: dict[str, tuple[str, str]] = {
    "STUDIO-JSON": ("error", "The flow file is not JSON."),
    "STUDIO-SCHEMA": ("error", "The flow definition does not have the shape Studio requires."),
    "STUDIO-NO-TRIGGER": ("error", "The flow has no trigger widget to start at."),
    "STUDIO-DUPLICATE-NAME": ("error", "Two widgets have the same name."),
    "STUDIO-MISSING-NEXT": ("error", "A transition goes to a widget that is not in the flow."),
    "STUDIO-LIQUID": ("error", "A Liquid template does not parse."),
    "STUDIO-UNKNOWN-WIDGET": ("warning", "A widget type this toolkit does not know."),
    "STUDIO-UNKNOWN-EVENT": ("warning", "A transition event the widget type does not have."),
    "STUDIO-NO-NOMATCH": ("warning", "A split without a noMatch transition."),
    "STUDIO-UNREACHABLE": ("warning", "No path from the trigger reaches this widget."),
    "STUDIO-PROPERTY-TYPE": ("warning", "A widget property has a type Studio does not write."),
    "STUDIO-UNKNOWN-REFERENCE": ("warning", "A template refers to a widget the flow does not have."),
    "STUDIO-UNKNOWN-PROPERTY": ("info", "A property the Studio console never writes for this widget."),
    "STUDIO-CONFIG": ("error", "The flow's config file (<flow>.studio.toml) cannot be used."),
    "STUDIO-SUBFLOW": ("warning", "A run-subflow widget whose subflow the flow's config file does not give."),
}
"""Each code's level and meaning."""

_WIDGET_REF = re.compile(r"widgets\.\s*([A-Za-z0-9_-]+)")
_OUTPUT_ROOT = re.compile(r"\{\{-?\s*([A-Za-z_][A-Za-z0-9_-]*)")
_DEFINED = re.compile(r"\{%-?\s*(?:assign|capture|for)\s+([A-Za-z_][A-Za-z0-9_-]*)")
_ROOTS = frozenset({"trigger", "flow", "widgets", "contact"})


def _diag(
    flow: StudioFlow, code: str, message: str, path: tuple[str | int, ...], hint: str | None = None
) -> Diagnostic:
    line, column = flow.where(*path)
    level = CODES[code][0]
    return Diagnostic(level, code, message, _shown(path) or "/", line, column, hint=hint)  # type: ignore[arg-type]


def _shown(path: tuple[str | int, ...]) -> str:
    """`states[3].properties.say` for a JSON path."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[")


def _strings(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))


def _schema(flow: StudioFlow) -> list[Diagnostic]:
    jsonschema = require("jsonschema", "checking a Studio flow's schema")
    out: list[Diagnostic] = []
    validator = jsonschema.Draft202012Validator(FLOW_SCHEMA)
    for error in sorted(validator.iter_errors(flow.data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        where = _shown(path)
        out.append(_diag(flow, "STUDIO-SCHEMA", f"{where}: {error.message}" if where else error.message, path))
    for state in flow.states:
        spec = WIDGETS.get(state.type)
        base = ("states", state.index, "properties")
        if spec is None:
            if state.type:
                out.append(
                    _diag(
                        flow,
                        "STUDIO-UNKNOWN-WIDGET",
                        f"widget {state.name!r} has type {state.type!r}, which this toolkit does not know; "
                        "it is kept as written and stops a simulated execution",
                        ("states", state.index, "type"),
                    )
                )
            continue
        schema = {"type": "object", "properties": spec.properties}
        for error in jsonschema.Draft202012Validator(schema).iter_errors(state.properties):
            path = tuple(error.absolute_path)
            out.append(
                _diag(
                    flow,
                    "STUDIO-PROPERTY-TYPE",
                    f"{state.name}: {'.'.join(map(str, path))}: {error.message}",
                    (*base, *path),
                )
            )
        for key in state.properties:
            if key != "offset" and key not in spec.properties:
                out.append(
                    _diag(
                        flow,
                        "STUDIO-UNKNOWN-PROPERTY",
                        f"{state.name}: property {key!r} is not one the console writes for {state.type}",
                        (*base, key),
                    )
                )
    return out


def _graph(flow: StudioFlow) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: dict[str, int] = {}
    for state in flow.states:
        if state.name in seen:
            out.append(
                _diag(
                    flow,
                    "STUDIO-DUPLICATE-NAME",
                    f"widget name {state.name!r} is used again (first at states[{seen[state.name]}]); "
                    "transitions reach only one of them",
                    ("states", state.index, "name"),
                )
            )
        else:
            seen[state.name] = state.index
    trigger = flow.trigger
    if trigger is None:
        out.append(_diag(flow, "STUDIO-NO-TRIGGER", "the flow has no trigger widget", ("states",)))
    initial = flow.initial_state
    if initial is not None and initial not in flow.by_name:
        out.append(_diag(flow, "STUDIO-MISSING-NEXT", f"initial_state {initial!r} names no widget", ("initial_state",)))
    for state in flow.states:
        spec = WIDGETS.get(state.type)
        events = [t.event for t in state.transitions]
        for t in state.transitions:
            where = ("states", state.index, "transitions", t.index)
            if t.next is not None and t.next not in flow.by_name:
                near = _nearest(t.next, list(flow.by_name))
                out.append(
                    _diag(
                        flow,
                        "STUDIO-MISSING-NEXT",
                        f"{state.name}: {t.event} goes to {t.next!r}, which is not in the flow",
                        (*where, "next"),
                        hint=f"did you mean {near!r}?" if near else None,
                    )
                )
            if spec is not None and t.event not in spec.events:
                out.append(
                    _diag(
                        flow,
                        "STUDIO-UNKNOWN-EVENT",
                        f"{state.name}: {state.type} has no event {t.event!r} (it has {', '.join(spec.events)})",
                        (*where, "event"),
                    )
                )
        if state.type == "split-based-on" and "noMatch" not in events:
            out.append(
                _diag(
                    flow,
                    "STUDIO-NO-NOMATCH",
                    f"{state.name}: no noMatch transition (an input no condition takes ends the execution)",
                    ("states", state.index, "transitions"),
                )
            )
    if trigger is not None:
        reached = {trigger.name}
        todo = deque([trigger.name])
        while todo:
            current = flow.by_name.get(todo.popleft())
            for t in current.transitions if current else ():
                if t.next and t.next not in reached and t.next in flow.by_name:
                    reached.add(t.next)
                    todo.append(t.next)
        for state in flow.states:
            if state.name not in reached and flow.by_name.get(state.name) is state:
                out.append(
                    _diag(
                        flow,
                        "STUDIO-UNREACHABLE",
                        f"{state.name}: no transition from the trigger leads to this {state.type or 'widget'}",
                        ("states", state.index, "name"),
                    )
                )
    return out


def _nearest(name: str, names: list[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
    return found[0] if found else None


def _liquid(flow: StudioFlow) -> list[Diagnostic]:
    from twiml.studio.liquid import _env

    _env()  # LiquidMissing (naming the extra) even when every template is already cached
    out: list[Diagnostic] = []
    names = set(flow.by_name)
    for state in flow.states:
        base: tuple[str | int, ...] = ("states", state.index)
        items = list(_strings(state.properties, (*base, "properties")))
        for t in state.transitions:
            for ci, c in enumerate(t.conditions):
                items += _strings(c.get("arguments"), (*base, "transitions", t.index, "conditions", ci, "arguments"))
                items += _strings(c.get("value"), (*base, "transitions", t.index, "conditions", ci, "value"))
        for path, text in items:
            if "{" not in text:
                continue
            problem = check(text)
            if problem is not None:
                out.append(_diag(flow, "STUDIO-LIQUID", f"{state.name}: Liquid does not parse: {problem}", path))
                continue
            local = set(_DEFINED.findall(text))
            for root in dict.fromkeys(_OUTPUT_ROOT.findall(text)):
                if root not in _ROOTS and root not in local and root not in ("true", "false", "nil", "empty"):
                    out.append(
                        _diag(
                            flow,
                            "STUDIO-UNKNOWN-REFERENCE",
                            f"{state.name}: {{{{{root}}}}} is not in Studio's context (trigger, flow, widgets, "
                            "contact); it renders as empty",
                            path,
                        )
                    )
            for m in _WIDGET_REF.finditer(text):
                if m.group(1) not in names:
                    out.append(
                        _diag(
                            flow,
                            "STUDIO-UNKNOWN-REFERENCE",
                            f"{state.name}: widgets.{m.group(1)} names no widget of this flow (it renders as empty)",
                            path,
                        )
                    )
    return out


def validate_flow(flow: StudioFlow) -> list[Diagnostic]:
    """Every finding of a loaded flow, in file order."""
    found = _schema(flow) + _graph(flow) + _liquid(flow)
    return sorted(found, key=lambda d: (d.line or 0, d.column or 0))


def validate_text(text: str, config: Path | None = None) -> list[Diagnostic]:
    """Findings of a flow given as JSON text (a file that is not JSON is one STUDIO-JSON finding),
    and of its config file `config` when given."""
    from twiml.studio.model import loads_flow

    try:
        flow = loads_flow(
            text, config.with_name(config.name.removesuffix(".studio.toml") + ".json") if config else None
        )
    except StudioError as exc:
        return [Diagnostic("error", "STUDIO-JSON", exc.message, "/", exc.line, exc.column)]
    found = validate_flow(flow)
    return (
        found
        if config is None
        else sorted(found + validate_config(flow, config), key=lambda d: (d.line or 0, d.column or 0))
    )


def validate_config(flow: StudioFlow, path: Path) -> list[Diagnostic]:
    """The config file's problem (STUDIO-CONFIG, its own file, line and key in the message), else each
    run-subflow widget it gives neither a subflow file nor a fixture (STUDIO-SUBFLOW: a run fails there)."""
    from twiml.studio.config import ConfigError, load_config

    try:
        config = load_config(path, flow)
    except ConfigError as exc:
        return [Diagnostic("error", "STUDIO-CONFIG", str(exc), "/", 1, 1)]
    out: list[Diagnostic] = []
    for state in flow.states:
        sid = str(state.properties.get("flow_sid", ""))
        if state.type != "run-subflow" or {sid, state.name} & (config.subflows.keys() | config.fixtures.keys()):
            continue
        message = (
            f"run-subflow {state.name}: flow_sid {sid or '(none)'} has no subflow file in {path.name} "
            f"([subflows] {sid or state.name} = \"FILE.json\") and no fixture; a run takes 'failed' here"
        )
        where = ("states", state.index, "properties", "flow_sid") if sid else ("states", state.index, "name")
        out.append(_diag(flow, "STUDIO-SUBFLOW", message, where))
    return out
