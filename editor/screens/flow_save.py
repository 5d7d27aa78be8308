"""Saving a flow folder from whichever of its screens is on top (the map, a document, the call
panel): every unsaved document of the folder, pending renames, new and deleted documents and
flow.toml together, all or nothing. A document from outside the folder, on the document screen,
is saved on its own first, as in the plain editor.

A screen's ctrl+s runs `FlowSave.save`: the walk goes screen -> FlowProject -> the writer, and the
recovery files go, with no turn through the app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from twiml.errors import TwiMLException
from twiml_editor.keymap import ACTIONS
from twiml_editor.recovery import RecoveryFiles
from twiml_editor.screens.document_screen import DocumentScreen, bindings
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import DiskChanged
from twiml_editor.screens.key_order import settle_keys

if TYPE_CHECKING:
    from twiml_editor.flow_project import FlowProject

__all__ = ["SAVE_BINDINGS", "FlowSave"]

SAVE_BINDINGS = bindings([a for a in ACTIONS if a.id == "save"])
"""ctrl+s (or the key a config file gives `save`) on a screen of the flow that is not a document's."""


@dataclass
class FlowSave:
    """What saving the flow needs: the folder open now, the document screen (shown or waiting
    under the map), the recovery files."""

    project: Callable[[], FlowProject]
    document_screen: Callable[[], DocumentScreen | None]
    recovery: RecoveryFiles

    async def save(self, screen: Screen[Any]) -> bool:
        """ctrl+s on `screen`: once the keys typed before it are handled, save the flow. Call it
        from a worker (it may wait for a dialog)."""
        await settle_keys(screen.app)
        return await self.save_all(screen)

    async def save_all(self, screen: Screen[Any]) -> bool:
        """Save the folder (and a document from outside it); True when everything was saved."""
        app = screen.app
        project = self.project()
        shown = self.document_screen()
        if shown is not None:
            doc = shown.doc
            outside = project.name_of(doc.file_path) is None
            if outside and (doc.dirty or doc.file_path is None) and not await shown.save(ask=False):
                return False
        for name, document in project.documents.items():
            if document.dirty and document.disk_changed():
                choice = await app.push_screen_wait(DiskChanged(name))
                if choice != "overwrite":
                    return False
        if project.dirty_names():
            try:
                saved = project.save_all()
            except (OSError, TwiMLException, ValueError) as exc:
                app.push_screen(
                    ErrorDialog("Not saved", f"{exc}\n\nNothing in the folder was changed; your edits are kept.")
                )
                return False
            app.notify(f"Saved {', '.join(p.name for p in saved)}" if saved else "Saved.", markup=False)
            self.recovery.saved()
        if shown is not None and shown.is_mounted:
            shown.update_title()
        return True
