"""twiml-editor: the Textual app around the document screen.

The app keeps what is not one document's: the keys (a config file's overrides), the command
palette and F1 help, files (open, new, export), the dialogs about them, and the recovery files'
timer. Editing and saving live in `DocumentScreen` (its keys are its bindings, the Change of each
edit refreshes its views, ctrl+s writes its document); `get_default_screen()` returns it. The flow editor (`flow_app`) starts on
the Flow view instead and pushes a document screen for the document chosen there.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen

from twiml.base import TwiML
from twiml.dialects import DIALECTS, profile
from twiml.errors import TwiMLException, TwiMLParseError
from twiml_editor import recovery
from twiml_editor.document import Document, Kind
from twiml_editor.keymap import ACTIONS, KeyAction, help_rows, load_keymap, pretty_key
from twiml_editor.screens.confirm import ConfirmRestore, ConfirmUnsaved
from twiml_editor.screens.document_screen import DocumentScreen, NodeClipboard, bindings, freeze_heap
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import may_write
from twiml_editor.screens.help import HelpScreen
from twiml_editor.screens.key_order import KeyRouter, settle_keys
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.screens.templates import KindPicker, TemplatePicker
from twiml_editor.widgets.attribute_form import AttributeForm
from twiml_editor.widgets.lists import EditorCommandPalette
from twiml_editor.widgets.literal import shown
from twiml_editor.widgets.problems import ProblemsPanel
from twiml_editor.widgets.verb_tree import VerbTree
from twiml_editor.widgets.xml_preview import XmlPreview

__all__ = ["EditorApp", "app_bindings", "freeze_heap"]


def app_bindings(actions: Iterable[KeyAction]) -> list[BindingType]:
    """The bindings an app holds itself: the records of scope "app" (the document screen binds
    the others)."""
    return bindings([a for a in actions if a.scope == "app"])


class EditorApp(App[None]):
    """The TwiML flow editor."""

    TITLE = "twiml-editor"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (200, "-xwide")]  # noqa: RUF012 (Textual declares it a plain attribute)
    """Below 120 columns the form and preview take turns beside the tree (F3); from 200 the
    form's labels sit beside their fields."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (as above)
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "dialogs.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = app_bindings(ACTIONS)
    KEY_ACTIONS: ClassVar[tuple[KeyAction, ...]] = ACTIONS
    """The action records of this app and its screens (a config file remaps them)."""

    def __init__(
        self, path: str | Path | None = None, *, config_path: Path | None = None, kind: Kind = "voice"
    ) -> None:
        super().__init__()
        self.startup_problems: list[tuple[str, str]] = []
        self.keys = self._load_keys(config_path)
        self.node_clip = NodeClipboard()
        self._document_screen: DocumentScreen | None = None
        self.recovery = self.make_recovery()
        self.open_next: Path | None = None
        """The flow folder the user opened (ctrl+o): this app exits and `twiml_editor.__main__`
        continues in the flow editor on it, as `twiml-editor FOLDER` starts."""
        self.crash: tuple[BaseException, list[Path]] | None = None
        """The unexpected exception that stopped the app, and where the unsaved edits went."""
        self._doc = self._initial_document(path, kind)
        self.recovered: list[recovery.Recovered] = self._find_recovered(path)
        self.key_router = KeyRouter(self)
        """Hands the app each key once the one before it has been handled (`key_order`)."""

    # ------------------------------------------------------------------ start-up

    def _load_keys(self, config_path: Path | None) -> tuple[KeyAction, ...]:
        try:
            keys = load_keymap(config_path, self.KEY_ACTIONS)
        except ValueError as exc:
            self.startup_problems.append(("Key configuration ignored in part", str(exc)))
            keys = getattr(exc, "keys", self.KEY_ACTIONS)
        self.set_keymap({k.id: k.key for k in keys})
        self._app_actions = {k.action for k in keys if k.scope == "app"}
        return tuple(keys)

    def _initial_document(self, path: str | Path | None, kind: Kind) -> Document:
        if path is None:
            return Document.new(kind)
        try:
            return Document.open(path)
        except TwiMLParseError as exc:
            self.startup_problems.append(("Could not open the file", self.parse_error_text(Path(path), exc)))
        except FileNotFoundError:
            doc = Document.new(kind)
            doc.file_path = Path(path)  # a new file: saving creates it
            self.startup_problems.append(("New file", f"{path} does not exist yet; it is created when you save."))
            return doc
        except (OSError, TwiMLException, UnicodeDecodeError) as exc:
            self.startup_problems.append(("Could not open the file", f"{path}: {exc}"))
        return Document.new(kind)

    @staticmethod
    def parse_error_text(path: Path, exc: TwiMLParseError) -> str:
        where = f"line {exc.line}, column {exc.column}" if exc.line is not None else "unknown position"
        # Further syntax errors, each at its own place (the first few: the dialog is small).
        more = "".join(f"Also line {e.line}, column {e.column}: {e.message}\n" for e in exc.more[:5])
        if more:
            more += "\n"
        return (
            f"{path} is not valid TwiML ({where}):\n\n{exc.message}\n\n{more}"
            "The file was left untouched. You are editing a new document; "
            "saving asks for a file name."
        )

    # ------------------------------------------------------------------ screens

    def make_document_screen(self, doc: Document) -> DocumentScreen:
        """A document screen for `doc`, sharing this app's node clipboard and recovery files."""
        return DocumentScreen(doc, clipboard=self.node_clip, recovery=self.recovery, reopen=self.open_path)

    def get_default_screen(self) -> Screen[Any]:
        self._document_screen = self.make_document_screen(self._doc)
        return self._document_screen

    @property
    def document_screen(self) -> DocumentScreen:
        """The screen editing the document (under any dialog or the Flow view)."""
        screen = self._document_screen
        if screen is None:
            raise RuntimeError("no document screen yet: the app is not running")
        return screen

    @property
    def doc(self) -> Document:
        """The document being edited (the document screen's)."""
        screen = self._document_screen
        return screen.doc if screen is not None else self._doc

    # Thin forwards to the document screen: the tests' entry points (one release).

    @property
    def tree(self) -> VerbTree:  # type: ignore[override]  # DOMNode.tree is only a debug dump of the DOM
        return self.document_screen.tree

    @property
    def form(self) -> AttributeForm:
        return self.document_screen.form

    @property
    def preview(self) -> XmlPreview:
        return self.document_screen.preview

    @property
    def problems(self) -> ProblemsPanel:
        return self.document_screen.problems

    @property
    def current(self) -> TwiML | None:
        return self.document_screen.current

    @property
    def node_clipboard(self) -> str | None:
        return self.node_clip.text

    @node_clipboard.setter
    def node_clipboard(self, text: str | None) -> None:
        self.node_clip.text = text

    @property
    def idle(self) -> bool:
        """No view refresh is waiting on the document screen (tests and benchmarks wait for this)."""
        screen = self._document_screen
        return screen is None or not screen.is_mounted or screen.idle

    async def on_event(self, event: events.Event) -> None:
        """Keys and pastes from the terminal go through the key router: a burst acts as if
        typed slowly (the keys after one that opens a screen reach that screen)."""
        if isinstance(event, (events.Key, events.Paste)) and KeyRouter.routes(event):
            await self.key_router.take(event, super().on_event)
            return
        await super().on_event(event)

    def on_mount(self) -> None:
        for title, message in self.startup_problems:
            self.push_screen(ErrorDialog(title, message))
        self.offer_recovered()
        self.set_interval(recovery.AUTOSAVE_SECONDS, self.autosave, name="recovery")
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        """The collector runs again (`twiml_editor.__main__` pauses it for the start-up), with
        what is alive frozen, whichever screen came first (a document, the Flow view)."""
        gc.enable()
        freeze_heap()

    def load_document(self, doc: Document) -> None:
        """Show a whole new document (new, open, template) on the document screen."""
        self._doc = doc
        self.document_screen.load_document(doc)

    def update_title(self) -> None:
        """The document screen's title (after a save or a restore)."""
        screen = self._document_screen
        if screen is not None and screen.is_mounted:
            screen.update_title()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: Any = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """A toast that shows its text literally: messages carry file names, values and
        errors, never markup (`[/x]` in a value must not crash, `[bold]` must stay visible)."""
        super().notify(shown(message), title=shown(title), severity=severity, timeout=timeout, markup=False)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The command palette's entries: the editor's actions that apply now (from the action
        records, with their keys), and none of Textual's own: its Quit leaves without asking
        about unsaved edits, and every editor action (quit, maximise, help) is here already."""
        for title, help_text, callback in self.palette_commands():
            yield SystemCommand(title, help_text, callback)

    def action_command_palette(self) -> None:
        """Textual's palette, with PageUp/PageDown before its first layout a no-op (ctrl+p
        PageDown in one read of the terminal raised `KeyError: 0` in Textual's list)."""
        if self.use_command_palette and self.screen.id != EditorCommandPalette.ID:
            self.push_screen(EditorCommandPalette(id=EditorCommandPalette.ID))

    async def action_quit(self) -> None:
        """Textual's quit (a binding or a command that names it) asks like ctrl+q does."""
        self.action_request_quit()

    # ------------------------------------------------------------------ recovery files

    def _find_recovered(self, path: str | Path | None) -> list[recovery.Recovered]:
        if path is None or self.doc.file_path is None:
            return []
        found = recovery.find(self.doc.file_path)
        return [found] if found is not None else []

    def make_recovery(self) -> recovery.RecoveryFiles:
        return recovery.RecoveryFiles(self.open_documents)

    def open_documents(self) -> list[Document]:
        """Every document with edits that a crash must not lose (the flow editor has several)."""
        return [self.doc]

    def autosave(self) -> None:
        """The recovery files' timer (every few seconds: cheap when nothing changed)."""
        self.recovery.autosave()

    def drop_all_recovery(self) -> None:
        """The user saved or discarded everything (a normal quit)."""
        self.recovery.drop_all()

    def write_all_recovery(self) -> list[Path]:
        """Write every unsaved document now (something went wrong); returns where they went."""
        return self.recovery.write_all()

    def offer_recovered(self) -> None:
        """Offer back the unsaved edits a crash or a kill left in recovery files."""
        if not self.recovered:
            return
        import time

        newest = max(r.mtime for r in self.recovered)
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(newest))
        names = [str(r.target) for r in self.recovered]
        changed = [str(r.target) for r in self.recovered if r.disk_changed]

        def chosen(choice: str | None) -> None:
            found, self.recovered = self.recovered, []
            if choice == "discard":
                for r in found:
                    recovery.remove(r.target)
                return
            self.restore(found)

        self.push_screen(ConfirmRestore(names, when, changed), chosen)

    def restore(self, found: list[recovery.Recovered]) -> None:
        """Show the recovered text as the document, with unsaved edits (saving writes it)."""
        for r in found:
            try:
                doc = Document.from_xml(r.text, file_path=r.target)
            except (TwiMLException, ValueError) as exc:
                self.push_screen(ErrorDialog("Could not restore", f"{r.path}: {exc}\n\nThe recovery file is kept."))
                continue
            doc.based_on(r.base)  # what the edits started from: a save over a later change asks
            doc.dirty = True
            self.recovery.restored(doc)
            self.load_document(doc)

    def _handle_exception(self, error: Exception) -> None:
        """Anything unexpected: first put every unsaved edit into its recovery file, then let
        Textual stop the app (exit status 1); `main` says where the edits are."""
        if self.crash is None:
            try:
                written = self.write_all_recovery()
            except Exception:
                written = []
            self.crash = (error, written)
        super()._handle_exception(error)

    def exit(self, result: None = None, return_code: int = 0, message: Any = None) -> None:
        if self.crash is None and return_code == 0:
            self.drop_all_recovery()  # quitting: everything was saved or discarded
        super().exit(result, return_code, message)

    # ------------------------------------------------------------------ keys, palette, help

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a dialog is open, the app's keys must not act behind it (a key typed into a
        # prompt never saves, opens or quits); the screens' keys need no such rule: only the
        # screen on top gets them.
        return not (action in self._app_actions and isinstance(self.screen, ModalScreen))

    @property
    def base_screen(self) -> Screen[Any]:
        """The screen the user works on: the top one that is not a dialog (nor the palette)."""
        return next(s for s in reversed(self.screen_stack) if not isinstance(s, ModalScreen))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """Palette entries from the action records, only those that apply now: the app's, and
        those the screen the user works on binds (the document screen's when they apply, the
        flow map's save)."""
        base = self.base_screen
        bound = {b.id for b in getattr(base, "BINDINGS", []) if isinstance(b, Binding)}
        commands = []
        for record in self.keys:
            if not record.palette:
                continue
            target: object = self
            if record.scope != "app":
                if isinstance(base, DocumentScreen) and not base.applicable(record.id):
                    continue
                if not isinstance(base, DocumentScreen) and record.id not in bound:
                    continue
                target = base
            method = getattr(target, f"action_{record.action}", None)
            if method is None:
                continue
            commands.append((record.description.rstrip("…"), f"{pretty_key(record.key)} · {record.help}", method))
        commands.append(("New voice document", "", partial(self.new_document, "voice")))
        commands.append(("New messaging document", "", partial(self.new_document, "messaging")))
        commands.append(("New fax document", "", partial(self.new_document, "fax")))
        if isinstance(base, DocumentScreen):
            for name in DIALECTS:
                if name != base.doc.dialect:
                    p = profile(name)
                    commands.append((f"Dialect: {p.vendor} {p.title}", "", partial(base.set_dialect, name)))
        return commands

    def help_rows(self) -> list[tuple[str, str, str]]:
        """F1 help rows with the keys in effect (user overrides included)."""
        return help_rows(self.keys)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_rows()))

    # ------------------------------------------------------------------ file actions

    async def _confirm_discard(self, what: str) -> bool:
        """True when it is fine to drop the current document (saved, discarded, or clean)."""
        screen = self._document_screen
        if not self.doc.dirty or screen is None:
            return True
        name = self.doc.file_path.name if self.doc.file_path else "The untitled document"
        choice = await self.push_screen_wait(ConfirmUnsaved(what, name))
        if choice == "discard":
            self.recovery.drop(self.doc)
            return True
        if choice == "save":
            return await screen.save(ask=self.doc.file_path is None)
        return False

    @work(exclusive=True, group="file")
    async def action_export_python(self) -> None:
        base = self.doc.file_path.with_suffix(".py") if self.doc.file_path else Path.cwd() / f"{self.doc.kind}_flow.py"
        path = await self.push_screen_wait(
            PathPrompt(
                "Export Python to", str(base), "Writes a Python script that rebuilds this document.", suffixes=(".py",)
            )
        )
        if path is None or not await may_write(self, path):
            return
        try:
            written = self.doc.export_python(path)
        except (OSError, TwiMLException, ImportError) as exc:
            self.push_screen(ErrorDialog("Not exported", f"{path}: {exc}"))
            return
        self.notify(f"Exported {written}")

    @work(exclusive=True, group="file")
    async def action_open(self) -> None:
        if not await self._confirm_discard("open another file"):
            return
        initial = str(self.doc.file_path.parent) + "/" if self.doc.file_path else str(Path.cwd()) + "/"
        hint = "A TwiML file, or a flow folder (the flow editor opens it)."
        path = await self.push_screen_wait(PathPrompt("Open", initial, hint, folders=True))
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
        """Show the file `path` in place of the document (asked about already). A folder is a
        flow folder: this app exits, handing it on to the flow editor (`open_next`)."""
        if path.is_dir():
            self.open_next = path
            self.exit()
            return True
        try:
            doc = Document.open(path)
        except TwiMLParseError as exc:
            self.push_screen(
                ErrorDialog(
                    "Could not open the file",
                    self.parse_error_text(path, exc).replace(
                        "You are editing a new document; saving asks for a file name.",
                        "Your current document is unchanged.",
                    ),
                )
            )
            return False
        except Exception as exc:  # any failure leaves the current document as it is
            self.push_screen(ErrorDialog("Could not open the file", f"{path}: {exc}"))
            return False
        self.load_document(doc)
        return True

    @work(exclusive=True, group="file")
    async def action_new(self) -> None:
        if not await self._confirm_discard("start a new document"):
            return
        kind = await self.push_screen_wait(KindPicker())
        if kind is not None:
            self.load_document(Document.new(kind))

    @work(exclusive=True, group="file")
    async def new_document(self, kind: Kind) -> None:
        if await self._confirm_discard("start a new document"):
            self.load_document(Document.new(kind))

    @work(exclusive=True, group="file")
    async def action_new_from_template(self) -> None:
        if not await self._confirm_discard("start from a template"):
            return
        path = await self.push_screen_wait(TemplatePicker())
        if path is None:
            return
        try:
            doc = Document.from_xml(path.read_text(encoding="utf-8"))  # untitled: never overwrite the template
        except (OSError, TwiMLException) as exc:
            self.push_screen(ErrorDialog("Could not read the template", f"{path}: {exc}"))
            return
        self.load_document(doc)

    @work(exclusive=True, group="file")
    async def action_request_quit(self) -> None:
        await settle_keys(self)
        if await self._confirm_discard("quit"):
            self.exit()
