"""twiml-editor: the Textual app that ties the headless Document to the views.

Widgets post intents (AttributeEdited, TextEdited, NodeChosen); this app applies them to the
Document and refreshes the views from the returned Change: the tree node by node, the form
only when its node changed under it, the preview and problems list after a short debounce.
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import partial
from pathlib import Path, PurePath
from typing import Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, Tree

from twiml.base import TwiML
from twiml.dialects import DIALECTS, profile
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.files import ReadOnlyFileError
from twiml.grammar_types import Element
from twiml.version import VersionAction
from twiml_editor import recovery
from twiml_editor.document import Change, Document, Kind
from twiml_editor.keymap import ACTIONS, KeyAction, help_rows, load_keymap, pretty_key
from twiml_editor.screens.add_element import AddElementScreen
from twiml_editor.screens.confirm import ConfirmOverwrite, ConfirmRestore, ConfirmUnsaved
from twiml_editor.screens.dialect import DialectPicker
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import ConfirmReadOnly, DiskChanged
from twiml_editor.screens.help import HelpScreen
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.templates import KindPicker, TemplatePicker
from twiml_editor.widgets.attribute_form import AttributeForm
from twiml_editor.widgets.literal import shown
from twiml_editor.widgets.messages import AttributeEdited, FieldDone, NodeChosen, TextEdited
from twiml_editor.widgets.problems import ProblemsPanel
from twiml_editor.widgets.verb_tree import VerbTree
from twiml_editor.widgets.xml_preview import XmlPreview

REFRESH_DELAY = 0.02
"""Seconds the preview and problems list wait for more edits (typing) before refreshing."""

FORM_DELAY = 0.06
"""Seconds the tree cursor must rest on a node before its form is built."""

FIRST_ROWS = 200
"""Children of the root a large document shows in the tree and the preview before its first
paint (more than any screen's height); the others are added right after it."""

SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


def freeze_heap() -> None:
    """Move every object alive now (the document tree, the widgets, the rendered lines) out of
    the collector's reach: a full collection otherwise walks all of them, hundreds of
    milliseconds at 50,000 nodes and ~100 ms even for a small document (Textual's caches), in
    the middle of typing. Called when a document is loaded or a subtree arrives, and after each
    refresh of the views; the young generations are collected first so that the cycles made
    since the last freeze are not kept. Frozen objects are still freed by reference counting."""
    gc.collect(1)
    gc.freeze()


def _bindings(actions: Iterable[KeyAction]) -> list[BindingType]:
    """Textual bindings from the action records (the footer shows those with `show`)."""
    return [Binding(a.key, a.action, a.description, show=a.show, id=a.id, priority=a.in_text) for a in actions]


def _root_name(xml: str) -> str | None:
    found = re.search(r"<([A-Za-z_][\w.:-]*)", xml)
    return found.group(1) if found else None


class EditorCommands(Provider):
    """Command palette entries for the editor actions that apply right now."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        assert isinstance(app, EditorApp)
        return app.palette_commands()

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)


class EditorApp(App[None]):
    """The TwiML flow editor."""

    TITLE = "twiml-editor"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide"), (200, "-xwide")]  # noqa: RUF012 (Textual declares it a plain attribute)
    """Below 120 columns the form and preview take turns beside the tree (F3); from 200 the
    form's labels sit beside their fields."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (as above)
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "dialogs.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = _bindings(ACTIONS)
    KEY_ACTIONS: ClassVar[tuple[KeyAction, ...]] = ACTIONS
    """The action records this app binds (a config file remaps them)."""
    COMMANDS = App.COMMANDS | {EditorCommands}

    def __init__(
        self, path: str | Path | None = None, *, config_path: Path | None = None, kind: Kind = "voice"
    ) -> None:
        super().__init__()
        self.startup_problems: list[tuple[str, str]] = []
        self.keys = self._load_keys(config_path)
        self.node_clipboard: str | None = None
        self.current: TwiML | None = None
        self._refresh_timer: Timer | None = None
        self._form_timer: Timer | None = None
        self._pending_select: TwiML | None = None
        self.refresh_count = 0
        self._recovery_versions: dict[int, int] = {}
        """id(document) -> the version last written to its recovery file (-1: a file from an
        earlier run that this run restored: removed on save or discard)."""
        self._untitled_recovery: dict[int, Path] = {}
        self.crash: tuple[BaseException, list[Path]] | None = None
        """The unexpected exception that stopped the app, and where the unsaved edits went."""
        self.doc = self._initial_document(path, kind)
        self.recovered: list[recovery.Recovered] = self._find_recovered(path)

    # ------------------------------------------------------------------ start-up

    def _load_keys(self, config_path: Path | None) -> tuple[KeyAction, ...]:
        try:
            keys = load_keymap(config_path, self.KEY_ACTIONS)
        except ValueError as exc:
            self.startup_problems.append(("Key configuration ignored in part", str(exc)))
            keys = getattr(exc, "keys", self.KEY_ACTIONS)
        self.set_keymap({k.id: k.key for k in keys})
        self.actions = {k.id: k for k in keys}
        self._action_names = {k.action for k in keys}
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
        return (
            f"{path} is not valid TwiML ({where}):\n\n{exc.message}\n\n"
            "The file was left untouched. You are editing a new document; "
            "saving asks for a file name."
        )

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield VerbTree(id="tree", element_for=self.element_for)
            yield AttributeForm(id="form", element_for=self.element_for)
            yield XmlPreview(id="preview")
        yield ProblemsPanel(id="problems")
        yield Footer()

    @property
    def tree(self) -> VerbTree:  # type: ignore[override]  # DOMNode.tree is only a debug dump of the DOM
        return self.query_one("#tree", VerbTree)

    @property
    def form(self) -> AttributeForm:
        return self.query_one("#form", AttributeForm)

    @property
    def preview(self) -> XmlPreview:
        return self.query_one("#preview", XmlPreview)

    @property
    def problems(self) -> ProblemsPanel:
        return self.query_one("#problems", ProblemsPanel)

    def on_mount(self) -> None:
        self.tree.border_title = "Flow"
        self.preview.border_title = "Preview"
        self.load_document(self.doc)
        for title, message in self.startup_problems:
            self.push_screen(ErrorDialog(title, message))
        self.offer_recovered()
        self.set_interval(recovery.AUTOSAVE_SECONDS, self.autosave, name="recovery")

    def load_document(self, doc: Document) -> None:
        """Show a whole new document (new, open, template)."""
        self.doc = doc
        self.current = None
        self.tree.load(doc.root, first=FIRST_ROWS)
        self.problems.reset()
        if self.tree.partial:  # a large document: its first screen needs only the start of the XML
            with suppress(TwiMLException):  # a document that cannot be written: the preview says why below
                self.preview.show_start(doc.pretty_start(FIRST_ROWS))
        self.select(doc.root)
        if not self.preview.partial:
            self._refresh_preview()
        self.update_title()
        self.tree.focus()
        self.schedule_refresh()  # after the first paint: the whole preview, and the problems (validating takes a while)
        self.call_after_refresh(self._after_first_paint, doc)

    def _after_first_paint(self, doc: Document) -> None:
        """What a new document needs but its first screen does not: the rest of the tree, the
        alignment of its text (for saves and edits), and the collector running again
        (`twiml_editor.__main__` pauses it for the start-up) with what is alive frozen. The rest of the
        preview comes with the problems (`schedule_refresh`)."""
        if doc is self.doc:
            self.tree.finish_loading()
            doc.source.index()
        gc.enable()
        freeze_heap()

    def element_for(self, node: TwiML) -> Element | None:
        """What `node` is in the current document's dialect (the form's fields come from it)."""
        return self.doc.element_of(node)

    def update_title(self) -> None:
        name = shown(self.doc.file_path) if self.doc.file_path else f"untitled {self.doc.kind} document"
        # the dialect before the name: a long path is cut at the end of a narrow header
        self.sub_title = ("● " if self.doc.dirty else "") + f"{self.doc.dialect_title} · {name}"

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
        """None of Textual's own palette commands: its Quit leaves without asking about unsaved
        edits, and every editor action (quit, maximise, help) is in the palette already."""
        return ()

    async def action_quit(self) -> None:
        """Textual's quit (a binding or a command that names it) asks like ctrl+q does."""
        self.action_request_quit()

    # ------------------------------------------------------------------ recovery files

    def _find_recovered(self, path: str | Path | None) -> list[recovery.Recovered]:
        if path is None or self.doc.file_path is None:
            return []
        found = recovery.find(self.doc.file_path)
        return [found] if found is not None else []

    def open_documents(self) -> list[Document]:
        """Every document with edits that a crash must not lose (the flow editor has several)."""
        return [self.doc]

    def _recovery_texts(self) -> list[tuple[Path | None, str, int]]:
        """(file, text, id of its document) for each document with unsaved edits."""
        found = []
        for doc in self.open_documents():
            if doc.dirty:
                try:
                    text = doc.file_text()
                except Exception:  # a document that cannot be written: its preview form, else nothing
                    try:
                        text = doc.to_xml()
                    except Exception:
                        continue
                found.append((doc.file_path, text, id(doc)))
        return found

    def _write_recovery(self, target: Path | None, text: str, key: int) -> Path:
        untitled = self._untitled_recovery.get(key)
        if target is None and untitled is None:
            untitled = self._untitled_recovery[key] = recovery.untitled_path()
        return recovery.write(target, text, untitled)

    def autosave(self) -> None:
        """Write the recovery file of each document edited since the last time (a timer calls
        this every few seconds: cheap when nothing changed), and remove those of documents that
        are saved, or undone back to what is on disk."""
        dirty = set()
        for doc in self.open_documents():
            key = id(doc)
            if doc.dirty:
                dirty.add(key)
                if self._recovery_versions.get(key) == doc.version:
                    continue
                for target, text, text_key in self._recovery_texts():
                    if text_key == key:
                        with suppress(OSError):
                            self._write_recovery(target, text, key)
                            self._recovery_versions[key] = doc.version
            elif key in self._recovery_versions:
                self._drop_recovery(doc)
        self.autosave_extra()

    def autosave_extra(self) -> None:
        """What else a subclass keeps in recovery files (the flow editor: flow.toml)."""

    def _drop_recovery(self, doc: Document) -> None:
        key = id(doc)
        self._recovery_versions.pop(key, None)
        recovery.remove(doc.file_path, self._untitled_recovery.pop(key, None))

    def recovery_saved(self) -> None:
        """After a save: saved documents need their recovery files no more."""
        for doc in self.open_documents():
            if not doc.dirty:
                self._drop_recovery(doc)
        self.autosave_extra()

    def drop_all_recovery(self) -> None:
        """The user saved or discarded everything (a normal quit)."""
        for doc in self.open_documents():
            self._drop_recovery(doc)

    def write_all_recovery(self) -> list[Path]:
        """Write every unsaved document now (something went wrong); returns where they went."""
        written = []
        for target, text, key in self._recovery_texts():
            try:
                written.append(self._write_recovery(target, text, key))
            except OSError:
                continue
        return written

    def offer_recovered(self) -> None:
        """Offer back the unsaved edits a crash or a kill left in recovery files."""
        if not self.recovered:
            return
        import time

        newest = max(r.mtime for r in self.recovered)
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(newest))
        names = [str(r.target) for r in self.recovered]

        def chosen(choice: str | None) -> None:
            found, self.recovered = self.recovered, []
            if choice == "discard":
                for r in found:
                    recovery.remove(r.target)
                return
            self.restore(found)

        self.push_screen(ConfirmRestore(names, when), chosen)

    def restore(self, found: list[recovery.Recovered]) -> None:
        """Show the recovered text as the document, with unsaved edits (saving writes it)."""
        for r in found:
            try:
                doc = Document.from_xml(r.text, file_path=r.target)
            except (TwiMLException, ValueError) as exc:
                self.push_screen(ErrorDialog("Could not restore", f"{r.path}: {exc}\n\nThe recovery file is kept."))
                continue
            doc.dirty = True
            self._recovery_versions[id(doc)] = -1
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

    # ------------------------------------------------------------------ selection

    def select(self, node: TwiML) -> None:
        """Make `node` the current node: tree cursor, form, preview highlight."""
        tree_node = self.tree.tree_node(node)
        if tree_node is None or tree_node.data is not node:
            # Under an ancestor never expanded (the tree adds children lazily): add the way down.
            try:
                path = self.doc.path_of(node)
            except ValueError:
                return
            self.tree.reveal([self.doc.node_at(path[:i]) for i in range(len(path))])
            tree_node = self.tree.tree_node(node)
            if tree_node is None:
                return
        parent = tree_node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self._set_current(node)
        # The tree assigns line numbers on its next refresh; until the cursor is there, stray
        # highlight events (the cursor line now showing another node) must not win.
        self._pending_select = node
        self.call_after_refresh(self._move_cursor, node)

    def _move_cursor(self, node: TwiML) -> None:
        if self._pending_select is not node:
            return
        tree_node = self.tree.tree_node(node)
        if tree_node is None:
            self._pending_select = None
            return
        before = self.tree.cursor_line
        self.tree.move_cursor(tree_node)
        if self.tree.cursor_line == before or self.tree.cursor_node is not tree_node:
            # No highlight event of this node will come: the cursor did not move, or it did not
            # land on the node (a row not laid out yet), and waiting would keep the editor busy
            # for good (every other node's highlight is ignored while a selection is pending).
            self._pending_select = None

    def _set_current(self, node: TwiML | None) -> None:
        if node is self.current:
            return
        self.current = node
        self._highlight()
        # Building a form costs a few frames: wait until the cursor rests (holding down-arrow).
        if self._form_timer is not None:
            self._form_timer.stop()
        self._form_timer = self.set_timer(FORM_DELAY, self._show_form)

    def _show_form(self) -> None:
        self._form_timer = None
        if not self.form.is_mounted or self._exit:
            return  # the timer outlived the screen (quitting)
        if self.form.node is not self.current:
            self.form.show_node(self.current)

    def _highlight(self) -> None:
        if self.preview.partial:  # the lines are highlighted once the whole XML is shown
            return
        node = self.current
        try:
            lines = self.doc.node_lines(node) if node is not None else None
        except TwiMLException:  # the document cannot be written (the preview says why)
            lines = None
        self.preview.highlight(lines)

    @on(Tree.NodeHighlighted, "#tree")
    def _tree_highlighted(self, event: Tree.NodeHighlighted[TwiML]) -> None:
        pending = self._pending_select
        if pending is not None:
            if event.node.data is not pending:
                return
            self._pending_select = None
        if event.node.data is not None:
            self._set_current(event.node.data)

    def ensure_form(self) -> None:
        """Build the current node's form now (before focusing one of its fields)."""
        if self.main_screen.maximized not in (None, self.form):
            self.main_screen.minimize()
        self.show_pane("form")
        if self._form_timer is not None:
            self._form_timer.stop()
            self._form_timer = None
        if self.form.node is not self.current:
            self.form.show_node(self.current)

    @on(VerbTree.EditRequested)
    def _edit_requested(self) -> None:
        self.show_pane("form")
        self.ensure_form()
        self.call_after_refresh(self.form.focus_first)

    @on(FieldDone)
    def _field_done(self) -> None:
        self.tree.focus()

    @on(NodeChosen)
    def _node_chosen(self, event: NodeChosen) -> None:
        if self.doc.contains(event.node):
            self.select(event.node)
            self.tree.focus()

    # ------------------------------------------------------------------ applying edits

    @on(AttributeEdited)
    def _attribute_edited(self, event: AttributeEdited) -> None:
        if not self.doc.contains(event.node):
            return  # a late message from a form whose node is gone
        try:
            change = self.doc.set_attr(event.node, event.xml_name, event.value, merge=True)
        except TwiMLException as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        # Refilling is a no-op for the field that sent the edit; it adds or drops rows for
        # unknown attributes.
        self.after_change(change, refill_form=True)

    @on(TextEdited)
    def _text_edited(self, event: TextEdited) -> None:
        if not self.doc.contains(event.node):
            return
        try:
            if event.piece is not None:
                change = self.doc.set_piece(event.node, event.piece, event.text or "", merge=True)
            else:
                change = self.doc.set_text(event.node, event.text, merge=True)
        except TwiMLException as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        self.after_change(change)

    def after_change(self, change: Change | None, *, refill_form: bool = False) -> None:
        """Bring the views in line with one Change."""
        if change is None:
            return
        doc = self.doc
        if change.kind == "replace":
            self.tree.load(doc.root)
            self.current = None
            self.select(doc.root)
            freeze_heap()
        elif change.kind in ("attr", "text"):
            node = doc.node_at(change.path)
            self.tree.relabel(node)
            if refill_form and node is self.form.node:
                self.form.refill(node)
        else:
            parents = {change.parent} if change.parent is not None else set()
            if change.old_path:
                parents.add(change.old_path[:-1])
            for parent in parents:
                self.tree.reconcile(doc.node_at(parent))
            if self.current is not None and not doc.contains(self.current):
                self._set_current(None)
            form_node = self.form.node
            if form_node is not None and doc.contains(form_node):
                self.form.refill(form_node)  # its text pieces may have moved
            if change.kind == "insert":
                freeze_heap()  # a pasted or duplicated subtree can be large
        self.update_title()
        self.schedule_refresh()

    @property
    def idle(self) -> bool:
        """No view refresh is waiting (tests and benchmarks wait for this)."""
        return self._refresh_timer is None and self._form_timer is None and self._pending_select is None

    def schedule_refresh(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        self._refresh_timer = self.set_timer(REFRESH_DELAY, self.refresh_views)

    def refresh_views(self) -> None:
        """Preview, problems list and tree problem marks for the current document state."""
        self._refresh_timer = None
        if self._exit:
            return
        self.refresh_count += 1
        self._refresh_preview()
        self._refresh_problems()
        freeze_heap()

    def _refresh_preview(self) -> None:
        try:
            self.preview.show_pretty(self.doc.pretty())
        except TwiMLException as exc:
            self.preview.show_xml(f"<!-- the document cannot be written as XML: {exc} -->\n")
        self._highlight()
        if self.preview.showing_python:
            self.refresh_python()
        else:
            self.preview.python_stale = True

    def _refresh_problems(self) -> None:
        doc = self.doc
        try:
            diagnostics = doc.diagnostics()
        except ImportError:
            diagnostics = []
        self.problems.show(diagnostics)
        worst: dict[int, str] = {}
        for d in diagnostics:
            node = getattr(d, "node", None)
            if (
                node is not None
                and not d.suppressed
                and SEVERITY_RANK.get(d.severity, 0) > SEVERITY_RANK.get(worst.get(id(node), ""), 0)
            ):
                worst[id(node)] = d.severity
        self.tree.set_severities(worst)

    def refresh_python(self) -> None:
        try:
            text = self.doc.to_python()
        except ImportError:
            text = "# The Python exporter (twiml.exporter) is not available."
        except TwiMLException as exc:
            text = f"# Cannot export: {exc}"
        self.preview.show_python(text)

    # ------------------------------------------------------------------ applicability

    def _target(self) -> TwiML:
        """The node a key acts on: the one under the tree cursor at the moment the key is handled
        (a burst like Down+Delete must not act on the node the cursor just left)."""
        pending = self._pending_select
        if pending is not None and self.doc.contains(pending):
            return pending
        cursor = self.tree.cursor_node
        node = cursor.data if cursor is not None else None
        if node is not None and node is not self.current and self.doc.contains(node):
            self._set_current(node)
        return self.current if self.current is not None else self.doc.root

    def _siblings(self, node: TwiML) -> list[TwiML]:
        parent = self.doc.parent_of(node)
        return [] if parent is None else [v for v in parent.verbs if isinstance(v, TwiML)]

    def condition(self, when: str) -> bool:
        """Whether a `KeyAction.when` condition holds now."""
        if when == "always":
            return True
        if when == "can_undo":
            return self.doc.can_undo
        if when == "can_redo":
            return self.doc.can_redo
        if when == "clipboard":
            return self.node_clipboard is not None
        node = self._target()
        if when == "not_root":
            return node is not self.doc.root
        if when in ("not_first", "not_last"):
            siblings = self._siblings(node)
            return bool(siblings) and (siblings[0] if when == "not_first" else siblings[-1]) is not node
        if when == "takes_children":
            return node.name[:1] != "#" and (self.doc.element_of(node) is None or bool(self.doc.allowed_children(node)))
        if when == "element":
            return node.name[:1] != "#"
        if when == "fixable":
            return self.problems.fixable(node) is not None
        raise ValueError(f"unknown action condition {when!r}")

    def applicable(self, action_id: str) -> bool:
        """Whether an action can do something now (the palette lists only these)."""
        record = self.actions.get(action_id)
        return record is None or self.condition(record.when)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While a dialog is open, the main screen's keys must not act behind it (a key typed
        # into a prompt never saves, opens or deletes anything).
        return not (action in self._action_names and isinstance(self.screen, ModalScreen))

    def palette_commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """Palette entries from the action records, only those that apply now."""
        commands = []
        for record in self.keys:
            if not record.palette or not self.applicable(record.id):
                continue
            method = getattr(self, f"action_{record.action}")
            commands.append((record.description.rstrip("…"), f"{pretty_key(record.key)} · {record.help}", method))
        commands.append(("New voice document", "", partial(self.new_document, "voice")))
        commands.append(("New messaging document", "", partial(self.new_document, "messaging")))
        commands.append(("New fax document", "", partial(self.new_document, "fax")))
        for name in DIALECTS:
            if name != self.doc.vendor_dialect:
                title = profile(name)
                commands.append((f"Dialect: {title.vendor} {title.title}", "", partial(self.set_dialect, name)))
        return commands

    def help_rows(self) -> list[tuple[str, str, str]]:
        """F1 help rows with the keys in effect (user overrides included)."""
        return help_rows(self.keys)

    # ------------------------------------------------------------------ dialect

    def action_switch_dialect(self) -> None:
        def chosen(name: str | None) -> None:
            if name is not None:
                self.set_dialect(name)

        self.push_screen(DialectPicker(self.doc.vendor_dialect), chosen)

    def set_dialect(self, name: str) -> None:
        """Check and edit the document as vendor `name` from now on: title, form, add-menus and
        problems follow; the document's text is not touched."""
        self.doc.set_vendor_dialect(name)
        self.update_title()
        self.tree.relabel_all()  # a TeXML <AIGather> is known in TeXML only
        if self.form.node is not None and self.doc.contains(self.form.node):
            self.form.show_node(self.form.node)  # its fields are the dialect's
        self.schedule_refresh()
        self.notify(f"Checking and editing as {self.doc.dialect_title}.")

    # ------------------------------------------------------------------ structure actions

    def _pick_element(self, where: str, parent: TwiML, then: Callable[[Element], None]) -> None:
        elements = self.doc.allowed_children(parent)

        def chosen(element: Element | None) -> None:
            if element is not None:
                then(element)

        vendor = self.doc.dialect_title if self.doc.vendor_dialect != "twilio" else ""
        self.push_screen(AddElementScreen(where, elements, vendor), chosen)

    def action_add_child(self) -> None:
        node = self._target()
        if not self.applicable("add_child"):
            self.notify(f"<{node.name}> takes no child elements.", severity="warning")
            return

        def add(element: Element) -> None:
            try:
                change, new = self.doc.add_child(node, element)
            except TwiMLException as exc:  # e.g. deeper than twiml.limits.MAX_DEPTH
                self.push_screen(ErrorDialog("Cannot add", str(exc)))
                return
            self.after_change(change)
            self.select(new)

        self._pick_element(f"inside <{node.name}>", node, add)

    def action_add_sibling(self) -> None:
        node = self._target()
        parent = self.doc.parent_of(node)
        if parent is None:
            self.notify("The root <Response> has no siblings: add a child instead (a).", severity="warning")
            return

        def add(element: Element) -> None:
            try:
                change, new = self.doc.add_sibling(node, element)
            except TwiMLException as exc:
                self.push_screen(ErrorDialog("Cannot add", str(exc)))
                return
            self.after_change(change)
            self.select(new)

        self._pick_element(f"after <{node.name}> in <{parent.name}>", parent, add)

    def _neighbour(self, node: TwiML) -> TwiML | None:
        """Node to select once `node` is gone: next sibling, else previous, else parent."""
        siblings = self._siblings(node)
        index = next(i for i, s in enumerate(siblings) if s is node)
        if index + 1 < len(siblings):
            return siblings[index + 1]
        if index > 0:
            return siblings[index - 1]
        return self.doc.parent_of(node)

    def action_delete(self) -> None:
        node = self._target()
        if node is self.doc.root:
            self.notify("The root <Response> cannot be deleted.", severity="warning")
            return
        after = self._neighbour(node)
        self.after_change(self.doc.remove(node))
        if after is not None:
            self.select(after)

    def action_duplicate(self) -> None:
        node = self._target()
        if node is self.doc.root:
            self.notify("The root <Response> cannot be duplicated.", severity="warning")
            return
        try:
            change, new = self.doc.duplicate(node)
        except TwiMLException as exc:
            self.push_screen(ErrorDialog("Cannot duplicate", str(exc)))
            return
        self.after_change(change)
        self.select(new)

    def _move(self, delta: int) -> None:
        node = self._target()
        change = self.doc.move(node, delta) if node is not self.doc.root else None
        if change is None:
            self.notify("Cannot move further.", severity="warning")
            return
        self.after_change(change)
        self.current = None
        self.select(node)

    def action_move_up(self) -> None:
        self._move(-1)

    def action_move_down(self) -> None:
        self._move(1)

    def action_copy(self) -> None:
        node = self._target()
        self.node_clipboard = self.doc.copy_subtree(node)
        self.copy_to_clipboard(self.node_clipboard)
        self.notify(f"Copied <{node.name}>.")

    def action_cut(self) -> None:
        node = self._target()
        if node is self.doc.root:
            self.notify("The root <Response> cannot be cut.", severity="warning")
            return
        after = self._neighbour(node)
        self.node_clipboard, change = self.doc.cut(node)
        self.copy_to_clipboard(self.node_clipboard)
        self.after_change(change)
        if after is not None:
            self.select(after)

    def action_paste(self) -> None:
        """Paste inside the selected node when the grammar allows it there, else after it."""
        if self.node_clipboard is None:
            self.notify("Nothing to paste: copy (c) or cut (x) a node first.", severity="warning")
            return
        node = self._target()
        name = _root_name(self.node_clipboard)
        allowed = {e.xml for e in self.doc.allowed_children(node)} if node.name[:1] != "#" else set()
        parent = self.doc.parent_of(node)
        if name in allowed or parent is None:
            target, index = node, len(node.verbs)
        else:
            target, index = parent, next(i for i, v in enumerate(parent.verbs) if v is node) + 1
        try:
            change, new = self.doc.paste(target, index, self.node_clipboard)
        except TwiMLException as exc:
            self.push_screen(ErrorDialog("Cannot paste", str(exc)))
            return
        self.after_change(change)
        self.select(new)

    def action_apply_fix(self) -> None:
        """Apply the did-you-mean fix of the problem under the problems cursor, else of the
        first problem of the selected node that has one (undoable like any edit)."""
        from twiml_editor.fixes import apply_fix, describe_fix

        chosen = self.problems.fixable(self._target())
        if chosen is None or chosen.fix is None or chosen.node is None:
            self.notify("No suggested fix here.", severity="warning")
            return
        what = describe_fix(chosen.fix, chosen.node)  # before: what it replaces
        try:
            changes, node = apply_fix(self.doc, chosen.node, chosen.fix)
        except (TwiMLException, ValueError) as exc:
            self.push_screen(ErrorDialog("Cannot apply the fix", str(exc)))
            return
        for change in changes:
            self.after_change(change, refill_form=True)
        self.notify(f"Fixed: {what} (ctrl+z undoes it).")
        self.select(node)

    def action_undo(self) -> None:
        self._history(self.doc.undo(), "undo")

    def action_redo(self) -> None:
        self._history(self.doc.redo(), "redo")

    def _history(self, change: Change | None, what: str) -> None:
        if change is None:
            self.notify(f"Nothing to {what}.", severity="warning")
            return
        self.after_change(change, refill_form=True)
        path = change.path if change.kind != "remove" else change.parent
        if path is None:
            return
        try:
            node = self.doc.node_at(path)
        except Exception:
            return
        if node is not self.current:
            self.select(node)

    def action_edit_attribute(self) -> None:
        node = self._target()
        if not self.applicable("edit_attribute"):  # a comment or processing instruction has no fields
            self.notify("A comment has no attributes: select an element.", severity="warning")
            return
        element = self.doc.element_of(node)
        items: list[tuple[str, str, str]] = []
        if (element is not None and element.body is not None and element.body.kind != "none") or element is None:
            items.append(("(text)", "the element's body text", "#text"))
        if element is not None:
            items += [
                (a.xml, f"= {node.attrs[a.xml]}" if a.xml in node.attrs else f"{a.type}  {a.doc}", a.xml)
                for a in element.attrs
            ]
        items += [
            (k, f"= {v} (not in the grammar)", k)
            for k, v in node.attrs.items()
            if element is None or element.attr(k) is None
        ]
        items.append(("(new attribute)", "add an attribute the grammar does not list", "#new"))

        def focus(name: str) -> None:
            if name == "#text":
                self.form.focus_body()
            elif name == "#new":
                self.form.focus_new_attribute()
            else:
                self.form.focus_field(name)

        def chosen(name: str | None) -> None:
            if name is not None and self.doc.contains(node):
                self.ensure_form()
                self.call_after_refresh(focus, name)

        self.push_screen(PickerScreen(f"Edit <{node.name}>", items, dialog_id="attr-picker"), chosen)

    def action_focus_tree(self) -> None:
        self.tree.focus()

    def action_toggle_preview(self) -> None:
        preview = self.preview
        preview.active = "tab-xml" if preview.showing_python else "tab-python"
        if preview.showing_python and preview.python_stale:
            self.refresh_python()

    @property
    def main_screen(self) -> Screen[Any]:
        """The editor's own screen (under any dialog)."""
        return self.screen_stack[0]

    @property
    def narrow(self) -> bool:
        """Below the width breakpoint the form and the preview share the space beside the tree."""
        return self.main_screen.has_class("-narrow")

    def show_pane(self, pane: str) -> None:
        """On a narrow screen, show "form" or "preview" beside the tree."""
        self.main_screen.set_class(pane == "preview", "-show-preview")

    def action_switch_pane(self) -> None:
        if self.narrow:
            showing_preview = self.main_screen.has_class("-show-preview")
            self.show_pane("form" if showing_preview else "preview")
            if showing_preview:
                self.ensure_form()
                self.tree.focus()
            else:
                self.preview.focus_text()
            return
        if self._focused_panel() is self.preview:
            self.tree.focus()
        else:
            self.preview.focus_text()

    def action_toggle_wrap(self) -> None:
        wrap = self.preview.toggle_wrap()
        self.notify("Preview wraps long lines." if wrap else "Preview lines are not wrapped.", timeout=2)

    def _focused_panel(self) -> Widget | None:
        focused = self.focused
        if focused is None:
            return None
        for panel in (self.tree, self.form, self.preview, self.problems):
            if focused is panel or panel in focused.ancestors:
                return panel
        return None

    def action_maximize(self) -> None:
        """Maximise the panel that has focus (the tree when none has); again restores."""
        screen = self.main_screen
        if screen.maximized is not None:
            screen.minimize()
            return
        panel = self._focused_panel() or self.tree
        if panel is self.preview and self.narrow:
            self.show_pane("preview")
        screen.maximize(panel, container=False)

    @on(TabbedContent.TabActivated, "#preview-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if self.preview.showing_python and self.preview.python_stale:
            self.refresh_python()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_rows()))

    # ------------------------------------------------------------------ file actions

    async def _confirm_discard(self, what: str) -> bool:
        """True when it is fine to drop the current document (saved, discarded, or clean)."""
        if not self.doc.dirty:
            return True
        name = self.doc.file_path.name if self.doc.file_path else "The untitled document"
        choice = await self.push_screen_wait(ConfirmUnsaved(what, name))
        if choice == "discard":
            self._drop_recovery(self.doc)
            return True
        if choice == "save":
            return await self._save(ask=self.doc.file_path is None)
        return False

    async def _save(self, ask: bool) -> bool:
        path = self.doc.file_path
        if not ask and path is not None and self.doc.disk_changed():
            choice = await self.push_screen_wait(DiskChanged(str(path)))
            if choice == "reload":
                return self.open_path(path)
            if choice == "save_as":
                ask = True
            elif choice != "overwrite":
                return False
        if ask or path is None:
            initial = str(path) if path else str(Path.cwd() / f"{self.doc.kind}_flow.xml")
            path = await self.push_screen_wait(PathPrompt("Save as", initial))
            if path is None or not await self._may_write(path, self.doc.file_path):
                return False
        return await self._write(path)

    async def _write(self, path: Path) -> bool:
        """Save to `path`, asking before replacing a read-only file. Any failure is shown in a
        dialog naming the file; the document and its edits stay as they are."""
        replace = False
        while True:
            try:
                saved = self.doc.save(path, replace_read_only=replace)
            except ReadOnlyFileError:
                if replace or not await self.push_screen_wait(ConfirmReadOnly(str(path))):
                    return False
                replace = True
                continue
            except Exception as exc:  # disk full, permissions, symlink loops, encodings: never lose the edits
                self.push_screen(
                    ErrorDialog("Not saved", f"{path}: {exc}\n\nYour edits are kept; nothing was written.")
                )
                return False
            break
        self.update_title()
        self.notify(f"Saved {saved}")
        self.recovery_saved()
        return True

    def action_reformat(self) -> None:
        """Write canonical XML (sorted attributes, two-space indentation) on the next save."""
        self.doc.reformat()
        self.update_title()
        self.schedule_refresh()
        self.notify("The next save writes the document in canonical form.")

    async def _may_write(self, path: Path, own: Path | None = None) -> bool:
        """True unless `path` is an existing file (other than `own`) the user chose not to replace."""
        if not path.is_file() or (own is not None and own.exists() and path.resolve() == own.resolve()):
            return True
        overwrite: bool = await self.push_screen_wait(ConfirmOverwrite(str(path)))
        return overwrite

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        await self._save(ask=False)

    @work(exclusive=True, group="file")
    async def action_save_as(self) -> None:
        await self._save(ask=True)

    @work(exclusive=True, group="file")
    async def action_export_python(self) -> None:
        base = self.doc.file_path.with_suffix(".py") if self.doc.file_path else Path.cwd() / f"{self.doc.kind}_flow.py"
        path = await self.push_screen_wait(
            PathPrompt(
                "Export Python to", str(base), "Writes a Python script that rebuilds this document.", suffixes=(".py",)
            )
        )
        if path is None or not await self._may_write(path):
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
        path = await self.push_screen_wait(PathPrompt("Open", initial))
        if path is not None:
            self.open_path(path)

    def open_path(self, path: Path) -> bool:
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
        if await self._confirm_discard("quit"):
            self.exit()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="twiml-editor", description="Terminal visual editor for TwiML flows.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("file", nargs="?", help="TwiML file or flow folder to open (a new voice document when omitted)")
    parser.add_argument(
        "--new",
        choices=("voice", "messaging", "fax"),
        default="voice",
        help="kind of the new document when no FILE is given",
    )
    parser.add_argument("--config", type=Path, default=None, help="key configuration file (TOML)")
    from twiml_editor import serve  # standard library only; textual-serve loads when serving

    serve.add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        sys.exit(serve.run_from_args(args))
    if args.host is not None or args.port is not None or args.no_token:
        parser.error("--host, --port and --no-token go with --serve")
    if args.file and Path(args.file).suffix.lower() == ".json":  # a Twilio Studio flow
        sys.exit(_run_studio(Path(args.file), args.config))
    if args.file and Path(args.file).is_dir():  # a flow folder: map, routes, call panel
        from twiml_editor.flow_app import FlowEditorApp

        app: EditorApp = FlowEditorApp(args.file, config_path=args.config)
    else:
        app = EditorApp(args.file, config_path=args.config, kind=args.new)
    app.run()
    # Textual prints the traceback of an unhandled exception and sets return_code to 1; a crash
    # must never look like success to the shell.
    if app.crash is not None:
        error, written = app.crash
        print(f"twiml-editor: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
        if written:
            print("Your unsaved edits were written to:", file=sys.stderr)
            for path in written:
                print(f"  {path}", file=sys.stderr)
            print("Open the same file or folder again to restore them.", file=sys.stderr)
        sys.exit(1)
    if app.return_code:
        sys.exit(app.return_code)


def _run_studio(path: Path, config: Path | None) -> int:
    """Edit a Studio flow; a file that cannot be read or is not JSON is named with its place."""
    from twiml.studio.model import StudioError
    from twiml_editor.studio_app import StudioEditorApp
    from twiml_editor.studio_project import StudioProject

    try:
        studio = StudioProject.open(path)
    except StudioError as exc:
        place = f"{path}:{exc.line}:{exc.column}" if exc.line is not None else str(path)
        print(f"twiml-editor: {place}: {exc.message}", file=sys.stderr)
        return 2
    app = StudioEditorApp(studio, config_path=config)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    main()
