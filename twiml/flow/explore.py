"""The map of a flow: every path a caller can take, found by driving the simulator's engine.

From each entry point the explorer fetches the first document and runs it with the engine.
Wherever the call waits (a Gather, a Dial, a Record, a queue) it forks the call state once per
outcome worth trying, and follows each fork to the next request. A state is a document at a URL;
reaching a known state again is a back-reference (a loop), so the walk ends; `max_states`
bounds it. What to try at a Gather comes from the routes for a flow folder (each split case, one
value matching no case, and no input), or from a fixed list for an app or URL (keys 0-9 * # when
numDigits is 1, otherwise the `tries` values).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from twiml.codes import FLOW_DEFAULT, FLOW_UNREACHABLE, PARSE_FAILURE
from twiml.diagnostic import Diagnostic
from twiml.flow.callbacks import Callback, find_callbacks
from twiml.flow.config import FLOW_FILE, Flow
from twiml.flow.folder import DEFAULT_BASE_URL
from twiml.flow.routing import Split, is_forward
from twiml.flow.transport import FolderTransport
from twiml.simulator.engine import (
    DIAL_STATUSES,
    DialOutcome,
    GatherInput,
    Outcome,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    answer,
    begin_call,
    begin_message,
    receive,
)
from twiml.simulator.events import Ask, Fetch, Fetched, Problem, Stop, Verb
from twiml.simulator.transport import Reply, Request, Transport

__all__ = ["Broken", "Callback", "Edge", "Fallthrough", "FlowMap", "MapState", "explore", "explore_flow"]

DEFAULT_MAX_STATES = 200
_KEYS = "0123456789*#"
_OTHER_SPEECH = "something else"
_OTHER_BODY = "hello"


@dataclass
class MapState:
    """A document at a URL (`kind` "document"), or where a link broke (`kind` "broken")."""

    id: str
    url: str
    document: str | None
    heard: str = ""
    kind: str = "document"
    entry: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def worst(self) -> str | None:
        severities = {p.severity for p in self.problems}
        return "error" if "error" in severities else "warning" if "warning" in severities else None


@dataclass(frozen=True)
class Edge:
    """`src` leads to `dst` (a state id) on `label`; `end` instead when the call ends there."""

    src: str
    label: str
    dst: str | None = None
    end: str | None = None  # hangup, completed, rejected, error, max-steps
    heard: tuple[str, ...] = ()
    """What ran on the way: `Say text`, `Play url`, `Message body` ... from the source document."""


@dataclass(frozen=True)
class Broken:
    """A link that does not work: the URL, who asked for it (and where), and Twilio's error."""

    url: str
    origin: str
    code: int | str
    message: str
    file: str | None = None
    line: int | None = None

    def diagnostic(self) -> Diagnostic:
        """The finding: an error at the element that asked for the URL."""
        text = f"broken link: {self.url} (requested by {self.origin}): {self.message}"
        return Diagnostic("error", self.code, text, line=self.line, file=self.file, url=self.url)


@dataclass(frozen=True)
class Fallthrough:
    """An input that only the default of a split catches."""

    state: str
    label: str
    route: str
    document: str


