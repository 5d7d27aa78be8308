"""Golden cases: one per path of the map, each replayed through the simulator and written down
as the caller lives it (the requests, what is heard and sent, the verbs with their attributes,
the input given at each wait, how it ends).

A case's inputs are the map's own edge labels ("press 1", 'say "sales"', "dial busy",
"recording 5 s", "no input"), so the file reads like the map and a person can add a case by hand.
Replays use one fixed seed: SIDs, and so the file, are the same on every run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twiml.flow.explore import Edge, FlowMap
from twiml.flowtest.targets import TestTarget
from twiml.simulator.driver import sign
from twiml.simulator.engine import (
    DialOutcome,
    GatherInput,
    Outcome,
    QueueOutcome,
    RecordOutcome,
    Sent,
    answer,
    begin_call,
    begin_message,
    receive,
)
from twiml.simulator.engine import Step as EngineStep
from twiml.simulator.events import Fetch, Fetched, Input, Problem, Stop, Verb
from twiml.simulator.transport import Transport

__all__ = [
    "REPLY",
    "SEED",
    "Case",
    "CasesError",
    "CasesFile",
    "Step",
    "cases_from_map",
    "input_labels",
    "load_cases",
    "parse_input",
    "play",
    "write_cases",
]

SEED = "flowtest"
MAX_STEPS = 60
_TOKEN = re.compile(
    r'\b(?:press [^\s,]+|other keys \([^)]*\)|say "[^"]*"|no input|dial [\w-]+|recording \d+ s|silence|queue [\w-]+'
    r'|no reply \(timeout\)|reply "[^"]*")'
)
REPLY = "reply"
"""The kind of a conversation's input (`reply "yes"`, `no reply (timeout)`): a new inbound message
that the target's `resume` places, not an outcome of the call's wait."""
_CALLEE = "callee hears"


class CasesError(Exception):
    """The cases file cannot be read or written; the message names the file and the place."""


@dataclass
class Step:
    """One request of a case and what its reply did."""

    request: str
    document: str | None = None
    status: int = 200
    heard: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    verbs: list[str] = field(default_factory=list)
    input: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """The document, or the request's URL when the reply has no file (an app, a URL)."""
        return self.document or self.request.partition(" ")[2]


@dataclass
class Case:
    """One path: how it starts, the inputs at each wait, and what happened."""

    name: str
    start: str
    inputs: list[str]
    channel: str = "voice"
    body: str | None = None
    steps: list[Step] = field(default_factory=list)
    end: str = ""

    @property
    def key(self) -> tuple[str, str, str, tuple[str, ...]]:
        return (self.channel, self.start, self.body or "", tuple(self.inputs))


@dataclass
class CasesFile:
    """A cases file: its cases and the fixtures (mocked URLs) they run with."""

    cases: list[Case] = field(default_factory=list)
    fixtures: dict[str, dict[str, Any]] = field(default_factory=dict)
    target: str = ""


# ----------------------------------------------------------------------------------------- inputs


def parse_input(label: str) -> tuple[str, Outcome]:
    """A map label as the outcome it stands for: ("gather", keys) for "press 1", ("dial", busy)..."""
    if label.startswith("press "):
        return "gather", GatherInput(digits=label[6:])
    if label.startswith("other keys (") and label.endswith(")"):
        return "gather", GatherInput(digits=label[12:-1])
    if label.startswith('say "') and label.endswith('"'):
        return "gather", GatherInput(speech=label[5:-1])
    if label == "no input":
        return "gather", GatherInput()
    if label.startswith("dial "):
        return "dial", DialOutcome(label[5:])
    if label == "silence":
        return "record", RecordOutcome(0)
    match = re.fullmatch(r"recording (\d+) s", label)
    if match:
        return "record", RecordOutcome(int(match.group(1)))
    if label.startswith("queue "):
        return "queue", QueueOutcome(label[6:])
    if label == "no reply (timeout)" or (label.startswith('reply "') and label.endswith('"')):
        return REPLY, GatherInput(speech=label[7:-1]) if label.startswith("reply") else GatherInput()
    raise ValueError(
        f'{label!r} is not an input (press K, say "words", no input, dial STATUS, recording N s, reply "words", ...)'
    )


