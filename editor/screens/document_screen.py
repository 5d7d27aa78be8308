"""The document screen: one TwiML document on screen, and every edit of it.

Tree, form, preview and problems list; the selection; the intents the widgets post (each
defined in its widget: `AttrField.Edited`, `BodyEditor.TextEdited`, `ProblemsPanel.NodeChosen`,
...), applied to the Document; the refresh of the views from the returned Change (the tree
node by node, the form only when its node changed under it, the preview and problems list after
a short debounce); the structure and pane actions; saving (ctrl+s goes key -> this screen ->
the Document -> the writer, and the recovery file goes, with no turn through the app). Its
editing keys are its BINDINGS, built from the `KeyAction` records of scope "document": they fire
only while this screen is on top, so a dialog or the Flow view above it switches them off.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, TabbedContent, Tree

from twiml.base import TwiML
from twiml.errors import TwiMLException
from twiml.files import ReadOnlyFileError
from twiml.grammar_types import Element
from twiml_editor.disk_check import ChangedOnDisk
from twiml_editor.document import Change, Document
from twiml_editor.keymap import ACTIONS, KeyAction
from twiml_editor.recovery import RecoveryFiles
from twiml_editor.screens.add_element import AddElementScreen
from twiml_editor.screens.dialect import DialectPicker
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.file_dialogs import ConfirmReadOnly, DiskChanged, may_write
from twiml_editor.screens.key_order import settle_keys
from twiml_editor.screens.path_prompt import PathPrompt
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.selection import Selection, applies
from twiml_editor.widgets.attr_field import AttrField
from twiml_editor.widgets.attribute_form import AttributeForm, BodyEditor
from twiml_editor.widgets.literal import fitted_path
from twiml_editor.widgets.problems import ProblemsPanel
from twiml_editor.widgets.verb_tree import VerbTree
from twiml_editor.widgets.xml_preview import XmlPreview

__all__ = ["DocumentScreen", "NodeClipboard", "bindings", "freeze_heap"]

REFRESH_DELAY = 0.02
"""Seconds the preview and problems list wait for more edits (typing) before refreshing."""

FORM_DELAY = 0.06
PENDING_LIMIT = 1.0
"""Seconds a selection may wait for its tree row's highlight before it stops gating others."""
"""Seconds the tree cursor must rest on a node before its form is built."""

FIRST_ROWS = 200
"""Children of the root a large document shows in the tree and the preview before its first
paint (more than any screen's height); the others are added right after it."""

SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}

DOCUMENT_ACTIONS: dict[str, KeyAction] = {a.id: a for a in ACTIONS if a.scope == "document"}
"""The action records this screen binds (the app binds those of scope "app")."""


def freeze_heap() -> None:
    """Move every object alive now (the document tree, the widgets, the rendered lines) out of
    the collector's reach: a full collection otherwise walks all of them, hundreds of
    milliseconds at 50,000 nodes and ~100 ms even for a small document (Textual's caches), in
    the middle of typing. Called when a document is loaded or a subtree arrives, and after each
    refresh of the views; the young generations are collected first so that the cycles made
    since the last freeze are not kept. Frozen objects are still freed by reference counting."""
    gc.collect(1)
    gc.freeze()


def bindings(actions: tuple[KeyAction, ...] | list[KeyAction]) -> list[BindingType]:
    """Textual bindings from the action records (the footer shows those with `show`); the app's
    keymap (a config file's overrides) remaps them by id."""
    return [Binding(a.key, a.action, a.description, show=a.show, id=a.id, priority=a.in_text) for a in actions]


@dataclass
class NodeClipboard:
    """The subtree last cut or copied, shared by every document screen of an app (copy in one
    document of a flow, paste in another)."""

    text: str | None = None


