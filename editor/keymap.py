"""Editor actions as data: one record per action (id, default keys, text-field use, when it
applies, help, palette), and the user's key overrides.

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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = [
    "ACTIONS",
    "ALL_ACTIONS",
    "BROWSER_RESERVED_KEYS",
    "DEFAULT_KEYS",
    "ENV_VAR",
    "FIXED_KEYS",
    "FLOW_ACTIONS",
    "FLOW_VIEW_ACTIONS",
    "FLOW_VIEW_KEYS",
    "WHEN",
    "KeyAction",
    "KeymapError",
    "default_config_path",
    "help_rows",
    "load_keymap",
    "markdown_table",
    "pretty_key",
]

ENV_VAR = "TWIML_EDITOR_CONFIG"


@dataclass(frozen=True)
class KeyAction:
    """One editor action: the single record that bindings, footer, F1 help, command palette and
    README's key table are derived from.

    `key` is a Textual key string (comma-separated for several keys); user overrides replace it.
    """

    id: str
    key: str
    description: str
    """Short name: footer label and palette title."""
    help: str = ""
    """What it does, for F1 help, the palette and README."""
    show: bool = True
    """Shown in the footer (everything is listed in the help screen and palette anyway)."""
    in_text: bool = False
    """Works while a text field has focus (a priority binding); letter keys must not."""
    when: str = "always"
    """Condition (a key of `WHEN`) under which the action can do something; the palette lists
    only applicable actions, and a key pressed when it does not apply says why."""
    palette: bool = True
    """Offered in the command palette."""
    method: str = ""
    """Textual action name when it differs from `id`."""
    scope: str = "document"
    """Who binds it: "document" (the document screen, whose keys fire only while it is on top;
    the flow's other screens bind `save` too) or "app" (open, new, help, palette, quit, the
    flow's screens: on every screen)."""

    @property
    def action(self) -> str:
        return self.method or self.id


WHEN: dict[str, str] = {
    "always": "",
    "not_root": "a node other than the root is selected",
    "not_first": "the node has a sibling before it",
    "not_last": "the node has a sibling after it",
    "can_undo": "there is an edit to undo",
    "can_redo": "there is an undone edit",
    "clipboard": "a node was cut or copied",
    "takes_children": "the node takes child elements",
    "element": "an element, not a comment, is selected",
    "fixable": "a problem with a suggested fix is selected",
}
"""Conditions an action may depend on, with the wording help and README use."""

ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("save", "ctrl+s", "Save", "Save to the current file (asks for a name the first time)", in_text=True),
    KeyAction("save_as", "ctrl+shift+s,f12", "Save as", "Save to another file", show=False, in_text=True),
    KeyAction(
        "open",
        "ctrl+o",
        "Open",
        "Open a file or a flow folder (asks first when there are unsaved changes)",
        show=False,
        in_text=True,
        scope="app",
    ),
    # alt+n, alt+t: a browser keeps ctrl+n and ctrl+t for itself (`twiml-editor --serve`; BROWSER_RESERVED_KEYS)
    KeyAction(
        "new", "ctrl+n,alt+n", "New", "New document: voice, messaging or fax", in_text=True, show=False, scope="app"
    ),
    KeyAction(
        "new_from_template",
        "ctrl+t,alt+t",
        "New from template",
        "Start from a sample flow",
        show=False,
        in_text=True,
        scope="app",
    ),
    KeyAction(
        "export_python",
        "ctrl+e",
        "Export Python",
        "Write a Python script that rebuilds the document",
        show=False,
        in_text=True,
        scope="app",
    ),
    KeyAction(
        "reformat",
        "ctrl+l",
        "Reformat document",
        "Write canonical XML (sorted attributes, two-space indentation) on the next save instead of "
        "keeping the file's own formatting",
        show=False,
        in_text=True,
    ),
    KeyAction("undo", "ctrl+z", "Undo", "Undo the last edit", in_text=True, when="can_undo", show=False),
    KeyAction("redo", "ctrl+y", "Redo", "Redo the last undone edit", in_text=True, when="can_redo", show=False),
    KeyAction(
        "add_child",
        "a",
        "Add child",
        "Add an element inside the node, from a menu of what the grammar allows there",
        when="takes_children",
    ),
    KeyAction("add_sibling", "s", "Add sibling", "Add an element after the node", when="not_root"),
    KeyAction("delete", "delete", "Delete node", "Delete the node and everything in it", when="not_root"),
    KeyAction("duplicate", "ctrl+d", "Duplicate", "Insert a copy of the node after it", show=False, when="not_root"),
    KeyAction(
        "move_up", "alt+up", "Move up", "Move the node before its previous sibling", show=False, when="not_first"
    ),
    KeyAction(
        "move_down", "alt+down", "Move down", "Move the node after its next sibling", show=False, when="not_last"
    ),
    KeyAction("cut", "x", "Cut", "Cut the node with its subtree", show=False, when="not_root"),
    KeyAction("copy", "c", "Copy", "Copy the node with its subtree", show=False),
    KeyAction(
        "paste",
        "v",
        "Paste",
        "Paste inside the node where the grammar allows it, else after it",
        show=False,
        when="clipboard",
    ),
    KeyAction(
        "edit_attribute",
        "e",
        "Edit attribute…",
        "Pick an attribute or the text of the node to edit",
        show=False,
        when="element",
    ),
    KeyAction(
        "switch_dialect",
        "d",
        "Dialect…",
        "Check and edit the document as Twilio TwiML, Telnyx TeXML or SignalWire cXML (the title shows which; "
        "add-menus, forms and problems follow it; the file is not changed)",
        show=False,
    ),
    KeyAction(
        "focus_tree", "escape", "Back to tree", "Leave the field and return to the tree", show=False, palette=False
    ),
    KeyAction(
        "toggle_preview",
        "f2",
        "XML/Python",
        "Show the XML or the Python export in the preview",
        show=False,
        in_text=True,
    ),
    KeyAction(
        "switch_pane",
        "f3",
        "Form/Preview",
        "Narrow screens: show the preview or the form beside the tree; wide screens: focus the other one",
        show=False,
        in_text=True,
    ),
    KeyAction(
        "apply_fix",
        "f",
        "Apply fix",
        "Apply the suggested fix (did-you-mean) of the problem under the cursor or of the selected node; undoable",
        show=False,
        when="fixable",
    ),
    KeyAction("toggle_wrap", "f4", "Wrap", "Wrap long lines in the preview, or not", show=False, in_text=True),
    KeyAction(
        "maximize", "ctrl+g", "Maximise", "Maximise the focused panel, or restore the layout", show=False, in_text=True
    ),
    KeyAction("help", "f1", "Help", "List every key", in_text=True, scope="app"),
    KeyAction(
        "command_palette",
        "ctrl+p",
        "Commands",
        "Search every action that applies now",
        show=False,
        in_text=True,
        palette=False,
        scope="app",
    ),
    KeyAction(
        "quit",
        "ctrl+q",
        "Quit",
        "Quit (asks first when there are unsaved changes)",
        in_text=True,
        method="request_quit",
        scope="app",
    ),
)
"""Every editor action, in the order help and README list them."""

