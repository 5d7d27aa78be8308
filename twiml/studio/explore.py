"""`twiml map flow.json`: every path of a Studio flow, found by the same explorer as flow folders.

The flow is served by `StudioTransport`; the explorer forks the call at each wait. What to try
comes from the flow itself: at a Gather, the values the splits after its keypress and speech
transitions test (one per condition that a plain value can meet), one value no condition takes,
and no input; for messages, the bodies the splits after the trigger or a send-and-wait-for-reply
test, one other body, and (after a send-and-wait-for-reply) no reply at all: the timeout.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from twiml.flow.explore import DEFAULT_MAX_STATES, Edge, FlowMap, _Explorer
from twiml.simulator.engine import (
    DIAL_STATUSES,
    DialOutcome,
    GatherInput,
    Outcome,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    begin_call,
    begin_message,
)
from twiml.simulator.events import Ask, Stop, Verb
from twiml.simulator.transport import Transport
from twiml.studio.conditions import sample_values
from twiml.studio.model import State, StudioFlow
from twiml.studio.runner import StudioTransport

__all__ = ["explore_studio", "split_values", "widget_of"]

_OTHER_SPEECH = "something else"
_OTHER_BODY = "hello"
_SPLIT_DEPTH = 6


_LITERAL = re.compile(r"widgets\.[\w-]+\.(?:Digits|SpeechResult|inbound\.Body)\s*==\s*[\"']([^\"']+)[\"']")


def split_values(flow: StudioFlow, name: str | None) -> list[str]:
    """Values the split at `name` (and the splits its noMatch leads to) can take a branch on, where
    the split tests what the caller sent (`widgets.*`, `trigger.*`); through set-variables widgets,
    the values their Liquid compares a caller's input with (`{% if widgets.menu.Digits == "1" %}`)."""
    out: list[str] = []
    seen: set[str] = set()
    depth = 0
    while name and name not in seen and depth < _SPLIT_DEPTH:
        state = flow.by_name.get(name)
        if state is not None and state.type == "set-variables":
            seen.add(name)
            depth += 1
            items = state.properties.get("variables")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    out += _LITERAL.findall(str(item.get("value", "")))
            following = state.next_for("next")
            name = following.next if following else None
            continue
        if state is None or state.type != "split-based-on":
            break
        seen.add(name)
        depth += 1
        for t in state.transitions:
            for c in t.conditions if t.event == "match" else ():
                args = c.get("arguments")
                subject = str(args[0] if isinstance(args, list) and args else state.properties.get("input", ""))
                if "widgets." in subject or "trigger." in subject:
                    out += sample_values(str(c.get("type", "")), c.get("value"))
        no_match = state.next_for("noMatch")
        name = no_match.next if no_match else None
    return list(dict.fromkeys(v for v in out if v))


def widget_of(url: str) -> tuple[str, int | None]:
    """The widget a runner URL names (`/<widget>[/<event>]?ctx=N`) and its execution's number."""
    parts = urlsplit(url)
    name = unquote(parts.path.strip("/").split("/")[0])
    ctx = parse_qs(parts.query).get("ctx", [""])[0]
    return name, int(ctx) if ctx.isdigit() else None


class _StudioInputs:
    """What to try at each wait of a Studio flow's TwiML (a subflow's widgets are found through
    the transport, which knows the subflow files)."""

    def __init__(self, transport: StudioTransport) -> None:
        self.transport = transport

    def state(self, name: str) -> State | None:
        found = self.transport.locate(name)
        return found[1] if found else None

    def after(self, name: str, event: str) -> list[str]:
        found = self.transport.locate(name)
        t = found[1].next_for(event) if found else None
        return split_values(found[0], t.next if t else None) if found else []

    def gather(self, ask: Ask) -> list[tuple[str, Outcome]]:
        name, _ = widget_of(ask.verb.attr("action") or "")
        state = self.state(name)
        width = ask.num_digits or 1
        values = self.after(name, "keypress")
        keys = [v for v in values if v.isdigit() or set(v) <= set("0123456789*#")]
        words = [v for v in values if v not in keys]
        if state is not None and state.next_for("speech") and state.next_for("speech").next:  # type: ignore[union-attr]
            words += [w for w in self.after(name, "speech") if w not in words and w not in keys]
        out: list[tuple[str, Outcome]] = [(f"press {k}", GatherInput(digits=k)) for k in keys]
        out += [(f'say "{w}"', GatherInput(speech=w)) for w in words]
        other = next((k * width for k in "9876543210*" if k * width not in keys), "9" * width)
        out.append((f"press {other}" if not keys else f"other keys ({other})", GatherInput(digits=other)))
        if words:
            out.append((f'say "{_OTHER_SPEECH}"', GatherInput(speech=_OTHER_SPEECH)))
        out.append(("no input", GatherInput()))
        return out

    def dial(self, ask: Ask) -> list[tuple[str, Outcome]]:
        """As for a folder: the statuses the splits after the Dial test, and one they do not."""
        name, _ = widget_of(ask.verb.attr("action") or "")
        cases = [v for v in self.after(name, "callCompleted") if v in DIAL_STATUSES]
        other = next((s for s in DIAL_STATUSES if s not in cases and s != "answered"), None)
        statuses = (cases or ["completed"]) + ([other] if other and cases else ["no-answer"])
        return [(f"dial {s}", DialOutcome(s)) for s in dict.fromkeys(statuses)]

    def __call__(self, ask: Ask) -> list[tuple[str, Outcome]]:
        if ask.kind == "gather":
            return self.gather(ask)
        if ask.kind == "dial":
            return self.dial(ask)
        if ask.kind == "record":
            return [("recording 5 s", RecordOutcome(5)), ("silence", RecordOutcome(0))]
        name, _ = widget_of(ask.verb.attr("action") or "")
        results = ["bridged"]
        state = self.state(name)
        failed = state.next_for("failedToEnqueue") if state else None
        if failed is not None and failed.next:
            results.append("queue-full")
        return [(f"queue {r}", QueueOutcome(r)) for r in results]