class DocumentScreen(Screen[None]):
    """One document on screen: its views, its selection and its edits."""

    BINDINGS: ClassVar[list[BindingType]] = bindings(
        sorted(DOCUMENT_ACTIONS.values(), key=lambda a: a.id in ("save", "save_as"))
    )
    """The editing keys first in the footer, then Save (the app's keys follow)."""

    def __init__(
        self,
        doc: Document,
        *,
        clipboard: NodeClipboard | None = None,
        title_note: Callable[[Document], str] | None = None,
        recovery: RecoveryFiles | None = None,
        reopen: Callable[[Path], bool] | None = None,
    ) -> None:
        super().__init__(id="document-screen")
        self.doc = doc
        self.clipboard = clipboard if clipboard is not None else NodeClipboard()
        self.title_note = title_note
        self._fitted: tuple[tuple[Path, int], str] | None = None
        """The title's path as last fitted: each edit retitles, and fitting resolves the path."""
        """Added to the title (the flow editor: the other unsaved documents of the folder)."""
        self._typing_entry = 0
        """The typing entry of the last form edit (see `_same_entry`)."""
        self.recovery = recovery if recovery is not None else RecoveryFiles(lambda: [self.doc])
        """The app's recovery files (a save removes the saved document's)."""
        self.reopen = reopen
        """Opens a file in place of the document (the app's open): "Reload" when the file changed
        on disk."""
        self.current: TwiML | None = None
        self._refresh_timer: Timer | None = None
        self._form_timer: Timer | None = None
        self._pending_select: TwiML | None = None
        self.refresh_count = 0

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            yield VerbTree(id="tree", element_for=self.element_for)
            yield AttributeForm(id="form", element_for=self.element_for)
            yield XmlPreview(id="preview")
        yield ProblemsPanel(id="problems")
        yield Footer(compact=True)  # at 80 columns: add, delete, save, quit, help and the palette

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
        self.tree.border_title = "Document"
        self.preview.border_title = "Preview"
        self.load_document(self.doc)

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

    def update_title(self) -> None:
        doc = self.doc
        head = ("● " if doc.dirty else "") + f"{doc.dialect_title} · "
        note = self.title_note(doc) if self.title_note else ""
        # The header shows "title — sub_title" between its icon and its right end (9 cells each): a long path gives
        # way in the middle, so the file name stays on screen at 80 columns.
        room = self.app.size.width - len(f"{self.app.title} — ") - len(head) - len(note) - 18
        if doc.file_path is None:
            name = f"untitled {doc.kind} document"
        else:
            if self._fitted is None or self._fitted[0] != (doc.file_path, room):
                self._fitted = ((doc.file_path, room), fitted_path(doc.file_path, room))
            name = self._fitted[1]
        self.sub_title = head + name + note

    def on_resize(self) -> None:
        self.update_title()

    def element_for(self, node: TwiML) -> Element | None:
        """What `node` is in the document's dialect (the tree's labels and the form's fields)."""
        return self.doc.element_of(node)

    # ------------------------------------------------------------------ saving

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        await settle_keys(self.app)  # the edits of the keys typed before ctrl+s are saved too
        await self.save(ask=False)

    @work(exclusive=True, group="file")
    async def action_save_as(self) -> None:
        await self.save(ask=True)

    async def save(self, ask: bool) -> bool:
        """Save the document to its file (`ask`, or a new document: to a name the user gives);
        True when it was written. Call it from a worker: it may wait for a dialog."""
        path = self.doc.file_path
        if ask or path is None:
            initial = str(path) if path else str(Path.cwd() / f"{self.doc.kind}_flow.xml")
            path = await self.app.push_screen_wait(PathPrompt("Save as", initial))
            if path is None or not await may_write(self.app, path, self.doc.file_path):
                return False
        return await self.write(path)

    async def write(self, path: Path) -> bool:
        """Save to `path`, asking before replacing a file another program changed (the
        document's one check, `ChangedOnDisk`: reload, overwrite, save as or cancel) or a
        read-only file. Any failure is shown in a dialog naming the file; the document and its
        edits stay as they are."""
        replace = overwrite = False
        while True:
            try:
                saved = self.doc.save(path, replace_read_only=replace, overwrite=overwrite)
            except ChangedOnDisk:
                choice = await self.app.push_screen_wait(DiskChanged(str(path)))
                if choice == "reload":
                    return self.reopen(path) if self.reopen is not None else False
                if choice == "save_as":
                    return await self.save(ask=True)
                if choice != "overwrite":
                    return False
                overwrite = True
                continue
            except ReadOnlyFileError:
                if replace or not await self.app.push_screen_wait(ConfirmReadOnly(str(path))):
                    return False
                replace = True
                continue
            except Exception as exc:  # disk full, permissions, symlink loops, encodings: never lose the edits
                self.app.push_screen(
                    ErrorDialog("Not saved", f"{path}: {exc}\n\nYour edits are kept; nothing was written.")
                )
                return False
            break
        if self.is_mounted:
            self.update_title()
        self.notify(f"Saved {saved}")
        self.recovery.saved()
        return True

    # ------------------------------------------------------------------ dialect

    def action_switch_dialect(self) -> None:
        def chosen(name: str | None) -> None:
            if name is not None:
                self.set_dialect(name)

        self.app.push_screen(DialectPicker(self.doc.dialect), chosen)

    def set_dialect(self, name: str) -> None:
        """Check and edit the document as vendor `name` from now on: title, tree labels, form,
        add-menus and problems follow; the document's text is not touched."""
        self.doc.set_dialect(name)
        self.update_title()
        self.tree.relabel_all()  # a TeXML <AIGather> is known in TeXML only
        if self.form.node is not None and self.doc.contains(self.form.node):
            self.form.show_node(self.form.node)  # its fields are the dialect's
        self.schedule_refresh()
        self.notify(f"Checking and editing as {self.doc.dialect_title}.")

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
        # The highlight may never come (the cursor move deferred behind a dialog, a row laid out
        # late): a pending selection must not keep the editor busy and its highlights ignored.
        self.set_timer(PENDING_LIMIT, lambda: self._drop_pending(node))

    def _drop_pending(self, node: TwiML) -> None:
        if self._pending_select is node:
            self._pending_select = None

    def _move_cursor(self, node: TwiML) -> None:
        if self._pending_select is not node:
            return
        tree_node = self.tree.tree_node(node)
        if tree_node is None:
            self._pending_select = None
            return
        # Rows just added or expanded get their line numbers when the tree builds its lines,
        # which Textual otherwise leaves for an idle moment (a loaded machine may have none
        # yet): build them now, so the cursor lands on the node instead of a stale line.
        _ = self.tree.last_line
        before = self.tree.cursor_line
        was = self.tree.get_node_at_line(before) if before >= 0 else None
        self.tree.move_cursor(tree_node)
        # Textual posts NodeHighlighted only when the row at the old cursor line differs from
        # the new one: a stale cursor line that now indexes this very row gives no event.
        if self.tree.cursor_line == before or self.tree.cursor_node is not tree_node or was is tree_node:
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
        if not self.form.is_mounted or self.app._exit:
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
        if self.maximized not in (None, self.form):
            self.minimize()
        self.show_pane("form")
        if self._form_timer is not None:
            self._form_timer.stop()
            self._form_timer = None
        if self.form.node is not self.current:
            self.form.show_node(self.current)

    def on_verb_tree_edit_requested(self, event: VerbTree.EditRequested) -> None:
        event.stop()
        self.show_pane("form")
        self.ensure_form()
        self.call_after_refresh(self.form.focus_first)

    def on_attr_field_done(self, event: AttrField.Done) -> None:
        event.stop()
        self.tree.focus()

    def on_body_editor_done(self, event: BodyEditor.Done) -> None:
        event.stop()
        self.tree.focus()

    def on_problems_panel_node_chosen(self, event: ProblemsPanel.NodeChosen) -> None:
        event.stop()
        if self.doc.contains(event.node):
            self.select(event.node)
            self.tree.focus()

    # ------------------------------------------------------------------ applying edits

    def on_attr_field_edited(self, event: AttrField.Edited) -> None:
        event.stop()  # applied here: the edit goes screen -> document, never through the app
        self._set_attribute(event.node, event.xml_name, event.value, event.entry)

    def on_attribute_form_attribute_added(self, event: AttributeForm.AttributeAdded) -> None:
        event.stop()
        self._set_attribute(event.node, event.xml_name, event.value)

    def _set_attribute(self, node: TwiML, xml_name: str, value: str | None, entry: int = 0) -> None:
        if not self.doc.contains(node):
            return  # a late message from a form whose node is gone
        try:
            change = self.doc.set_attr(node, xml_name, value, merge=self._same_entry(entry))
        except TwiMLException as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        # Refilling is a no-op for the field that sent the edit; it adds or drops rows for
        # unknown attributes.
        self.after_change(change, refill_form=True)

    def on_body_editor_text_edited(self, event: BodyEditor.TextEdited) -> None:
        event.stop()
        if not self.doc.contains(event.node):
            return
        try:
            merge = self._same_entry(event.entry)
            if event.piece is not None:
                change = self.doc.set_piece(event.node, event.piece, event.text or "", merge=merge)
            else:
                change = self.doc.set_text(event.node, event.text, merge=merge)
        except TwiMLException as exc:
            self.notify(str(exc), title="Not applied", severity="error")
            return
        self.after_change(change)

    def _same_entry(self, entry: int) -> bool:
        """Whether an edit from typing `entry` folds into the previous edit: only while the user
        stays in the field (the document also checks it is the same attribute or text)."""
        same = entry != 0 and entry == self._typing_entry
        self._typing_entry = entry
        return same

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
        if self.app._exit:
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

    def selection(self) -> Selection:
        """The headless selection the `KeyAction.when` predicates look at."""
        return Selection(
            self.doc,
            self._target(),
            self.clipboard.text,
            fixable=lambda node: self.problems.fixable(node) is not None,
        )

    def condition(self, when: str) -> bool:
        """Whether a `KeyAction.when` condition holds now."""
        return applies(when, self.selection())

    def applicable(self, action_id: str) -> bool:
        """Whether an action can do something now (the palette lists only these)."""
        record = DOCUMENT_ACTIONS.get(action_id)
        return record is None or self.condition(record.when)

    # ------------------------------------------------------------------ structure actions

    def _pick_element(self, where: str, parent: TwiML, then: Callable[[Element], None]) -> None:
        elements = self.doc.allowed_children(parent)

        def chosen(element: Element | None) -> None:
            if element is not None:
                then(element)

        vendor = self.doc.dialect_title if self.doc.dialect != "twilio" else ""
        self.app.push_screen(AddElementScreen(where, elements, vendor), chosen)

    def action_add_child(self) -> None:
        node = self._target()
        if not self.applicable("add_child"):
            self.notify(f"<{node.name}> takes no child elements.", severity="warning")
            return

        def add(element: Element) -> None:
            try:
                change, new = self.doc.add_child(node, element)
            except TwiMLException as exc:  # e.g. deeper than twiml.limits.MAX_DEPTH
                self.app.push_screen(ErrorDialog("Cannot add", str(exc)))
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
                self.app.push_screen(ErrorDialog("Cannot add", str(exc)))
                return
            self.after_change(change)
            self.select(new)

        self._pick_element(f"after <{node.name}> in <{parent.name}>", parent, add)

    def action_delete(self) -> None:
        node = self._target()
        if node is self.doc.root:
            self.notify("The root <Response> cannot be deleted.", severity="warning")
            return
        after = self.doc.neighbour(node)
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
            self.app.push_screen(ErrorDialog("Cannot duplicate", str(exc)))
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
        self.clipboard.text = self.doc.copy_subtree(node)
        self.app.copy_to_clipboard(self.clipboard.text)
        self.notify(f"Copied <{node.name}>.")

    def action_cut(self) -> None:
        node = self._target()
        if node is self.doc.root:
            self.notify("The root <Response> cannot be cut.", severity="warning")
            return
        after = self.doc.neighbour(node)
        self.clipboard.text, change = self.doc.cut(node)
        self.app.copy_to_clipboard(self.clipboard.text)
        self.after_change(change)
        if after is not None:
            self.select(after)

    def action_paste(self) -> None:
        """Paste inside the selected node when the grammar allows it there, else after it."""
        if self.clipboard.text is None:
            self.notify("Nothing to paste: copy (c) or cut (x) a node first.", severity="warning")
            return
        node = self._target()
        target, index = self.doc.paste_target(node, self.clipboard.text)
        try:
            change, new = self.doc.paste(target, index, self.clipboard.text)
        except TwiMLException as exc:
            self.app.push_screen(ErrorDialog("Cannot paste", str(exc)))
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
            self.app.push_screen(ErrorDialog("Cannot apply the fix", str(exc)))
            return
        for change in changes:
            self.after_change(change, refill_form=True)
        self.notify(f"Fixed: {what} (ctrl+z undoes it).")
        self.select(node)

    def action_reformat(self) -> None:
        """Write canonical XML (sorted attributes, two-space indentation) on the next save."""
        self.doc.reformat()
        self.update_title()
        self.schedule_refresh()
        self.notify("The next save writes the document in canonical form.")

    @work(group="history")
    async def action_undo(self) -> None:
        await settle_keys(self.app)  # the edit a key just before ctrl+z made is the one undone
        self.undo()

    @work(group="history")
    async def action_redo(self) -> None:
        await settle_keys(self.app)
        self.redo()

    def undo(self) -> None:
        """Undo this document's last edit (the flow editor walks the flow's history instead)."""
        self._history(self.doc.undo(), "undo")

    def redo(self) -> None:
        self._history(self.doc.redo(), "redo")

    def history_step(self, change: Change | None, what: str) -> None:
        """Show an undo or redo of this document made elsewhere (the flow's one history)."""
        self._history(change, what)

    def _history(self, change: Change | None, what: str) -> None:
        if change is None:
            self.notify(f"Nothing to {what}.", severity="warning")
            return
        self.after_change(change, refill_form=True)
        node = self.doc.landing(change)  # the node the edit touched, never the root for no reason
        if node is not None and node is not self.current:
            self.select(node)

    def action_edit_attribute(self) -> None:
        node = self._target()
        if not self.applicable("edit_attribute"):  # a comment or processing instruction has no fields
            self.notify("A comment has no attributes: select an element.", severity="warning")
            return
        items = self.doc.attribute_rows(node)

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

        self.app.push_screen(PickerScreen(f"Edit <{node.name}>", items, dialog_id="attr-picker"), chosen)

    def action_focus_tree(self) -> None:
        self.tree.focus()

    def action_toggle_preview(self) -> None:
        preview = self.preview
        preview.active = "tab-xml" if preview.showing_python else "tab-python"
        if preview.showing_python and preview.python_stale:
            self.refresh_python()

    @property
    def narrow(self) -> bool:
        """Below the width breakpoint the form and the preview share the space beside the tree."""
        return self.has_class("-narrow")

    def show_pane(self, pane: str) -> None:
        """On a narrow screen, show "form" or "preview" beside the tree."""
        self.set_class(pane == "preview", "-show-preview")

    def action_switch_pane(self) -> None:
        if self.narrow:
            showing_preview = self.has_class("-show-preview")
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
        screen = self
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
