"""The problems panel: the validator's diagnostics; choosing one selects its node."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from editor.widgets.messages import NodeChosen

MAX_ROWS = 300
"""Rows shown at most: a table of thousands of rows costs seconds to lay out, and nobody reads
past the first few hundred problems."""

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
RANK = {"error": 3, "warning": 2, "info": 1}


def _key(diagnostic: Any) -> tuple[str, str, str, str]:
    return (diagnostic.severity, str(diagnostic.code), diagnostic.message, diagnostic.path)


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
        self.add_column("Severity", key="severity", width=9)
        self.add_column("Code", key="code")
        self.add_column("Message", key="message")
        self.add_column("Path", key="path")

    def show(self, diagnostics: list[Any]) -> None:
        """Replace the rows, unless the diagnostics are the same as shown."""
        self.total = len(diagnostics)
        full = diagnostics
        diagnostics = sorted(diagnostics, key=lambda d: -RANK.get(d.severity, 0))[:MAX_ROWS]
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
                    severity, code, message, path = new
                    self.update_cell_at(Coordinate(index, 0), Text(severity, style=SEVERITY_STYLE.get(severity, "")))
                    self.update_cell_at(Coordinate(index, 1), code if code != "None" else "")
                    self.update_cell_at(Coordinate(index, 2), message)
                    self.update_cell_at(Coordinate(index, 3), path)
            self._title(full)
            return
        row = self.cursor_row
        self.clear()
        for index, d in enumerate(diagnostics):
            self.add_row(
                Text(d.severity, style=SEVERITY_STYLE.get(d.severity, "")),
                str(d.code) if d.code is not None else "",
                d.message,
                d.path,
                key=str(index),
            )
        if diagnostics:
            self.move_cursor(row=min(row, len(diagnostics) - 1))
        self._title(full)

    def _title(self, diagnostics: list[Any]) -> None:
        errors = sum(d.severity == "error" for d in diagnostics)
        warnings = sum(d.severity == "warning" for d in diagnostics)
        title = f"Problems ({errors} errors, {warnings} warnings)" if diagnostics else "Problems (none)"
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
