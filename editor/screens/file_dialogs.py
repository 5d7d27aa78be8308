"""Questions before a save could lose someone's work: the file changed on disk, the file is read-only.

No single-letter keys here: a letter typed just before the dialog appeared must not answer it.
Buttons (Tab to move, Enter to press) and escape (the safe answer) only; the safe button has focus.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.literal import shown

DiskChoice = Literal["reload", "overwrite", "save_as", "cancel"]
_DISK_BUTTONS: dict[str, DiskChoice] = {
    "disk-reload": "reload",
    "disk-overwrite": "overwrite",
    "disk-save_as": "save_as",
    "disk-cancel": "cancel",
}


class DiskChanged(Dialog[DiskChoice]):
    """The file was changed by another program since it was opened or saved here."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "choose('cancel')", "Cancel", show=False)]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path_text = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="disk-changed-dialog"):
            yield Label("File changed on disk", classes="dialog-title")
            yield Static(
                shown(self.path_text) + " was changed by another program after you opened it. "
                "Reload it (your edits here are dropped), overwrite it with your version "
                "(the other changes are lost), or save your version under another name?",
                classes="dialog-text",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Reload", id="disk-reload", variant="warning")
                yield Button("Overwrite", id="disk-overwrite", variant="error")
                yield Button("Save as…", id="disk-save_as")
                yield Button("Cancel", id="disk-cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#disk-cancel", Button).focus()

    def action_choose(self, choice: DiskChoice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(_DISK_BUTTONS.get(event.button.id or "", "cancel"))


class ConfirmReadOnly(Dialog[bool]):
    """The file to replace is read-only: True replaces it anyway, False keeps it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "choose(False)", "Cancel", show=False)]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path_text = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="read-only-dialog"):
            yield Label("Read-only file", classes="dialog-title")
            yield Static(
                shown(f"{self.path_text} is read-only. Replace the read-only file anyway?"),
                classes="dialog-text",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Replace", id="read-only-replace", variant="error")
                yield Button("Cancel", id="read-only-cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#read-only-cancel", Button).focus()

    def action_choose(self, replace: bool) -> None:
        self.dismiss(replace)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "read-only-replace")
