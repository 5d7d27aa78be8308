"""Text and JSON views of a simulated call, shared by the CLI and the pytest API."""

from __future__ import annotations

import re
from typing import Any

from twiml.simulator.engine import Sent
from twiml.simulator.events import Ask, Event, Fetched, Input, Note, Problem, Stop, Verb

__all__ = ["as_json", "heard_line", "lines"]

_SHOWN_ATTRS: dict[str, tuple[str, ...]] = {
    "Gather": ("input", "numDigits", "finishOnKey", "timeout", "actionOnEmptyResult"),
    "Record": ("maxLength", "timeout", "finishOnKey", "transcribe"),
    "Dial": ("callerId", "timeout", "timeLimit", "record"),
    "Enqueue": ("waitUrl",),
    "Reject": ("reason",),
}


def _voice(verb: Verb) -> str:
    bits = [b for b in (verb.attr("voice"), verb.attr("language")) if b]
    return f" [{', '.join(bits)}]" if bits else ""


def heard_line(verb: Verb) -> str | None:
    """What the caller hears from a verb, as one line (None for verbs that are not heard)."""
    if verb.name == "Say":
        return verb.text
    if verb.name == "Play":
        digits = verb.attr("digits")
        return f"[tones {digits}]" if digits else f"[audio {verb.text}]"
    return None


def _verb_line(verb: Verb) -> str:
    if verb.name == "Say":
        return f'Say{_voice(verb)} "{verb.text}"'
    if verb.name == "Play":
        digits = verb.attr("digits")
        return f"Play digits {digits}" if digits else f"Play {verb.text}"
    if verb.name == "Pause":
        return "Pause"
    shown = [f'{k}="{v}"' for k, v in verb.attrs if k in _SHOWN_ATTRS.get(verb.name, ())]
    head = " ".join([verb.name, *shown])
    if verb.text:
        head += f" {verb.text}"
    if verb.nouns:
        head += " -> " + ", ".join(f"{n.name} {n.text}".strip() for n in verb.nouns)
    return head


_SID = re.compile(r"^[A-Z]{2}[0-9a-f]{32}$")


def _short(value: str) -> str:
    """A parameter value for a terminal line: SIDs and long URLs abbreviated, spaces quoted."""
    if _SID.match(value):
        value = value[:8] + "…"
    elif len(value) > 48:
        value = value[:24] + "…" + value[-12:]
    return f'"{value}"' if not value or " " in value else value


def _params(pairs: tuple[tuple[str, str], ...]) -> str:
    return " ".join(f"{k}={_short(v)}" for k, v in pairs)


_BASE_PARAMS = frozenset(
    {
        "AccountSid",
        "ApiVersion",
        "CallSid",
        "Direction",
        "From",
        "To",
        "Caller",
        "Called",
        "MessageSid",
        "SmsMessageSid",
        "SmsSid",
        "SmsStatus",
        "NumSegments",
    }
)


def lines(event: Event | Sent | Ask | Stop) -> list[str]:
    """The text lines of one event (empty for events shown elsewhere)."""
    if isinstance(event, Fetched):
        req = event.request
        own = tuple((k, v) for k, v in req.params if k not in _BASE_PARAMS and (k, v) != ("CallStatus", "in-progress"))
        status = f"{event.status} {event.content_type}".strip() if event.status else "no reply"
        source = f"  [{event.source}]" if event.source else ""
        extra = f"  {_params(own)}" if own else ""
        return ["", f"-> {req.method} {req.url}{extra}", f"<- {status}{source}"]
    if isinstance(event, Verb):
        if event.name == "Message" and not event.notes:
            return []  # the Sent event that follows shows it
        indent = "     " if event.inside else "   "
        out = [indent + _verb_line(event)]
        out.extend(f"{indent}  . {note}" for note in event.notes)
        return out
    if isinstance(event, Sent):
        media = "".join(f"\n     + media {m}" for m in event.media)
        return [f'   message to {event.to} from {event.from_}: "{event.body}"{media}']
    if isinstance(event, Input):
        out = [f"   {event.kind}: {event.value}"]
        out.extend(f"     . {note}" for note in event.notes)
        return out
    if isinstance(event, Note):
        return [f"   . {event.text}"]
    if isinstance(event, Problem):
        mark = {"error": "x", "warning": "!"}.get(event.severity, "i")
        return [f" {mark} {event.format()}"]
    if isinstance(event, Ask):
        return [f"?  {event.verb.name}: {event.prompt()}"] if event.kind == "gather" else []
    detail = f" ({event.message})" if event.message and not event.problems else ""  # problems are shown above
    return [f"== ended: {event.reason}{detail}"]


def _verb_json(verb: Verb) -> dict[str, Any]:
    out: dict[str, Any] = {
        "verb": verb.name,
        "attributes": dict(verb.attrs),
        "text": verb.text,
        "url": verb.url,
        "source": verb.source,
        "line": verb.line,
    }
    if verb.inside:
        out["inside"] = verb.inside
    if verb.nouns:
        out["nouns"] = [_verb_json(n) for n in verb.nouns]
    if verb.notes:
        out["notes"] = list(verb.notes)
    return out


def as_json(
    events: list[Event | Sent | Ask | Stop], ended: Stop | None, kind: str, target: str, exit_status: int
) -> dict[str, Any]:
    """One object: requests, verbs, inputs, diagnostics, messages sent, and the end. The kind goes
    out under the key "channel", the JSON output's name for it since the first release."""
    requests = [
        {
            "method": e.request.method,
            "url": e.request.target,
            "parameters": dict(e.request.params),
            "status": e.status,
            "content_type": e.content_type,
            "source": e.source,
            "requested_by": None
            if e.origin.attr == "start"
            else {"url": e.origin.url, "source": e.origin.source, "line": e.origin.line, "verb": e.origin.verb},
        }
        for e in events
        if isinstance(e, Fetched)
    ]
    return {
        "target": target,
        "channel": kind,
        "requests": requests,
        "verbs": [_verb_json(e) for e in events if isinstance(e, Verb)],
        "inputs": [
            {"kind": e.kind, "value": e.value, "parameters": dict(e.params), "notes": list(e.notes)}
            for e in events
            if isinstance(e, Input)
        ],
        "messages": [
            {"to": e.to, "from": e.from_, "body": e.body, "media": list(e.media)} for e in events if isinstance(e, Sent)
        ],
        "notes": [e.text for e in events if isinstance(e, Note)],
        "diagnostics": [
            {
                "severity": e.severity,
                "code": e.code,
                "message": e.message,
                "url": e.url,
                "source": e.file,
                "line": e.line,
                "column": e.column,
            }
            for e in events
            if isinstance(e, Problem)
        ],
        "ended": {"reason": ended.reason, "message": ended.message} if ended else None,
        "exit_status": exit_status,
    }
