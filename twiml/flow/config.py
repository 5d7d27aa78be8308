"""Read and check `flow.toml`, the routes of a flow folder.

    start = "/voice/incoming"        # first URL of a call; `sms_start`, `fax_start` likewise
    [routes]
    "/voice/incoming" = "ivr_main_menu.xml"
    "/menu" = { by = "Digits", cases = { "1" = "sales.xml" }, default = "/menu/speech" }
    "/call-status" = { status = 204 }  # a callback acknowledged with an empty answer

Problems are `twiml.diagnostic.Diagnostic`s (codes `FLOW-*`, see `twiml.codes`) whose file is the
folder's flow.toml and whose line is the one they concern: `folder/flow.toml:4:0: error FLOW-TARGET
route "/menu": ...`. A file TOML cannot read raises `FlowError`; every other problem is collected
in `Flow.problems` so a half-finished flow still opens (in the editor) and is reported in full (in
the CLI).
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twiml.codes import FLOW_CONFIG, FLOW_CYCLE, FLOW_TARGET, FLOW_TOML, Level
from twiml.diagnostic import Diagnostic
from twiml.flow.routing import MATCH_KINDS, NoContent, Resolution, Route, Split, is_forward, resolve

__all__ = [
    "FLOW_FILE",
    "START_KEYS",
    "Flow",
    "FlowError",
    "flow_problem",
    "load_flow",
    "parse_flow",
    "read_document",
    "target_problem",
    "toml_error",
    "toml_key_lines",
]

FLOW_FILE = "flow.toml"
START_KEYS = ("start", "sms_start", "fax_start")
_TOP_KEYS = (*START_KEYS, "routes", "dialect")
_DIALECTS = ("twilio", "texml", "cxml")
"""Vendor dialects (`twiml.dialects`) a flow may be written in (`dialect = "texml"`)."""
_SPLIT_KEYS = ("by", "match", "cases", "then", "default")
_EMPTY_STATUSES = (204,)
"""Statuses a route may answer with no body (`{ status = 204 }`): what a callback needs."""

# Parameters a <Redirect> request never carries: a split on them always takes its default there.
_ACTION_ONLY = frozenset(
    {"Digits", "SpeechResult", "Confidence", "DialCallStatus", "RecordingDuration", "RecordingUrl", "QueueResult"}
)
# Verbs after which a document no longer runs straight on to its <Redirect>.
_STOPS = frozenset({"Gather", "Record", "Dial", "Enqueue", "Hangup", "Reject", "Leave", "Connect", "Pay", "Refer"})


def flow_problem(
    folder: str | Path, message: str, line: int = 0, column: int = 0, *, code: str = FLOW_CONFIG, level: Level = "error"
) -> Diagnostic:
    """A finding about `folder`'s flow.toml; `line` 0 when it concerns the file as a whole."""
    return Diagnostic(
        level, code, message, line=line or None, column=column or None, file=str(Path(folder) / FLOW_FILE)
    )


class FlowError(Exception):
    """flow.toml is missing or not readable TOML: nothing can be routed."""

    def __init__(self, problem: Diagnostic) -> None:
        super().__init__(problem.format())
        self.problem = problem


@dataclass
class Flow:
    """A flow folder: its routes and entry points, and what is wrong with them."""

    folder: Path
    start: str | None = None
    sms_start: str | None = None
    fax_start: str | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    dialect: str = "twilio"
    """The vendor that runs the flow: twilio, texml (Telnyx) or cxml (SignalWire)."""

    @property
    def config_path(self) -> Path:
        return self.folder / FLOW_FILE

    @property
    def errors(self) -> list[Diagnostic]:
        return [p for p in self.problems if p.severity == "error"]

    def entries(self) -> list[tuple[str, str]]:
        """(key, URL path) of each entry point that is set: start, sms_start, fax_start."""
        return [(key, value) for key in START_KEYS if (value := getattr(self, key)) is not None]

    def resolve(self, path: str, params: Mapping[str, str] | None = None) -> Resolution:
        return resolve(self.routes, path, params or {})

    def documents(self) -> list[str]:
        """The TwiML files of the folder and below (names relative to it, sorted), by the rule of
        `twiml validate FOLDER` (`twiml.files.files_under`): none under hidden folders or packages."""
        from twiml.files import files_under

        return sorted(p.relative_to(self.folder).as_posix() for p in files_under(self.folder, (".xml",)))

    def routed_documents(self) -> set[str]:
        return {t for route in self.routes.values() for t in route.targets() if not is_forward(t)}

    def read_document(self, document: str) -> bytes:
        """The bytes of a document of this folder; see `read_document`."""
        return read_document(self.folder, document)


