"""F1 help: every action with its current key, read from the app's keymap."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, DataTable, Label, Static

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
            table: DataTable[str] = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action", "Does")
            for row in self.rows:
                table.add_row(*row)
            yield table
            yield Button("Close", id="help-close", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
