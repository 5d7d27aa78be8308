"""Confirmations before something would be lost: unsaved changes, an existing file.

No single-letter keys: these dialogs often open while the user is typing (a file name right
after ctrl+o), and a typed letter must never save, discard or overwrite.  Cancel has focus, a
choice takes Tab/arrows to a button and Enter, a click, or a modifier key (ctrl+s saves)."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.literal import shown

Choice = Literal["save", "discard", "cancel"]
_BUTTON_CHOICES: dict[str, Choice] = {"confirm-save": "save", "confirm-discard": "discard", "confirm-cancel": "cancel"}


class ConfirmUnsaved(Dialog[Choice]):
    """Dismisses with "save", "discard" or "cancel" (ctrl+s, the buttons, escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "choose('save')", "Save", priority=True),
        Binding("escape", "choose('cancel')", "Cancel"),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
        Binding("right,down", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, what: str, name: str) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what
        self.name_text = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label("Unsaved changes", classes="dialog-title")
            yield Static(
                shown(f"{self.name_text} has unsaved changes. Save them before you {self.what}?"),
                classes="dialog-text",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (ctrl+s)", id="confirm-save", variant="primary")
                yield Button("Discard", id="confirm-discard", variant="error")
                yield Button("Cancel (esc)", id="confirm-cancel")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(_BUTTON_CHOICES.get(event.button.id or "", "cancel"))


class ConfirmOverwrite(Dialog[bool]):
    """Dismisses with True to replace an existing file (its button), False to keep it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose(False)", "Cancel"),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
        Binding("right,down", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path_text = path

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="overwrite-dialog"):
            yield Label("File exists", classes="dialog-title")
            yield Static(shown(f"{self.path_text} already exists. Replace it?"), classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Overwrite", id="overwrite-yes", variant="error")
                yield Button("Cancel (esc)", id="overwrite-cancel", variant="primary")

    def on_mount(self) -> None:
        # Cancel has focus: a stray enter must not destroy a file.
        self.query_one("#overwrite-cancel", Button).focus()

    def action_choose(self, overwrite: bool) -> None:
        self.dismiss(overwrite)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "overwrite-yes")


RestoreChoice = Literal["restore", "discard"]


class ConfirmRestore(Dialog[RestoreChoice]):
    """Unsaved edits from a run that stopped without saving: restore them (the default, also on
    escape: nothing is lost by accident) or discard them (deletes the recovery files)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "choose('restore')", "Restore"),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
        Binding("right,down", "app.focus_next", "Next", show=False),
    ]

    def __init__(self, names: list[str], when: str) -> None:
        super().__init__(classes="dialog-screen")
        self.names = names
        self.when = when

    def compose(self) -> ComposeResult:
        listed = "\n".join(f"  • {name}" for name in self.names)
        with Vertical(classes="dialog", id="restore-dialog"):
            yield Label("Recovered edits", classes="dialog-title")
            yield Static(
                shown(
                    f"The editor stopped without saving these (recovery files from {self.when}):\n{listed}\n\n"
                    "Restore the unsaved edits? Discard deletes the recovery files."
                ),
                classes="dialog-text",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Restore", id="restore-yes", variant="primary")
                yield Button("Discard", id="restore-discard", variant="error")

    def on_mount(self) -> None:
        self.query_one("#restore-yes", Button).focus()

    def action_choose(self, choice: RestoreChoice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss("discard" if event.button.id == "restore-discard" else "restore")
