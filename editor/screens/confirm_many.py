"""Confirmations that name several files: quitting with unsaved documents, deleting a document
that routes use."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType

from twiml_editor.screens.confirm import Choice
from twiml_editor.screens.dialog import ChoiceDialog, Option


class ConfirmQuitMany(ChoiceDialog[Choice]):
    """Unsaved changes in several documents: save all (ctrl+s), discard all or cancel (escape).
    No letter keys (README's rule for these dialogs); Cancel has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "choose('quit-save')", "Save all", priority=True)]

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = "\n".join(f"  • {name}" for name in names)
        super().__init__(
            "Unsaved changes",
            f"These have unsaved changes:\n{listed}\n\nSave them before you quit?",
            [
                Option("Save all (ctrl+s)", "quit-save", "save", "primary"),
                Option("Discard", "quit-discard", "discard", "error"),
                Option("Cancel (esc)", "quit-cancel", "cancel"),
            ],
            cancel="cancel",
            focused="quit-cancel",
            dialog_id="quit-dialog",
        )


class ConfirmDeleteUsed(ChoiceDialog[bool]):
    """A document that routes use: True deletes it and drops those routes (keys y, escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "choose('delete-yes')", "Delete")]

    def __init__(self, name: str, routes: list[str]) -> None:
        self.name_text = name
        self.routes = routes
        super().__init__(
            "Delete a routed document",
            f"{name} answers {', '.join(routes)}. Delete the file and remove it from those routes?",
            [
                Option("Delete (y)", "delete-yes", True, "error"),
                Option("Cancel (esc)", "delete-cancel", False, "primary"),
            ],
            cancel=False,
            focused="delete-cancel",
            dialog_id="delete-dialog",
        )
