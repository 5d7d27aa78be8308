"""A modal that shows an error (e.g. a file that could not be parsed) until dismissed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Label, Static

from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.literal import shown


class ErrorDialog(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss", "Close", show=False)]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog error", id="error-dialog"):
            yield Label(shown(self.title_text), classes="dialog-title", markup=False)
            yield Static(shown(self.message), id="error-message", classes="dialog-text", markup=False)
            yield Button("OK", id="error-ok", variant="error")

    def on_mount(self) -> None:
        self.query_one("#error-ok", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
