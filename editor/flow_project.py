"""A flow folder open in the editor, without Textual: routes edited in flow.toml (comments and
layout kept by tomlkit), documents open at once with their own unsaved state, and the map.

The simulator and the map read unsaved documents from memory (`ProjectTransport`), so the call
panel and the flow view show the flow as it is being edited, not as it was last saved.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import InlineTable, KeyType, SingleKey, Table

from twiml.base import TwiML
from twiml.diagnostic import Diagnostic
from twiml.files import FileStamp, atomic_write
from twiml.flow.config import FLOW_FILE, Flow, FlowError, parse_flow, target_problem
from twiml.flow.explore import FlowMap, explore_flow
from twiml.flow.routing import MATCH_KINDS, is_forward
from twiml.flow.transport import FolderTransport
from twiml.textsafe import printable
from twiml_editor.disk_check import refuse_changed
from twiml_editor.document import Document, Kind
from twiml_editor.edits import Change

__all__ = ["FlowProject", "MapRow", "ProjectTransport", "Undone", "map_rows", "node_at_line"]


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


def _spaced(table: InlineTable) -> str:
    """`table` written as flow.toml's hand-written routes are: `{ key = value, ... }`."""
    parts = [
        f"{key.as_string().strip()} = {_spaced(item) if isinstance(item, InlineTable) else item.as_string().strip()}"
        for key, item in table.value.body
        if key is not None
    ]
    return "{ " + ", ".join(parts) + " }" if parts else "{}"


def _glued(table: InlineTable) -> bool:
    """tomlkit adds a key after a table's closing space (`"7" = "x"}`): a spaced table (or one
    inside it) that no longer ends with ` }`."""
    text = table.as_string()
    if text.startswith("{ ") and not text.endswith(" }"):
        return True
    return any(isinstance(item, InlineTable) and _glued(item) for key, item in table.value.body if key is not None)


@dataclass(frozen=True)
class _Files:
    """What a route edit can change: flow.toml's text and the folder's documents as they will be."""

    text: str
    documents: dict[str, Document] = field(compare=False)
    names: tuple[str, ...]  # the open documents' names, for comparing
    moved: tuple[tuple[str, str], ...]
    created: frozenset[str]
    deleted: frozenset[str]


@dataclass(frozen=True)
class Undone:
    """What one undo or redo of the flow's history did: an edit of the routes (`name` is
    flow.toml, `what` says which) or of the document `name` (`change` is the document's Change)."""

    name: str
    what: str = ""
    change: Change | None = None

    @property
    def routes(self) -> bool:
        return self.name == FLOW_FILE


