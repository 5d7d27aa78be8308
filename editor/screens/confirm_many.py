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

    def __init__(self, names: list[str], before: str = "you quit", lines: list[str] | None = None) -> None:
        self.names = names
        listed = "\n".join(f"  • {line}" for line in (lines if lines is not None else names))
        super().__init__(
            "Unsaved changes",
            f"Saving does this:\n{listed}\n\nSave before {before}?",
            [
                Option("Save all (ctrl+s)", "quit-save", "save", "primary"),
                Option("Discard", "quit-discard", "discard", "error"),
                Option("Cancel (esc)", "quit-cancel", "cancel"),
            ],
            cancel="cancel",
            focused="quit-cancel",
            dialog_id="quit-dialog",
        )


class ConfirmDelete(ChoiceDialog[bool]):
    """Delete something of the flow (a route, a document)? True deletes (keys y, escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("y", "choose('delete-yes')", "Delete")]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(
            title,
            text,
            [
                Option("Delete (y)", "delete-yes", True, "error"),
                Option("Cancel (esc)", "delete-cancel", False, "primary"),
            ],
            cancel=False,
            focused="delete-cancel",
            dialog_id="delete-dialog",
        )


class ConfirmDeleteUsed(ConfirmDelete):
    """A document that routes use: True deletes it and drops those routes."""

    def __init__(self, name: str, routes: list[str]) -> None:
        self.name_text = name
        self.routes = routes
        super().__init__(
            "Delete a routed document",
            f"{name} answers {', '.join(routes)}. Delete the file and remove it from those routes?",
        )


class ConfirmReplaceSplit(ChoiceDialog[bool]):
    """`t` on a route that splits: True replaces the split, its cases and its default, with the
    one target the user picks next (Cancel has focus: a stray Enter loses nothing)."""

    def __init__(self, described: str, cases: int) -> None:
        super().__init__(
            "Replace the split",
            f"{described}\n\nReplace the split with its {cases} case{'s' if cases != 1 else ''} by one target?",
            [
                Option("Replace", "split-replace", True, "error"),
                Option("Cancel (esc)", "split-cancel", False, "primary"),
            ],
            cancel=False,
            focused="split-cancel",
            dialog_id="split-dialog",
        )
