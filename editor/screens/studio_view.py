"""The Flow view on a Studio flow (`twiml-editor flow.json`): the map of widgets and transitions,
the highlighted widget's transitions (in the routes list) and its form, and the validator's findings.

It is the flow folder's FlowScreen with Studio meanings for its keys: a adds a widget, c a split
condition, t re-links a transition, d removes a condition (or unlinks an event), n renames and x
removes a widget. Every change goes through the app's StudioProject (undo with ctrl+z).
The Call panel (F5) is the folder's CallScreen over the Studio runner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree
from textual.widgets.option_list import Option

from twiml.base import TwiML
from twiml.errors import TwiMLException
from twiml.simulator import Options, Session
from twiml.simulator.events import Verb
from twiml.simulator.transport import Reply, Request
from twiml.studio.widgets import OPERATORS, WIDGETS
from twiml.textsafe import printable
from twiml_editor.flow_project import MapRow
from twiml_editor.screens.call_screen import CallScreen
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.flow_view import FlowScreen
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.text_prompt import TextPrompt
from twiml_editor.studio_project import describe_transition, studio_rows
from twiml_editor.widgets.lists import PagedOptionList
from twiml_editor.widgets.studio_form import StudioForm, parse_field
from twiml_editor.widgets.verb_tree import VerbTree

if TYPE_CHECKING:
    from twiml_editor.studio_project import StudioProject

__all__ = ["StudioCallScreen", "StudioScreen"]

_END = "\x00end"


class StudioMap(Tree[MapRow]):
    """The map; enter opens the highlighted widget's form."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "screen.edit_form", "Edit", show=False)]