@dataclass
class FlowMap:
    """The explored graph and what the explorer found wrong or doubtful."""

    states: dict[str, MapState] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    entries: list[tuple[str, str, str]] = field(default_factory=list)  # (entry name, label, state id)
    broken: list[Broken] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)
    fallthroughs: list[Fallthrough] = field(default_factory=list)
    callbacks: list[Callback] = field(default_factory=list)
    """Callback URLs of a flow folder's documents (routed or not)."""
    truncated: bool = False
    folder: Path | None = None

    def out(self, state_id: str) -> list[Edge]:
        return [e for e in self.edges if e.src == state_id]

    @property
    def problem_states(self) -> list[MapState]:
        return [s for s in self.states.values() if s.problems]

    @property
    def unrouted(self) -> list[Callback]:
        return [c for c in self.callbacks if not c.routed]

    @property
    def link_findings(self) -> list[Diagnostic]:
        """What only the map knows about the documents, each in the document it concerns: broken
        links (error, at the element asking), documents no path reaches and callbacks no route
        answers (warnings, the callback at its attribute). The language server shows these beside
        the validator's findings of an open document."""
        out = [b.diagnostic() for b in self.broken]
        folder = self.folder
        for doc in self.unreachable:
            file = str(folder / doc) if folder is not None else doc
            text = f"{doc} is in the folder but no path reaches it"
            out.append(Diagnostic("warning", FLOW_UNREACHABLE, text, file=file))
        out += [c.diagnostic() for c in self.unrouted]
        return out

    @property
    def findings(self) -> list[Diagnostic]:
        """Everything the map found, as findings: `link_findings`, each document's problems, and
        inputs that only a split's default catches (info)."""
        folder = self.folder
        out = self.link_findings
        out += [p for s in self.states.values() if s.kind == "document" for p in s.problems]
        for f in self.fallthroughs:
            text = f"{f.label} at [{f.state}] falls to the default of {f.route} ({f.document})"
            out.append(Diagnostic("info", FLOW_DEFAULT, text, file=str(folder / FLOW_FILE) if folder else None))
        return out

    @property
    def failed(self) -> bool:
        """Broken links or error-level problems: what `twiml map` exits 1 for."""
        return bool(self.broken) or any(s.worst == "error" for s in self.states.values())


# ----------------------------------------------------------------------------------------- inputs

Chooser = Callable[[Ask], list[tuple[str, Outcome]]]


class _Inputs:
    """What to try at each wait: from the routes of a folder, or generic for an app or URL."""

    def __init__(self, flow: Flow | None, base_url: str, tries: Sequence[str]) -> None:
        self.flow = flow
        self.base_url = base_url
        self.tries = list(tries)

    def splits(self, url: str) -> list[Split]:
        """Splits met on the way from `url` through forwards (a Digits split forwarding to a
        SpeechResult split gives both)."""
        if self.flow is None:
            return []
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != urlsplit(self.base_url).netloc:
            return []
        out: list[Split] = []
        pending, seen = [parts.path], set()
        while pending:
            path = pending.pop(0)
            route = self.flow.routes.get(path)
            if route is None or path in seen:
                continue
            seen.add(path)
            if isinstance(route.target, Split):
                out.append(route.target)
            pending.extend(t for t in route.targets() if is_forward(t))
        return out

    def cases(self, url: str, by: str) -> list[str]:
        return [key for split in self.splits(url) if split.by == by for key, _ in split.cases]

    def gather(self, ask: Ask) -> list[tuple[str, Outcome]]:
        verb = ask.verb
        action = _action(verb)
        width = ask.num_digits or 1
        out: list[tuple[str, Outcome]] = []
        dtmf, speech = "dtmf" in ask.input_types, "speech" in ask.input_types
        if self.flow is not None:
            keys = self.cases(action, "Digits") if dtmf else []
            words = self.cases(action, "SpeechResult") if speech else []
            out += [(f"press {k}", GatherInput(digits=k)) for k in keys]
            out += [(f'say "{w}"', GatherInput(speech=w)) for w in words]
            if dtmf:
                other = next((k * width for k in "9876543210*" if k * width not in keys), "9" * width)
                out.append((f"press {other}" if not keys else f"other keys ({other})", GatherInput(digits=other)))
            if speech and (words or not dtmf):
                out.append((f'say "{_OTHER_SPEECH}"', GatherInput(speech=_OTHER_SPEECH)))
        else:
            if dtmf and width == 1 and not self.tries:
                out += [(f"press {k}", GatherInput(digits=k)) for k in _KEYS]
            for value in self.tries:
                got = GatherInput.parse(value)
                if (got.digits and dtmf) or (got.speech and speech):
                    out.append((f"press {value}" if got.digits else f'say "{value}"', got))
        out.append(("no input", GatherInput()))
        return out

    def dial(self, ask: Ask) -> list[tuple[str, Outcome]]:
        action = ask.verb.attr("action")
        if not action:
            return [("dial completed", DialOutcome("completed"))]
        if self.flow is None:
            statuses = ["completed", "busy", "no-answer", "failed"]
        else:
            statuses = self.cases(_action(ask.verb), "DialCallStatus")
            other = next((s for s in DIAL_STATUSES if s not in statuses and s != "answered"), None)
            statuses = (statuses or ["completed"]) + ([other] if other and statuses else ["no-answer"])
        return [(f"dial {s}", DialOutcome(s)) for s in dict.fromkeys(statuses)]

    def record(self, ask: Ask) -> list[tuple[str, Outcome]]:
        return [("recording 5 s", RecordOutcome(5)), ("silence", RecordOutcome(0))]

    def queue(self, ask: Ask) -> list[tuple[str, Outcome]]:
        results = ["bridged"]
        if self.flow is not None and ask.verb.attr("action"):
            results += self.cases(_action(ask.verb), "QueueResult")
        return [(f"queue {r}", QueueOutcome(r)) for r in dict.fromkeys(results)]

    def __call__(self, ask: Ask) -> list[tuple[str, Outcome]]:
        return {"gather": self.gather, "dial": self.dial, "record": self.record, "queue": self.queue}[ask.kind](ask)


