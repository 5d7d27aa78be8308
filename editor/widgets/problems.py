"""The problems panel: the validator's diagnostics; choosing one selects its node."""
from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.widgets import DataTable

from editor.widgets.messages import NodeChosen

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _key(diagnostic: Any) -> tuple[str, str, str, str]:
    return (diagnostic.severity, str(diagnostic.code), diagnostic.message, diagnostic.path)


class ProblemsPanel(DataTable[Any]):
    """One row per diagnostic; Enter or a click posts NodeChosen for the diagnostic's node."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.diagnostics: list[Any] = []
        self._shown: list[tuple[str, str, str, str]] | None = None
        self.border_title = "Problems"

    def on_mount(self) -> None:
        self.add_column("Severity", key="severity", width=9)
        self.add_column("Code", key="code", width=6)
        self.add_column("Message", key="message")
        self.add_column("Path", key="path")

    def show(self, diagnostics: list[Any]) -> None:
        """Replace the rows, unless the diagnostics are the same as shown."""
        keys = [_key(d) for d in diagnostics]
        self.diagnostics = list(diagnostics)
        if keys == self._shown:
            return
        self._shown = keys
        row = self.cursor_row
        self.clear()
        for index, d in enumerate(diagnostics):
            self.add_row(
                Text(d.severity, style=SEVERITY_STYLE.get(d.severity, "")),
                str(d.code or ""), d.message, d.path, key=str(index),
            )
        if diagnostics:
            self.move_cursor(row=min(row, len(diagnostics) - 1))
        errors = sum(d.severity == "error" for d in diagnostics)
        warnings = sum(d.severity == "warning" for d in diagnostics)
        self.border_title = f"Problems ({errors} errors, {warnings} warnings)" if diagnostics else "Problems (none)"

    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = int(event.row_key.value or 0)
        if 0 <= index < len(self.diagnostics):
            node = getattr(self.diagnostics[index], "node", None)
            if node is not None:
                self.post_message(NodeChosen(node))
