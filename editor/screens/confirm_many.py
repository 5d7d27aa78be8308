"""Confirmations that name several files: quitting with unsaved documents, deleting a document
that routes use."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from twiml_editor.screens.confirm import Choice
from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.literal import shown

_BUTTON_CHOICES: dict[str, Choice] = {"quit-save": "save", "quit-discard": "discard", "quit-cancel": "cancel"}


class ConfirmQuitMany(Dialog[Choice]):
    """Unsaved changes in several documents: save all (s), discard all (d) or cancel (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "choose('save')", "Save all"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("escape,c", "choose('cancel')", "Cancel"),
    ]

    def __init__(self, names: list[str], before: str = "you quit") -> None:
        super().__init__(classes="dialog-screen")
        self.names = names
        self.before = before

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="quit-dialog"):
            yield Label("Unsaved changes", classes="dialog-title")
            listed = "\n".join(f"  • {name}" for name in self.names)
            yield Static(
                shown(f"These have unsaved changes:\n{listed}\n\nSave them before {self.before}?"),
                classes="dialog-text",
                markup=False,
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save all (s)", id="quit-save", variant="primary")
                yield Button("Discard (d)", id="quit-discard", variant="error")
                yield Button("Cancel (esc)", id="quit-cancel")

    def on_mount(self) -> None:
        self.query_one("#quit-save", Button).focus()

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(_BUTTON_CHOICES.get(event.button.id or "", "cancel"))


class ConfirmDelete(Dialog[bool]):
    """Delete something of the flow (a route, a document)? True deletes (keys y, escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose(True)", "Delete"),
        Binding("escape,c", "choose(False)", "Cancel"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="delete-dialog"):
            yield Label(shown(self.title_text), classes="dialog-title", markup=False)
            yield Static(shown(self.text), classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Delete (y)", id="delete-yes", variant="error")
                yield Button("Cancel (esc)", id="delete-cancel", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#delete-cancel", Button).focus()

    def action_choose(self, delete: bool) -> None:
        self.dismiss(delete)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "delete-yes")


class ConfirmDeleteUsed(ConfirmDelete):
    """A document that routes use: True deletes it and drops those routes."""

    def __init__(self, name: str, routes: list[str]) -> None:
        listed = ", ".join(routes)
        super().__init__(
            "Delete a routed document", f"{name} answers {listed}. Delete the file and remove it from those routes?"
        )
        self.name_text = name
        self.routes = routes
