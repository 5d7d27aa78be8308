"""The Flow view: the map of a flow folder as a tree, its routes, and what is wrong with them.

Enter on a state opens its document in the editor (F6 comes back here). Routes are edited in
place: add a route (r), add a split case (c), edit or remove one case (e), change a route's
target (t), delete a route (d), rename (n) or delete (x) a document; targets are picked from the
folder's files or created from a template; a split may be on any request parameter, matched
exact, contains or present. The keys are `FLOW_VIEW_ACTIONS` records (F1, the palette and a
config file know them). The screen only asks and shows: every change goes through the app's
FlowProject, whose one history ctrl+z walks back.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static, Tree
from textual.widgets.option_list import Option

from twiml.flow.routing import MATCH_KINDS, MATCH_WORDS, SPLIT_PARAMS, Split
from twiml.textsafe import printable
from twiml_editor.flow_project import MapRow, map_rows, route_path
from twiml_editor.keymap import FLOW_VIEW_ACTIONS
from twiml_editor.screens.confirm_many import ConfirmDelete, ConfirmDeleteUsed, ConfirmReplaceSplit
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.flow_save import SAVE_BINDINGS, FlowSave
from twiml_editor.screens.key_order import settle_keys
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.templates import TemplatePicker
from twiml_editor.screens.text_prompt import TextPrompt
from twiml_editor.widgets.lists import PagedOptionList
from twiml_editor.widgets.literal import literal, markup_escape, shown

if TYPE_CHECKING:
    from twiml.flow.explore import FlowMap
    from twiml_editor.flow_project import FlowProject

_NEW = "\x00new"
_SPLIT = "\x00split"
_OTHER = "\x00other"
_NONE = "\x00none"
_STYLE = {"error": "bold red", "warning": "yellow"}


class FlowScreen(Screen[None]):
    """Map, routes and problems of the open flow folder."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(a.key, a.action, a.description, show=a.show, id=a.id) for a in FLOW_VIEW_ACTIONS),
        Binding("tab", "app.focus_next", "Next pane", show=False),
        Binding("ctrl+z", "undo", "Undo", show=False),
        Binding("ctrl+y", "redo", "Redo", show=False),
        *SAVE_BINDINGS,
    ]
    saver: FlowSave | None = None
    """ctrl+s: the flow's save (all or nothing); none on a Studio flow (its app saves)."""

    class DocumentChosen(Message):
        """Open this document of the folder in the editor."""

        def __init__(self, screen: FlowScreen, name: str) -> None:
            super().__init__()
            self.screen = screen
            self.name = name

        @property
        def control(self) -> FlowScreen:
            """The Flow view that posted it."""
            return self.screen

    def __init__(self, project: FlowProject, *, saver: FlowSave | None = None) -> None:
        super().__init__(id="flow-screen")
        self.project = project
        self.saver = saver
        self.rows: list[MapRow] = []
        self.coverage_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="flow-main"):
            yield Tree[MapRow]("map", id="flow-map")
            with Vertical(id="flow-side"):
                yield PagedOptionList(id="flow-routes")
                yield Static("", id="flow-problems", markup=False)
        yield Footer(compact=True)  # at 80 columns: add, delete, save, quit, help and the palette

    @property
    def map_tree(self) -> Tree[MapRow]:
        return self.query_one("#flow-map", Tree)

    @property
    def routes(self) -> OptionList:
        return self.query_one("#flow-routes", OptionList)

    def on_mount(self) -> None:
        self.map_tree.show_root = False
        self.map_tree.border_title = markup_escape(self.map_title())
        self.routes.border_title = "Routes (flow.toml)"
        self.query_one("#flow-problems", Static).border_title = "Problems"
        self.refresh_flow()
        keeper = self._place_keeper()
        if keeper is not None and keeper.map_place is not None:  # F6 back: the state left
            self.show_state(keeper.map_place)
        self.map_tree.focus()

    def map_title(self) -> str:
        return f"Flow map — {self.project.folder}"

    def on_screen_resume(self) -> None:
        self.refresh_flow()

    # ------------------------------------------------------------------------------ views

    def draw_map(self) -> None:
        """The map tree from `self.rows` (a flow's or a Studio flow's), each row under its parent;
        a row the last coverage run walked is marked green, one it did not red."""
        tree = self.map_tree
        tree.clear()
        parents = [tree.root]
        for row in self.rows:
            del parents[row.depth + 1 :]
            label = literal(row.label, style=_STYLE.get(row.severity or "", "dim" if row.back else ""))
            if row.walked is not None:
                label = Text.assemble(("✓ ", "green") if row.walked else ("✗ ", "bold red"), label)
            node = parents[-1].add(label, data=row, expand=True, allow_expand=False)
            parents.append(node)
        pending = list(tree.root.children)
        while pending:
            node = pending.pop()
            node.allow_expand = bool(node.children)
            pending.extend(node.children)
        tree.root.expand_all()

    def refresh_flow(self) -> None:
        """Rebuild the map, the route list and the problems from the project."""
        project = self.project
        route_before = self._highlighted_route()
        index_before = self.routes.highlighted
        paths_before = {option.id for option in self.routes.options}
        state_before = self.highlighted_state()
        flow_map = project.explore()
        covered = self._coverage(flow_map)
        self.rows = map_rows(flow_map, covered)
        self.draw_map()
        self.routes.clear_options()
        self.routes.add_options(
            Option(literal(route.describe()), id=path) for path, route in project.flow.routes.items()
        )
        paths = list(project.flow.routes)
        added = [path for path in paths if path not in paths_before] if paths_before else []
        if len(added) == 1:  # a route added, or brought back by an undo: the user's place now
            self.routes.highlighted = paths.index(added[0])
        elif route_before in paths:  # an edit keeps the place in both lists
            self.routes.highlighted = paths.index(route_before)
        elif index_before is not None and paths:  # the route went: its neighbour, so c, t, d still act
            self.routes.highlighted = min(index_before, len(paths) - 1)
        if state_before is not None:
            self.show_state(state_before)
        lines = [p.format() for p in project.problems]
        lines += [d.format() for d in flow_map.findings if d.severity != "info"]
        unsaved = project.dirty_names()
        if unsaved:
            lines.append("unsaved: " + ", ".join(unsaved) + " (ctrl+s saves)")
        lines += self.coverage_lines
        self.query_one("#flow-problems", Static).update(shown("\n".join(lines)) or "No problems.")
        self.sub_title = shown(project.folder)

    def _coverage(self, flow_map: FlowMap) -> dict[int, bool] | None:
        """Walked edges of the last coverage run over this folder (`.twiml-coverage`), if there is one."""
        from twiml.flowtest.coverage import CoverageError

        self.coverage_lines = []
        try:
            found = self.project.coverage(flow_map)
        except CoverageError as exc:
            self.coverage_lines = [printable(str(exc))]
            return None
        if found is None or not any(found[1].states.values()):
            return None  # no run, or a run of other flows only
        path, coverage = found
        walked, total = coverage.counts()["edges"]
        self.coverage_lines = [
            printable(f"coverage ({path}): {walked} of {total} edges walked (✓), {coverage.percent:.0f}% in all")
        ]
        return {id(edge): was for edge, was in coverage.edges}

    @work(group="history")
    async def action_undo(self) -> None:
        """ctrl+z: the flow's one history (the app's `flow_history`), routes and documents alike,
        after the keys typed before it (a route deleted in the same burst is the one undone)."""
        await settle_keys(self.app)
        history = getattr(self.app, "flow_history", None)
        if history is not None:
            history("undo")

    @work(group="history")
    async def action_redo(self) -> None:
        await settle_keys(self.app)
        history = getattr(self.app, "flow_history", None)
        if history is not None:
            history("redo")

    def highlighted_state(self) -> str | None:
        """The id of the state under the map's cursor (None: a heading or an end)."""
        node = self.map_tree.cursor_node
        return node.data.state if node is not None and node.data is not None else None

    def show_state(self, state: str) -> None:
        """Move the map's cursor to the row that opens `state` (its first row, not a ↩ reference)."""
        line = next((i for i, row in enumerate(self.rows) if row.state == state and not row.back), None)
        if line is not None:
            self.call_after_refresh(self._move_to_line, line)

    def _move_to_line(self, line: int) -> None:
        self.map_tree.cursor_line = line
        self.map_tree.scroll_to_line(line)

    @on(Tree.NodeHighlighted, "#flow-map")
    def _remember(self, event: Tree.NodeHighlighted[MapRow]) -> None:
        row = event.node.data
        keeper = self._place_keeper()
        if keeper is not None and row is not None and row.state is not None and self.rows:
            keeper.map_place = row.state

    def _place_keeper(self) -> FlowProject | None:
        """Where the map's place is kept for the next Flow view (the Studio view keeps none)."""
        project: FlowProject | None = getattr(self, "project", None)
        return project

    @work(exclusive=True, group="file")
    async def action_save(self) -> None:
        """Save the flow: its documents, renames and flow.toml together."""
        if self.saver is not None and await self.saver.save(self) and self.app.screen is self:
            self.refresh_flow()

    @on(Tree.NodeSelected, "#flow-map")
    def _open(self, event: Tree.NodeSelected[MapRow]) -> None:
        row = event.node.data
        if row is not None and row.document:
            event.stop()
            self.post_message(self.DocumentChosen(self, row.document))

    # ----------------------------------------------------------------------------- editing

    def _highlighted_route(self) -> str | None:
        index = self.routes.highlighted
        if index is None:
            return None
        return self.routes.get_option_at_index(index).id

    def _apply(self, edit: str, action: object) -> bool:
        try:
            assert callable(action)
            action()
        except (ValueError, OSError) as exc:
            self.app.push_screen(ErrorDialog(f"Cannot {edit}", str(exc)))
            return False
        self.refresh_flow()
        return True

    async def _pick_target(self, title: str, *, split: bool = False, optional: bool = False) -> str | None:
        """A document or route of the folder, or a new document from a template; with `split`,
        also "split on a parameter" (returned as _SPLIT); with `optional`, "nothing" (_NONE)."""
        items: list[tuple[str, str, str]] = [(name, "document", name) for name in self.project.files()]
        items += [(path, "route (forward the request)", path) for path in self.project.flow.routes]
        items.append(("New document from a template…", "a new file of the folder, written when you save", _NEW))
        if split:
            items.insert(0, ("Split on a request parameter…", "Digits, SpeechResult, DialCallStatus, ...", _SPLIT))
        if optional:
            items.insert(0, ("(none)", "no target: the call gets no document", _NONE))
        choice = await self.app.push_screen_wait(PickerScreen(title, items, dialog_id="target-picker"))
        if choice != _NEW:
            return choice
        template = await self.app.push_screen_wait(TemplatePicker())
        if template is None:
            return None
        name = await self.app.push_screen_wait(
            TextPrompt(
                "New document", Path(template).stem + "_copy.xml", "Its file name in the flow folder.", file_name=True
            )
        )
        if name is None:
            return None
        name = name if name.endswith(".xml") else name + ".xml"
        if not self._apply("create the document", lambda: self.project.create_document(name, template=template)):
            return None
        return name

    async def _pick_split(self, path: str, by: str | None = None) -> tuple[str, str] | None:
        """The parameter and the match kind a route splits on, chosen from the common ones (or typed)."""
        items = [(name, words, name) for name, words in SPLIT_PARAMS.items()]
        items.append(("other…", "another request parameter: type its name", _OTHER))
        if by is not None and by not in SPLIT_PARAMS:
            items.insert(0, (by, "the parameter it splits on now", by))
        chosen = await self.app.push_screen_wait(PickerScreen(f"{path} splits on", items, dialog_id="by-picker"))
        if chosen == _OTHER:
            chosen = await self.app.push_screen_wait(
                TextPrompt("Split on which parameter?", "", "A request parameter's name, e.g. CallerCity", "Name")
            )
        if not chosen:
            return None
        kinds = [(kind, MATCH_WORDS[kind], kind) for kind in MATCH_KINDS]
        match = await self.app.push_screen_wait(
            PickerScreen(f"{path}: how {chosen} matches", kinds, dialog_id="match-picker")
        )
        return None if match is None else (chosen, match)

    async def _add_split(self, path: str) -> None:
        how = await self._pick_split(path)
        if how is None:
            return
        by, match = how
        if match == "present":
            then = await self._pick_target(f"{path}: when {by} is there, answer with")
            if then is None:
                return
            default = await self._pick_target(f"{path}: otherwise answer with", optional=True)
            if default is None:
                return
            fallback = None if default == _NONE else default
            self._apply("add the route", lambda: self.project.add_split(path, by, match, then=then, default=fallback))
            return
        value = await self.app.push_screen_wait(
            TextPrompt(f"{path}: the first case", "", f"The value of {by} that picks it ({match}).", "value")
        )
        if not value:
            return
        target = await self._pick_target(f"{path}: {by} {match} {value!r} answers with")
        if target is None:
            return
        default = await self._pick_target(f"{path}: when no case matches, answer with", optional=True)
        if default is None:
            return
        fallback = None if default == _NONE else default
        self._apply(
            "add the route",
            lambda: self.project.add_split(path, by, match, cases=((value, target),), default=fallback),
        )

    @work(exclusive=True, group="flow-edit")
    async def action_add_route(self) -> None:
        path = await self.app.push_screen_wait(
            TextPrompt("Add route", "/", "The URL path Twilio requests, e.g. /menu", "/path")
        )
        if path is None:
            return
        path = route_path(path)
        with self.project.recorded(f"add route {path}"):  # with a document it creates: one undo
            target = await self._pick_target(f"Route {path} answers with", split=True)
            if target == _SPLIT:
                await self._add_split(path)
            elif target is not None:
                self._apply("add the route", lambda: self.project.add_route(path, target))
        self.refresh_flow()

    @work(exclusive=True, group="flow-edit")
    async def action_add_case(self) -> None:
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first (tab moves there).")
            return
        route = self.project.flow.routes[path]
        if isinstance(route.target, Split):
            by, match = route.target.by, route.target.match
            if match == "present":
                self.notify(f'{path} matches "present": e changes its then and default.')
                return
        else:
            how = await self._pick_split(path)
            if how is None:
                return
            by, match = how
        value = ""
        if match != "present":
            asked = await self.app.push_screen_wait(
                TextPrompt(f"Add a case to {path}", "", f"The value of {by} that picks it ({match}).", "value")
            )
            if not asked:
                return
            value = asked
        title = f"{path}: when {by} is there, answer with" if match == "present" else f"{path}: {by} = {value}"
        with self.project.recorded(f"add case {value!r} to {path}"):
            target = await self._pick_target(title if match == "present" else f"{title} answers with")
            if target is not None:
                self._apply("add the case", lambda: self.project.add_case(path, value, target, by=by, match=match))
        self.refresh_flow()

    @work(exclusive=True, group="flow-edit")
    async def action_edit_case(self) -> None:
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first (tab moves there).")
            return
        split = self.project.flow.routes[path].target
        if not isinstance(split, Split):
            self.notify(f"{path} is no split: t changes its target, c adds a case.")
            return
        items: list[tuple[str, str, str]] = [(f"{k} → {t}", "a case", "case:" + k) for k, t in split.cases]
        if split.then is not None:
            items.append((f"present → {split.then}", "when the parameter is there", "then"))
        if split.match != "present":
            items.append((f"else → {split.default or '(none)'}", "when no case matches", "default"))
        else:
            items.append((f"else → {split.default or '(none)'}", "when the parameter is not there", "default"))
        items.append((f"by {split.by} {split.match}", "the parameter and how it is matched", "split"))
        part = await self.app.push_screen_wait(PickerScreen(f"Edit {path}", items, dialog_id="case-picker"))
        if part is None:
            return
        if part == "split":
            await self._change_split(path, split)
        elif part in ("then", "default"):
            target = await self._pick_target(f"{path}: {part} answers with", optional=part == "default")
            if target is not None:
                fallback = None if target == _NONE else target
                self._apply(f"change the {part}", lambda: self.project.set_fallback(path, part, fallback))
        else:
            await self._edit_one_case(path, part.removeprefix("case:"))
        self.refresh_flow()

    async def _change_split(self, path: str, split: Split) -> None:
        how = await self._pick_split(path, split.by)
        if how is None:
            return
        by, match = how
        value: str | None = None
        if split.match == "present" and match != "present":
            value = await self.app.push_screen_wait(
                TextPrompt(f"{path}: then becomes a case", "", f"The value of {by} that picks {split.then}.", "value")
            )
            if not value:
                return
        self._apply("change the split", lambda: self.project.set_split(path, by, match, value))

    async def _edit_one_case(self, path: str, value: str) -> None:
        what = [
            ("Change its value", f"the {value!r} that picks it", "value"),
            ("Change its target", "what answers it", "target"),
            ("Remove the case", "the others stay", "remove"),
        ]
        how = await self.app.push_screen_wait(PickerScreen(f"{path}: case {value!r}", what, dialog_id="case-edit"))
        if how == "remove":
            self._apply("remove the case", lambda: self.project.remove_case(path, value))
        elif how == "value":
            new = await self.app.push_screen_wait(TextPrompt(f"{path}: case {value!r}", value, "Its new value."))
            if new and new != value:
                self._apply("change the case", lambda: self.project.edit_case(path, value, new_value=new))
        elif how == "target":
            with self.project.recorded(f"edit case {value!r} of {path}"):
                target = await self._pick_target(f"{path}: {value} answers with")
                if target is not None:
                    self._apply("change the case", lambda: self.project.edit_case(path, value, target=target))

    @work(exclusive=True, group="flow-edit")
    async def action_set_target(self) -> None:
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first.")
            return
        route = self.project.flow.routes[path]
        if isinstance(route.target, Split):  # its cases would be lost: ask, as deleting a route does
            cases = len(route.target.cases) + (route.target.then is not None)
            if not await self.app.push_screen_wait(ConfirmReplaceSplit(route.describe(), cases)):
                return
        with self.project.recorded(f"change the target of {path}"):
            target = await self._pick_target(f"Route {path} answers with")
            if target is not None:
                self._apply("change the target", lambda: self.project.set_target(path, target))
        self.refresh_flow()

    def action_delete_route(self) -> None:
        self._delete_route()

    @work(exclusive=True, group="flow-edit")
    async def _delete_route(self) -> None:
        """Delete the highlighted route once the user confirms."""
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first.")
            return
        described = self.project.flow.routes[path].describe()
        if await self.app.push_screen_wait(ConfirmDelete("Delete the route", f"{described}\n\nDelete this route?")):
            self._apply("delete the route", lambda: self.project.remove_route(path))

    def _highlighted_document(self) -> str | None:
        node = self.map_tree.cursor_node
        return node.data.document if node is not None and node.data is not None else None

    async def _pick_document(self, title: str) -> str | None:
        """Pick a document of the folder; the one of the highlighted state comes first, so
        Enter at once acts on it."""
        names = self.project.files()
        current = self._highlighted_document()
        if current in names:
            names.remove(current)
            names.insert(0, current)
        items = [(name, ", ".join(self.project.uses(name)) or "not routed", name) for name in names]
        result: str | None = await self.app.push_screen_wait(PickerScreen(title, items, dialog_id="doc-picker"))
        return result

    @work(exclusive=True, group="flow-edit")
    async def action_rename_document(self) -> None:
        old = await self._pick_document("Rename which document?")
        if old is None:
            return
        new = await self.app.push_screen_wait(
            TextPrompt(f"Rename {old}", old, "Routes that use it follow; the file moves when you save.", file_name=True)
        )
        if new is not None and new != old:
            self._apply("rename the document", lambda: self.project.rename_document(old, new))

    @work(exclusive=True, group="flow-edit")
    async def action_delete_document(self) -> None:
        name = await self._pick_document("Delete which document?")
        if name is None:
            return
        used = self.project.uses(name)
        ask = ConfirmDeleteUsed(name, used) if used else ConfirmDelete("Delete a document", f"Delete {name}?")
        if not await self.app.push_screen_wait(ask):
            return
        self._apply("delete the document", lambda: self.project.delete_document(name))
