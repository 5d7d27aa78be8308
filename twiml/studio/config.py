"""A Studio flow's run settings, so a CI run needs no network and gives the same run every time.

`twiml call|text|map ivr.json` (and `Call(studio=...)`) read `ivr.studio.toml` beside the flow when it
exists (`--config FILE` names another; `.studio.toml`, so a flow folder's flow.toml is never taken
for it):

    [fixtures]     # widget name = its reply: a JSON file (relative to this file), or the value inline
    lookup = "replies/lookup.json"
    score = { value = 7 }
    ask = "survey.json"   # a run-subflow widget given a Flow JSON file runs it as its subflow

    [subflows]     # a run-subflow's flow_sid (or the widget's name) = the subflow's Flow JSON file
    FW50120385f4d1e8dcf30c0bcd83695969 = "child.json"

Every problem raises `ConfigError` naming the file, the line and the key. A widget inside a subflow
is named `run_widget/name` (as the run shows it); its plain name works too.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twiml.studio.model import State, StudioError, StudioFlow, load_flow

__all__ = ["CALLS_OUT", "ConfigError", "StudioConfig", "config_beside", "load_config", "load_subflow"]

CALLS_OUT = ("make-http-request", "run-function", "run-subflow")
"""The widget types whose reply a fixture gives."""
_TABLES = ("fixtures", "subflows")


class ConfigError(Exception):
    """The config file (or a file it names) cannot be used; the message names file, line and key."""


@dataclass
class StudioConfig:
    """Fixtures by widget name (a subflow given as a file is a loaded `StudioFlow`) and subflow files
    by flow SID or widget name."""

    path: Path | None = None
    fixtures: dict[str, Any] = field(default_factory=dict)
    subflows: dict[str, StudioFlow] = field(default_factory=dict)


def config_beside(flow_path: str | os.PathLike[str]) -> Path:
    """Where a flow's own config file is: `ivr.json` -> `ivr.studio.toml` in the same folder."""
    return Path(flow_path).with_suffix(".studio.toml")


def load_subflow(file: Path, where: str) -> StudioFlow:
    """A subflow's Flow JSON; `where` (the option or key that named it) starts the error."""
    try:
        return load_flow(file)
    except StudioError as exc:
        place = f"{file}:{exc.line}:{exc.column}" if exc.line else str(file)
        raise ConfigError(f"{where}: {place}: {exc.message}") from None


def _widgets(
    flow: StudioFlow, subflows: Mapping[str, StudioFlow], prefix: str = "", depth: int = 0
) -> Iterator[tuple[str, State]]:
    """Every widget of the flow, then of the subflows it runs, by the names a run shows (a subflow's
    widgets by their plain names too, after the flow's own)."""
    for state in flow.states:
        yield prefix + state.name, state
    for state in flow.states:
        name = prefix + state.name
        if state.type == "run-subflow" and depth < 8:
            sub = subflows.get(str(state.properties.get("flow_sid", ""))) or subflows.get(name)
            if sub is not None:
                for inner, inner_state in _widgets(sub, subflows, name + "/", depth + 1):
                    yield inner, inner_state
                    if inner_state.name != inner:
                        yield inner_state.name, inner_state


def load_config(path: Path, flow: StudioFlow) -> StudioConfig:
    """Read and check `path` against `flow` (its widgets, its run-subflow SIDs)."""
    from twiml.flow.config import toml_error, toml_key_lines

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: byte {exc.start} is not valid UTF-8") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = toml_error(exc, text)
        raise ConfigError(f"{path}:{line}:{column}: not valid TOML: {message}") from None
    lines = toml_key_lines(text)

    def at(*key: str) -> str:
        line = lines.get(key) or lines.get(key[:1]) or 0
        return f"{path}:{line}" if line else str(path)

    for key, value in data.items():
        if key not in _TABLES:
            raise ConfigError(f"{at(key)}: unknown key {key!r} (a Studio flow's config has [fixtures] and [subflows])")
        if not isinstance(value, dict):
            raise ConfigError(f"{at(key)}: {key} must be a table ([{key}])")
    config = StudioConfig(path)
    runs = {s.name: s for s in flow.states if s.type == "run-subflow"}
    sids = {str(s.properties.get("flow_sid", "")): s.name for s in runs.values()}
    for key, value in data.get("subflows", {}).items():
        where = f"{at('subflows', key)}: [subflows] {key}"
        if key not in sids and key not in runs:
            known = ", ".join(f"{sid} ({name})" for sid, name in sids.items()) or "none"
            raise ConfigError(
                f"{where}: no run-subflow widget of {flow.name} has this flow_sid or name (it has {known})"
            )
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected the subflow's Flow JSON file (a string)")
        config.subflows[key] = load_subflow(path.parent / value, where)
    fixtures = data.get("fixtures", {})
    # the run-subflow widgets' fixtures first: a subflow given there has widgets fixtures may name
    for key in sorted(fixtures, key=lambda k: k not in runs):
        where = f"{at('fixtures', key)}: [fixtures] {key}"
        subflows = {**config.subflows, **{k: v for k, v in config.fixtures.items() if isinstance(v, StudioFlow)}}
        state = next((s for name, s in _widgets(flow, subflows) if name == key), None)
        if state is None:
            raise ConfigError(f"{where}: {flow.name} has no widget of that name")
        if state.type not in CALLS_OUT:
            raise ConfigError(f"{where}: a {state.type} widget takes no fixture (only {', '.join(CALLS_OUT)})")
        config.fixtures[key] = _reply(fixtures[key], path.parent, where, state)
    return config


def _reply(value: Any, folder: Path, where: str, state: State) -> Any:
    """A fixture's value: inline, or a JSON file's (a Flow JSON for a run-subflow widget is its subflow)."""
    if not isinstance(value, str):
        return value
    file = folder / value
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise ConfigError(f"{where}: {file}: cannot read: {reason or exc}") from None
    try:
        reply = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: {file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    if state.type == "run-subflow" and isinstance(reply, dict) and isinstance(reply.get("states"), list):
        return load_subflow(file, where)
    return reply
