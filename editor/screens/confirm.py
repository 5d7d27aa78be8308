"""Confirmations before something would be lost: unsaved changes, an existing file.

No single-letter keys: these dialogs often open while the user is typing (a file name right
after ctrl+o), and a typed letter must never save, discard or overwrite.  Cancel has focus, a
choice takes Tab/arrows to a button and Enter, a click, or a modifier key (ctrl+s saves)."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.binding import Binding, BindingType

from twiml_editor.screens.dialog import ChoiceDialog, Option

Choice = Literal["save", "discard", "cancel"]


class ConfirmUnsaved(ChoiceDialog[Choice]):
    """Dismisses with "save", "discard" or "cancel" (ctrl+s, the buttons, escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+s", "choose('confirm-save')", "Save", priority=True)]

    def __init__(self, what: str, name: str) -> None:
        super().__init__(
            "Unsaved changes",
            f"{name} has unsaved changes. Save them before you {what}?",
            [
                Option("Save (ctrl+s)", "confirm-save", "save", "primary"),
                Option("Discard", "confirm-discard", "discard", "error"),
                Option("Cancel (esc)", "confirm-cancel", "cancel"),
            ],
            cancel="cancel",
            focused="confirm-cancel",
            dialog_id="confirm-dialog",
        )


class ConfirmOverwrite(ChoiceDialog[bool]):
    """Dismisses with True to replace an existing file (its button), False to keep it. Cancel
    has focus: a stray enter must not destroy a file."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "File exists",
            f"{path} already exists. Replace it?",
            [
                Option("Overwrite", "overwrite-yes", True, "error"),
                Option("Cancel (esc)", "overwrite-cancel", False, "primary"),
            ],
            cancel=False,
            focused="overwrite-cancel",
            dialog_id="overwrite-dialog",
        )


RestoreChoice = Literal["restore", "discard"]


class ConfirmRestore(ChoiceDialog[RestoreChoice]):
    """Unsaved edits from a run that stopped without saving: restore them (the default, also on
    escape: nothing is lost by accident) or discard them (deletes the recovery files)."""

    def __init__(self, names: list[str], when: str, changed: list[str] | None = None) -> None:
        self.names = names
        self.when = when
        self.changed = changed or []
        """Those of `names` whose file another program changed since the edits were made (or
        may have: an older recovery file does not say): saving them asks first."""
        listed = "\n".join(f"  • {name}{'  (changed on disk since)' if name in self.changed else ''}" for name in names)
        warning = (
            "\n\nA file marked changed on disk was written by another program after these edits "
            "were made: saving the restored edits asks before it replaces that change."
            if self.changed
            else ""
        )
        super().__init__(
            "Recovered edits",
            f"The editor stopped without saving these (recovery files from {when}):\n{listed}{warning}\n\n"
            "Restore the unsaved edits? Discard deletes the recovery files.",
            [
                Option("Restore", "restore-yes", "restore", "primary"),
                Option("Discard", "restore-discard", "discard", "error"),
            ],
            cancel="restore",
            focused="restore-yes",
            dialog_id="restore-dialog",
        )
