"""`twiml diff OLD.json NEW.json`: two versions of a Studio flow, widget by widget, in the terms
the TwiML diff uses: prompts and messages changed (old and new words), properties whose change
alters what the caller gets (a timeout, number_of_digits, the number dialled), transitions and
split cases added, removed or retargeted, widgets added or removed. Where a widget sits on the
canvas (`offset`), the description, key order and whitespace are form: a file that differs only
in those is cosmetic. The paths whose outcome changed come from twiml.flowtest (both versions
mapped and every path replayed), as for flow folders.
"""

from __future__ import annotations

import json
from typing import Any

from twiml.flowtest.compare import Change
from twiml.studio.model import State, StudioFlow, Transition

__all__ = ["diff_studio"]

_PROMPTS = {"say": "prompt", "play": "prompt", "body": "message"}
"""Properties the caller hears or reads, and the kind of change they make."""
_FORM = frozenset({"offset"})
"""Properties that are layout, not behaviour."""


def _text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def _case(t: Transition) -> str:
    """A split case as its conditions read: `"2"`, or `contains "sales"` for other tests."""
    parts = []
    for c in t.conditions:
        kind, value = str(c.get("type", "")), _text(c.get("value"))
        parts.append(f'"{value}"' if kind == "equal_to" else f'{kind} "{value}"')
    return " and ".join(parts) or "(no condition)"


def _properties(name: str, x: State, y: State) -> list[Change]:
    out: list[Change] = []
    for key in [*x.properties, *(k for k in y.properties if k not in x.properties)]:
        if key in _FORM:
            continue
        was, now = _text(x.properties.get(key)), _text(y.properties.get(key))
        if was == now:
            continue
        kind = _PROMPTS.get(key, "attribute")
        summary = f"{kind} changed in {name}" if kind != "attribute" else f"{name}: {key} changed"
        out.append(Change(kind, name, summary, was, now))
    return out


def _transitions(name: str, x: State, y: State) -> list[Change]:
    out: list[Change] = []
    split = "split " if x.type == "split-based-on" else ""
    old = {(t.event if t.event != "match" else _case(t)): t.next or "" for t in x.transitions}
    new = {(t.event if t.event != "match" else _case(t)): t.next or "" for t in y.transitions}
    for key in [*old, *(k for k in new if k not in old)]:
        was, now = old.get(key), new.get(key)
        what = f"case {key}" if key.startswith(('"', "(")) or " " in key else key
        if was == now or (not was and not now):
            continue
        if was is None or (not was and now):
            out.append(Change("route", name, f"{split}{name}: {what} added", "", now or ""))
        elif now is None or (was and not now):
            out.append(Change("route", name, f"{split}{name}: {what} removed", was, ""))
        else:
            out.append(Change("route", name, f"{split}{name}: {what} retargeted", was, now))
    return out


def _widget(state: State) -> str:
    said = next((_text(state.properties.get(k)) for k in _PROMPTS if state.properties.get(k)), "")
    return f"{state.type}: {said}" if said else state.type


def diff_studio(
    old: StudioFlow, new: StudioFlow, name: str, old_label: str = "", new_label: str = ""
) -> tuple[list[Change], list[str]]:
    """Behaviour changes from `old` to `new`, and [name] when the files differ in form only."""
    changes: list[Change] = []
    names = [s.name for s in old.states] + [s.name for s in new.states if s.name not in old.by_name]
    for widget in dict.fromkeys(names):
        x, y = old.by_name.get(widget), new.by_name.get(widget)
        if x is None and y is not None:
            changes.append(Change("widget", widget, f"widget {widget} added", "", _widget(y)))
        elif y is None and x is not None:
            changes.append(Change("widget", widget, f"widget {widget} removed", _widget(x), ""))
        elif x is not None and y is not None:
            if x.type != y.type:
                changes.append(Change("widget", widget, f"widget {widget} is another kind", x.type, y.type))
                continue
            changes += _properties(widget, x, y)
            changes += _transitions(widget, x, y)
    if old.initial_state != new.initial_state:
        changes.append(Change("route", name, "initial_state changed", old.initial_state or "", new.initial_state or ""))
    cosmetic = [name] if not changes and old.data != new.data else []
    return changes, cosmetic
