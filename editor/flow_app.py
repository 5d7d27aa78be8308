"""`twiml-editor FOLDER`: the editor on a flow folder.

Opens with the Flow view (the map); Enter on a state edits its document in the usual tree, form
and preview, and F6 goes back to the map. F5 opens the Call panel. Every document opened stays
open with its own unsaved changes; ctrl+s, on any of its screens, saves the folder's documents and
flow.toml together (`screens.flow_save`); quitting asks once, listing everything unsaved.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import work
from textual.binding import BindingType
from textual.screen import Screen

from twiml.errors import TwiMLException, TwiMLParseError
from twiml.flow.config import FLOW_FILE
from twiml_editor import recovery
from twiml_editor.app import EditorApp, app_bindings
from twiml_editor.document import Document, Kind
from twiml_editor.flow_project import FlowProject, Undone
from twiml_editor.keymap import (
    ACTIONS,
    FLOW_ACTIONS,
    FLOW_VIEW_ACTIONS,
    FLOW_VIEW_KEYS,
    KeyAction,
    help_rows,
    load_keymap,
    pretty_key,
)
from twiml_editor.screens.call_screen import CallScreen
from twiml_editor.screens.confirm_many import ConfirmQuitMany
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import save_folder
from twiml_editor.screens.flow_save import FlowSave
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.key_order import settle_keys
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.widgets.literal import markup_escape

__all__ = ["FlowDocumentScreen", "FlowEditorApp"]


class FlowRecoveryFiles(recovery.RecoveryFiles):
    """The recovery files of a flow folder: its documents' and flow.toml's."""

    def __init__(self, app: FlowEditorApp) -> None:
        super().__init__(app.open_documents)
        self.app = app
        self.toml_text: str | None = None
        """The flow.toml text in its recovery file (None: there is none)."""

    def project(self) -> FlowProject:
        return self.app.project

    def autosave_extra(self) -> None:
        project = self.project()
        toml = project.folder / FLOW_FILE
        if project.toml_dirty and project.syntax_error is None:
            text = project.text
            if text != self.toml_text:
                with suppress(OSError):
                    recovery.write(toml, text, base=project.toml_base)
                    self.toml_text = text
        elif self.toml_text is not None:
            recovery.remove(toml)
            self.toml_text = None

    def drop_all(self) -> None:
        super().drop_all()
        recovery.remove(self.project().folder / FLOW_FILE)

    def write_all(self) -> list[Path]:
        written = super().write_all()
        project = self.project()
        if project.toml_dirty:
            with suppress(OSError):
                written.append(recovery.write(project.folder / FLOW_FILE, project.text, base=project.toml_base))
        return written


class FlowDocumentScreen(DocumentScreen):
    """The document screen of a flow: ctrl+z and ctrl+y walk the flow's one history (the last
    thing done, a route edit or an edit of any of its documents), ctrl+s saves the flow."""

    def __init__(self, doc: Document, *, saver: FlowSave, **kwargs: Any) -> None:
        super().__init__(doc, **kwargs)
        self.saver = saver

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        """Save the flow: every unsaved document of the folder, pending renames, new and deleted
        documents and flow.toml, together (all or nothing). A document from outside the folder
        is saved on its own, as in the plain editor."""
        await self.saver.save(self)

    def undo(self) -> None:
        app = self.app
        if isinstance(app, FlowEditorApp):
            app.flow_history("undo")

    def redo(self) -> None:
        app = self.app
        if isinstance(app, FlowEditorApp):
            app.flow_history("redo")

    def applicable(self, action_id: str) -> bool:
        app = self.app
        if action_id in ("undo", "redo") and isinstance(app, FlowEditorApp):
            return app.project.can_undo if action_id == "undo" else app.project.can_redo
        return super().applicable(action_id)


class FlowEditorApp(EditorApp):
    """The editor with a flow folder: map, routes, call panel, several open documents."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "dialogs.tcss", "flow.tcss"]
    KEY_ACTIONS: ClassVar[tuple[KeyAction, ...]] = ACTIONS + FLOW_ACTIONS
    BINDINGS: ClassVar[list[BindingType]] = app_bindings(
        replace(a, show=False) if a.id == "open" else a for a in KEY_ACTIONS
    )
    """Open is off the footer here: at 80 columns the map's footer keeps F5 Call."""

    def __init__(self, folder: str | Path, *, config_path: Path | None = None) -> None:
        self.project = FlowProject.open(folder)
        first = self._first_document()
        super().__init__(self.project.folder / first if first else None, config_path=config_path)
        self.saver = FlowSave(lambda: self.project, lambda: self._document_screen, self.recovery)
        """ctrl+s on the map, a document or the call panel."""

    def _load_keys(self, config_path: Path | None) -> tuple[KeyAction, ...]:
        """The editor's keys and, checked on their own (they are another screen's and may reuse
        the document's letters), the Flow view's."""
        keys = super()._load_keys(config_path)
        try:
            self.flow_view_keys = load_keymap(config_path, FLOW_VIEW_ACTIONS)
        except ValueError as exc:
            self.flow_view_keys = getattr(exc, "keys", FLOW_VIEW_ACTIONS)
            if not any(str(exc) == text for _, text in self.startup_problems):
                self.startup_problems.append(("Key configuration ignored in part", str(exc)))
        self.set_keymap({k.id: k.key for k in keys + self.flow_view_keys})
        return keys

    def help_rows(self) -> list[tuple[str, str, str]]:
        """F1: the Flow view's actions and keys first (with F5 and F6), then the editor's."""
        flow_ids = {a.id for a in FLOW_ACTIONS}
        flow = tuple(k for k in self.keys if k.id in flow_ids)  # F5, F6 with the keys in effect
        own = help_rows(self.flow_view_keys + flow, fixed=False) + [(key, "", text) for key, text in FLOW_VIEW_KEYS]
        return own + help_rows(tuple(k for k in self.keys if k.id not in flow_ids))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        commands = super().palette_commands()
        base = self.base_screen  # under the palette: the Flow view's actions while it is shown
        if isinstance(base, FlowScreen):
            for record in self.flow_view_keys:
                method = getattr(base, f"action_{record.action}")
                commands.append((record.description.rstrip("…"), f"{pretty_key(record.key)} · {record.help}", method))
        return commands

    def flow_history(self, what: str) -> None:
        """Undo or redo the last thing done in the flow, a route edit or an edit of any open
        document (a document from outside the folder keeps its own history)."""
        screen = self._document_screen
        outside = self.project.name_of(self.doc.file_path) is None
        if outside and screen is not None and screen.doc is self.doc:
            screen.history_step(self.doc.undo() if what == "undo" else self.doc.redo(), what)
            return
        done: Undone | None = self.project.undo() if what == "undo" else self.project.redo()
        if done is None:
            self.notify(f"Nothing to {what}.", severity="warning")
            return
        shown_doc = screen.doc if screen is not None else None
        if done.routes:
            self.notify(f"{what.capitalize()}: {done.what}", markup=False)
            if shown_doc is not None and shown_doc not in self.project.documents.values():
                self.update_title()
        elif screen is not None and shown_doc is self.project.documents.get(done.name):
            if self.screen is screen:
                screen.history_step(done.change, what)
            else:  # the document screen waits under the map: its views follow now
                if screen.is_mounted:
                    screen.after_change(done.change, refill_form=True)
                self.notify(f"{what.capitalize()}: an edit of {done.name}", markup=False)
        else:
            self.notify(f"{what.capitalize()}: an edit of {done.name}", markup=False)
        self.update_title()
        base = self.base_screen
        if isinstance(base, FlowScreen):
            base.refresh_flow()

    def _first_document(self) -> str | None:
        flow = self.project.flow
        for _, path in flow.entries():
            resolution = flow.resolve(path)
            if resolution.document and (self.project.folder / resolution.document).is_file():
                return resolution.document
        files = self.project.files()
        return files[0] if files else None

    def _initial_document(self, path: str | Path | None, kind: Kind) -> Document:
        name = self.project.name_of(Path(path)) if path is not None else None
        if name is not None:
            try:
                return self.project.document(name)
            except TwiMLParseError as exc:
                self.startup_problems.append(("Could not open the file", self.parse_error_text(Path(path or ""), exc)))
            except (OSError, TwiMLException, UnicodeDecodeError) as exc:
                self.startup_problems.append(("Could not open the file", f"{path}: {exc}"))
        return Document.new(kind)

    # --------------------------------------------------------------------- recovery files

    def _find_recovered(self, path: str | Path | None) -> list[recovery.Recovered]:
        return recovery.find_in_folder(self.project.folder, [FLOW_FILE, *self.project.files()])

    def open_documents(self) -> list[Document]:
        docs = list(self.project.documents.values())
        if all(doc is not self.doc for doc in docs):
            docs.append(self.doc)
        return docs

    def make_recovery(self) -> recovery.RecoveryFiles:
        return FlowRecoveryFiles(self)

    def restore(self, found: list[recovery.Recovered]) -> None:
        shown_name = self.project.name_of(self.doc.file_path)
        for r in found:
            name = self.project.name_of(r.target) or r.target.name
            try:
                doc = self.project.restore(name, r.text, r.base)
            except (TwiMLException, ValueError) as exc:
                self.push_screen(ErrorDialog("Could not restore", f"{r.path}: {exc}\n\nThe recovery file is kept."))
                continue
            if doc is not None:
                self.recovery.restored(doc)
                if name == shown_name:
                    self._set_document(doc)
            elif isinstance(self.recovery, FlowRecoveryFiles):
                self.recovery.toml_text = r.text
        self.update_title()
        if isinstance(self.screen, FlowScreen):
            self.screen.refresh_flow()

    # ---------------------------------------------------------------------------- screens

    def get_default_screen(self) -> Screen[Any]:
        return FlowScreen(self.project, saver=self.saver)

    def make_document_screen(self, doc: Document) -> DocumentScreen:
        return FlowDocumentScreen(
            doc,
            clipboard=self.node_clip,
            title_note=self._title_note,
            recovery=self.recovery,
            reopen=self.open_path,
            saver=self.saver,
        )

    def _title_note(self, doc: Document) -> str:
        others = [n for n in self.project.dirty_names() if n != self.project.name_of(doc.file_path)]
        return f"  (+{len(others)} unsaved: {', '.join(others)})" if others else ""

    def _set_document(self, doc: Document) -> None:
        """Make `doc` the document of the document screen (shown or not)."""
        self._doc = doc
        screen = self._document_screen
        if screen is None or screen.doc is doc:
            return
        if screen.is_mounted:
            screen.load_document(doc)
        else:
            screen.doc = doc

    def show_document(self, doc: Document) -> None:
        """Edit `doc` on the document screen, pushed over the map (the dialogs and the Call
        panel above the map close). The screen is installed: it keeps its place (selection,
        panes) while the map is shown, and F6 goes back to it."""
        screen = self._document_screen
        if screen is None:
            screen = self._document_screen = self.make_document_screen(doc)
            self.install_screen(screen, name="document")
        while len(self.screen_stack) > 1 and self.screen is not screen:
            self.pop_screen()
        self._set_document(doc)
        if self.screen is not screen:
            self.push_screen(screen)

    def load_document(self, doc: Document) -> None:
        """A document opened, created or restored: shown on the document screen, its views
        built afresh even when the screen already shows that Document (reopened, restored, or
        changed behind the views): `show_document` keeps the views of a document it switches
        back to, which here would be the views of the document as it was."""
        screen = self._document_screen
        again = screen is not None and screen.doc is doc
        self.show_document(doc)
        screen = self._document_screen
        if again and screen is not None and screen.is_mounted:
            screen.load_document(doc)

    # ------------------------------------------------------------------------------ the map

    def action_flow_map(self) -> None:
        """F6: the map, or from the map back to the document screen as it was left."""
        if len(self.screen_stack) > 1:
            while len(self.screen_stack) > 1:
                self.pop_screen()
            return
        self.show_document(self.doc)

    def on_flow_screen_document_chosen(self, event: FlowScreen.DocumentChosen) -> None:
        self.open_flow_document(event.name)

    def open_flow_document(self, name: str) -> bool:
        """Edit a document of the folder; its unsaved changes are kept while others are shown."""
        try:
            doc = self.project.document(name)
        except TwiMLParseError as exc:
            self.push_screen(
                ErrorDialog("Could not open the file", self.parse_error_text(self.project.folder / name, exc))
            )
            return False
        except (OSError, TwiMLException, UnicodeDecodeError) as exc:
            self.push_screen(ErrorDialog("Could not open the file", f"{name}: {exc}"))
            return False
        self.show_document(doc)
        return True

    def action_call(self) -> None:
        if isinstance(self.screen, CallScreen):
            self.screen.action_restart()
            return
        if any(isinstance(screen, CallScreen) for screen in self.screen_stack):
            while not isinstance(self.screen, CallScreen):
                self.pop_screen()
            return
        self.push_screen(CallScreen(self.project, saver=self.saver))

    # ------------------------------------------------------------------------- opening

    @work(exclusive=True, group="file")
    async def action_open(self) -> None:
        """ctrl+o: a document (of this folder: as Enter on its state; else on its own) or another
        flow folder, which replaces this one (asking first about anything unsaved)."""
        names = self.project.dirty_names()
        if self.doc.dirty and self.project.name_of(self.doc.file_path) is None:
            names.append(str(self.doc.file_path or "the untitled document"))
        initial = str(self.project.folder.resolve()) + "/"
        hint = "A TwiML file, or a flow folder (its flow.toml routes the documents)."
        path = await self.push_screen_wait(PathPrompt("Open", initial, hint, folders=True))
        if path is None:
            return
        name = self.project.name_of(path) if not path.is_dir() else None
        if name is not None:
            self.open_flow_document(name)
            return
        if names:
            choice = await self.push_screen_wait(ConfirmQuitMany(names, "you open another", self._pending(names)))
            if choice == "cancel":
                return
            if choice == "save" and await save_folder(self, self.project) is None:
                return
        if path.is_dir():
            self.open_folder(path)
        else:
            self.open_path(path)

    def open_folder(self, folder: Path) -> None:
        """Put the flow folder `folder` in place of this one: its map, its first document."""
        self.drop_all_recovery()
        self.project = FlowProject.open(folder)
        if isinstance(self.recovery, FlowRecoveryFiles):
            self.recovery.toml_text = None
        while len(self.screen_stack) > 1:
            self.pop_screen()
        base = self.screen_stack[0]
        if isinstance(base, FlowScreen):  # the map, the app's default screen, shows the new folder
            base.project = self.project
            base.map_tree.border_title = markup_escape(base.map_title())
            base.refresh_flow()
        first = self._first_document()
        if first is not None:
            with suppress(OSError, TwiMLException, UnicodeDecodeError):
                self._set_document(self.project.document(first))
        self.update_title()

    def _pending(self, names: list[str]) -> list[str]:
        """Each unsaved name with what a save does to it (deleted, renamed, new, changed)."""
        files = set(self.project.dirty_names())
        return [self.project.pending_change(name) if name in files else f"{name}: changed" for name in names]

    @work(exclusive=True, group="file")
    async def action_request_quit(self) -> None:
        await settle_keys(self)
        names = self.project.dirty_names()
        own = self.project.name_of(self.doc.file_path)
        if self.doc.dirty and own is None:
            names.append(str(self.doc.file_path or "the untitled document"))
        if not names:
            self.exit()
            return
        choice = await self.push_screen_wait(ConfirmQuitMany(names, lines=self._pending(names)))
        if choice == "discard":
            self.exit()
        elif choice == "save":
            if await save_folder(self, self.project) is None:
                return
            screen = self._document_screen
            if (
                self.doc.dirty
                and own is None
                and screen is not None
                and not await screen.save(ask=self.doc.file_path is None)
            ):
                return
            self.exit()
