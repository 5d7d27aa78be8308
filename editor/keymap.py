"""Key bindings as data: every editor action has an id, a default key and a description.

Users remap keys in a TOML file::

    [keys]
    save = "ctrl+w"
    save_as = ["ctrl+shift+s", "f12"]   # several keys: a list, or one comma-separated string

The file is looked up at ``$TWIML_EDITOR_CONFIG``, else ``$XDG_CONFIG_HOME/twiml-editor/config.toml``
(``~/.config/twiml-editor/config.toml``).  A broken file must never stop the editor from
starting: problems raise `KeymapError` (a ValueError) whose message names the file and line and
whose ``.keys`` still holds a usable keymap (defaults plus every override that was fine).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_KEYS",
    "ENV_VAR",
    "KeyAction",
    "KeymapError",
    "default_config_path",
    "load_keymap",
]

ENV_VAR = "TWIML_EDITOR_CONFIG"


@dataclass(frozen=True)
class KeyAction:
    """One bindable action: `key` is a Textual key string (comma-separated for several keys)."""

    id: str
    key: str
    description: str
    show: bool = True
    """Shown in the footer (everything is listed in the help screen and palette anyway)."""


DEFAULT_KEYS: tuple[KeyAction, ...] = (
    KeyAction("save", "ctrl+s", "Save"),
    KeyAction("open", "ctrl+o", "Open"),
    KeyAction("new", "ctrl+n", "New"),
    KeyAction("undo", "ctrl+z", "Undo"),
    KeyAction("redo", "ctrl+y", "Redo"),
    KeyAction("add_child", "a", "Add child"),
    KeyAction("add_sibling", "s", "Add sibling"),
    KeyAction("delete", "delete", "Delete node"),
    KeyAction("duplicate", "ctrl+d", "Duplicate", show=False),
    KeyAction("move_up", "alt+up", "Move up", show=False),
    KeyAction("move_down", "alt+down", "Move down", show=False),
    KeyAction("cut", "x", "Cut", show=False),
    KeyAction("copy", "c", "Copy", show=False),
    KeyAction("paste", "v", "Paste", show=False),
    KeyAction("help", "f1", "Help"),
    KeyAction("command_palette", "ctrl+p", "Commands"),
    KeyAction("quit", "ctrl+q", "Quit"),
    KeyAction("save_as", "ctrl+shift+s,f12", "Save as", show=False),
    KeyAction("export_python", "ctrl+e", "Export Python", show=False),
    KeyAction("new_from_template", "ctrl+t", "New from template", show=False),
    KeyAction("toggle_preview", "f2", "XML/Python", show=False),
    KeyAction("edit_attribute", "e", "Edit attribute…", show=False),
    KeyAction("focus_tree", "escape", "Back to tree", show=False),
    KeyAction("apply_fix", "f", "Apply the suggested fix", show=False),
)

# A single key: modifiers joined by "+" then a key name or one printable character.
_KEY = re.compile(r"^(?:(?:ctrl|alt|shift|meta|super|hyper)\+)*(?:[a-z0-9_]+|[^\s,+]|\+)$", re.I)


class KeymapError(ValueError):
    """The config file has problems; `problems` lists them, `keys` is the keymap to use anyway."""

    def __init__(self, path: Path, problems: list[str], keys: tuple[KeyAction, ...]) -> None:
        self.path = path
        self.problems = problems
        self.keys = keys
        super().__init__(
            f"{path}: " + "; ".join(problems)
            if len(problems) == 1
            else f"{path}: {len(problems)} problems:\n" + "\n".join(f"  {p}" for p in problems)
        )


def default_config_path() -> Path:
    """The config file used when none is given: $TWIML_EDITOR_CONFIG, else the XDG location."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "twiml-editor" / "config.toml"


def _line_of(text: str, key: str) -> int | None:
    """Line where `key` is assigned (tomllib keeps no positions)."""
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


def _where(text: str, key: str) -> str:
    line = _line_of(text, key)
    return f"line {line}: " if line is not None else ""


def _key_string(value: Any) -> str | None:
    """Normalise a configured key (string or list of strings) to Textual's comma form."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
    elif isinstance(value, list) and all(isinstance(p, str) for p in value):
        parts = [p.strip() for p in value]
    else:
        return None
    if not parts or not all(parts) or not all(_KEY.match(p) for p in parts):
        return None
    return ",".join(parts)


def load_keymap(config_path: Path | None = None) -> tuple[KeyAction, ...]:
    """The defaults with the ``[keys]`` overrides of the config file applied.

    With no `config_path`, a missing default file simply means defaults.  An explicit path (or
    $TWIML_EDITOR_CONFIG) that does not exist, unreadable or invalid TOML, unknown action ids,
    malformed keys and one key bound to two actions raise `KeymapError` with every problem and
    its line; its ``.keys`` is the keymap to use meanwhile.
    """
    explicit = config_path is not None or bool(os.environ.get(ENV_VAR))
    path = Path(config_path).expanduser() if config_path is not None else default_config_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if explicit:
            raise KeymapError(path, ["config file not found"], DEFAULT_KEYS) from None
        return DEFAULT_KEYS
    except (OSError, UnicodeDecodeError) as exc:
        raise KeymapError(path, [f"cannot read the file: {exc}"], DEFAULT_KEYS) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(path, [f"invalid TOML: {exc}"], DEFAULT_KEYS) from exc

    section = data.get("keys", {})
    if not isinstance(section, dict):
        raise KeymapError(path, [f"{_where(text, 'keys')}'keys' must be a table: [keys]"], DEFAULT_KEYS)
    known = {action.id: action for action in DEFAULT_KEYS}
    problems: list[str] = []
    overrides: dict[str, str] = {}
    for action_id, value in section.items():
        if action_id not in known:
            problems.append(
                f"{_where(text, action_id)}unknown action {action_id!r} (known: {', '.join(sorted(known))})"
            )
            continue
        key = _key_string(value)
        if key is None:
            problems.append(
                f"{_where(text, action_id)}{action_id}: {value!r} is not a key "
                '(write e.g. "ctrl+w" or ["ctrl+w", "f5"])'
            )
            continue
        overrides[action_id] = key
    keys = tuple(replace(a, key=overrides[a.id]) if a.id in overrides else a for a in DEFAULT_KEYS)

    # One key, one action: an override that collides is dropped (back to its default), which
    # can uncover another collision, so repeat until nothing clashes.
    reported: set[tuple[str, str, str]] = set()
    while True:
        owner: dict[str, str] = {}
        clashes: set[str] = set()
        for action in keys:
            for single in action.key.split(","):
                other = owner.setdefault(single.lower(), action.id)
                if other == action.id:
                    continue
                changed = action.id if action.id in overrides and action.key != known[action.id].key else other
                if (single, other, action.id) not in reported:
                    reported.add((single, other, action.id))
                    problems.append(f"{_where(text, changed)}{single!r} is bound to both {other} and {action.id}")
                clashes.add(changed)
        current = {a.id: a.key for a in keys}
        clashes = {c for c in clashes if current[c] != known[c].key}  # defaults never clash
        if not clashes:
            break
        keys = tuple(known[a.id] if a.id in clashes else a for a in keys)
    if problems:
        raise KeymapError(path, problems, keys)
    return keys