FLOW_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction(
        "flow_map",
        "f6",
        "Flow map",
        "Show the flow's map: its documents and the routes between them",
        in_text=True,
        scope="app",
    ),
    KeyAction(
        "call",
        "f5",
        "Call",
        "Call the flow in the simulator from its start (the Call panel)",
        in_text=True,
        scope="app",
    ),
)
"""The actions `twiml-editor FOLDER` adds for a flow folder."""

FLOW_VIEW_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction(
        "add_route",
        "r",
        "Add route",
        "Add a route: a URL path answered by a document, another route, or a split on a request "
        "parameter (Digits, SpeechResult, DialCallStatus, ...) matched exact, contains or present",
    ),
    KeyAction(
        "add_case",
        "c",
        "Add case",
        "Add a case to the highlighted route; a plain route becomes a split on the parameter and "
        "match you choose, its old target the default",
        show=False,
    ),
    KeyAction(
        "edit_case",
        "e",
        "Edit case…",
        "Change one case of the highlighted split (its value or target) or remove it; or change "
        "the parameter and match it splits on, its then or its default",
        show=False,
    ),
    KeyAction("set_target", "t", "Change target", "Point the highlighted route at another target", show=False),
    KeyAction("delete_route", "d", "Delete route", "Delete the highlighted route (asks first)", show=False),
    KeyAction(
        "rename_document",
        "n",
        "Rename document",
        "Rename a document of the folder, the highlighted state's first; routes that use it follow",
        show=False,
    ),
    KeyAction(
        "delete_document",
        "x",
        "Delete document",
        "Delete a document of the folder, the highlighted state's first; the routes naming it go too (asks first)",
        show=False,
    ),
)
"""The Flow view's own actions (its screen's keys: they may reuse the document's letters)."""

FLOW_VIEW_KEYS: tuple[tuple[str, str], ...] = (
    ("enter (map)", "Edit the state's document"),
    ("tab (flow view)", "Map / routes list"),
    ("ctrl+z / ctrl+y (flow)", "Undo / redo the last edit of the flow: a route edit or a document edit"),
)
"""Keys of the Flow view's widgets (not remappable), listed in help after its actions."""

ALL_ACTIONS = ACTIONS + FLOW_ACTIONS + FLOW_VIEW_ACTIONS
"""Every action id a config file may remap."""

DEFAULT_KEYS = ACTIONS
"""The default keymap (the records as shipped)."""

