"""Asks for one line of text (a route path, a case value, a document name)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from twiml_editor.screens.dialog import Dialog
from twiml_editor.screens.path_prompt import select_stem, undoubled
from twiml_editor.widgets.literal import VisibleInput, shown


class TextPrompt(Dialog[str | None]):
    """Dismisses with the entered text (stripped, not empty), or None on escape/cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(
        self, title: str, initial: str = "", hint: str = "", placeholder: str = "", *, file_name: bool = False
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.initial = initial
        self.hint = hint
        self.placeholder = placeholder
        self.file_name = file_name
        """A document's file name: asked as Save as asks (the stem selected, so typing `menu`
        keeps `.xml`, and typing `menu.xml` does not double it)."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="text-dialog"):
            yield Label(shown(self.title_text), classes="dialog-title", markup=False)
            if self.hint:
                yield Static(shown(self.hint), classes="dialog-text", markup=False)
            yield VisibleInput(self.initial, id="text-input", placeholder=self.placeholder, select_on_focus=False)
            yield Static("", id="text-error", classes="attr-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="text-ok", variant="primary")
                yield Button("Cancel", id="text-cancel")

    def on_mount(self) -> None:
        field = self.query_one("#text-input", Input)
        field.focus()
        if self.file_name:
            select_stem(field)

    def _submit(self) -> None:
        text = self.query_one("#text-input", Input).value.strip()
        if self.file_name:
            text = undoubled(text, (".xml",))
        if not text:
            self.query_one("#text-error", Static).update("Enter a value, or press escape.")
            return
        self.dismiss(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "text-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
