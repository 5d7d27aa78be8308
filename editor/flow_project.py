"""A flow folder open in the editor, without Textual: routes edited in flow.toml (comments and
layout kept by tomlkit), documents open at once with their own unsaved state, and the map.

The simulator and the map read unsaved documents from memory (`ProjectTransport`), so the call
panel and the flow view show the flow as it is being edited, not as it was last saved.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import InlineTable, KeyType, SingleKey, Table

from twiml.base import TwiML
from twiml.diagnostic import Diagnostic
from twiml.files import atomic_write
from twiml.flow.config import FLOW_FILE, Flow, FlowError, parse_flow, target_problem
from twiml.flow.explore import FlowMap, explore_flow
from twiml.flow.routing import is_forward
from twiml.flow.transport import FolderTransport
from twiml.textsafe import printable
from twiml_editor.document import Document, Kind

__all__ = ["FlowProject", "MapRow", "ProjectTransport", "map_rows", "node_at_line"]


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
        self.moved: dict[str, str] = {}
        """Pending renames: the new name -> the file's name on disk (written at the next save)."""
        self.created: set[str] = set()
        """Documents made in the editor that are not on disk yet."""
        self.deleted: set[str] = set()
        """Files of the folder to delete at the next save."""
        self.toml_dirty = False
        self.syntax_error: Diagnostic | None = None
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
            waiting = self.created | set(self.moved)
            if waiting:  # written at the next save: not missing
                self.flow.problems[:] = [
                    p
                    for p in self.flow.problems
                    if not any(p.message.endswith(f"names missing file {n}") for n in waiting)
                ]
        except FlowError as exc:
            self.syntax_error = exc.problem
            self.flow = Flow(self.folder, problems=[exc.problem])

    @property
    def problems(self) -> list[Diagnostic]:
        return self.flow.problems

    def files(self) -> list[str]:
        """The folder's documents as they will be after the next save (pending renames,
        new documents and deletions included)."""
        gone = self.deleted | set(self.moved.values())
        names = {name for name in self.flow.documents() if name not in gone}
        return sorted(names | self.created | set(self.moved))

    @property
    def pending_files(self) -> bool:
        """A rename, a new document or a deletion waits for the next save."""
        return bool(self.moved or self.created or self.deleted)

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
            self._flow_dialect(doc)
            self.documents[name] = doc
        return doc

    def _flow_dialect(self, doc: Document) -> None:
        """flow.toml's `dialect` for a document that does not tell its own."""
        if doc.dialect_origin != "detected" and self.flow.dialect != "twilio":
            doc.set_dialect(self.flow.dialect, "configured")

    def name_of(self, path: Path | None) -> str | None:
        if path is None:
            return None
        try:
            return path.resolve().relative_to(self.folder.resolve()).as_posix()
        except ValueError:
            return None

    def dirty_names(self) -> list[str]:
        names = [FLOW_FILE] if self.toml_dirty else []
        names += [name for name, doc in self.documents.items() if doc.dirty or name in self.moved]
        return names + sorted(self.deleted)

    def explore(self, max_states: int = 200) -> FlowMap:
        found = explore_flow(self.flow, max_states=max_states, transport=ProjectTransport(self))
        if self.pending_files:  # the folder as it will be: a file renamed away is not "unreachable"
            files = set(self.files())
            found.unreachable = [name for name in found.unreachable if name in files]
        return found

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
        """Write everything unsaved together: documents, pending renames, new documents,
        deletions and flow.toml.  All or nothing: every new content is written to a temporary
        file first, then each file is swapped in with the old one kept aside; a failure at any
        point puts back what was swapped, so the folder is as it was (or as fully saved).
        Raises OSError, TwiMLException (a document that would not read back) or ValueError."""
        if self.toml_dirty and not self._parsed:
            raise ValueError(f"{FLOW_FILE} has a syntax error; fix it in a text editor: {self.syntax_error}")
        writes: list[tuple[Path, bytes, Document | None]] = []
        if self.toml_dirty:
            writes.append((self.folder / FLOW_FILE, self.text.encode("utf-8"), None))
        for name, doc in self.documents.items():
            if doc.dirty or name in self.moved or name in self.created:
                writes.append((self.folder / name, doc.bytes_to_save(), doc))
        removals = [self.folder / name for name in sorted(self.deleted | set(self.moved.values()))]
        _commit(self.folder, [(path, data) for path, data, _ in writes], removals)
        for path, data, written in writes:
            if written is not None:
                written.saved_as(path, data)
        self.toml_dirty = False
        self.moved.clear()
        self.created.clear()
        self.deleted.clear()
        self.reload()
        return [path for path, _, _ in writes]

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

    def restore(self, name: str, text: str) -> Document | None:
        """Take `text` (a recovery file's) as the unsaved content of `name`: flow.toml (returns
        None) or a document (returned; created when the folder has no such file yet)."""
        if name == FLOW_FILE:
            self.toml = tomlkit.parse(text)
            self._parsed = True
            self.toml_dirty = True
            self.reload()
            return None
        if not name.endswith(".xml") or ".." in name.split("/"):
            raise ValueError(f"{name}: not a document of the folder")
        doc = Document.from_xml(text, file_path=self.folder / name)
        doc.dirty = True
        self._flow_dialect(doc)
        self.documents[name] = doc
        if not (self.folder / name).exists():
            self.created.add(name)
        self.reload()
        return doc

    def _free(self, name: str) -> None:
        if name in self.files() or (self.folder / name).exists():
            raise ValueError(f"{name} exists already")

    def rename_document(self, old: str, new: str) -> None:
        """Rename the document and every route naming it; the file moves at the next save."""
        if not new.endswith(".xml") or ".." in new.split("/"):
            raise ValueError(f"{new}: a document name ends with .xml and stays in the folder")
        if old not in self.files():
            raise ValueError(f"no document {old}")
        self._free(new)
        doc = self.document(old)
        del self.documents[old]
        doc.file_path = self.folder / new
        self.documents[new] = doc
        if old in self.created:
            self.created.discard(old)
            self.created.add(new)
        else:
            on_disk = self.moved.pop(old, old)
            if on_disk != new:
                self.moved[new] = on_disk
        self._replace_target(old, new)
        self._edited()

    def delete_document(self, name: str) -> None:
        """Drop the routes, cases and defaults that named the document; its file is deleted at
        the next save."""
        self.documents.pop(name, None)
        if name in self.created:
            self.created.discard(name)
        elif name in self.moved:
            self.deleted.add(self.moved.pop(name))
        elif (self.folder / name).exists():
            self.deleted.add(name)
        self._replace_target(name, None)
        self._edited()

    def create_document(self, name: str, kind: Kind = "voice", template: Path | None = None) -> Document:
        """A new document of the folder (from a template's XML, or empty), written at the next save."""
        if not name.endswith(".xml"):
            name += ".xml"
        if ".." in name.split("/"):
            raise ValueError(f"{name}: a document stays in the folder")
        self._free(name)
        doc = Document.from_xml(template.read_text(encoding="utf-8")) if template else Document.new(kind)
        doc.file_path = self.folder / name
        doc.dirty = True
        self._flow_dialect(doc)
        self.documents[name] = doc
        self.created.add(name)
        self.reload()
        return doc