def target_problem(folder: Path, target: str) -> str | None:
    """Why `target` (a file name from flow.toml) cannot be served from `folder`, or None; the
    reason reads after the name ("is outside the flow folder").

    The target's real path (symlinks followed) must lie inside the folder's real path and be a
    regular file: `../secret.xml`, a symlink to /etc/passwd or /dev/zero, and a FIFO are refused.
    """
    if "\x00" in target:
        return "holds a NUL character"
    if not target.endswith(".xml"):
        return "is neither a .xml file nor a /route"
    try:
        root = os.path.realpath(folder)
        real = os.path.realpath(os.path.join(root, target))
    except (OSError, ValueError) as exc:
        return f"cannot be resolved ({exc})"
    if os.path.commonpath([root, real]) != root or real == root:
        return "is outside the flow folder"
    try:
        mode = os.stat(real).st_mode
    except OSError:
        return "is missing"
    if not stat.S_ISREG(mode):
        return (
            "is a directory" if stat.S_ISDIR(mode) else "is a FIFO" if stat.S_ISFIFO(mode) else "is not a regular file"
        )
    return None


def read_document(folder: Path, document: str) -> bytes:
    """The bytes of `document`, only when `target_problem` finds nothing wrong with it.

    Read through `twiml.files.read_bytes` (regular files only, at most 64 MB, counted while
    reading), so a FIFO or a device never blocks or fills memory. Raises OSError whose
    message says why ("secret.xml is outside the flow folder").
    """
    from twiml.files import read_bytes

    problem = target_problem(folder, document)
    if problem is not None:
        raise OSError(f"{_shown(document)} {problem}")
    return read_bytes(os.path.join(os.path.realpath(folder), document))


def _shown(text: str) -> str:
    """A name from flow.toml as messages show it: terminal control characters escaped."""
    from twiml.textsafe import printable

    return printable(text)


# ------------------------------------------------------------------------------------------ reading


