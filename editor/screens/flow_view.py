"""The Flow view: the map of a flow folder as a tree, its routes, and what is wrong with them.

Enter on a state opens its document in the editor (F6 comes back here). Routes are edited in
place: add a route (r), add a split case (c), change a route's target (t), delete a route (d),
rename (n) or delete (x) a document; targets are picked from the folder's files or created from
a template. The screen only asks and shows: every change goes through the app's FlowProject.
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

from twiml.textsafe import printable
from twiml_editor.flow_project import MapRow, map_rows
from twiml_editor.screens.confirm_many import ConfirmDeleteUsed
from twiml_editor.screens.error_dialog import ErrorDialog
from twiml_editor.screens.picker import PickerScreen
from twiml_editor.screens.templates import TemplatePicker
from twiml_editor.screens.text_prompt import TextPrompt
from twiml_editor.widgets.literal import literal, markup_escape, shown

if TYPE_CHECKING:
    from twiml.flow.explore import FlowMap
    from twiml_editor.flow_project import FlowProject

_NEW = "\x00new"
_STYLE = {"error": "bold red", "warning": "yellow"}


class FlowScreen(Screen[None]):
    """Map, routes and problems of the open flow folder."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "add_route", "Add route"),
        Binding("c", "add_case", "Add case"),
        Binding("t", "set_target", "Target", show=False),
        Binding("d", "delete_route", "Delete route", show=False),
        Binding("n", "rename_document", "Rename doc", show=False),
        Binding("x", "delete_document", "Delete doc", show=False),
        Binding("tab", "app.focus_next", "Next pane", show=False),
    ]

    class DocumentChosen(Message):
        """Open this document of the folder in the editor."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, project: FlowProject) -> None:
        super().__init__(id="flow-screen")
        self.project = project
        self.rows: list[MapRow] = []
        self.coverage_lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="flow-main"):
            yield Tree[MapRow]("map", id="flow-map")
            with Vertical(id="flow-side"):
                yield OptionList(id="flow-routes")
                yield Static("", id="flow-problems", markup=False)
        yield Footer()

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
        self.map_tree.focus()

    def map_title(self) -> str:
        return f"Flow map — {self.project.folder}"

    def on_screen_resume(self) -> None:
        self.refresh_flow()

    # ------------------------------------------------------------------------------ views

    def refresh_flow(self) -> None:
        """Rebuild the map, the route list and the problems from the project."""
        project = self.project
        flow_map = project.explore()
        covered = self._coverage(flow_map)
        self.rows = map_rows(flow_map, covered)
        tree = self.map_tree
        tree.clear()
        parents = [tree.root]
        for row in self.rows:
            del parents[row.depth + 1 :]
            label = literal(row.label, style=_STYLE.get(row.severity or "", "dim" if row.back else ""))
            if row.walked is not None:  # the last coverage run: walked edges green, unwalked ones red
                label = Text.assemble(("✓ ", "green") if row.walked else ("✗ ", "bold red"), label)
            node = parents[-1].add(label, data=row, expand=True, allow_expand=False)
            parents.append(node)
        pending = list(tree.root.children)
        while pending:
            node = pending.pop()
            node.allow_expand = bool(node.children)
            pending.extend(node.children)
        tree.root.expand_all()
        self.routes.clear_options()
        self.routes.add_options(
            Option(literal(route.describe()), id=path) for path, route in project.flow.routes.items()
        )
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

    @on(Tree.NodeSelected, "#flow-map")
    def _open(self, event: Tree.NodeSelected[MapRow]) -> None:
        row = event.node.data
        if row is not None and row.document:
            event.stop()
            self.post_message(self.DocumentChosen(row.document))

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

    async def _pick_target(self, title: str) -> str | None:
        items: list[tuple[str, str, str]] = [(name, "document", name) for name in self.project.files()]
        items += [(path, "route (forward the request)", path) for path in self.project.flow.routes]
        items.append(("New document from a template…", "a new file of the folder, written when you save", _NEW))
        choice = await self.app.push_screen_wait(PickerScreen(title, items, dialog_id="target-picker"))
        if choice != _NEW:
            return choice
        template = await self.app.push_screen_wait(TemplatePicker())
        if template is None:
            return None
        name = await self.app.push_screen_wait(
            TextPrompt("New document", Path(template).stem + "_copy.xml", "Its file name in the flow folder.")
        )
        if name is None:
            return None
        name = name if name.endswith(".xml") else name + ".xml"
        if not self._apply("create the document", lambda: self.project.create_document(name, template=template)):
            return None
        return name

    @work(exclusive=True, group="flow-edit")
    async def action_add_route(self) -> None:
        path = await self.app.push_screen_wait(
            TextPrompt("Add route", "/", "The URL path Twilio requests, e.g. /menu", "/path")
        )
        if path is None:
            return
        target = await self._pick_target(f"Route {path} answers with")
        if target is not None:
            self._apply("add the route", lambda: self.project.add_route(path, target))

    @work(exclusive=True, group="flow-edit")
    async def action_add_case(self) -> None:
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first (tab moves there).")
            return
        route = self.project.flow.routes[path]
        by = route.target.by if not isinstance(route.target, str) else "Digits"
        value = await self.app.push_screen_wait(
            TextPrompt(f"Add a case to {path}", "", f"The value of {by} that picks it (keys, or words for speech).")
        )
        if value is None:
            return
        target = await self._pick_target(f"{path}: {by} = {value} answers with")
        if target is not None:
            self._apply("add the case", lambda: self.project.add_case(path, value, target, by=by))

    @work(exclusive=True, group="flow-edit")
    async def action_set_target(self) -> None:
        path = self._highlighted_route()
        if path is None:
            self.notify("Highlight a route in the list first.")
            return
        target = await self._pick_target(f"Route {path} answers with")
        if target is not None:
            self._apply("change the target", lambda: self.project.set_target(path, target))

    def action_delete_route(self) -> None:
        path = self._highlighted_route()
        if path is not None:
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
            TextPrompt(f"Rename {old}", old, "Routes that use it follow; the file moves when you save.")
        )
        if new is not None and new != old:
            self._apply("rename the document", lambda: self.project.rename_document(old, new))

    @work(exclusive=True, group="flow-edit")
    async def action_delete_document(self) -> None:
        name = await self._pick_document("Delete which document?")
        if name is None:
            return
        used = self.project.uses(name)
        if used and not await self.app.push_screen_wait(ConfirmDeleteUsed(name, used)):
            return
        self._apply("delete the document", lambda: self.project.delete_document(name))