def input_labels(label: str) -> list[str]:
    """The inputs in a map edge's label ("press 1, dial busy" → both; "redirect" → none)."""
    return _TOKEN.findall(label)


# ------------------------------------------------------------------------------------------ paths


def _trails(flow_map: FlowMap) -> Iterator[tuple[str, str, list[Edge]]]:
    """(entry name, entry label, edges) of every path, as the map's tree shows them: a path ends
    at the end of the call, a broken link, or a state already shown."""
    shown: set[str] = set()

    def visit(state_id: str, trail: list[Edge]) -> Iterator[list[Edge]]:
        if state_id in shown or flow_map.states[state_id].kind != "document":
            yield trail
            return
        shown.add(state_id)
        edges = flow_map.out(state_id)
        if not edges:
            yield trail
        for edge in edges:
            if edge.dst is None:
                yield [*trail, edge]
            else:
                yield from visit(edge.dst, [*trail, edge])

    for name, label, state_id in flow_map.entries:
        if name == "fax_start":
            continue  # the simulator plays voice and messaging; a fax is only fetched
        for trail in visit(state_id, []):
            yield name, label, trail


def cases_from_map(flow_map: FlowMap, target: TestTarget) -> list[Case]:
    """One case per path (not yet played), sorted: calls, then callee legs, then messages."""
    found: dict[tuple[str, str, str, tuple[str, ...]], Case] = {}
    for entry, label, trail in _trails(flow_map):
        start_state = next((s for n, lab, s in flow_map.entries if n == entry and lab == label), None)
        start = target.relative(flow_map.states[start_state].url) if start_state else target.relative(target.start)
        if entry in target.entries:
            start = target.relative(target.entries[entry])
        channel, body, prefix = "voice", None, ""
        if entry != "start":  # a text (sms_start), or a Studio flow's REST request or subflow run
            channel, body = "messaging", label[6:-1] if label.startswith('text "') else ""
            prefix = label
        inputs: list[str] = []
        for edge in trail:
            if edge.label.startswith(_CALLEE) and edge.dst is not None:
                # the callee's leg is its own call: it starts at the noun's url
                start = target.relative(flow_map.states[edge.dst].url)
                inputs, prefix = [], f"callee {start}"
                continue
            inputs += input_labels(edge.label)
        name = ", ".join(x for x in (prefix, *inputs) if x) or "call"
        if prefix.startswith("callee") and inputs:
            name = f"{prefix}: {', '.join(inputs)}"
        case = Case(name, start, inputs, channel, body)
        found.setdefault(case.key, case)
    order = {"voice": 0, "messaging": 2}
    return sorted(
        found.values(),
        key=lambda c: (order[c.channel] + c.name.startswith("callee"), c.start, c.body or "", c.inputs),
    )


# ------------------------------------------------------------------------------------------- play


def _verb_line(verb: Verb) -> str:
    attrs = " ".join(f"{k}={_quote(' '.join(v.split()))}" for k, v in sorted(verb.attrs))
    head = verb.name if not verb.inside else f"{verb.inside}/{verb.name}"
    line = f"{head} {attrs}".rstrip()
    text = " ".join(verb.text.split())
    if text and verb.name not in ("Say", "Message", "Body", "Sms"):
        line += f" : {text}"
    return line


def _quote(value: str) -> str:
    return value if value and re.fullmatch(r"[\w@%+=:,./#*-]+", value) else json.dumps(value, ensure_ascii=False)


def play(target: TestTarget, case: Case, transport: Transport | None = None, auth_token: str | None = None) -> Case:
    """Replay `case` (its start, body and inputs) and return it with what happened now."""
    return play_all(target, [case], transport, auth_token)[0]


@dataclass(frozen=True)
class _Resumed:
    """Among a case's events: the conversation went on with this input (a reply, a timeout)."""

    label: str


