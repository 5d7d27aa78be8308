"""F1 help: every action with its current key, read from the app's keymap.

The rows are a Rich table whose description column wraps, so every word shows at any width
(80x24 included); the table scrolls inside the dialog (arrow keys, page keys, the wheel).
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from twiml_editor.screens.dialog import Dialog


class HelpScreen(Dialog[None]):
    """Lists (key, action, description) rows; any of escape / F1 / q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", show=False)]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("twiml-editor keys", classes="dialog-title")
            yield Static(
                'Keys are remappable in ~/.config/twiml-editor/config.toml, e.g. [keys] save = "ctrl+w". '
                "Every action is also in the command palette (ctrl+p). Keys typed into a text field go "
                "to the field: press escape or tab back to the tree first.",
                classes="dialog-text",
                markup=False,
            )
            with VerticalScroll(id="help-table", can_focus=True):
                yield Static(self.table(), id="help-rows")
            yield Button("Close", id="help-close", variant="primary")

    def table(self) -> Table:
        """The action id never wraps (a config file names it); keys wrap between keys, the
        description between words."""
        table = Table(expand=True, box=None, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", max_width=14, overflow="fold")
        table.add_column("Action", style="dim", no_wrap=True)
        table.add_column("Does", ratio=1, overflow="fold")
        for key, action, text in self.rows:
            table.add_row(Text(key), Text(action), Text(text))
        return table

    def on_mount(self) -> None:
        self.query_one("#help-table").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