BROWSER_RESERVED_KEYS: frozenset[str] = frozenset(
    {"ctrl+n", "ctrl+t", "ctrl+w", "ctrl+shift+n", "ctrl+shift+t", "ctrl+shift+w", "ctrl+tab", "ctrl+shift+tab"}
    | {"ctrl+pageup", "ctrl+pagedown", "ctrl+shift+q", "f11"}
)
"""Keys Chromium and Firefox act on before a page sees them (new window/tab, close, switch tabs,
quit, full screen), so `twiml-editor --serve` never receives them: every action bound to one also
has another key (a test checks), and the command palette reaches every action. The F-keys the
editor uses do reach it there: the page's terminal takes them before the browser's own use."""

FIXED_KEYS: tuple[tuple[str, str], ...] = (
    ("enter (tree)", "Edit the node's fields"),
    ("space (tree)", "Expand / collapse"),
    ("enter (field)", "Done: back to the tree"),
    ("tab / shift+tab", "Next / previous field or panel"),
    ("tab (path prompts)", "Complete the file name"),
    ("enter (problems)", "Select the node with the problem"),
)
"""Keys of the widgets themselves (not remappable), listed in help and README after the actions."""


def pretty_key(key: str) -> str:
    """`ctrl+shift+s,f12` -> `ctrl+shift+s, f12` for help, palette and README."""
    return ", ".join(key.split(","))


def help_rows(actions: tuple[KeyAction, ...] = ACTIONS, *, fixed: bool = True) -> list[tuple[str, str, str]]:
    """(keys, action id, what it does) for every action (and, with `fixed`, the widgets' own
    keys): F1 help and README (the id is what a config file remaps)."""
    rows = []
    for a in actions:
        text = a.help or a.description
        if WHEN.get(a.when):
            text += f" (when {WHEN[a.when]})"
        if a.in_text:
            text += "; also in text fields"
        rows.append((pretty_key(a.key), a.id, text))
    if fixed:
        rows += [(key, "", text) for key, text in FIXED_KEYS]
    return rows


def markdown_table(actions: tuple[KeyAction, ...] = ACTIONS, *, fixed: bool = True) -> str:
    """README's key tables, generated from the records (a test checks README holds them)."""
    lines = ["| Key | Action id | Does |", "|---|---|---|"]
    rows = help_rows(actions, fixed=fixed)
    lines += [f"| {key} | {f'`{name}`' if name else ''} | {text} |" for key, name, text in rows]
    return "\n".join(lines) + "\n"


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


def load_keymap(config_path: Path | None = None, actions: tuple[KeyAction, ...] = ACTIONS) -> tuple[KeyAction, ...]:
    """The records of `actions` with the ``[keys]`` overrides of the config file applied.

    With no `config_path`, a missing default file simply means defaults.  An explicit path (or
    $TWIML_EDITOR_CONFIG) that does not exist, unreadable or invalid TOML, unknown action ids,
    malformed keys and one key bound to two actions raise `KeymapError` with every problem and
    its line; its ``.keys`` is the keymap to use meanwhile.  Every action id is known (a flow
    key in the config is no error for the plain editor); clashes are checked among `actions`.
    """
    wanted = {a.id for a in actions}
    try:
        keys = _load_all(config_path, wanted)
    except KeymapError as exc:
        exc.keys = tuple(k for k in exc.keys if k.id in wanted)
        raise
    return tuple(k for k in keys if k.id in wanted)


def _load_all(config_path: Path | None, wanted: set[str]) -> tuple[KeyAction, ...]:
    explicit = config_path is not None or bool(os.environ.get(ENV_VAR))
    path = Path(config_path).expanduser() if config_path is not None else default_config_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if explicit:
            raise KeymapError(path, ["config file not found"], ALL_ACTIONS) from None
        return ALL_ACTIONS
    except (OSError, UnicodeDecodeError) as exc:
        raise KeymapError(path, [f"cannot read the file: {exc}"], ALL_ACTIONS) from exc
    import tomllib  # here, not at the top: most starts have no config file, and it costs ~15 ms

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise KeymapError(path, [f"invalid TOML: {exc}"], ALL_ACTIONS) from exc

    section = data.get("keys", {})
    if not isinstance(section, dict):
        raise KeymapError(path, [f"{_where(text, 'keys')}'keys' must be a table: [keys]"], ALL_ACTIONS)
    known = {action.id: action for action in ALL_ACTIONS}
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
    keys = tuple(replace(a, key=overrides[a.id]) if a.id in overrides else a for a in ALL_ACTIONS)

    # One key, one action: an override that collides is dropped (back to its default), which
    # can uncover another collision, so repeat until nothing clashes.
    reported: set[tuple[str, str, str]] = set()
    while True:
        owner: dict[str, str] = {}
        clashes: set[str] = set()
        for action in keys:
            if action.id not in wanted:
                continue
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