def _commit(folder: Path, writes: list[tuple[Path, bytes]], removals: list[Path]) -> None:
    """Replace and delete files of `folder` as one step (see `FlowProject.save_all`)."""
    temps: list[tuple[Path, Path]] = []
    done: list[tuple[Path, Path | None]] = []  # (file, where its old content waits, or None: it is new)
    try:
        for path, data in writes:  # 1: every new content on disk beside its file, synced
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=".twiml-save-", suffix=".part", dir=path.parent)
            temp = Path(name)
            temps.append((path, temp))
            with os.fdopen(handle, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if path.exists():
                shutil.copymode(path, temp)
        for path, temp in temps:  # 2: swap them in, keeping each old file aside
            kept = _keep_aside(path)
            done.append((path, kept))
            os.replace(temp, path)
        for path in removals:
            kept = _keep_aside(path)
            if kept is not None:
                done.append((path, kept))
    except BaseException:
        for path, kept in reversed(done):  # put back what was swapped
            with contextlib.suppress(OSError):
                if kept is not None:
                    os.replace(kept, path)
                else:
                    path.unlink()
        for _, temp in temps:
            with contextlib.suppress(OSError):
                temp.unlink()
        raise
    for _, kept in done:  # 3: saved; the old contents go
        if kept is not None:
            with contextlib.suppress(OSError):
                kept.unlink()


def _keep_aside(path: Path) -> Path | None:
    """Move the file at `path` to a hidden name beside it; None when there is no file."""
    if not path.exists():
        return None
    handle, name = tempfile.mkstemp(prefix=".twiml-old-", suffix=".part", dir=path.parent)
    os.close(handle)
    os.replace(path, name)
    return Path(name)


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