class StudioScreen(FlowScreen):
    """Map, transitions, form and findings of the open Studio flow."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add_route", "Add widget"),
        Binding("r", "add_route", "Add widget", show=False),
        Binding("c", "add_case", "Add condition"),
        Binding("t", "set_target", "Link"),
        Binding("d", "delete_route", "Unlink", show=False),
        Binding("n", "rename_document", "Rename", show=False),
        Binding("x", "delete_document", "Remove widget", show=False),
        Binding("e", "edit_form", "Edit", show=False),
        Binding("escape", "focus_map", "Back to map", show=False),
    ]

    def __init__(self, studio: StudioProject) -> None:
        Screen.__init__(self, id="flow-screen")
        self.studio = studio
        self.rows: list[MapRow] = []
        self.selected: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="flow-main"):
            yield StudioMap("map", id="flow-map")
            with Vertical(id="flow-side"):
                yield PagedOptionList(id="flow-routes")
                yield StudioForm(id="studio-form")
                yield Static("", id="flow-problems", markup=False)
        yield Footer(compact=True)  # at 80 columns: add, delete, save, quit, help and the palette

    @property
    def form(self) -> StudioForm:
        return self.query_one("#studio-form", StudioForm)

    def map_title(self) -> str:
        return printable(f"Flow map — {self.studio.name}")

    def on_mount(self) -> None:
        """Runs before FlowScreen's (which titles the panes, draws the map and focuses it)."""
        self.form.border_title = "Widget"
        if self.studio.flow.states:
            self.select_widget(self.studio.flow.states[0].name)

    # ------------------------------------------------------------------------------ views

    def refresh_flow(self, rebuild_form: bool = False) -> None:
        """Rebuild the map, the transitions and the findings from the project; the form only when
        asked (a field being typed in keeps its cursor)."""
        from twiml.studio.validate import validate_flow

        studio = self.studio
        if self.selected is not None and self.selected not in studio.flow.by_name:
            self.selected = None
            rebuild_form = True
        self.rows = studio_rows(studio.flow)
        self.draw_map()
        tree = self.map_tree
        cursor: int | None = None
        for line, row in enumerate(self.rows):
            if row.state == self.selected and not row.back:
                cursor = line
                break
        if cursor is not None:
            tree.cursor_line = cursor
        self._show_transitions()
        if self.selected is None:
            self.routes.border_title = "Transitions"
        lines = [d.format(studio.name) for d in validate_flow(studio.flow) if d.severity != "info"]
        if studio.dirty:
            lines.append(f"unsaved: {studio.name} (ctrl+s saves)")
        self.query_one("#flow-problems", Static).update("\n".join(lines) or "No problems.")
        self.sub_title = str(studio.path)
        if rebuild_form:
            self._show_form()

    def _show_transitions(self) -> None:
        routes = self.routes
        keep = routes.highlighted
        routes.clear_options()
        state = self.studio.flow.by_name.get(self.selected or "")
        if state is None:
            return
        routes.border_title = printable(f"Transitions of {state.name}")
        routes.add_options(Option(describe_transition(state, i), id=str(i)) for i in range(len(state.transitions)))
        if keep is not None and routes.option_count:
            routes.highlighted = min(keep, routes.option_count - 1)

    @work(exclusive=True, group="studio-form")
    async def _show_form(self) -> None:
        state = self.studio.flow.by_name.get(self.selected or "")
        if state is not None:
            await self.form.show(state.name, state.type, state.properties)

    def select_widget(self, name: str) -> None:
        """Show `name`'s transitions and form (the map's cursor follows)."""
        if name == self.selected:
            return
        self.selected = name
        self.routes.highlighted = None
        self._show_transitions()
        self._show_form()

    @on(Tree.NodeHighlighted, "#flow-map")
    def _highlighted(self, event: Tree.NodeHighlighted[MapRow]) -> None:
        row = event.node.data
        if row is not None and row.state:
            self.select_widget(row.state)

    @on(Tree.NodeSelected, "#flow-map")
    def _open(self, event: Tree.NodeSelected[MapRow]) -> None:
        event.stop()  # enter on the map is StudioMap's `edit_form`

    def action_focus_map(self) -> None:
        """Leave a field (its text is applied when it changed) for the map."""
        self.set_focus(self.map_tree)

    async def action_edit_form(self) -> None:
        """Into the form of the widget under the map's cursor. Bound on the map itself, so it runs
        in order with the keys before it, and focus moves at once: keys typed right after it (a
        burst) land in the field."""
        tree = self.map_tree
        row = tree.cursor_node.data if tree.cursor_node is not None else None
        if row is not None and row.state and row.state != self.selected:
            self.selected = row.state
            self._show_transitions()
        state = self.studio.flow.by_name.get(self.selected or "")
        if state is None:
            return
        await self.form.show(state.name, state.type, state.properties)  # waits for a rebuild under way
        fields = self.form.query(".studio-field")
        if fields:
            self.set_focus(fields.first())

    def on_studio_form_edited(self, event: StudioForm.Edited) -> None:
        event.stop()
        studio = self.studio
        state = studio.flow.by_name.get(event.widget)
        if state is None:
            return
        spec = WIDGETS.get(state.type)
        schema: dict[str, Any] = spec.properties.get(event.key, {}) if spec else {}
        old = state.properties.get(event.key)
        try:
            value = parse_field(event.text, old, schema)
        except ValueError as exc:
            self.notify(f"{event.widget}.{event.key}: {exc}", severity="error", markup=False)
            return
        if old is None and event.text == "":
            return
        self._apply("set the property", lambda: studio.set_property(event.widget, event.key, value), form=False)

    # ----------------------------------------------------------------------------- editing

    def _apply(self, edit: str, action: object, form: bool = True) -> bool:
        try:
            assert callable(action)
            action()
        except (ValueError, OSError) as exc:
            self.app.push_screen(ErrorDialog(f"Cannot {edit}", str(exc)))
            return False
        self.refresh_flow(rebuild_form=form)
        if hasattr(self.app, "update_title"):
            self.app.update_title()
        return True

    def _highlighted_transition(self) -> int | None:
        index = self.routes.highlighted
        if index is None or self.selected is None:
            return None
        return int(self.routes.get_option_at_index(index).id or 0)

    async def _pick_widget(self, title: str, end: bool = True) -> str | None:
        items = [(printable(s.name), printable(s.type), s.name) for s in self.studio.flow.states if s.type != "trigger"]
        if end:
            items.append(("■ end the flow", "no next widget", _END))
        result: str | None = await self.app.push_screen_wait(PickerScreen(title, items, dialog_id="target-picker"))
        return result

    def _new_name(self, type_: str) -> str:
        base = type_.replace("-", "_")
        n = 1
        while f"{base}_{n}" in self.studio.flow.by_name:
            n += 1
        return f"{base}_{n}"

    @work(exclusive=True, group="flow-edit")
    async def action_add_route(self) -> None:
        """Add a widget: its type, its name, and which transition leads to it."""
        types = [(t, ", ".join(w.events), t) for t, w in WIDGETS.items() if t != "trigger"]
        type_ = await self.app.push_screen_wait(PickerScreen("Add which widget?", types, dialog_id="type-picker"))
        if type_ is None:
            return
        name = await self.app.push_screen_wait(
            TextPrompt(f"New {type_}", self._new_name(type_), "Its name (letters, digits, _ and -).")
        )
        if name is None:
            return
        link: tuple[str, int] | None = None
        state = self.studio.flow.by_name.get(self.selected or "")
        if state is not None and state.transitions:
            items = [(describe_transition(state, i), "", str(i)) for i in range(len(state.transitions))]
            items.append(("not linked", "link it later with t", "-"))
            chosen = await self.app.push_screen_wait(
                PickerScreen(
                    printable(f"Which transition of {state.name} leads to {name}?"), items, dialog_id="link-picker"
                )
            )
            if chosen is None:
                return
            link = (state.name, int(chosen)) if chosen != "-" else None
        if self._apply("add the widget", lambda: self.studio.add_widget(type_, name, link)):
            self.select_widget(name)
            self.refresh_flow()

    @work(exclusive=True, group="flow-edit")
    async def action_add_case(self) -> None:
        """Add a condition (a `match` transition) to the highlighted split."""
        state = self.studio.flow.by_name.get(self.selected or "")
        if state is None or state.type != "split-based-on":
            self.notify("Highlight a split-based-on widget on the map first.")
            return
        ops = [(op, "", op) for op in OPERATORS]
        op = await self.app.push_screen_wait(PickerScreen(f"{state.name}: which test?", ops, dialog_id="op-picker"))
        if op is None:
            return
        value = ""
        if op not in ("is_blank", "is_not_blank"):
            found = await self.app.push_screen_wait(
                TextPrompt(f"{state.name}: {op}", "", f"Compared with {state.prop('input', '')}")
            )
            if found is None:
                return
            value = found
        target = await self._pick_widget(f"{state.name}: {op} {value} goes to")
        if target is None:
            return
        name = state.name
        self._apply(
            "add the condition",
            lambda: self.studio.add_condition(name, op, value, None if target == _END else target),
        )

    @work(exclusive=True, group="flow-edit")
    async def action_set_target(self) -> None:
        index = self._highlighted_transition()
        if index is None or self.selected is None:
            self.notify("Highlight a transition in the list first (tab moves there).")
            return
        name = self.selected
        state = self.studio.state(name)
        target = await self._pick_widget(f"{describe_transition(state, index)}: link to")
        if target is not None:
            self._apply("link", lambda: self.studio.set_next(name, index, None if target == _END else target))

    def action_delete_route(self) -> None:
        index = self._highlighted_transition()
        if index is None or self.selected is None:
            self.notify("Highlight a transition in the list first (tab moves there).")
            return
        name = self.selected
        self._apply("remove the transition", lambda: self.studio.remove_transition(name, index))

    @work(exclusive=True, group="flow-edit")
    async def action_rename_document(self) -> None:
        old = self.selected
        if old is None:
            return
        new = await self.app.push_screen_wait(
            TextPrompt(f"Rename {old}", old, "Transitions to it follow; Liquid naming widgets.OLD stays as written.")
        )
        if new is not None and new != old and self._apply("rename", lambda: self.studio.rename_widget(old, new)):
            self.select_widget(new)
            self.refresh_flow()

    @work(exclusive=True, group="flow-edit")
    async def action_delete_document(self) -> None:
        name = self.selected
        if name is None:
            return
        if self._apply("remove the widget", lambda: self.studio.remove_widget(name)):
            self.notify(f"Removed {name} (ctrl+z brings it back).", markup=False)


