"""A Studio flow (`flow.json`) open in the editor, without Textual: its widgets edited in place,
undo and redo, and a save that changes only the lines of what was edited.

Every edit splices new JSON into the original text at the place `twiml.studio.jsonpos` gives
(tomlkit-style), so the file's own indentation, key order, number spelling and Liquid stay as
written everywhere else. The simulator and the map read the edited text through the one Studio
runner (`twiml.studio.runner.StudioTransport`), so the call panel hears the flow being edited.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from twiml.files import FileStamp, atomic_write
from twiml.studio.jsonpos import Located, loads_located
from twiml.studio.jsonpos import Path as JsonPath
from twiml.studio.model import MAX_BYTES, State, StudioError, StudioFlow, from_data
from twiml.studio.runner import StudioTransport
from twiml.studio.widgets import WIDGETS
from twiml.textsafe import printable
from twiml_editor.disk_check import refuse_changed
from twiml_editor.flow_project import MapRow

__all__ = ["StudioProject", "describe_transition", "studio_rows"]

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ENTRY_ORDER = ("incomingCall", "incomingMessage", "incomingRequest", "incomingConversationMessage", "incomingParent")


# ------------------------------------------------------------------------------ JSON splicing


class JsonText:
    """JSON text edited by splicing: each change re-parses, so positions stay exact."""

    def __init__(self, text: str) -> None:
        self.located: Located = loads_located(text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.unit = self._indent_unit()

    @property
    def text(self) -> str:
        return self.located.text

    @property
    def value(self) -> Any:
        return self.located.value

    def _indent_unit(self) -> str:
        """The file's indentation step (two spaces when it has none to copy)."""
        for path, offset in self.located.offsets.items():
            if len(path) == 1:
                indent = self._indent_at(offset)
                return indent or "  "
        return "  "

    def _indent_at(self, offset: int) -> str:
        text = self.text
        line_start = text.rfind("\n", 0, offset) + 1
        m = re.match(r"[ \t]*", text[line_start:])
        return m.group(0) if m else ""

    def _render(self, value: Any, base: str, compact: bool = False) -> str:
        if compact or not isinstance(value, dict | list) or not value:
            return json.dumps(value, ensure_ascii=False)
        return json.dumps(value, ensure_ascii=False, indent=self.unit).replace("\n", self.newline + base)

    def _splice(self, start: int, end: int, new: str) -> None:
        self.located = loads_located(self.text[:start] + new + self.text[end:])

    def _children(self, path: JsonPath) -> list[JsonPath]:
        n = len(path)
        kids = [p for p in self.located.offsets if len(p) == n + 1 and p[:n] == path]
        return sorted(kids, key=lambda p: self.located.offsets[p])

    def replace(self, path: JsonPath, value: Any) -> None:
        entry, start, end = self.located.span(path)
        self._splice(start, end, self._render(value, self._indent_at(entry)))

    def _add(self, path: JsonPath, entry: str, whole: Any) -> None:
        kids = self._children(path)
        _, start, end = self.located.span(path)
        if not kids:  # an empty container: write it out again with the one entry
            self._splice(start, end, self._render(whole, self._indent_at(start)))
            return
        last = kids[-1]
        last_entry, _, last_end = self.located.span(last)
        if "\n" in self.text[start:last_entry]:
            indent = self._indent_at(last_entry)
            self._splice(last_end, last_end, "," + self.newline + indent + entry)
        else:
            self._splice(last_end, last_end, ", " + entry)

    def add_member(self, path: JsonPath, key: str, value: Any) -> None:
        """Add `key` at the end of the object at `path`."""
        kids = self._children(path)
        indent = self._indent_at(self.located.span(kids[-1])[0]) if kids else ""
        self._add(path, json.dumps(key, ensure_ascii=False) + ": " + self._render(value, indent), {key: value})

    def append(self, path: JsonPath, value: Any) -> None:
        """Add `value` at the end of the array at `path`."""
        kids = self._children(path)
        indent = self._indent_at(self.located.span(kids[-1])[0]) if kids else ""
        self._add(path, self._render(value, indent), [value])

    def remove(self, path: JsonPath) -> None:
        """Remove an object member or array item with the comma and line it took."""
        siblings = self._children(path[:-1])
        i = siblings.index(path)
        entry, _, end = self.located.span(path)
        if i > 0:
            self._splice(self.located.span(siblings[i - 1])[2], end, "")
        elif len(siblings) > 1:
            self._splice(entry, self.located.offsets[siblings[1]], "")
        else:
            _, start, stop = self.located.span(path[:-1])
            self._splice(start, stop, "{}" if isinstance(path[-1], str) else "[]")