def _action(verb: Verb) -> str:
    from urllib.parse import urljoin

    action = verb.attr("action")
    return urljoin(verb.url, action.strip()) if action else verb.url


# ---------------------------------------------------------------------------------------- explorer


class _Explorer:
    def __init__(
        self, transport: Transport, choose: Chooser, max_states: int, flow: Flow | None, auth_token: str | None
    ) -> None:
        self.transport = transport
        self.choose = choose
        self.max_states = max_states
        self.flow = flow
        self.auth_token = auth_token
        self.map = FlowMap(folder=flow.folder if flow is not None else None)
        self.keys: dict[tuple[str, str], str] = {}
        self.todo: deque[tuple[str, Step]] = deque()

    def fetch(self, request: Request) -> Reply:
        if self.auth_token:
            from twiml.simulator.driver import sign

            request = sign(request, self.auth_token)
        return self.transport.fetch(request)

    def key(self, reply: Reply, request: Request) -> tuple[str, str]:
        url = reply.url or request.url
        parts = urlsplit(url)
        where = parts.scheme + "://" + parts.netloc + parts.path
        if reply.source is not None:
            return where, reply.source
        return where, f"{reply.status}:{hash(reply.body)}"

    def document_name(self, source: str | None) -> str | None:
        """A folder document's name relative to the folder (sources are `folder/name`)."""
        if source is None or self.flow is None:
            return source
        prefix = os.path.join(str(self.flow.folder), "")
        return source[len(prefix) :] if source.startswith(prefix) else source

    def arrive(
        self, src: str | None, label: str, step: Step, entry: str | None = None, heard: tuple[str, ...] = ()
    ) -> None:
        """Follow the pending Fetch of `step` to a state (new, known, or broken)."""
        fetch = step.next
        assert isinstance(fetch, Fetch)
        reply = self.fetch(fetch.request)
        key = self.key(reply, fetch.request)
        known = self.keys.get(key)
        if known is not None:
            self.link(src, label, known, fetch.request, heard)
            if entry:
                self.map.entries.append((entry, label, known))
            return
        if len(self.map.states) >= self.max_states:
            self.map.truncated = True
            return
        after = receive(step.state, reply)
        fetched = next((e for e in after.events if isinstance(e, Fetched)), None)
        state_id = f"s{len(self.map.states) + 1}"
        url = fetched.url if fetched else fetch.request.url
        ok = 200 <= reply.status < 300 and reply.error is None
        state = MapState(state_id, url, self.document_name(reply.source), kind="document" if ok else "broken")
        state.entry = entry
        state.problems = [e for e in after.events if isinstance(e, Problem)]
        state.heard = _heard(after)
        self.map.states[state_id] = state
        if entry:
            self.map.entries.append((entry, label, state_id))
        self.link(src, label, state_id, fetch.request, heard)
        self.keys[key] = state_id
        if not ok:
            failure = state.problems[0] if state.problems else None
            self.map.broken.append(
                Broken(
                    fetch.request.url,
                    fetch.origin.describe(),
                    failure.code if failure else reply.status,
                    failure.message if failure else f"HTTP {reply.status}",
                    fetch.origin.source,
                    fetch.origin.line,
                )
            )
            return
        self.todo.append((state_id, after))

    def link(self, src: str | None, label: str, dst: str, request: Request, heard: tuple[str, ...]) -> None:
        if src is None:
            return
        self.map.edges.append(Edge(src, label, dst, heard=heard))
        if self.flow is not None:
            # the folder routed this very request just now; another transport (an exported app) did not
            resolution = self.transport.last_resolution if isinstance(self.transport, FolderTransport) else None
            if resolution is None:
                resolution = self.flow.resolve(urlsplit(request.url).path, dict(request.params))
            if resolution.hops and resolution.hops[-1][1] == "default" and resolution.document:
                self.map.fallthroughs.append(Fallthrough(src, label, resolution.hops[-1][0], resolution.document))

    def walk(self, state_id: str, step: Step, labels: tuple[str, ...], heard: tuple[str, ...] = ()) -> None:
        """Run one document from `step`, forking at every wait, until each fork leaves it."""
        for event in step.events:
            if isinstance(event, Verb):
                self.callee_legs(state_id, event)
                heard += (f"{event.name} {' '.join(event.text.split())}".rstrip(),)
            elif isinstance(event, Sent):
                heard += (f"sends {' '.join(event.body.split())}",)
        nxt = step.next
        if isinstance(nxt, Fetch):
            label = ", ".join(labels) or _how(nxt)
            self.arrive(state_id, label, step, heard=heard)
        elif isinstance(nxt, Stop):
            self.map.edges.append(Edge(state_id, ", ".join(labels), end=nxt.reason, heard=heard))
        else:
            for label, outcome in self.choose(nxt):
                self.walk(state_id, answer(step.state.fork(), outcome), (*labels, label), heard)

    def callee_legs(self, state_id: str, verb: Verb) -> None:
        """A Dial noun's `url` is a document the callee hears before the calls are bridged:
        explored as its own call leg so its documents are on the map too."""
        from urllib.parse import urljoin

        if verb.name != "Dial":  # a <Start><Stream url="wss://..."> is audio, not a document
            return
        for noun in verb.nouns:
            url = noun.attr("url")
            if url:
                leg = begin_call(urljoin(verb.url, url.strip()), method=noun.attr("method") or "POST")
                self.arrive(state_id, f"callee hears ({noun.name} url)", leg)

    def run(self, starts: list[tuple[str, str, Step]]) -> FlowMap:
        for entry, label, step in starts:
            self.arrive(None, label, step, entry)
            while self.todo:
                state_id, after = self.todo.popleft()
                self.walk(state_id, after, ())
        return self.map


