"""A flow folder open in the editor, without Textual: routes edited in flow.toml (comments and
layout kept by tomlkit), documents open at once with their own unsaved state, and the map.

The simulator and the map read unsaved documents from memory (`ProjectTransport`), so the call
panel and the flow view show the flow as it is being edited, not as it was last saved.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import InlineTable, KeyType, SingleKey, Table

from twiml.base import TwiML
from twiml.files import atomic_write
from twiml.flow.config import FLOW_FILE, Flow, FlowError, FlowProblem, parse_flow, target_problem
from twiml.flow.explore import FlowMap, explore_flow
from twiml.flow.routing import Split, is_forward
from twiml.flow.transport import FolderTransport
from twiml.textsafe import printable
from twiml_editor.document import Document, Kind

__all__ = ["FlowProject", "MapRow", "ProjectTransport", "describe_route", "map_rows", "node_at_line"]


class ProjectTransport(FolderTransport):
    """The folder as the simulator sees it, with open documents served as edited."""

    def __init__(self, project: FlowProject) -> None:
        super().__init__(project.flow)
        self.project = project

    def read(self, document: str) -> bytes:
        doc = self.project.documents.get(document)
        if doc is not None:
            return doc.to_xml().encode("utf-8")
        return super().read(document)


def _key(text: str) -> SingleKey:
    return SingleKey(text, KeyType.Basic)


class FlowProject:
    """flow.toml plus the documents of the folder that are open."""

    def __init__(self, folder: Path, text: str) -> None:
        self.folder = folder
        self.documents: dict[str, Document] = {}
        self.toml_dirty = False
        self.syntax_error: FlowProblem | None = None
        self.toml: tomlkit.TOMLDocument = tomlkit.document()
        self.flow = Flow(folder)
        self._parsed = False
        with contextlib.suppress(ParseError):  # reported with its line by reload() below
            self.toml = tomlkit.parse(text)
            self._parsed = True
        self._text = text
        self.reload()

    @classmethod
    def open(cls, folder: str | Path) -> FlowProject:
        folder = Path(folder)
        path = folder / FLOW_FILE
        text = path.read_text(encoding="utf-8") if path.is_file() else 'start = "/voice"\n\n[routes]\n'
        project = cls(folder, text)
        project.toml_dirty = not path.is_file()
        return project

    # ------------------------------------------------------------------------------- reading

    @property
    def text(self) -> str:
        return tomlkit.dumps(self.toml) if self._parsed else self._text

    def reload(self) -> None:
        """Re-check the routes after an edit."""
        try:
            self.flow = parse_flow(self.text, self.folder)
            self.syntax_error = None
        except FlowError as exc:
            self.syntax_error = exc.problem
            self.flow = Flow(self.folder, problems=[exc.problem])

    @property
    def problems(self) -> list[FlowProblem]:
        return self.flow.problems

    def files(self) -> list[str]:
        return self.flow.documents()

    def uses(self, name: str) -> list[str]:
        """Routes that name the document `name`."""
        return [path for path, route in self.flow.routes.items() if name in route.targets()]

    def document(self, name: str) -> Document:
        """The open document of that file (opened now if it was not). Raises OSError for a file
        outside the folder, a FIFO or a device, as the simulator refuses to serve them."""
        doc = self.documents.get(name)
        if doc is None:
            problem = target_problem(self.folder, name)  # as the simulator refuses it: never ../secret.xml
            if problem is not None and problem != "is missing":
                raise OSError(f"{printable(name)} {problem}")
            doc = Document.open(self.folder / name)
            self.documents[name] = doc
        return doc

    def name_of(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            return path.resolve().relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return None

    def dirty_names(self) -> list[str]:
        names = [FLOW_FILE] if self.toml_dirty else []
        return names + [name for name, doc in self.documents.items() if doc.dirty]

    def explore(self, max_states: int = 200) -> FlowMap:
        return explore_flow(self.flow, max_states=max_states, transport=ProjectTransport(self))

    def transport(self) -> ProjectTransport:
        return ProjectTransport(self)

    def coverage_file(self) -> Path | None:
        """The last coverage run's data (`.twiml-coverage` of `pytest --twiml-cov`): in the folder,
        else in the working directory (where pytest leaves it)."""
        from twiml.flowtest.coverage import DATA_FILE

        for place in (self.folder / DATA_FILE, Path.cwd() / DATA_FILE):
            if place.is_file():
                return place
        return None

    def coverage(self, flow_map: FlowMap) -> tuple[Path, Any] | None:
        """(the data file, `twiml.flowtest.coverage.Coverage` of `flow_map`) when a coverage run is
        there; None when there is none. Unreadable data raises CoverageError naming the file."""
        path = self.coverage_file()
        if path is None:
            return None
        from twiml.flowtest.coverage import load_walks, measure

        return path, measure(flow_map, load_walks(path), self.flow.routes)

    # ------------------------------------------------------------------------------- saving

    def save_toml(self) -> Path:
        if not self._parsed:
            raise ValueError(f"{FLOW_FILE} has a syntax error; fix it in a text editor: {self.syntax_error}")
        path = self.folder / FLOW_FILE
        atomic_write(path, self.text)
        self.toml_dirty = False
        return path

    def save_all(self) -> list[Path]:
        saved: list[Path] = []
        if self.toml_dirty:
            saved.append(self.save_toml())
        for doc in self.documents.values():
            if doc.dirty:
                saved.append(doc.save())
        return saved

    # ------------------------------------------------------------------------------ editing

    def _routes(self) -> Table:
        if not self._parsed:
            raise ValueError(f"{FLOW_FILE} has a syntax error: {self.syntax_error}")
        if "routes" not in self.toml:
            self.toml.add("routes", tomlkit.table())
        routes = self.toml["routes"]
        assert isinstance(routes, Table)
        return routes

    def _edited(self) -> None:
        self.toml_dirty = True
        self.reload()

    def _check_target(self, target: str) -> None:
        if not target:
            raise ValueError("a target is a file of the folder (name.xml) or a route (/path)")
        if not is_forward(target) and not target.endswith(".xml"):
            raise ValueError(f"{target}: a target is a .xml file of the folder or a /route")

    def add_route(self, path: str, target: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"{path}: a route is a URL path starting with /")
        self._check_target(target)
        routes = self._routes()
        if path in routes:
            raise ValueError(f"route {path} exists already")
        routes[path] = target
        self._edited()

    def set_target(self, path: str, target: str) -> None:
        self._check_target(target)
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        routes[path] = target
        self._edited()

    def add_case(self, path: str, value: str, target: str, by: str = "Digits") -> None:
        """Add a split case; a plain route becomes a split on `by` whose default is its old target."""
        self._check_target(target)
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        route: Any = routes[path]
        if isinstance(route, str):  # written as people write it: { by = "Digits", cases = { ... } }
            q = json.dumps
            text = f"x = {{ by = {q(by)}, cases = {{ {q(value)} = {q(target)} }}, default = {q(str(route))} }}"
            routes[path] = tomlkit.parse(text)["x"]
        else:
            if route.get("match") == "present":
                raise ValueError(f'route {path} uses match = "present": it has then/default, not cases')
            if "cases" not in route:
                route["cases"] = tomlkit.inline_table()
            route["cases"][_key(value)] = target
        self._edited()

    def remove_case(self, path: str, value: str) -> None:
        route: Any = self._routes().get(path)
        if route is None or isinstance(route, str) or value not in route.get("cases", {}):
            raise ValueError(f"route {path} has no case {value!r}")
        del route["cases"][value]
        self._edited()

    def remove_route(self, path: str) -> None:
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        del routes[path]
        self._edited()

    def _replace_target(self, old: str, new: str | None) -> None:
        """Point every use of `old` at `new`; None drops the uses (routes, cases, then/default)."""
        routes = self._routes()
        for path in list(routes.keys()):
            route: Any = routes[path]
            if isinstance(route, str):
                if route == old:
                    if new is None:
                        del routes[path]
                    else:
                        routes[path] = new
                continue
            if not isinstance(route, InlineTable | Table):
                continue
            for key in ("then", "default"):
                if route.get(key) == old:
                    if new is None:
                        del route[key]
                    else:
                        route[key] = new
            cases = route.get("cases")
            if cases is not None:
                for case in list(cases.keys()):
                    if cases[case] == old:
                        if new is None:
                            del cases[case]
                        else:
                            cases[case] = new

    def rename_document(self, old: str, new: str) -> None:
        """Rename the file and every route naming it."""
        if not new.endswith(".xml") or ".." in new.split("/"):
            raise ValueError(f"{new}: a document name ends with .xml and stays in the folder")
        source, target = self.folder / old, self.folder / new
        if target.exists():
            raise ValueError(f"{new} exists already")
        if source.exists():
            source.rename(target)
        doc = self.documents.pop(old, None)
        if doc is not None:
            doc.file_path = target
            self.documents[new] = doc
        self._replace_target(old, new)
        self._edited()

    def delete_document(self, name: str) -> None:
        """Delete the file and drop the routes, cases and defaults that named it."""
        path = self.folder / name
        if path.exists():
            path.unlink()
        self.documents.pop(name, None)
        self._replace_target(name, None)
        self._edited()

    def create_document(self, name: str, kind: Kind = "voice", template: Path | None = None) -> Document:
        """A new document of the folder (from a template's XML, or empty), written at once."""
        if not name.endswith(".xml"):
            name += ".xml"
        path = self.folder / name
        if path.exists():
            raise ValueError(f"{name} exists already")
        doc = Document.from_xml(template.read_text(encoding="utf-8")) if template else Document.new(kind)
        doc.save(path)
        self.documents[name] = doc
        self.reload()
        return doc


# ------------------------------------------------------------------------------ the map as rows


@dataclass(frozen=True)
class MapRow:
    """One line of the flow view's tree: a state (first time), a back-reference, or an end."""

    label: str
    depth: int
    state: str | None = None  # the state id this row opens
    document: str | None = None
    back: bool = False
    severity: str | None = None  # "error" for broken links and documents with errors
    walked: bool | None = None  # the edge into this row in the last coverage run (None: no coverage shown)


def map_rows(flow_map: FlowMap, walked: dict[int, bool] | None = None) -> list[MapRow]:
    """The map as the indented tree `twiml map` prints: each state once, loops as ↩ references;
    with `walked` (id of an edge -> whether the last coverage run walked it) each edge's row says so."""
    rows: list[MapRow] = []
    marks = walked or {}
    shown: set[str] = set()

    def describe(state_id: str) -> str:
        state = flow_map.states[state_id]
        if state.kind == "broken":
            return f"[{state.id}] {state.path}  ✖ broken link"
        mark = {"error": " ✖", "warning": " ⚠"}.get(state.worst or "", "")
        heard = f'  "{state.heard}"' if state.heard else ""
        return f"[{state.id}] {state.path}  {state.document}{mark}{heard}"

    def visit(state_id: str, label: str, depth: int, edge: object = None) -> None:
        state = flow_map.states[state_id]
        mark = marks.get(id(edge))
        head = f"{label} → " if label else ""
        severity = "error" if state.kind == "broken" or state.worst == "error" else state.worst
        if state_id in shown:
            where = " (broken)" if state.kind == "broken" else f" ({state.document})" if state.document else ""
            text = f"{head}↩ {state.id} {state.path}{where}"
            rows.append(MapRow(text, depth, state_id, state.document, True, severity, mark))
            return
        shown.add(state_id)
        rows.append(MapRow(head + describe(state_id), depth, state_id, state.document, False, severity, mark))
        for out in flow_map.out(state_id):
            if out.dst is not None:
                visit(out.dst, out.label, depth + 1, out)
            else:
                lead = f"{out.label} → " if out.label else ""
                rows.append(MapRow(f"{lead}■ {out.end}", depth + 1, walked=marks.get(id(out))))

    for entry, label, state_id in flow_map.entries:
        rows.append(MapRow(f"{entry}: {label}", 0))
        visit(state_id, "", 1)
    return rows


def describe_route(path: str, flow: Flow) -> str:
    route = flow.routes[path]
    if isinstance(route.target, str):
        return f"{path} → {route.target}"
    split: Split = route.target
    parts = [f"{key} → {target}" for key, target in split.cases]
    if split.then is not None:
        parts.append(f"present → {split.then}")
    if split.default is not None:
        parts.append(f"else → {split.default}")
    how = "" if split.match == "exact" else f" {split.match}"
    return f"{path}  by {split.by}{how}: " + ", ".join(parts)


def node_at_line(doc: Document, line: int, name: str) -> TwiML | None:
    """The node of `doc` that the simulator ran as `<name>` at `line` of the XML it was served
    (`doc.to_xml()`, see ProjectTransport): both trees come from the same text, so they align."""
    import twiml

    served = twiml.parse(doc.to_xml())
    pending: list[tuple[TwiML, TwiML]] = [(served, doc.root)]
    while pending:
        shown, own = pending.pop()
        if getattr(shown, "source_line", None) == line and shown.name == name:
            return own
        kids = [v for v in shown.verbs if isinstance(v, TwiML)]
        own_kids = [v for v in own.verbs if isinstance(v, TwiML)]
        pending.extend(zip(kids, own_kids, strict=False))
    return None