@dataclass
class _Node:
    """Cases sharing a prefix of inputs: they are played once up to where they part."""

    children: dict[str, _Node] = field(default_factory=dict)
    ending: list[int] = field(default_factory=list)  # indexes of the cases whose inputs end here


def play_all(
    target: TestTarget, cases: Sequence[Case], transport: Transport | None = None, auth_token: str | None = None
) -> list[Case]:
    """Replay every case, each exactly as one call (or message) with the fixed seed would go.

    Cases with the same start share their common prefix: the engine's state is immutable, so the
    call is played once to each wait and each outcome continues from that same state (as the
    explorer forks it). The result is what a fresh `Session` per case gives, in less time.
    """
    replay = _Replay(target, transport or target.transport, auth_token, cases)
    groups: dict[tuple[str, str, str], _Node] = {}
    for n, case in enumerate(cases):
        bad = _bad_input(case.inputs)
        if bad:
            replay.results[n] = Case(
                case.name, case.start, case.inputs, case.channel, case.body, end=f"bad input: {bad}"
            )
            continue
        node = groups.setdefault((case.channel, case.start, case.body or ""), _Node())
        for label in case.inputs:
            node = node.children.setdefault(label, _Node())
        node.ending.append(n)
    for (channel, start, body), root in groups.items():
        url = target.absolute(start)
        if channel == "messaging":
            first = begin_message(url, body, seed=SEED, max_steps=MAX_STEPS, dialect=target.dialect)
        else:
            first = begin_call(url, seed=SEED, max_steps=MAX_STEPS, dialect=target.dialect)
        replay.play(root, first, [], [])
    return [r for r in replay.results if r is not None]


def _bad_input(inputs: list[str]) -> str:
    for label in inputs:
        try:
            parse_input(label)
        except ValueError as exc:
            return str(exc)
    return ""


class _Replay:
    """One `play_all`: where replies come from, the cases and their results."""

    def __init__(self, target: TestTarget, fetcher: Transport, auth_token: str | None, cases: Sequence[Case]) -> None:
        self.target = target
        self.fetcher = fetcher
        self.auth_token = auth_token
        self.cases = cases
        self.results: list[Case | None] = [None] * len(cases)
        self.lines: dict[int, tuple[object, str]] = {}
        """Verb lines by event id, each with its event (kept alive so no other event gets its id)."""

    def play(self, node: _Node, step: EngineStep, events: list[object], used: list[str]) -> None:
        """Run from `step` to the next wait (fetching as needed), then on with each child's input."""
        events = list(events)
        while True:
            events += step.events
            nxt = step.next
            if isinstance(nxt, Fetch):
                request = sign(nxt.request, self.auth_token) if self.auth_token else nxt.request
                step = receive(step.state, self.fetcher.fetch(request))
                continue
            if isinstance(nxt, Stop):
                events.append(nxt)
                self.finish(node, events, used, nxt.reason, deep=self.target.resume is None)
                if self.target.resume is not None:
                    self.resume(node, events, used, nxt)
                return
            break
        ask = nxt
        self.finish(node, events, used, f"waits: {ask.kind}")
        for label, child in node.children.items():
            kind, outcome = parse_input(label)
            if kind != ask.kind:
                self.finish(child, events, used, f"waits: {ask.kind} ({label!r} does not apply)", deep=True)
                continue
            self.play(child, answer(step.state.fork(), outcome), events, [*used, label])

    def resume(self, node: _Node, events: list[object], used: list[str], stop: Stop) -> None:
        """A conversation goes on after its reply with the next inbound message each input places
        (the target's `resume`); an input it does not place ends that case here."""
        assert self.target.resume is not None
        last = next((e.url for e in reversed(events) if isinstance(e, Fetched)), None)
        for label, child in node.children.items():
            found = self.target.resume(last, label) if last is not None else None
            if found is None:
                self.finish(child, events, used, f"{stop.reason} ({label!r} does not apply)", deep=True)
                continue
            url, body = found
            messages = sum(1 for e in events if isinstance(e, Stop))
            first = begin_message(
                url, body, seed=SEED, max_steps=MAX_STEPS, dialect=self.target.dialect, number=messages
            )
            self.play(child, first, [*events, _Resumed(label)], [*used, label])

    def finish(self, node: _Node, events: list[object], used: list[str], end: str, deep: bool = False) -> None:
        """Record the cases that end at `node` (with `deep`, also those below it: their further
        inputs were not needed or do not apply)."""
        pending = [node]
        while pending:
            current = pending.pop()
            for n in current.ending:
                case = self.cases[n]
                played = Case(case.name, case.start, case.inputs, case.channel, case.body)
                played.steps = _steps(events, self.target, used, self.lines)
                played.end = end
                self.results[n] = played
            if deep:
                pending.extend(current.children.values())


