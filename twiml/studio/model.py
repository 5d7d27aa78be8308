"""A Studio Flow definition loaded for running, mapping and checking.

`load_flow(path)` keeps the JSON as read (`data`, for lossless export) and the position of every
state and property (`where`), so findings can name the file's line and column. Bad JSON raises
`StudioError` with its place; a definition of the wrong shape loads as far as it can, and the
validator reports the rest (the runner and map never crash on it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twiml.studio.jsonpos import JsonPosError, Located, loads_located

__all__ = ["ConvertError", "State", "StudioError", "StudioFlow", "Transition", "load_flow", "loads_flow"]

MAX_BYTES = 64 * 1024 * 1024


class StudioError(Exception):
    """A flow file that cannot be read or is not JSON: the message names the file and place."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, path: Path | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        """The file (set by `load_flow`): `str(error)` names it, as `Call(studio=...)` shows it."""

    def __str__(self) -> str:
        place = [str(self.path)] if self.path is not None else []
        place += [str(self.line), str(self.column)] if self.line else []
        return ":".join(place) + f": {self.message}" if place else self.message


class ConvertError(Exception):
    """A flow or flow folder that cannot be converted (`twiml studio import|export`); the message
    names the file."""


@dataclass(frozen=True)
class Transition:
    event: str
    next: str | None
    conditions: tuple[dict[str, Any], ...]
    index: int


@dataclass
class State:
    """One widget: its name, type, transitions and properties as written; `index` in `states`."""

    name: str
    type: str
    transitions: list[Transition]
    properties: dict[str, Any]
    index: int

    def next_for(self, event: str) -> Transition | None:
        return next((t for t in self.transitions if t.event == event), None)

    def prop(self, name: str, default: Any = None) -> Any:
        value = self.properties.get(name, default)
        return default if value is None else value


@dataclass
class StudioFlow:
    """The definition: states in file order, by name (the first of a duplicated name wins)."""

    data: dict[str, Any]
    path: Path | None = None
    located: Located | None = None
    states: list[State] = field(default_factory=list)
    by_name: dict[str, State] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.stem if self.path else "flow"

    @property
    def initial_state(self) -> str | None:
        value = self.data.get("initial_state")
        return value if isinstance(value, str) else None

    @property
    def trigger(self) -> State | None:
        first = self.by_name.get(self.initial_state or "")
        if first is not None and first.type == "trigger":
            return first
        return next((s for s in self.states if s.type == "trigger"), None)

    def entry(self, event: str) -> str | None:
        """The state an entry event (incomingCall, incomingMessage, ...) starts at, if any."""
        trigger = self.trigger
        t = trigger.next_for(event) if trigger else None
        return t.next if t else None

    def where(self, *path: str | int) -> tuple[int | None, int | None]:
        """(line, column) of a path such as ("states", 3, "properties", "say")."""
        if self.located is None:
            return None, None
        return self.located.where(path)


def _as_state(raw: Any, index: int) -> State | None:
    if not isinstance(raw, dict):
        return None
    name = raw.get("name")
    type_ = raw.get("type")
    props = raw.get("properties")
    transitions: list[Transition] = []
    for i, t in enumerate(raw.get("transitions") or []):
        if not isinstance(t, dict):
            continue
        nxt = t.get("next")
        conditions = t.get("conditions")
        transitions.append(
            Transition(
                str(t.get("event", "")),
                nxt if isinstance(nxt, str) and nxt else None,
                tuple(c for c in conditions if isinstance(c, dict)) if isinstance(conditions, list) else (),
                i,
            )
        )
    return State(
        name if isinstance(name, str) else f"#{index}",
        type_ if isinstance(type_, str) else "",
        transitions,
        props if isinstance(props, dict) else {},
        index,
    )


def from_data(data: Any, path: Path | None = None, located: Located | None = None) -> StudioFlow:
    """A flow from decoded JSON (`StudioError` unless it is an object)."""
    if not isinstance(data, dict):
        raise StudioError("a Studio flow is a JSON object with states and initial_state", 1, 1)
    flow = StudioFlow(data, path, located)
    raw_states = data.get("states")
    for i, raw in enumerate(raw_states if isinstance(raw_states, list) else []):
        state = _as_state(raw, i)
        if state is None:
            continue
        flow.states.append(state)
        flow.by_name.setdefault(state.name, state)
    return flow


def loads_flow(text: str, path: Path | None = None, positions: bool = True) -> StudioFlow:
    """Parse a flow from its JSON text; `positions=False` skips the positions (faster)."""
    if positions:
        try:
            located = loads_located(text)
        except JsonPosError as exc:
            raise StudioError(f"not JSON: {exc.message}", exc.line, exc.column) from None
        return from_data(located.value, path, located)
    import json

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StudioError(f"not JSON: {exc.msg}", exc.lineno, exc.colno) from None
    return from_data(data, path)


def load_flow(path: str | os.PathLike[str], positions: bool = True) -> StudioFlow:
    """Read a flow file (UTF-8, with or without BOM); StudioError names the file's problem."""
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise StudioError(f"cannot read: {exc.strerror or exc}", path=p) from None
    if len(raw) > MAX_BYTES:
        raise StudioError("cannot read: larger than 64 MB", path=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StudioError(f"not UTF-8 (byte {exc.start})", path=p) from None
    try:
        return loads_flow(text, p, positions)
    except StudioError as exc:
        exc.path = p
        raise


def is_flow_file(path: str | os.PathLike[str]) -> bool:
    """A `.json` file: what `twiml call|text|map|validate` treat as a Studio flow."""
    p = Path(path)
    return p.suffix.lower() == ".json" and p.is_file()