# ------------------------------------------------------------------------------- the project


@dataclass
class _Step:
    description: str
    before: str
    after: str


class StudioProject:
    """One flow file: its text as edited, the parsed flow, and the undo history."""

    def __init__(self, path: Path, text: str, bom: bool = False) -> None:
        self.path = path
        self.bom = bom
        self.json = JsonText(text)
        self.saved_text = text
        self.flow: StudioFlow = from_data(self.json.value, path, self.json.located)
        self.undo_stack: list[_Step] = []
        self.redo_stack: list[_Step] = []
        self.disk: FileStamp | None = None
        """What the file was when read or last saved here (None: not read from a file)."""

    @classmethod
    def open(cls, path: str | Path) -> StudioProject:
        """Read a flow file; `StudioError` (with line and column for bad JSON) when it cannot be."""
        p = Path(path)
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise StudioError(f"cannot read: {exc.strerror or exc}") from None
        if len(raw) > MAX_BYTES:
            raise StudioError("cannot read: larger than 64 MB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise StudioError(f"not UTF-8 (byte {exc.start})") from None
        from twiml.studio.jsonpos import JsonPosError

        try:
            project = cls(p, text, bom=raw.startswith(b"\xef\xbb\xbf"))
        except JsonPosError as exc:
            raise StudioError(f"not JSON: {exc.message}", exc.line, exc.column) from None
        project.disk = FileStamp.of(p, raw)
        return project

    # ------------------------------------------------------------------------------ reading

    @property
    def text(self) -> str:
        return self.json.text

    @property
    def dirty(self) -> bool:
        return self.text != self.saved_text

    @property
    def name(self) -> str:
        return self.path.name

    def state(self, name: str) -> State:
        found = self.flow.by_name.get(name)
        if found is None:
            raise ValueError(f"no widget named {name!r}")
        return found

    def names(self) -> list[str]:
        return [s.name for s in self.flow.states]

    def transport(self) -> StudioTransport:
        """The flow as edited, served by the one Studio runner, with the fixtures and subflows of its
        `<flow>.studio.toml` when one is beside it (ConfigError, naming its line and key, when that
        cannot be used)."""
        from twiml.studio.config import config_beside, load_config

        config = config_beside(self.path)
        if not config.is_file():
            return StudioTransport(self.flow)
        found = load_config(config, self.flow)
        return StudioTransport(self.flow, found.fixtures, subflows=found.subflows)

    def save(self, overwrite: bool = False) -> Path:
        """Write the flow; `ChangedOnDisk` (nothing written) when another program changed the
        file since it was read or saved here, unless `overwrite`."""
        if not overwrite and self.disk is not None and self.disk.changed(self.path):
            refuse_changed([self.name])
        data = ("\ufeff" if self.bom else "") + self.text
        atomic_write(self.path, data)
        self.disk = FileStamp.of(self.path, data.encode("utf-8"))
        self.saved_text = self.text
        return self.path

    # ------------------------------------------------------------------------------ editing

    def _edit(self, description: str, *changes: Any) -> None:
        """Apply splices as one undoable step; a failing one leaves the text as it was."""
        before = self.text
        try:
            for change in changes:
                change()
        except Exception:
            self.json = JsonText(before)
            raise
        self._reparse()
        if self.text != before:
            self.undo_stack.append(_Step(description, before, self.text))
            self.redo_stack.clear()

    def _reparse(self) -> None:
        self.flow = from_data(self.json.value, self.path, self.json.located)

    def _set_text(self, text: str) -> None:
        self.json = JsonText(text)
        self._reparse()

    def undo(self) -> str | None:
        if not self.undo_stack:
            return None
        step = self.undo_stack.pop()
        self.redo_stack.append(step)
        self._set_text(step.before)
        return step.description

    def redo(self) -> str | None:
        if not self.redo_stack:
            return None
        step = self.redo_stack.pop()
        self.undo_stack.append(step)
        self._set_text(step.after)
        return step.description

    def _state_path(self, name: str) -> JsonPath:
        return ("states", self.state(name).index)

    def set_property(self, name: str, key: str, value: Any) -> None:
        """Set a property of a widget (added at the end of its properties when new)."""
        path = self._state_path(name)
        raw = self.json.value["states"][path[1]]
        props = raw.get("properties")
        j = self.json
        if isinstance(props, dict) and key in props:
            self._edit(f"{name}.{key}", lambda: j.replace((*path, "properties", key), value))
        elif isinstance(props, dict):
            self._edit(f"{name}.{key}", lambda: j.add_member((*path, "properties"), key, value))
        else:
            self._edit(f"{name}.{key}", lambda: j.add_member(path, "properties", {key: value}))

    def remove_property(self, name: str, key: str) -> None:
        path = self._state_path(name)
        if key in self.state(name).properties:
            j = self.json
            self._edit(f"remove {name}.{key}", lambda: j.remove((*path, "properties", key)))

    def set_next(self, name: str, index: int, target: str | None) -> None:
        """Link transition `index` of `name` to `target` (None: the flow ends there)."""
        if target is not None:
            self.state(target)
        path = (*self._state_path(name), "transitions", index)
        transition = self.json.value["states"][path[1]]["transitions"][index]
        j = self.json
        what = f"{name} {transition.get('event', '')} → {target or 'end'}"
        if target is None:
            if "next" in transition:
                self._edit(what, lambda: j.remove((*path, "next")))
        elif "next" in transition:
            self._edit(what, lambda: j.replace((*path, "next"), target))
        else:
            self._edit(what, lambda: j.add_member(path, "next", target))

    def check_new_name(self, name: str) -> None:
        if not _NAME.fullmatch(name):
            raise ValueError(f"{name!r}: a widget name is letters, digits, '_' and '-'")
        if name in self.flow.by_name:
            raise ValueError(f"there is already a widget named {name!r}")

    def add_widget(self, type_: str, name: str, link: tuple[str, int] | None = None) -> None:
        """Add a widget with one unlinked transition per event of its type (and link `link` to it)."""
        self.check_new_name(name)
        spec = WIDGETS.get(type_)
        if spec is None or type_ == "trigger":
            raise ValueError(f"{type_!r} is not a widget type that can be added")
        props: dict[str, Any] = dict.fromkeys(spec.required, "")
        props["offset"] = {"x": 0, "y": 0}
        events = [e for e in spec.events if e != "match"]
        state = {
            "name": name,
            "type": type_,
            "transitions": [{"event": e} for e in events],
            "properties": props,
        }
        j = self.json
        changes: list[Any] = [lambda: j.append(("states",), state)]
        if link is not None:
            source, index = link
            path = (*self._state_path(source), "transitions", index)
            transition = j.value["states"][path[1]]["transitions"][index]
            if "next" in transition:
                changes.append(lambda: j.replace((*path, "next"), name))
            else:
                changes.append(lambda: j.add_member(path, "next", name))
        self._edit(f"add {name}", *changes)

    def _unlink_all(self, target: str) -> list[Any]:
        """Changes removing every `next` that names `target` (last first, so paths stay valid)."""
        j = self.json
        paths: list[JsonPath] = []
        for state in self.flow.states:
            for t in state.transitions:
                if t.next == target:
                    paths.append(("states", state.index, "transitions", t.index, "next"))
        return [lambda p=p: j.remove(p) for p in reversed(paths)]

    def remove_widget(self, name: str) -> None:
        """Remove a widget; transitions that led to it end the flow instead."""
        state = self.state(name)
        if state.type == "trigger":
            raise ValueError("the trigger cannot be removed: every flow starts there")
        j = self.json
        index = state.index
        # the state goes first: removing `next`s in states after it would not move its index
        changes = [lambda: j.remove(("states", index))]
        self._edit(f"remove {name}", *changes)
        self._edit_merge_last(self._unlink_all(name))

    def _edit_merge_last(self, changes: list[Any]) -> None:
        """More splices belonging to the last undo step (one key press, one undo)."""
        if not changes:
            return
        step = self.undo_stack[-1]
        before = self.text
        try:
            for change in changes:
                change()
        except Exception:
            self.json = JsonText(before)
            raise
        self._reparse()
        step.after = self.text

    def rename_widget(self, old: str, new: str) -> None:
        """Rename a widget; every transition to it and `initial_state` follow (Liquid that names
        `widgets.OLD` is left as written)."""
        state = self.state(old)
        self.check_new_name(new)
        j = self.json
        paths: list[JsonPath] = [("states", state.index, "name")]
        for s in self.flow.states:
            paths += [("states", s.index, "transitions", t.index, "next") for t in s.transitions if t.next == old]
        if self.flow.initial_state == old:
            paths.append(("initial_state",))
        self._edit(f"rename {old} → {new}", *[lambda p=p: j.replace(p, new) for p in paths])

    def add_condition(self, name: str, operator: str, value: str, target: str | None) -> None:
        """Add a `match` transition to a split, after its others (first match wins)."""
        state = self.state(name)
        if state.type != "split-based-on":
            raise ValueError(f"{name} is a {state.type}, not a split")
        if target is not None:
            self.state(target)
        argument = str(state.properties.get("input", ""))
        transition: dict[str, Any] = {"event": "match"}
        if target is not None:
            transition["next"] = target
        transition["conditions"] = [
            {"friendly_name": f"{operator} {value}".strip(), "arguments": [argument], "type": operator, "value": value}
        ]
        j = self.json
        path = self._state_path(name)
        self._edit(f"{name}: add {operator} {value}", lambda: j.append((*path, "transitions"), transition))

    def remove_transition(self, name: str, index: int) -> None:
        """A split's condition is removed; any other event is unlinked (it stays, as its type has it)."""
        state = self.state(name)
        transition = state.transitions[index]
        if transition.event == "match":
            j = self.json
            path = (*self._state_path(name), "transitions", index)
            self._edit(f"{name}: remove a condition", lambda: j.remove(path))
        else:
            self.set_next(name, index, None)


# ------------------------------------------------------------------------------ the map as rows


def describe_transition(state: State, index: int) -> str:
    t = state.transitions[index]
    head = t.event
    if t.conditions:
        head += " (" + "; ".join(_condition(c) for c in t.conditions) + ")"
    return printable(f"{head} → {t.next or '■ end'}")


def _condition(c: dict[str, Any]) -> str:
    value = c.get("value", "")
    return f"{c.get('type', '?')} {value}".strip()


def studio_rows(flow: StudioFlow) -> list[MapRow]:
    """The widgets and transitions as an indented tree from the trigger: each widget once, loops
    as ↩ references, a `next` naming no widget in red, unreachable widgets at the end."""
    rows: list[MapRow] = []
    shown: set[str] = set()
    stack: list[tuple[State, str, int] | MapRow] = []
    trigger = flow.trigger
    if trigger is not None:
        stack.append((trigger, "", 0))
    while stack:
        item = stack.pop()
        if isinstance(item, MapRow):
            rows.append(item)
            continue
        state, label, depth = item
        head = f"{label} → " if label else ""
        if state.name in shown:
            rows.append(MapRow(f"{head}↩ {state.name}", depth, state.name, back=True))
            continue
        shown.add(state.name)
        severity = None if state.type in WIDGETS else "warning"
        rows.append(MapRow(f"{head}{state.name}  ({state.type})", depth, state.name, severity=severity))
        children: list[tuple[State, str, int] | MapRow] = []
        transitions = state.transitions
        if state.type == "trigger":
            transitions = sorted(
                transitions, key=lambda t: _ENTRY_ORDER.index(t.event) if t.event in _ENTRY_ORDER else 9
            )
        for t in transitions:
            label = t.event + (f" {_condition(t.conditions[0])}" if t.conditions else "")
            if t.next is None:
                if state.type != "trigger":
                    children.append(MapRow(f"{label} → ■ end", depth + 1))
                continue
            target = flow.by_name.get(t.next)
            if target is None:
                children.append(MapRow(f"{label} → ✖ {t.next} (no such widget)", depth + 1, severity="error"))
            else:
                children.append((target, label, depth + 1))
        stack.extend(reversed(children))
    unreachable = [s for s in flow.states if s.name not in shown]
    if unreachable:
        rows.append(MapRow("unreachable:", 0, severity="warning"))
        rows += [MapRow(f"{s.name}  ({s.type})", 1, s.name, severity="warning") for s in unreachable]
    return [replace(row, label=printable(row.label)) for row in rows]
