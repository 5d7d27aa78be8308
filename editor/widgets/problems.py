"""The problems panel: the validator's diagnostics; choosing one selects its node.

A finding with a did-you-mean shows it after the message and `[f]` (the key that applies it);
findings silenced by a ``twiml: ignore`` comment stay listed, dimmed and marked, below the rest."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from twiml_editor.widgets.literal import literal
from twiml_editor.widgets.messages import NodeChosen

MAX_ROWS = 300
"""Rows shown at most: a table of thousands of rows costs seconds to lay out, and nobody reads
past the first few hundred problems."""

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SUPPRESSED_STYLE = "dim"
RANK = {"error": 3, "warning": 2, "info": 1}


def plural(count: int, noun: str) -> str:
    """`1 error`, `2 errors`, `0 warnings`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _message(d: Any) -> str:
    text = str(d.message)
    hint = getattr(d, "hint", None)
    if hint:
        text += f" — {hint}" + (" [f]" if getattr(d, "fix", None) is not None else "")
    return text


def _severity(d: Any) -> Text:
    if getattr(d, "suppressed", False):
        return Text(f"{d.severity} (ignored)", style=SUPPRESSED_STYLE)
    return Text(d.severity, style=SEVERITY_STYLE.get(d.severity, ""))


def _rank(d: Any) -> int:
    return -1 if getattr(d, "suppressed", False) else RANK.get(d.severity, 0)


def _key(diagnostic: Any) -> tuple[str, str, str, str]:
    severity = diagnostic.severity + (" (ignored)" if getattr(diagnostic, "suppressed", False) else "")
    return (severity, str(diagnostic.code), _message(diagnostic), diagnostic.path)


class ProblemsPanel(DataTable[Any]):
    """One row per diagnostic; Enter or a click posts NodeChosen for the diagnostic's node."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.diagnostics: list[Any] = []
        self._shown: list[tuple[str, str, str, str]] | None = None
        self.total = 0
        self.border_title = "Problems"

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        self.add_column("Severity", key="severity", width=9)  # "(ignored)" wraps below the level
        self.add_column("Code", key="code")
        self.add_column("Message", key="message")
        self.add_column("Path", key="path")

    def reset(self) -> None:
        """Forget rows and column widths (another document): widths fit the new rows only."""
        self._shown = None
        self.diagnostics = []
        self.clear(columns=True)
        self._add_columns()

    def show(self, diagnostics: list[Any]) -> None:
        """Replace the rows, unless the diagnostics are the same as shown."""
        self.total = len(diagnostics)
        full = diagnostics
        diagnostics = sorted(diagnostics, key=lambda d: -_rank(d))[:MAX_ROWS]
        keys = [_key(d) for d in diagnostics]
        self.diagnostics = list(diagnostics)
        if keys == self._shown:
            return
        old = self._shown
        self._shown = keys
        if old is not None and len(old) == len(keys) and keys:
            # Same number of problems (typing usually changes one message): patch rows in place.
            for index, (new, before) in enumerate(zip(keys, old, strict=False)):
                if new != before:
                    _severity_text, code, message, path = new
                    cells = (
                        _severity(diagnostics[index]),
                        literal(code if code != "None" else ""),
                        literal(message),
                        literal(path),
                    )
                    for column, value in enumerate(cells):
                        self.update_cell_at(Coordinate(index, column), value, update_width=True)
            self._title(full)
            return
        row = self.cursor_row
        self.clear(columns=True)  # auto widths only grow: start from the new rows' widths
        self._add_columns()
        for index, d in enumerate(diagnostics):
            self.add_row(
                _severity(d),
                literal(d.code if d.code is not None else ""),
                literal(_message(d)),
                literal(d.path),
                key=str(index),
            )
        if diagnostics:
            self.move_cursor(row=min(row, len(diagnostics) - 1))
        self._title(full)

    def fixable(self, node: Any) -> Any | None:
        """The diagnostic whose fix key `f` applies: the row under the cursor when the panel has
        focus, else the first one at `node` that carries a fix."""
        if self.has_focus and 0 <= self.cursor_row < len(self.diagnostics):
            under = self.diagnostics[self.cursor_row]
            return under if getattr(under, "fix", None) is not None else None
        for d in self.diagnostics:
            if getattr(d, "node", None) is node and getattr(d, "fix", None) is not None:
                return d
        return None

    def _title(self, diagnostics: list[Any]) -> None:
        shown = [d for d in diagnostics if not getattr(d, "suppressed", False)]
        errors = sum(d.severity == "error" for d in shown)
        warnings = sum(d.severity == "warning" for d in shown)
        title = f"Problems ({plural(errors, 'error')}, {plural(warnings, 'warning')})" if shown else "Problems (none)"
        if len(shown) < len(diagnostics):
            title += f", {len(diagnostics) - len(shown)} ignored"
        if len(diagnostics) > MAX_ROWS:
            title += f" — first {MAX_ROWS} shown"
        self.border_title = title

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = int(event.row_key.value or 0)
        if 0 <= index < len(self.diagnostics):
            node = getattr(self.diagnostics[index], "node", None)
            if node is not None:
                self.post_message(NodeChosen(node))