class StudioCallScreen(CallScreen):
    """The Call panel over the Studio runner: the flow as edited, from the trigger's incomingCall.
    The tree shows the TwiML the current widget answered with, the running verb highlighted."""

    def __init__(self, studio: StudioProject) -> None:
        Screen.__init__(self, id="call-screen")
        self.studio = studio
        self.session: Session | None = None
        self.document_name: str | None = None
        self.highlighted = None
        self.transcript: list[str] = []
        self._notes: Callable[[], list[str]] = list
        self._replies: dict[str, bytes] = {}
        """The last reply body per `source` (file#widget) the runner answered with."""
        self._shown: TwiML | None = None

    def action_restart(self) -> None:
        self.log_view.clear()
        self.transcript = []
        from twiml.studio.config import ConfigError

        try:
            transport = self.studio.transport()
        except ConfigError as exc:
            self._say(f"Cannot call: {exc}")
            return
        event = transport.entry_for("voice")
        if event is None:
            self._say("The trigger has no incomingCall transition: nothing to call.")
            return
        self._notes = transport.drain_notes
        fetch = transport.fetch

        def recording(request: Request) -> Reply:
            reply = fetch(request)
            if reply.source is not None:
                self._replies[reply.source] = reply.body
            return reply

        transport.fetch = recording  # type: ignore[method-assign]
        self.session = Session(transport, transport.entry_url(event), Options(), listener=self._event)
        self.session.start()
        self._after_step()
        self.query_one("#call-input").focus()

    def _event(self, event: Any) -> None:
        for note in self._notes():
            self._say(f"   ({note})")
        super()._event(event)

    def _highlight(self, verb: Verb) -> None:
        import twiml

        widget = (verb.source or "").rpartition("#")[2]
        tree = self.query_one("#call-tree", VerbTree)
        tree.border_title = printable(f"{widget} ▶ <{verb.name}>")
        body = self._replies.get(verb.source or "")
        if body is None:
            return
        if verb.source != self.document_name:
            try:
                self._shown = twiml.parse(body)
            except TwiMLException:
                return
            self.document_name = verb.source
            tree.load(self._shown)
        pending = [self._shown]
        while pending:
            node = pending.pop()
            if node is None:
                continue
            if getattr(node, "source_line", None) == verb.line and node.name == verb.name:
                tree_node = tree.tree_node(node)
                if tree_node is not None:
                    self.call_after_refresh(tree.move_cursor, tree_node)
                return
            pending.extend(v for v in node.verbs if isinstance(v, TwiML))
