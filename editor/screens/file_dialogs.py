"""Questions before a save could lose someone's work: the file changed on disk, the file is read-only.

No single-letter keys here: a letter typed just before the dialog appeared must not answer it.
Buttons (Tab to move, Enter to press) and escape (the safe answer) only; the safe button has focus.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from textual.app import App

from twiml_editor.screens.confirm import ConfirmOverwrite
from twiml_editor.screens.dialog import ChoiceDialog, Option

DiskChoice = Literal["reload", "overwrite", "save_as", "cancel"]


class DiskChanged(ChoiceDialog[DiskChoice]):
    """The file was changed by another program since it was opened or saved here."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "File changed on disk",
            f"{path} was changed by another program after you opened it. "
            "Reload it (your edits here are dropped), overwrite it with your version "
            "(the other changes are lost), or save your version under another name?",
            [
                Option("Reload", "disk-reload", "reload", "warning"),
                Option("Overwrite", "disk-overwrite", "overwrite", "error"),
                Option("Save as…", "disk-save_as", "save_as"),
                Option("Cancel", "disk-cancel", "cancel", "primary"),
            ],
            cancel="cancel",
            focused="disk-cancel",
            dialog_id="disk-changed-dialog",
            wide=True,
        )


class ConfirmReadOnly(ChoiceDialog[bool]):
    """The file to replace is read-only: True replaces it anyway, False keeps it."""

    def __init__(self, path: str) -> None:
        super().__init__(
            "Read-only file",
            f"{path} is read-only. Replace the read-only file anyway?",
            [
                Option("Replace", "read-only-replace", True, "error"),
                Option("Cancel", "read-only-cancel", False, "primary"),
            ],
            cancel=False,
            focused="read-only-cancel",
            dialog_id="read-only-dialog",
        )


async def may_write(app: App[Any], path: Path, own: Path | None = None) -> bool:
    """True unless `path` is an existing file (other than `own`) the user chose not to replace
    (call it from a worker: it waits for the answer)."""
    if not path.is_file() or (own is not None and own.exists() and path.resolve() == own.resolve()):
        return True
    overwrite: bool = await app.push_screen_wait(ConfirmOverwrite(str(path)))
    return overwrite
