"""Read and check `flow.toml`, the routes of a flow folder.

    start = "/voice/incoming"        # first URL of a call; `sms_start`, `fax_start` likewise
    [routes]
    "/voice/incoming" = "ivr_main_menu.xml"
    "/menu" = { by = "Digits", cases = { "1" = "sales.xml" }, default = "/menu/speech" }

Problems carry the line in flow.toml they concern and print as `flow.toml:4: route "/menu": ...`.
A file TOML cannot read raises `FlowError`; every other problem is collected in `Flow.problems`
so a half-finished flow still opens (in the editor) and is reported in full (in the CLI).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError

from twiml.flow.routing import MATCH_KINDS, Resolution, Route, Split, is_forward, resolve

__all__ = ["FLOW_FILE", "START_KEYS", "Flow", "FlowError", "FlowProblem", "load_flow", "parse_flow"]

FLOW_FILE = "flow.toml"
START_KEYS = ("start", "sms_start", "fax_start")
_TOP_KEYS = (*START_KEYS, "routes", "dialect")
_DIALECTS = ("twilio", "texml", "cxml")
"""Vendor dialects (`twiml.dialects`) a flow may be written in (`dialect = "texml"`)."""
_SPLIT_KEYS = ("by", "match", "cases", "then", "default")

# Parameters a <Redirect> request never carries: a split on them always takes its default there.
_ACTION_ONLY = frozenset(
    {"Digits", "SpeechResult", "Confidence", "DialCallStatus", "RecordingDuration", "RecordingUrl", "QueueResult"}
)
# Verbs after which a document no longer runs straight on to its <Redirect>.
_STOPS = frozenset({"Gather", "Record", "Dial", "Enqueue", "Hangup", "Reject", "Leave", "Connect", "Pay", "Refer"})


@dataclass(frozen=True)
class FlowProblem:
    """One finding about flow.toml; `line` 0 when it concerns the file as a whole."""

    severity: str
    message: str
    line: int = 0
    column: int = 0
    file: str = FLOW_FILE

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        if self.column:
            where += f":{self.column}"
        return f"{where}: {self.severity}: {self.message}"

    def __str__(self) -> str:
        return self.format()


class FlowError(Exception):
    """flow.toml is missing or not readable TOML: nothing can be routed."""

    def __init__(self, problem: FlowProblem) -> None:
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
    problems: list[FlowProblem] = field(default_factory=list)
    dialect: str = "twilio"
    """The vendor that runs the flow: twilio, texml (Telnyx) or cxml (SignalWire)."""

    @property
    def config_path(self) -> Path:
        return self.folder / FLOW_FILE

    @property
    def errors(self) -> list[FlowProblem]:
        return [p for p in self.problems if p.severity == "error"]

    def entries(self) -> list[tuple[str, str]]:
        """(key, URL path) of each entry point that is set: start, sms_start, fax_start."""
        return [(key, value) for key in START_KEYS if (value := getattr(self, key)) is not None]

    def resolve(self, path: str, params: Mapping[str, str] | None = None) -> Resolution:
        return resolve(self.routes, path, params or {})

    def documents(self) -> list[str]:
        """The TwiML files of the folder (names relative to it, sorted)."""
        return sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*.xml") if p.is_file())

    def routed_documents(self) -> set[str]:
        return {t for route in self.routes.values() for t in route.targets() if not is_forward(t)}


# ------------------------------------------------------------------------------------------ reading


def load_flow(folder: str | Path) -> Flow:
    """Read `folder/flow.toml`; raises FlowError when it is missing or not TOML."""
    folder = Path(folder)
    path = folder / FLOW_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowError(FlowProblem("error", f"no {FLOW_FILE} in {folder}")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError(FlowProblem("error", f"cannot read: {exc}")) from None
    return parse_flow(text, folder)


def parse_flow(text: str, folder: str | Path) -> Flow:
    """Check the routes in `text` against the files of `folder`."""
    try:
        data = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        message = str(exc).split(" at line ")[0]
        raise FlowError(FlowProblem("error", f"not valid TOML: {message}", exc.line, exc.col)) from None
    return _Reader(text, Path(folder)).read(data)


_QUOTED_KEY = r'(?:"{key}"|\'{key}\'|{key})'


class _Reader:
    def __init__(self, text: str, folder: Path) -> None:
        self.lines = text.splitlines()
        self.flow = Flow(folder)

    # -- positions: tomlkit keeps no line numbers, so find the key's line in the text
    def line_of(self, key: str, after: int = 0, header: str | None = None) -> int:
        pattern = re.compile(r"^\s*" + _QUOTED_KEY.format(key=re.escape(key)) + r"\s*=")
        tables = [re.compile(r"^\s*\[\s*" + re.escape(h) + r"\s*\]") for h in ([header] if header else [])]
        for number, line in enumerate(self.lines[after:], start=after + 1):
            if pattern.search(line) or any(t.search(line) for t in tables):
                return number
        return after

    def route_line(self, path: str) -> int:
        start = self.line_of("routes", header="routes")
        quoted = re.escape(path)
        pattern = re.compile(r'^\s*(?:\[\s*routes\s*\.\s*)?["\']' + quoted + r'["\']')
        for number, line in enumerate(self.lines[start:], start=start + 1):
            if pattern.search(line):
                return number
        return start

    def within(self, line: int, needle: str, path: str) -> int:
        """The first line from the route's own that mentions `needle` (a case on a line of its own)."""
        other = re.compile(r'^\s*(?:\[\s*routes\s*\.\s*)?["\'](/[^"\']*)["\']')
        for number in range(max(line, 1), len(self.lines) + 1):
            text = self.lines[number - 1]
            if needle in text:
                return number
            found = other.match(text)
            if number > line and ((found and found.group(1) != path) or re.match(r"^\s*\[(?!\s*routes\s*\.)", text)):
                break
        return line

    def problem(self, message: str, line: int, severity: str = "error") -> None:
        self.flow.problems.append(FlowProblem(severity, message, line))

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
        label = f"route {path!r}".replace("'", '"')
        if not path.startswith("/"):
            self.problem(f"{label}: a route is a URL path starting with /", line)
            return None
        if isinstance(value, str):
            return Route(path, value, line)
        if not isinstance(value, Mapping):
            self.problem(f"{label}: expected a file name or a table with by/cases/default", line)
            return None
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

    def check_targets(self) -> None:
        folder = self.flow.folder.resolve()
        for route in self.flow.routes.values():
            label = f'route "{route.path}"'
            named: list[tuple[str, str]] = []
            if isinstance(route.target, str):
                named.append(("", route.target))
            else:
                split = route.target
                named += [(f'case "{key}"', target) for key, target in split.cases]
                named += [(key, t) for key, t in (("then", split.then), ("default", split.default)) if t is not None]
            for what, target in named:
                line = self.within(route.line, f'"{target}"', route.path)
                who = f"{label}: {what} " if what else f"{label} "
                if is_forward(target):
                    if target not in self.flow.routes:
                        self.problem(f"{who}forwards to {target}, which has no route", line)
                    continue
                file = (self.flow.folder / target).resolve()
                if not target.endswith(".xml"):
                    self.problem(f"{who}names {target}, which is neither a .xml file nor a /route", line)
                elif folder not in file.parents:
                    self.problem(f"{who}names {target}, which is outside the flow folder", line)
                elif not file.is_file():
                    self.problem(f"{who}names missing file {target}", line)
        for key, path in self.flow.entries():
            if path not in self.flow.routes:
                self.problem(f"{key} {path} has no route", self.line_of(key))

    def check_cycles(self) -> None:
        """Report URLs that lead back to themselves with no caller input in between: forwards
        between routes, and documents that run straight into a <Redirect>."""
        edges: dict[str, str] = {}
        for route in self.flow.routes.values():
            target: str | None
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
            else:
                nxt = _straight_redirect(self.flow.folder / target, route.path)
                if nxt is not None:
                    edges[route.path] = nxt
        reported: set[frozenset[str]] = set()
        for begin in edges:
            chain = [begin]
            while chain[-1] in edges and edges[chain[-1]] not in chain:
                chain.append(edges[chain[-1]])
            nxt = edges.get(chain[-1])
            if nxt is None or nxt not in chain:
                continue
            loop = chain[chain.index(nxt) :]
            if frozenset(loop) in reported:
                continue
            reported.add(frozenset(loop))
            first = min(loop, key=lambda p: self.flow.routes[p].line)
            loop = loop[loop.index(first) :] + loop[: loop.index(first)]
            self.problem(
                "redirect cycle with no caller input: " + " -> ".join([*loop, loop[0]]), self.flow.routes[first].line
            )


def _straight_redirect(file: Path, url_path: str) -> str | None:
    """The path a document redirects to before anything waits for the caller, if it does."""
    from urllib.parse import urljoin, urlsplit

    from twiml.errors import TwiMLParseError
    from twiml.parser import parse

    try:
        doc = parse(file.read_bytes())
    except (OSError, TwiMLParseError):
        return None
    for verb in doc.verbs:
        if isinstance(verb, str):
            continue
        name = verb.name
        if name in _STOPS:
            return None
        if name == "Redirect" and isinstance(verb.value, str):
            target = urlsplit(urljoin("http://flow" + url_path, verb.value.strip()))
            return target.path if target.netloc == "flow" else None
    return None