def load_flow(folder: str | Path) -> Flow:
    """Read `folder/flow.toml`; raises FlowError when it is missing or not TOML."""
    from twiml.files import read_bytes

    folder = Path(folder)
    path = folder / FLOW_FILE
    try:
        data = read_bytes(path)
    except FileNotFoundError:
        raise FlowError(flow_problem(folder, f"no {FLOW_FILE} in {_shown(str(folder))}", code=FLOW_TOML)) from None
    except OSError as exc:
        raise FlowError(flow_problem(folder, f"cannot read: {exc.strerror or exc}", code=FLOW_TOML)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        before = data[bom : exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"byte 0x{data[exc.start]:02x} is not valid UTF-8 (save {FLOW_FILE} as UTF-8)"
        raise FlowError(flow_problem(folder, message, line, column, code=FLOW_TOML)) from None
    return parse_flow(text, folder)


def parse_flow(text: str, folder: str | Path) -> Flow:
    """Check the routes in `text` against the files of `folder`."""
    try:
        data = tomllib.loads(text)  # linear and in the standard library (tomlkit is for editing)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = toml_error(exc, text)
        raise FlowError(flow_problem(folder, f"not valid TOML: {message}", line, column, code=FLOW_TOML)) from None
    return _Reader(text, Path(folder)).read(data)


_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)$")


def toml_error(exc: tomllib.TOMLDecodeError, text: str) -> tuple[str, int, int]:
    """tomllib's message without its position, and the line and column (0: at the end of a line)."""
    message = str(exc)
    where = _TOML_POSITION.search(message)
    if where is not None and where.group(1):
        line, column = int(where.group(1)), int(where.group(2))
    else:  # at the end of the document
        line, column = len(text.splitlines()) or 1, 0
    return _TOML_POSITION.sub("", message).strip(), line, column


def toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line of each key and table header of a TOML text, by its full key path (first line
    wins): tomllib keeps no positions, and other TOML files (a Studio flow's) report lines too."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line) if line.lstrip().startswith("[") else None
        if header is not None and not line.lstrip().startswith("[["):
            table = _key_path(header.group(1))
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign is not None:
            lines.setdefault(table + _key_path(assign.group(1)), number)
    return lines


_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED = _KEY + r"(?:\s*\.\s*" + _KEY + r")*"
_ASSIGN = re.compile(r"\s*(" + _DOTTED + r")\s*=")
_HEADER = re.compile(r"\s*\[\s*(" + _DOTTED + r")\s*\]")


def _key_path(text: str) -> tuple[str, ...]:
    """The keys a TOML (dotted) key names, escapes decoded: `"/caf\\u00e9"` is `/café`."""
    try:
        data: Any = tomllib.loads(text + " = 0")
    except tomllib.TOMLDecodeError:
        return ()
    path: list[str] = []
    while isinstance(data, dict) and len(data) == 1:
        key = next(iter(data))
        path.append(key)
        data = data[key]
    return tuple(path)


class _Reader:
    """Checks the parsed table; positions come from one pass over the text, because the TOML reader
    keeps no line numbers: each key and table header is decoded as TOML decodes it, so keys written with
    escapes are found, and each route's lines are known without searching the file again."""

    def __init__(self, text: str, folder: Path) -> None:
        self.lines = text.splitlines()
        self.flow = Flow(folder)
        self.top: dict[str, int] = {}  # top-level key (or table) -> line
        self.route_lines: dict[str, int] = {}  # route path -> line of its key or table header
        self.route_spans: dict[str, tuple[int, int]] = {}  # route path -> (first line, last line)
        self.target_problems: dict[str, str | None] = {}  # each target is resolved once
        self.redirects: dict[str, str | None] = {}  # document -> where it redirects straight away
        self.index()

    def index(self) -> None:
        table: tuple[str, ...] = ()
        current: str | None = None
        for number, line in enumerate(self.lines, start=1):
            header = _HEADER.match(line) if line.lstrip().startswith("[") else None
            if header is not None and not line.lstrip().startswith("[["):
                table = _key_path(header.group(1))
                current = None
                if table:
                    self.top.setdefault(table[0], number)
                if len(table) >= 2 and table[0] == "routes":
                    current = table[1]
                    self.route_lines.setdefault(current, number)
                    self.route_spans.setdefault(current, (number, number))
                continue
            assign = _ASSIGN.match(line)
            if assign is not None:
                full = table + _key_path(assign.group(1))
                if not full:
                    continue
                if not table:
                    self.top.setdefault(full[0], number)
                if len(full) >= 2 and full[0] == "routes" and (current != full[1] or len(table) < 2):
                    current = full[1]
                    self.route_lines.setdefault(current, number)
                    self.route_spans.setdefault(current, (number, number))
            if current is not None and current in self.route_spans:
                first, _ = self.route_spans[current]
                self.route_spans[current] = (first, number)

    def line_of(self, key: str) -> int:
        return self.top.get(key, 0)

    def route_line(self, path: str) -> int:
        return self.route_lines.get(path) or self.top.get("routes", 0)

    def within(self, line: int, needle: str, path: str) -> int:
        """The first line of the route's own lines that mentions `needle` (a case on its own line)."""
        first, last = self.route_spans.get(path, (line, line))
        for number in range(max(first, 1), min(last, len(self.lines)) + 1):
            if needle in self.lines[number - 1]:
                return number
        return line

    def problem(self, message: str, line: int, code: str = FLOW_CONFIG) -> None:
        self.flow.problems.append(flow_problem(self.flow.folder, message, line, code=code))

    # -- checks
    def read(self, data: Mapping[str, Any]) -> Flow:
        flow = self.flow
        for key in data:
            if key not in _TOP_KEYS:
                self.problem(f"unknown key {key!r} (expected one of {', '.join(_TOP_KEYS)})", self.line_of(key))
        for key in START_KEYS:
            value = data.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value.startswith("/"):
                self.problem(f"{key} must be a URL path starting with / (got {value!r})", self.line_of(key))
                continue
            setattr(flow, key, value)
        dialect = data.get("dialect", "twilio")
        if dialect not in _DIALECTS:
            self.problem(f"dialect must be one of {', '.join(_DIALECTS)} (got {dialect!r})", self.line_of("dialect"))
        else:
            flow.dialect = str(dialect)
        if flow.start is None and flow.sms_start is None and flow.fax_start is None:
            self.problem("no entry point: set start (voice), sms_start or fax_start", 1)
        routes = data.get("routes", {})
        if not isinstance(routes, Mapping):
            self.problem("routes must be a table", self.line_of("routes"))
            routes = {}
        for path, value in routes.items():
            route = self.route(str(path), value)
            if route is not None:
                flow.routes[route.path] = route
        self.check_targets()
        self.check_cycles()
        return flow

    def route(self, path: str, value: Any) -> Route | None:
        line = self.route_line(path)
        label = f'route "{_shown(path)}"'
        if not path.startswith("/"):
            self.problem(f"{label}: a route is a URL path starting with /", line)
            return None
        if isinstance(value, str):
            return Route(path, value, line)
        if not isinstance(value, Mapping):
            self.problem(f"{label}: expected a file name, a table with by/cases/default, or {{ status = 204 }}", line)
            return None
        if "status" in value:
            return self.empty_route(path, value, line)
        for key in value:
            if key not in _SPLIT_KEYS:
                self.problem(f"{label}: unknown key {key!r} (expected one of {', '.join(_SPLIT_KEYS)})", line)
        by, match = value.get("by"), value.get("match", "exact")
        if not isinstance(by, str) or not by:
            self.problem(f'{label}: a split needs by = "PARAMETER" (e.g. Digits, SpeechResult)', line)
            return None
        if match not in MATCH_KINDS:
            self.problem(f"{label}: match must be one of {', '.join(MATCH_KINDS)} (got {match!r})", line)
            return None
        cases = value.get("cases", {})
        if not isinstance(cases, Mapping) or not all(isinstance(t, str) for t in cases.values()):
            self.problem(f'{label}: cases must be a table of "VALUE" = "TARGET"', line)
            return None
        then, default = value.get("then"), value.get("default")
        for key, target in (("then", then), ("default", default)):
            if target is not None and not isinstance(target, str):
                self.problem(f"{label}: {key} must be a file name or a route path", line)
                return None
        if match == "present":
            if cases:
                self.problem(f'{label}: match = "present" takes then = TARGET, not cases', line)
            if then is None:
                self.problem(f'{label}: match = "present" needs then = TARGET', line)
        elif then is not None:
            self.problem(f'{label}: then is only for match = "present"', line)
        elif not cases:
            self.problem(f"{label}: a split needs at least one case", line)
        return Route(path, Split(by, match, tuple((str(k), v) for k, v in cases.items()), then, default), line)

    def empty_route(self, path: str, value: Mapping[str, Any], line: int) -> Route | None:
        """`{ status = 204 }`: the route answers with no body (a callback only needs a 2xx)."""
        label = f'route "{_shown(path)}"'
        others = [str(key) for key in value if key != "status"]
        if others:
            self.problem(f"{label}: status = 204 answers with no body; it takes no {', '.join(others)}", line)
        status = value["status"]
        if isinstance(status, bool) or status not in _EMPTY_STATUSES:
            self.problem(f"{label}: status must be 204, an empty answer (got {status!r})", line)
            return None
        return Route(path, NoContent(int(status)), line)

    def check_targets(self) -> None:
        for route in self.flow.routes.values():
            label = f'route "{_shown(route.path)}"'
            named: list[tuple[str, str]] = []
            if isinstance(route.target, NoContent):
                continue
            if isinstance(route.target, str):
                named.append(("", route.target))
            else:
                split = route.target
                named += [(f'case "{_shown(key)}"', target) for key, target in split.cases]
                named += [(key, t) for key, t in (("then", split.then), ("default", split.default)) if t is not None]
            for what, target in named:
                line = self.within(route.line, f'"{target}"', route.path)
                who = f"{label}: {what} " if what else f"{label} "
                if is_forward(target):
                    if target not in self.flow.routes:
                        self.problem(f"{who}forwards to {_shown(target)}, which has no route", line, FLOW_TARGET)
                    continue
                if target not in self.target_problems:
                    self.target_problems[target] = target_problem(self.flow.folder, target)
                problem = self.target_problems[target]
                if problem == "is missing":
                    self.problem(f"{who}names missing file {_shown(target)}", line, FLOW_TARGET)
                elif problem is not None:
                    self.problem(f"{who}names {_shown(target)}, which {problem}", line, FLOW_TARGET)
        for key, path in self.flow.entries():
            if path not in self.flow.routes:
                self.problem(f"{key} {_shown(path)} has no route", self.line_of(key), FLOW_TARGET)
            elif resolve(self.flow.routes, path, {}).no_content:
                self.problem(
                    f"{key} {_shown(path)} answers with no body; Twilio needs TwiML there (12300)",
                    self.line_of(key),
                    FLOW_TARGET,
                )

    def check_cycles(self) -> None:
        """Report URLs that lead back to themselves with no caller input in between: forwards
        between routes, and documents that run straight into a <Redirect>."""
        edges: dict[str, str] = {}
        for route in self.flow.routes.values():
            target: str | None
            if isinstance(route.target, NoContent):
                continue
            if isinstance(route.target, str):
                target = route.target
            elif route.target.by in _ACTION_ONLY:
                target = route.target.default
            else:
                continue
            if target is None:
                continue
            if is_forward(target):
                edges[route.path] = target
            elif self.target_problems.get(target) is None:
                if target not in self.redirects:
                    self.redirects[target] = _straight_redirect(self.flow.folder, target)
                nxt = _relative(self.redirects[target], route.path)
                if nxt is not None:
                    edges[route.path] = nxt
        walked: set[str] = set()  # each path is walked once: linear in the number of routes
        for begin in edges:
            if begin in walked:
                continue
            position: dict[str, int] = {}
            chain: list[str] = []
            current: str | None = begin
            while current is not None and current not in walked and current not in position:
                position[current] = len(chain)
                chain.append(current)
                current = edges.get(current)
            walked.update(chain)
            if current is None or current not in position:
                continue
            loop = chain[position[current] :]
            first = min(loop, key=lambda p: self.flow.routes[p].line)
            loop = loop[loop.index(first) :] + loop[: loop.index(first)]
            self.problem(
                "redirect cycle with no caller input: " + " -> ".join(_shown(p) for p in [*loop, loop[0]]),
                self.flow.routes[first].line,
                FLOW_CYCLE,
            )


def _straight_redirect(folder: Path, document: str) -> str | None:
    """The URL a document redirects to before anything waits for the caller, if it does (as
    written: relative URLs are resolved per route by `_relative`)."""
    from twiml.errors import TwiMLParseError
    from twiml.parser import parse

    try:
        doc = parse(read_document(folder, document))
    except (OSError, TwiMLParseError):
        return None
    for verb in doc.verbs:
        if isinstance(verb, str):
            continue
        name = verb.name
        if name in _STOPS:
            return None
        if name == "Redirect" and isinstance(verb.value, str):
            return verb.value.strip()
    return None


def _relative(url: str | None, url_path: str) -> str | None:
    """The route path `url` leads to when requested from `url_path` (None: another host)."""
    from urllib.parse import urljoin, urlsplit

    if url is None:
        return None
    target = urlsplit(urljoin("http://flow" + url_path, url))
    return target.path if target.netloc == "flow" else None
