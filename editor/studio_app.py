"""`twiml-editor flow.json`: the editor on a Twilio Studio flow.

Opens with the Flow view on the flow's widgets (map, transitions, a form per widget); F5 calls the
flow as edited; ctrl+z / ctrl+y undo and redo; ctrl+s saves, changing only the lines edited.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Input

from twiml_editor.app import EditorApp, app_bindings
from twiml_editor.disk_check import ChangedOnDisk
from twiml_editor.document import Document, Kind
from twiml_editor.keymap import ACTIONS, FLOW_ACTIONS, KeyAction
from twiml_editor.screens.confirm_many import ConfirmQuitMany
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import DiskChanged
from twiml_editor.screens.key_order import settle_keys
from twiml_editor.screens.studio_view import StudioCallScreen, StudioScreen
from twiml_editor.studio_project import StudioProject

__all__ = ["StudioEditorApp"]

_STUDIO_IDS = ("save", "undo", "redo", "help", "command_palette", "quit", "flow_map", "call")
"""The editor's actions that apply to a Studio flow (it has no TwiML document screen)."""


class StudioEditorApp(EditorApp, inherit_bindings=False):
    """The editor with a Studio flow: the Flow view over its widgets and the call panel."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "dialogs.tcss", "flow.tcss"]
    KEY_ACTIONS: ClassVar[tuple[KeyAction, ...]] = tuple(
        replace(a, scope="app") for a in ACTIONS + FLOW_ACTIONS if a.id in _STUDIO_IDS
    )
    """Undo and redo act on the Studio flow here: the app binds them with the others."""
    BINDINGS: ClassVar[list[BindingType]] = [*App.BINDINGS, *app_bindings(KEY_ACTIONS)]
    """Only these (not the editor's file keys: bindings are not inherited here)."""

    def __init__(self, studio: StudioProject, *, config_path: Path | None = None) -> None:
        self.studio = studio
        super().__init__(None, config_path=config_path)

    def _initial_document(self, path: str | Path | None, kind: Kind) -> Document:
        return Document.new(kind)

    def get_default_screen(self) -> Screen[Any]:
        return StudioScreen(self.studio)

    def on_mount(self) -> None:
        super().on_mount()
        self.update_title()

    def update_title(self) -> None:
        studio = getattr(self, "studio", None)
        if studio is None:
            super().update_title()
            return
        self.sub_title = ("● " if studio.dirty else "") + str(studio.path)

    def _studio_screen(self) -> StudioScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, StudioScreen)), None)

    def _after_edit(self, what: str | None, verb: str) -> None:
        if what is None:
            self.notify(f"Nothing to {verb}.", severity="warning")
            return
        self.notify(f"{verb.capitalize()}: {what}", markup=False, timeout=2)
        screen = self._studio_screen()
        if screen is not None:
            screen.refresh_flow(rebuild_form=True)
        self.update_title()

    @work(group="history")
    async def action_undo(self) -> None:
        await settle_keys(self)  # the edit a key just before ctrl+z made is the one undone
        self._after_edit(self.studio.undo(), "undo")

    @work(group="history")
    async def action_redo(self) -> None:
        await settle_keys(self)
        self._after_edit(self.studio.redo(), "redo")

    def action_flow_map(self) -> None:
        if isinstance(self.screen, StudioCallScreen):
            self.pop_screen()

    def action_call(self) -> None:
        if isinstance(self.screen, StudioCallScreen):
            self.screen.action_restart()
            return
        self.push_screen(StudioCallScreen(self.studio))

    def _blur_field(self) -> None:
        """A field being typed in counts as confirmed before saving or quitting."""
        screen = self._studio_screen()
        focused = self.focused
        if screen is not None and isinstance(focused, Input) and screen.form in focused.ancestors:
            screen.form.confirm(focused)

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        await settle_keys(self)
        self._blur_field()
        saved = await self._write()
        if saved is None:
            return
        self.notify(f"Saved {saved}", markup=False)
        self.update_title()
        screen = self._studio_screen()
        if screen is not None:
            screen.refresh_flow()

    async def _write(self) -> Path | None:
        """Save the flow; a file another program changed meanwhile is overwritten only when the
        user says so (the one changed-on-disk check, `disk_check`). None when nothing was written."""
        try:
            try:
                return self.studio.save()
            except ChangedOnDisk:
                if await self.push_screen_wait(DiskChanged([self.studio.name])) != "overwrite":
                    return None
                return self.studio.save(overwrite=True)
        except OSError as exc:
            self.push_screen(ErrorDialog("Not saved", f"{self.studio.path}: {exc.strerror or exc}"))
            return None

    @work(exclusive=True, group="file")
    async def action_request_quit(self) -> None:
        await settle_keys(self)
        self._blur_field()
        if not self.studio.dirty:
            self.exit()
            return
        choice = await self.push_screen_wait(ConfirmQuitMany([self.studio.name]))
        if choice == "discard" or (choice == "save" and await self._write() is not None):
            self.exit()