def _how(fetch: Fetch) -> str:
    verb, attr = fetch.origin.verb, fetch.origin.attr
    return verb.lower() if attr in ("body", "start") else f"{verb.lower()} {attr}"


def _heard(step: Step) -> str:
    """What the caller hears (or reads) first in a document."""
    for event in step.events:
        text = ""
        if isinstance(event, Sent):
            text = event.body
        elif isinstance(event, Verb) and event.name in ("Say", "Play") and event.text:
            text = event.text
        if text:
            text = " ".join(text.split())
            music = isinstance(event, Verb) and event.name == "Play"
            return ("♪ " if music else "") + (text if len(text) <= 60 else text[:57] + "...")
    return ""


def _iter_split_keys(flow: Flow, path: str, by: str) -> Iterator[str]:
    route = flow.routes.get(path)
    if route is not None and isinstance(route.target, Split) and route.target.by == by:
        yield from (key for key, _ in route.target.cases)


# ------------------------------------------------------------------------------------------- entries


def explore_flow(
    flow: Flow,
    max_states: int = DEFAULT_MAX_STATES,
    transport: Transport | None = None,
    base_url: str | None = None,
    dialect: str | None = None,
) -> FlowMap:
    """Map a flow folder from each of its entry points (voice, SMS, fax).

    With `transport` (e.g. the app `twiml export-app` wrote, called in process at `base_url`),
    the same inputs are tried against it instead of the folder: equal maps mean equal behaviour.
    """
    folder = FolderTransport(flow, base_url or DEFAULT_BASE_URL)
    inputs = _Inputs(flow, folder.base_url, ())
    explorer = _Explorer(transport or folder, inputs, max_states, flow, None)
    starts: list[tuple[str, str, Step]] = []
    if flow.start is not None:
        starts.append(("start", "call", begin_call(folder.url(flow.start), dialect=dialect or flow.dialect)))
    if flow.sms_start is not None:
        bodies = [*_iter_split_keys(flow, flow.sms_start, "Body"), _OTHER_BODY]
        starts += [("sms_start", f'text "{b}"', begin_message(folder.url(flow.sms_start), b)) for b in bodies]
    result = explorer.run(starts)
    if flow.fax_start is not None and (transport is None or isinstance(transport, FolderTransport)):
        _fax_entry(result, transport if isinstance(transport, FolderTransport) else folder, flow.fax_start)
    requested = {urlsplit(s.url).path for s in result.states.values()}
    result.callbacks = find_callbacks(flow, requested, folder.base_url)
    reached = {s.document for s in result.states.values() if s.document}
    walked = {str(flow.folder / d) for d in reached}  # callbacks of reached documents reach theirs
    reached |= {d for c in result.callbacks if c.file in walked and (d := flow.resolve(urlsplit(c.url).path).document)}
    result.unreachable = [d for d in flow.documents() if d not in reached]
    return result