def _steps(
    events: Sequence[object], target: TestTarget, used: list[str], lines: dict[int, tuple[object, str]] | None = None
) -> list[Step]:
    """The steps of a case from the engine's events; `lines` caches verb lines by event (cases
    share the events of their common prefix; the event is kept with its line so its id stays its own)."""
    lines = {} if lines is None else lines
    scrub = target.scrub or (lambda text: text)
    steps: list[Step] = []
    inputs = iter(used)
    for event in events:
        if isinstance(event, Fetched):
            request = f"{event.request.method} {scrub(target.relative(event.request.url))}"
            steps.append(Step(request, target.document(event.source), event.status))
            continue
        if not steps:
            continue
        step = steps[-1]
        if isinstance(event, Verb):
            text = " ".join(event.text.split())
            if event.name == "Say" and text:
                step.heard.append(text)
            elif event.name == "Play" and text:
                step.heard.append(f"♪ {text}")
            known = lines.get(id(event))
            if known is None:  # a Dial's nouns (who it rings) follow it
                text = scrub("\n".join([_verb_line(event), *(_verb_line(noun) for noun in event.nouns)]))
                known = lines[id(event)] = (event, text)
            step.verbs += known[1].split("\n")
        elif isinstance(event, Sent):
            step.sent.append(" ".join(event.body.split()))
        elif isinstance(event, Input | _Resumed):
            label = next(inputs, event.value if isinstance(event, Input) else event.label)
            step.input = label if step.input is None else f"{step.input}, {label}"
        elif isinstance(event, Problem) and event.severity == "error":
            step.problems.append(str(event.code))
        elif isinstance(event, Stop):
            pass
    return steps


# -------------------------------------------------------------------------------------- the file