class _StudioExplorer(_Explorer):
    """The folder explorer plus conversations: a send-and-wait-for-reply is answered (or left to
    time out) with new inbound messages to its continuation URL."""

    def __init__(self, transport: StudioTransport, max_states: int, through: Transport | None = None) -> None:
        super().__init__(through or transport, _StudioInputs(transport), max_states, None, None)
        self.studio = transport

    def walk(self, state_id: str, step: Step, labels: tuple[str, ...], heard: tuple[str, ...] = ()) -> None:
        nxt = step.next
        if isinstance(nxt, Stop) and step.state.kind == "messaging":
            url = self.map.states[state_id].url
            name, ctx = widget_of(url)
            found = self.studio.locate(name)
            state = found[1] if found else None
            ended = urlsplit(url).path.endswith("/end")  # the execution ended after this widget
            if found and state and state.type == "send-and-wait-for-reply" and ctx is not None and not ended:
                for event in step.events:
                    if isinstance(event, Sent):
                        heard += (f"sends {' '.join(event.body.split())}",)
                    elif isinstance(event, Verb):
                        heard += (f"{event.name} {' '.join(event.text.split())}".rstrip(),)
                replies = [*split_values(found[0], _next(state, "incomingMessage")), _OTHER_BODY]
                for body in dict.fromkeys(replies):
                    url = self.studio.continuation(name, "reply", ctx)
                    self.arrive(
                        state_id, ", ".join((*labels, f'reply "{body}"')), begin_message(url, body), heard=heard
                    )
                url = self.studio.continuation(name, "timeout", ctx)
                self.arrive(state_id, ", ".join((*labels, "no reply (timeout)")), begin_message(url, ""), heard=heard)
                return
        super().walk(state_id, step, labels, heard)


def _next(state: State, event: str) -> str | None:
    t = state.next_for(event)
    return t.next if t else None


def explore_studio(
    flow: StudioFlow,
    max_states: int | None = None,
    transport: StudioTransport | None = None,
    through: Transport | None = None,
) -> FlowMap:
    """Map a Studio flow from each entry its trigger has (call, message, REST request, subflow);
    `through` is a transport wrapping `transport` (mocked URLs, a recording) that requests go to."""
    studio = transport or StudioTransport(flow)
    studio.route_replies = False  # the map forks conversations by URL, never by the contact
    limit = max_states if max_states is not None else max(DEFAULT_MAX_STATES, 2 * len(flow.states) + 10)
    explorer = _StudioExplorer(studio, limit, through)
    starts: list[tuple[str, str, Step]] = []
    if flow.entry("incomingCall"):
        starts.append(("start", "call", begin_call(studio.entry_url("incomingCall"))))
    for event in ("incomingMessage", "incomingConversationMessage"):
        entry = flow.entry(event)
        if entry:
            bodies = [*split_values(flow, entry), _OTHER_BODY]
            url = studio.entry_url(event)
            starts += [("sms_start", f'text "{b}"', begin_message(url, b)) for b in dict.fromkeys(bodies)]
    if flow.entry("incomingRequest"):
        starts.append(("rest", "REST request", begin_message(studio.entry_url("incomingRequest"), "")))
    if flow.entry("incomingParent"):
        starts.append(("parent", "run as a subflow", begin_message(studio.entry_url("incomingParent"), "")))
    result = explorer.run(starts)
    for state in result.states.values():
        name, _ = widget_of(state.url)
        state.url = state.url.split("?")[0].replace("%2F", "/")  # a subflow widget: run_widget/name
        found = studio.locate(name)
        state.document = found[1].type if found else None
    return result


__all__ += ["Edge"]
