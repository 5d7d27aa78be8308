"""Questions before a save could lose someone's work: the file changed on disk, the file is read-only.

No single-letter keys here: a letter typed just before the dialog appeared must not answer it.
Buttons (Tab to move, Enter to press) and escape (the safe answer) only; the safe button has focus.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from textual.app import App

from twiml.errors import TwiMLException
from twiml_editor.disk_check import ChangedOnDisk
from twiml_editor.screens.confirm import ConfirmOverwrite
from twiml_editor.screens.dialog import ChoiceDialog, Option
from twiml_editor.screens.error_dialog import ErrorDialog

if TYPE_CHECKING:
    from twiml_editor.flow_project import FlowProject

DiskChoice = Literal["reload", "overwrite", "save_as", "cancel"]


class DiskChanged(ChoiceDialog[DiskChoice]):
    """The file was changed by another program since it was opened or saved here. With
    several files (a flow folder's save, all or nothing): overwrite them all or cancel."""

    def __init__(self, path: str | list[str]) -> None:
        if isinstance(path, str):
            text = (
                f"{path} was changed by another program after you opened it. "
                "Reload it (your edits here are dropped), overwrite it with your version "
                "(the other changes are lost), or save your version under another name?"
            )
            options: list[Option[DiskChoice]] = [
                Option("Reload", "disk-reload", "reload", "warning"),
                Option("Overwrite", "disk-overwrite", "overwrite", "error"),
                Option("Save as…", "disk-save_as", "save_as"),
                Option("Cancel", "disk-cancel", "cancel", "primary"),
            ]
        else:
            listed = "\n".join(f"  • {name}" for name in path)
            text = (
                f"Changed by another program after you opened them:\n{listed}\n\n"
                "Overwrite them with your version (the other changes are lost)? Cancel writes "
                "nothing and keeps your edits; reopen the folder to see the other changes."
            )
            options = [
                Option("Overwrite", "disk-overwrite", "overwrite", "error"),
                Option("Cancel", "disk-cancel", "cancel", "primary"),
            ]
        super().__init__(
            "File changed on disk",
            text,
            options,
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


async def save_folder(app: App[Any], project: FlowProject) -> list[Path] | None:
    """Save a flow folder all or nothing (`FlowProject.save_all`), asking first when another
    program changed a file the save would write (its one check, `ChangedOnDisk`): every path
    that saves the folder (ctrl+s, quit's and open's "Save all") goes through here. None when
    nothing was saved (cancelled, or failed: shown). Call it from a worker."""
    overwrite: list[str] = []
    while True:
        try:
            return project.save_all(overwrite)
        except ChangedOnDisk as exc:
            choice = await app.push_screen_wait(DiskChanged(exc.names))
            if choice != "overwrite":
                return None
            overwrite += exc.names
        except (OSError, TwiMLException, ValueError) as exc:
            app.push_screen(
                ErrorDialog("Not saved", f"{exc}\n\nNothing in the folder was changed; your edits are kept.")
            )
            return None


async def may_write(app: App[Any], path: Path, own: Path | None = None) -> bool:
    """True unless `path` is an existing file (other than `own`) the user chose not to replace
    (call it from a worker: it waits for the answer)."""
    if not path.is_file() or (own is not None and own.exists() and path.resolve() == own.resolve()):
        return True
    overwrite: bool = await app.push_screen_wait(ConfirmOverwrite(str(path)))
    return overwrite