def route_path(text: str) -> str:
    """A typed route as the URL path Twilio requests: one leading slash (the prompt starts
    with `/`, so typing `/menu` there gives `//menu`, which no request ever matches)."""
    return "/" + text.strip().lstrip("/")


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
        self._saved_text: str | None = text
        self._toml_disk: FileStamp | None = None
        """What flow.toml was when read or last saved (None: not known, never checked)."""
        self._clock: Iterator[int] = itertools.count(1)
        """Numbers every edit of the flow, routes and documents alike (see `undo`)."""
        self._undo: list[tuple[int, str, _Files, _Files]] = []
        self._redo: list[tuple[int, str, _Files, _Files]] = []
        self._grouping = 0
        self.map_place: str | None = None
        """The map state the user last opened a document from: the Flow view shown again (F6)
        puts its cursor there."""
        self.reload()

    @classmethod
    def open(cls, folder: str | Path) -> FlowProject:
        folder = Path(folder)
        path = folder / FLOW_FILE
        data = path.read_bytes() if path.is_file() else None
        text = 'start = "/voice"\n\n[routes]\n'
        if data is not None:  # newlines as read_text reads them
            text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        project = cls(folder, text)
        project.toml_dirty = data is None
        if project.toml_dirty:
            project._saved_text = None
        stamp = FileStamp.of(path, data) if data is not None else None
        project._toml_disk = stamp if stamp is not None else FileStamp.of_digest("")
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
            self._adopt(name, doc)
        return doc

    def _adopt(self, name: str, doc: Document) -> None:
        """Take a document into the project: the flow's one undo clock, and flow.toml's `dialect`
        for a document that does not tell its own."""
        doc.use_clock(self._clock)
        if doc.dialect_origin != "detected" and self.flow.dialect != "twilio":
            doc.set_dialect(self.flow.dialect, "configured")
        self.documents[name] = doc

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

    def pending_change(self, name: str) -> str:
        """What a save does to `name` (one of `dirty_names`), in words for the quit dialog: a
        deleted file must not read as merely "unsaved"."""
        if name in self.deleted:
            return f"{name}: deleted"
        doc = self.documents.get(name)
        edited = doc is not None and doc.dirty
        if name in self.moved:
            return f"{self.moved[name]}: renamed to {name}" + (", changed" if edited else "")
        if name in self.created:
            return f"{name}: new"
        return f"{name}: changed"

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

    @property
    def toml_base(self) -> str:
        """SHA-256 of flow.toml's bytes the route edits started from ("": none known or no file)."""
        return self._toml_disk.digest if self._toml_disk is not None else ""

    def toml_changed(self) -> bool:
        """True when flow.toml is no longer what was read or last saved (another program wrote it)."""
        return self._toml_disk is not None and self._toml_disk.changed(self.folder / FLOW_FILE)

    def changed_on_disk(self) -> list[str]:
        """The files the next `save_all` would write or replace that another program changed
        since they were read or saved here (flow.toml, documents, the file a rename moves, a
        new document's name that a file took meanwhile)."""
        changed = [FLOW_FILE] if self.toml_dirty and self.toml_changed() else []
        for name, doc in self.documents.items():
            if name in self.created or name in self.moved:
                if (self.folder / name).exists():
                    changed.append(name)
                elif name in self.moved and doc.disk_changed(self.folder / self.moved[name]):
                    changed.append(self.moved[name])
            elif doc.dirty and doc.disk_changed():
                changed.append(name)
        return changed

    def save_toml(self, overwrite: Collection[str] = ()) -> Path:
        """Write flow.toml alone (ChangedOnDisk when another program changed it, unless its
        name is in `overwrite`)."""
        if not self._parsed:
            raise ValueError(f"{FLOW_FILE} has a syntax error; fix it in a text editor: {self.syntax_error}")
        refuse_changed([FLOW_FILE] if self.toml_changed() else [], overwrite)
        path = self.folder / FLOW_FILE
        data = self.text.encode("utf-8")
        atomic_write(path, data)
        self._toml_disk = FileStamp.of(path, data)
        self.toml_dirty = False
        self._saved_text = self.text
        return path

    def save_all(self, overwrite: Collection[str] = ()) -> list[Path]:
        """Write everything unsaved together: documents, pending renames, new documents,
        deletions and flow.toml.  All or nothing: every new content is written to a temporary
        file first, then each file is swapped in with the old one kept aside; a failure at any
        point puts back what was swapped, so the folder is as it was (or as fully saved).
        First of all, `ChangedOnDisk` (nothing written) when another program changed any file
        it would write (`changed_on_disk`) other than those named in `overwrite` (the user
        chose to replace them). Raises OSError, TwiMLException (a document that would not read
        back) or ValueError."""
        if self.toml_dirty and not self._parsed:
            raise ValueError(f"{FLOW_FILE} has a syntax error; fix it in a text editor: {self.syntax_error}")
        refuse_changed(self.changed_on_disk(), overwrite)
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
            else:
                self._toml_disk = FileStamp.of(path, data)
        if self.pending_files:  # files moved on disk: an undo can no longer put them back
            self._undo.clear()
            self._redo.clear()
        self.toml_dirty = False
        self._saved_text = self.text
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
        if self._parsed and isinstance(self.toml.get("routes"), Table):
            routes = self._routes()
            for path in list(routes.keys()):
                route = routes[path]
                if isinstance(route, InlineTable) and _glued(route):  # as people write it
                    routes[path] = tomlkit.parse("x = " + _spaced(route))["x"]
        self.toml_dirty = True
        self.reload()

    # ------------------------------------------------------------------------------ history

    def _files(self) -> _Files:
        return _Files(
            self.text,
            dict(self.documents),
            tuple(sorted(self.documents)),
            tuple(sorted(self.moved.items())),
            frozenset(self.created),
            frozenset(self.deleted),
        )

    def _put(self, files: _Files, leaving: _Files | None = None) -> None:
        """Go back (or forward) to `files` from `leaving`: documents the step made or renamed
        go, those it had come back; a document opened since stays open."""
        if self._parsed:
            self.toml = tomlkit.parse(files.text)
        gone = set(leaving.names) - set(files.names) if leaving is not None else set()
        self.documents = {n: d for n, d in self.documents.items() if n not in gone} | files.documents
        for name, doc in self.documents.items():  # a rename undone: the document has its old name again
            doc.file_path = self.folder / name
        self.moved = dict(files.moved)
        self.created = set(files.created)
        self.deleted = set(files.deleted)
        self.toml_dirty = self.text != self._saved_text
        self.reload()

    @contextlib.contextmanager
    def recorded(self, what: str) -> Iterator[None]:
        """The route and file edits made inside are one step of the flow's history (one undo
        reverts them all; nested uses count as the outer one). An edit that fails changes nothing."""
        self._grouping += 1
        before = self._files() if self._grouping == 1 else None
        try:
            yield
        except BaseException:
            if before is not None:
                self._put(before, self._files())
            raise
        finally:
            self._grouping -= 1
        if before is not None:
            after = self._files()
            if after != before:
                self._undo.append((next(self._clock), what, before, after))
                self._redo.clear()

    def _route_undo_serial(self) -> int | None:
        return self._undo[-1][0] if self._undo else None

    @property
    def can_undo(self) -> bool:
        return self._newest_done() is not None

    @property
    def can_redo(self) -> bool:
        return self._next_redo() is not None

    def _newest_done(self) -> tuple[int, str] | None:
        """(number, FLOW_FILE or a document's name) of the last edit still done."""
        found = [(serial, FLOW_FILE) for serial in [self._route_undo_serial()] if serial is not None]
        found += [(d.undo_serial, n) for n, d in self.documents.items() if d.undo_serial is not None]
        return max(found) if found else None

    def _next_redo(self) -> tuple[int, str] | None:
        """The most recently undone edit, if nothing was done since (a redo after a new edit
        would re-apply an edit out of order)."""
        found = [(self._redo[-1][0], FLOW_FILE)] if self._redo else []
        found += [(d.redo_serial, n) for n, d in self.documents.items() if d.redo_serial is not None]
        if not found:
            return None
        first = min(found)
        done = self._newest_done()
        return first if done is None or first[0] > done[0] else None

    def undo(self) -> Undone | None:
        """Revert the last edit of the flow, whichever it was: a route edit (flow.toml and the
        files it made, renamed or deleted) or an edit of one of the open documents."""
        newest = self._newest_done()
        if newest is None:
            return None
        _, name = newest
        if name != FLOW_FILE:
            return Undone(name, change=self.documents[name].undo())
        entry = self._undo.pop()
        self._redo.append(entry)
        self._put(entry[2], entry[3])
        return Undone(FLOW_FILE, entry[1])

    def redo(self) -> Undone | None:
        """Re-apply the edit the last undo reverted."""
        found = self._next_redo()
        if found is None:
            return None
        _, name = found
        if name != FLOW_FILE:
            return Undone(name, change=self.documents[name].redo())
        entry = self._redo.pop()
        self._undo.append(entry)
        self._put(entry[3], entry[2])
        return Undone(FLOW_FILE, entry[1])

    # ------------------------------------------------------------------------------ routes

    def _check_target(self, target: str) -> None:
        if not target:
            raise ValueError("a target is a file of the folder (name.xml) or a route (/path)")
        if not is_forward(target) and not target.endswith(".xml"):
            raise ValueError(f"{target}: a target is a .xml file of the folder or a /route")

    @staticmethod
    def _check_split(by: str, match: str) -> None:
        if not by or not all(c.isalnum() or c in "_-." for c in by):
            raise ValueError(f"{by!r}: a parameter name is letters, digits, _ - or . (e.g. Digits)")
        if match not in MATCH_KINDS:
            raise ValueError(f"match must be one of {', '.join(MATCH_KINDS)} (got {match!r})")

    def _split(self, path: str) -> Any:
        """The route `path` as a table (a split); ValueError when there is none or it is plain."""
        route: Any = self._routes().get(path)
        if route is None:
            raise ValueError(f"no route {path}")
        if isinstance(route, str) or "status" in route:
            raise ValueError(f"route {path} is not a split")
        return route

    def add_route(self, path: str, target: str) -> None:
        if not path.startswith("/"):
            raise ValueError(f"{path}: a route is a URL path starting with /")
        self._check_target(target)
        routes = self._routes()
        if path in routes:
            raise ValueError(f"route {path} exists already")
        with self.recorded(f"add route {path}"):
            routes[path] = target
            self._edited()

    def add_split(
        self,
        path: str,
        by: str,
        match: str = "exact",
        *,
        cases: tuple[tuple[str, str], ...] = (),
        then: str | None = None,
        default: str | None = None,
    ) -> None:
        """A new route that splits on the parameter `by`: cases (exact, contains) or then (present),
        and a default for everything else."""
        if not path.startswith("/"):
            raise ValueError(f"{path}: a route is a URL path starting with /")
        self._check_split(by, match)
        for target in [t for _, t in cases] + [t for t in (then, default) if t is not None]:
            self._check_target(target)
        if match == "present" and (cases or then is None):
            raise ValueError('match = "present" takes a target for when the parameter is there (then), not cases')
        routes = self._routes()
        if path in routes:
            raise ValueError(f"route {path} exists already")
        q = json.dumps
        parts = [f"by = {q(by)}"] + ([f"match = {q(match)}"] if match != "exact" else [])
        if cases:
            parts.append("cases = { " + ", ".join(f"{q(k)} = {q(t)}" for k, t in cases) + " }")
        if then is not None:
            parts.append(f"then = {q(then)}")
        if default is not None:
            parts.append(f"default = {q(default)}")
        with self.recorded(f"add route {path}"):
            routes[path] = tomlkit.parse("x = { " + ", ".join(parts) + " }")["x"]
            self._edited()

    def set_target(self, path: str, target: str) -> None:
        self._check_target(target)
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        with self.recorded(f"change the target of {path}"):
            routes[path] = target
            self._edited()

    def add_case(self, path: str, value: str, target: str, by: str = "Digits", match: str = "exact") -> None:
        """Add a split case; a plain route becomes a split on `by` (matched by `match`) whose
        default is its old target. An existing split keeps its own `by` and `match`."""
        self._check_target(target)
        self._check_split(by, match)
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        route: Any = routes[path]
        if not isinstance(route, str) and "status" in route:
            raise ValueError(f"route {path} answers an empty {route['status']}: t gives it a target first")
        if not isinstance(route, str) and value in route.get("cases", {}):
            raise ValueError(f"route {path} has a case {value!r} already (e edits it)")
        with self.recorded(f"add case {value!r} to {path}"):
            if isinstance(route, str):  # written as people write it: { by = "Digits", cases = { ... } }
                q = json.dumps
                how = f"match = {q(match)}, " if match != "exact" else ""
                cases = f"cases = {{ {q(value)} = {q(target)} }}"
                if match == "present":
                    text = f"x = {{ by = {q(by)}, {how}then = {q(target)}, default = {q(str(route))} }}"
                else:
                    text = f"x = {{ by = {q(by)}, {how}{cases}, default = {q(str(route))} }}"
                routes[path] = tomlkit.parse(text)["x"]
            else:
                if route.get("match") == "present":
                    raise ValueError(f'route {path} uses match = "present": it has then/default, not cases')
                if "cases" not in route:
                    route["cases"] = tomlkit.inline_table()
                route["cases"][_key(value)] = target
            self._edited()

    def edit_case(self, path: str, value: str, *, new_value: str | None = None, target: str | None = None) -> None:
        """Change one case of a split: its value (kept in its place) and/or its target."""
        route = self._split(path)
        cases = route.get("cases", {})
        if value not in cases:
            raise ValueError(f"route {path} has no case {value!r}")
        if target is not None:
            self._check_target(target)
        if new_value is not None and new_value != value and new_value in cases:
            raise ValueError(f"route {path} has a case {new_value!r} already")
        if new_value is not None and not new_value:
            raise ValueError("a case needs a value")
        with self.recorded(f"edit case {value!r} of {path}"):
            if new_value is not None and new_value != value:
                items = [(new_value if k == value else str(k), v) for k, v in cases.items()]
                for key in list(cases.keys()):
                    del cases[key]
                for key, old in items:
                    cases[_key(key)] = old
                value = new_value
            if target is not None:
                cases[_key(value)] = target
            self._edited()

    def set_fallback(self, path: str, which: str, target: str | None) -> None:
        """Set (or with None drop) the `then` or `default` target of a split."""
        if which not in ("then", "default"):
            raise ValueError(f"{which}: a split's fallbacks are then and default")
        route = self._split(path)
        if target is not None:
            self._check_target(target)
        if which == "then" and route.get("match") != "present":
            raise ValueError(f'route {path}: then is only for match = "present"')
        if which == "then" and target is None:
            raise ValueError(f'route {path}: match = "present" needs then = TARGET')
        with self.recorded(f"{'drop' if target is None else 'change'} the {which} of {path}"):
            if target is None:
                route.pop(which, None)
            else:
                route[which] = target
            self._edited()

    def set_split(self, path: str, by: str, match: str, value: str | None = None) -> None:
        """Split the route on another parameter or match kind; its cases and targets stay. A
        change to `present` makes the first case's target `then`; a change from it makes `then`
        the case `value` (which it then needs)."""
        self._check_split(by, match)
        route = self._split(path)
        old = route.get("match", "exact")
        if old == "present" and match != "present" and not value:
            raise ValueError(f"route {path}: its then target becomes a case: give the case's value")
        with self.recorded(f"split {path} by {by} {match}"):
            route["by"] = by
            if match == "exact":
                route.pop("match", None)
            elif "match" in route:
                route["match"] = match
            else:
                items = [(str(k), v) for k, v in route.items() if k != "by"]
                for key, _ in items:
                    del route[key]
                route["match"] = match
                for key, value in items:
                    route[key] = value
            if match == "present" and old != "present":
                cases = route.get("cases", {})
                first = next(iter(cases.values()), None) if cases else None
                if first is None:
                    raise ValueError(f'route {path}: match = "present" needs a target for then; add a case first')
                del route["cases"]
                route["then"] = first
            elif match != "present" and old == "present":
                then = route.pop("then", None)
                if then is not None:
                    route["cases"] = tomlkit.parse(f"x = {{ {json.dumps(value)} = {json.dumps(str(then))} }}")["x"]
            self._edited()

    def remove_case(self, path: str, value: str) -> None:
        route: Any = self._routes().get(path)
        if route is None or isinstance(route, str) or value not in route.get("cases", {}):
            raise ValueError(f"route {path} has no case {value!r}")
        with self.recorded(f"remove case {value!r} of {path}"):
            del route["cases"][value]
            self._edited()

    def remove_route(self, path: str) -> None:
        routes = self._routes()
        if path not in routes:
            raise ValueError(f"no route {path}")
        with self.recorded(f"delete route {path}"):
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

    def restore(self, name: str, text: str, base: str | None = None) -> Document | None:
        """Take `text` (a recovery file's) as the unsaved content of `name`: flow.toml (returns
        None) or a document (returned; created when the folder has no such file yet). `base`
        is the SHA-256 of the file the edits started from (None: not known): a save over a
        file that changed since asks first (`changed_on_disk`)."""
        if name == FLOW_FILE:
            self.toml = tomlkit.parse(text)
            self._parsed = True
            self.toml_dirty = True
            self._toml_disk = FileStamp.of_digest(base or "")
            self.reload()
            return None
        if not name.endswith(".xml") or ".." in name.split("/"):
            raise ValueError(f"{name}: not a document of the folder")
        doc = Document.from_xml(text, file_path=self.folder / name)
        doc.based_on(base)
        doc.dirty = True
        self._adopt(name, doc)
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
        with self.recorded(f"rename {old} to {new}"):
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
        with self.recorded(f"delete {name}"):
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
        with self.recorded(f"create {name}"):
            self._adopt(name, doc)
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