def _s(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


_REPEAT = re.compile(r" \(×(\d+)\)$")


def _runs(lines: list[str]) -> list[str]:
    """Equal verb lines in a row written once with their count: `Gather/Say voice=... (×5)`."""
    out: list[str] = []
    for line in lines:
        if out and _REPEAT.sub("", out[-1]) == line:
            match = _REPEAT.search(out[-1])
            out[-1] = f"{line} (×{int(match.group(1)) + 1 if match else 2})"
        else:
            out.append(line)
    return out


def _unruns(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        match = _REPEAT.search(line)
        out += [line[: match.start()]] * int(match.group(1)) if match else [line]
    return out


def _list(name: str, values: list[str]) -> list[str]:
    if name == "verbs":
        values = _runs(values)
    if not values:
        return []
    if len(values) == 1 and len(values[0]) < 80:
        return [f"{name} = [{_s(values[0])}]"]
    return [f"{name} = [", *(f"  {_s(v)}," for v in values), "]"]


def dump_cases(cases_file: CasesFile) -> str:
    """The cases file as TOML: one `[[case]]` per path with its `[[case.step]]`s."""
    out = [
        f"# Flow test cases for {cases_file.target}: one per path of `twiml map`.",
        "# Check with `twiml test`; after reviewing a change, `twiml test --update` records it.",
        "version = 1",
        f"seed = {_s(SEED)}",
    ]
    if cases_file.fixtures:
        out += ["", "# Replies for URLs the target does not answer (mocked by `twiml test`)."]
        out.append("[fixtures]")
        for url in sorted(cases_file.fixtures):
            fx = cases_file.fixtures[url]
            parts = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(fx.items())]
            out.append(f"{_s(url)} = {{ {', '.join(parts)} }}")
    for case in cases_file.cases:
        out += ["", "[[case]]", f"name = {_s(case.name)}"]
        if case.channel != "voice":
            out.append(f"channel = {_s(case.channel)}")
        out.append(f"start = {_s(case.start)}")
        if case.body is not None:
            out.append(f"body = {_s(case.body)}")
        out.append(f"inputs = [{', '.join(_s(i) for i in case.inputs)}]")
        out.append(f"end = {_s(case.end)}")
        for step in case.steps:
            out += ["", "  [[case.step]]", f"  request = {_s(step.request)}"]
            if step.document is not None:
                out.append(f"  document = {_s(step.document)}")
            if step.status != 200:
                out.append(f"  status = {step.status}")
            for name in ("heard", "sent", "verbs", "problems"):
                out += ["  " + line for line in _list(name, getattr(step, name))]
            if step.input is not None:
                out.append(f"  input = {_s(step.input)}")
    return "\n".join(out) + "\n"


def write_cases(path: Path, cases_file: CasesFile) -> None:
    from twiml.files import atomic_write

    try:
        atomic_write(path, dump_cases(cases_file))
    except OSError as exc:
        raise CasesError(f"{path}: cannot write: {exc.strerror or exc}") from None


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CasesError(f"{where}: expected a list of strings")
    return list(value)


def load_cases(path: Path) -> CasesFile:
    """Read a cases file; CasesError names the file (and the case) when it is not usable."""
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CasesError(f"{path}: no cases file (make one with `twiml test --generate TARGET`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CasesError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CasesError(f"{path}: not TOML: {exc}") from None
    out = CasesFile()
    fixtures = data.get("fixtures", {})
    if not isinstance(fixtures, dict):
        raise CasesError(f"{path}: [fixtures] must be a table of URL = {{ status = ..., body = ... }}")
    for url, fx in fixtures.items():
        out.fixtures[url] = _fixture(fx, f"{path}: fixtures.{url}")
    raw = data.get("case", [])
    if not isinstance(raw, list):
        raise CasesError(f"{path}: `case` must be an array of tables ([[case]])")
    for n, item in enumerate(raw, start=1):
        where = f"{path}: case {n}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise CasesError(f"{where}: a case needs a name")
        where = f"{path}: case {n} ({item['name']})"
        start = item.get("start")
        if not isinstance(start, str):
            raise CasesError(f"{where}: start (the first URL path) is missing")
        case = Case(item["name"], start, _strings(item.get("inputs", []), f"{where}: inputs"))
        for label in case.inputs:
            try:
                parse_input(label)
            except ValueError as exc:
                raise CasesError(f"{where}: {exc}") from None
        case.channel = str(item.get("channel", "voice"))
        if case.channel not in ("voice", "messaging"):
            raise CasesError(f"{where}: channel is voice or messaging, not {case.channel!r}")
        body = item.get("body")
        case.body = str(body) if body is not None else None
        case.end = str(item.get("end", ""))
        for m, s in enumerate(item.get("step", []), start=1):
            if not isinstance(s, dict) or not isinstance(s.get("request"), str):
                raise CasesError(f"{where}: step {m} needs a request")
            step = Step(s["request"], s.get("document"), int(s.get("status", 200)))
            for name in ("heard", "sent", "verbs", "problems"):
                setattr(step, name, _strings(s.get(name, []), f"{where}: step {m} {name}"))
            step.verbs = _unruns(step.verbs)
            step.input = s.get("input")
            case.steps.append(step)
        out.cases.append(case)
    return out


def _fixture(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, int):
        value = {"status": value}
    if not isinstance(value, dict):
        raise CasesError(f'{where}: expected {{ status = N, body = "..." }} or a status number')
    unknown = set(value) - {"status", "body", "content_type", "method"}
    if unknown:
        raise CasesError(f"{where}: unknown key {sorted(unknown)[0]!r} (status, body, content_type, method)")
    if not isinstance(value.get("status", 200), int) or not isinstance(value.get("body", ""), str):
        raise CasesError(f"{where}: status is a number and body a string")
    return dict(value)
