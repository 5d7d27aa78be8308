"""The problems panel: the validator's diagnostics; choosing one selects its node.

A finding with a did-you-mean shows it after the message and `[f]` (the key that applies it);
findings silenced by a ``twiml: ignore`` comment stay listed, dimmed and marked, below the rest.
The code column is as wide as the longest code; when the rows do not fit the panel's width
(80 columns), message and path get the width there is and wrap, a row as tall as it needs."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from twiml_editor.widgets.literal import literal

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

    class NodeChosen(Message):
        """Select `node` in the tree (the node a diagnostic is about)."""

        def __init__(self, panel: ProblemsPanel, node: Any) -> None:
            super().__init__()
            self.panel = panel
            self.node = node

        @property
        def control(self) -> ProblemsPanel:
            """The problems list that posted it."""
            return self.panel

    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.diagnostics: list[Any] = []
        self._shown: list[tuple[str, str, str, str]] | None = None
        self._full: list[Any] = []
        self._widths: dict[str, int] | None = None
        """Fixed widths of code, message and path when the rows wrap (None: every column fits)."""
        self._fitted_to = 0  # the width `_widths` was computed for
        self.total = 0
        self.border_title = "Problems"

    def on_mount(self) -> None:
        if not self.columns:  # `show` may have run first (a busy machine mounts late): keep its columns
            self._add_columns()

    def _add_columns(self, code: int | None = None) -> None:
        widths = self._widths or {}
        self.add_column("Severity", key="severity", width=9)  # "(ignored)" wraps below the level
        self.add_column("Code", key="code", width=widths.get("code", code))
        self.add_column("Message", key="message", width=widths.get("message"))
        self.add_column("Path", key="path", width=widths.get("path"))

    def _fit(self, diagnostics: list[Any]) -> dict[str, int] | None:
        """Column widths that wrap message and path into the panel, or None when every row fits
        on one line as it is."""
        width = self.scrollable_content_region.width
        if width <= 0:
            return None
        code = max([4] + [len(str(d.code)) for d in diagnostics if d.code is not None])
        message = max([7] + [len(_message(d)) for d in diagnostics])
        path = max([4] + [len(str(d.path)) for d in diagnostics])
        room = width - 9 - code - 2 * self.cell_padding * 4 - 2  # the columns' padding, a scroll bar
        if message + path <= room:
            return None
        path_width = min(path, max(12, room // 3))
        return {"code": code, "message": max(16, room - path_width), "path": path_width}

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._fitted_to and self._full:
            self._shown = None  # lay the rows out again for the new width
            self.show(self._full)

    def reset(self) -> None:
        """Forget rows and column widths (another document): widths fit the new rows only."""
        self._shown = None
        self._widths = None
        self.diagnostics = []
        self.clear(columns=True)
        self._add_columns()

    def show(self, diagnostics: list[Any]) -> None:
        """Replace the rows, unless the diagnostics are the same as shown."""
        self.total = len(diagnostics)
        full = diagnostics
        self._full = list(diagnostics)
        self.set_class(bool(diagnostics), "-some")
        diagnostics = sorted(diagnostics, key=lambda d: -_rank(d))[:MAX_ROWS]
        keys = [_key(d) for d in diagnostics]
        self.diagnostics = list(diagnostics)
        if keys == self._shown:
            return
        old = self._shown
        self._shown = keys
        widths = self._fit(diagnostics)
        self._fitted_to = self.scrollable_content_region.width
        if old is not None and len(old) == len(keys) and keys and widths is None and self._widths is None:
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
        self._widths = widths
        self.clear(columns=True)  # auto widths only grow: start from the new rows' widths
        code_width = max([4] + [len(str(d.code)) for d in diagnostics if d.code is not None])
        self._add_columns(code_width)
        for index, d in enumerate(diagnostics):
            self.add_row(
                _severity(d),
                literal(d.code if d.code is not None else ""),
                literal(_message(d)),
                literal(d.path),
                key=str(index),
                height=None if widths is not None else 1,  # wrapped rows are as tall as they need
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
                self.post_message(self.NodeChosen(self, node))