def _fax_entry(result: FlowMap, transport: FolderTransport, path: str) -> None:
    """The simulator plays voice and messaging; a fax document is fetched and checked only."""
    from twiml.errors import TwiMLParseError
    from twiml.parser import parse
    from twiml.validator import validate

    reply = transport.answer("POST", transport.url(path), {})
    state_id = f"s{len(result.states) + 1}"
    document = reply.source
    state = MapState(state_id, reply.url, document, kind="document" if reply.status == 200 else "broken")
    state.entry = "fax_start"
    source = str(transport.flow.folder / document) if document else None
    if reply.status == 200:
        try:
            for d in validate(parse(reply.body, kind="fax")):
                state.problems.append(
                    Problem(d.severity, d.code, d.message, url=reply.url, file=source, line=d.line, column=d.column)
                )
        except TwiMLParseError as exc:
            state.problems.append(
                Problem(
                    "error", PARSE_FAILURE, exc.message, url=reply.url, file=source, line=exc.line, column=exc.column
                )
            )
        state.heard = "fax"
    else:
        result.broken.append(Broken(reply.url, "fax_start", 11200, reply.body.decode("utf-8", "replace")))
    result.states[state_id] = state
    result.entries.append(("fax_start", "fax", state_id))


def explore(
    transport: Transport,
    url: str,
    *,
    tries: Sequence[str] = (),
    max_states: int = DEFAULT_MAX_STATES,
    auth_token: str | None = None,
    dialect: str = "twilio",
) -> FlowMap:
    """Map a webhook app or server from `url` (a voice call), trying `tries` at Gathers that take
    more than one key (and instead of 0-9 * # when given); `dialect` is the vendor placing it."""
    base = urlsplit(url)
    inputs = _Inputs(None, f"{base.scheme}://{base.netloc}", tries)
    explorer = _Explorer(transport, inputs, max_states, None, auth_token)
    return explorer.run([("start", "call", begin_call(url, dialect=dialect))])


def paths(flow_map: FlowMap, entry: str = "start") -> list[list[Edge]]:
    """Every path of the map from `entry`, as in the text tree: a path ends at the end of the
    call, at a broken link, or where it reaches a state already shown (a back-reference)."""
    out: list[list[Edge]] = []
    shown: set[str] = set()

    def visit(state_id: str, trail: list[Edge]) -> None:
        if state_id in shown or flow_map.states[state_id].kind != "document":
            out.append(trail)
            return
        shown.add(state_id)
        edges = flow_map.out(state_id)
        if not edges:
            out.append(trail)
        for edge in edges:
            if edge.dst is None:
                out.append([*trail, edge])
            else:
                visit(edge.dst, [*trail, edge])

    for name, _, state_id in flow_map.entries:
        if name == entry:
            visit(state_id, [])
    return out
