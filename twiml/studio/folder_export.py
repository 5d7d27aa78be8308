"""Export a hand-written flow folder (TwiML documents + flow.toml) as a Studio flow definition.

Each document becomes a chain of widgets, one per verb (Say/Play -> say-play, Gather with its
nested prompts -> gather-input-on-call, Dial -> connect-call-to, Record -> record-voicemail,
Enqueue -> enqueue-call, Message/Sms -> send-message); a Redirect, an action and the verb after a
Gather or Record that got nothing become transitions; Hangup, Reject and the end of a document end
the execution. A split route becomes a split-based-on widget per widget that reaches it, testing
that widget's result (`{{widgets.menu.Digits}}`, `{{trigger.message.Body}}` ...). What Studio has
no widget for (a Pause, a Dial noun's `url` the callee hears, an Enqueue `waitUrl`, faxes) is
listed in the definition's description and left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from twiml.flow.config import Flow, FlowError, load_flow
from twiml.flow.folder import DEFAULT_BASE_URL
from twiml.flow.routing import TOKEN_PARAMS, NoContent, Split, is_forward

__all__ = ["export_flow_folder"]

_PARAM_OF = {
    "gather-input-on-call": ("Digits", "SpeechResult"),
    "connect-call-to": ("DialCallStatus", "DialCallDuration"),
    "record-voicemail": ("RecordingDuration", "RecordingUrl"),
    "enqueue-call": ("QueueResult",),
}
_PUNCTUATION = ".,!?;:'()\""
"""Removed from words before an exact match, as the folder's routes ignore punctuation."""
_KEPT_ATTRS = {
    "Say": {"voice", "language", "loop"},
    "Play": {"loop", "digits"},
    "Gather": {
        "action",
        "method",
        "timeout",
        "numDigits",
        "finishOnKey",
        "speechTimeout",
        "language",
        "hints",
        "input",
    },
    "Dial": {"action", "method", "callerId", "timeout", "record"},
    "Record": {
        "action",
        "method",
        "maxLength",
        "timeout",
        "finishOnKey",
        "playBeep",
        "trim",
        "transcribe",
        "transcribeCallback",
    },
    "Enqueue": {"action", "method", "workflowSid", "waitUrl", "waitUrlMethod"},
    "Message": {"to", "from"},
    "Sms": {"to", "from"},
}
"""Attributes a widget property carries; the others are listed as left out."""
_NOUNS = {"Number": "number", "Client": "client", "Sip": "sip", "Conference": "conference", "Queue": "queue"}


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
    return slug or "root"


class _Exporter:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.states: list[dict[str, Any]] = []
        self.by_name: dict[str, dict[str, Any]] = {}
        self.docs: dict[str, str | None] = {}
        self.splits: dict[tuple[str, str], str | None] = {}
        self.left_out: list[str] = []
        self.y = 0

    # ------------------------------------------------------------------------------ states

    def add(self, name: str, type_: str, properties: dict[str, Any]) -> dict[str, Any]:
        base, n = name, 1
        while name in self.by_name:
            n += 1
            name = f"{base}_{n}"
        self.y += 200
        state: dict[str, Any] = {
            "name": name,
            "type": type_,
            "transitions": [],
            "properties": {**properties, "offset": {"x": 0, "y": self.y}},
        }
        self.states.append(state)
        self.by_name[name] = state
        return state

    @staticmethod
    def link(state: dict[str, Any], event: str, nxt: str | None, **extra: Any) -> None:
        t: dict[str, Any] = {"event": event}
        if nxt:
            t["next"] = nxt
        t.update(extra)
        state["transitions"].append(t)

    # ------------------------------------------------------------------------------ routes

    def route(self, path: str, source: str | None, seen: frozenset[str] = frozenset()) -> str | None:
        """The widget a request to `path` from widget `source` (None: the trigger) goes to."""
        if path in seen:
            return None
        route = self.flow.routes.get(path)
        if route is None:
            return None
        target = route.target
        if isinstance(target, NoContent):  # a callback's empty answer: no widget runs
            return None
        if isinstance(target, Split):
            return self.split(path, target, source, seen | {path})
        if is_forward(target):
            return self.route(target, source, seen | {path})
        return self.document(target)

    def target(self, value: str | None, source: str | None, seen: frozenset[str]) -> str | None:
        if value is None:
            return None
        return self.route(value, source, seen) if is_forward(value) else self.document(value)

    def split(self, path: str, split: Split, source: str | None, seen: frozenset[str]) -> str | None:
        key = (path, source or "")
        if key in self.splits:
            return self.splits[key]
        subject = self.subject(split.by, source)
        name = f"split_{_slug(path)}" + (f"_from_{source}" if source else "")
        state = self.add(name, "split-based-on", {"input": subject})
        self.splits[key] = state["name"]
        kind = {"exact": "equal_to", "contains": "contains"}.get(split.match, "equal_to")
        for case, value in split.cases:
            nxt = self.target(value, source, seen)
            condition = {"friendly_name": case, "arguments": [subject], "type": kind, "value": case}
            self.link(state, "match", nxt, conditions=[condition])
        if split.match == "present" and split.then is not None:
            nxt = self.target(split.then, source, seen)
            conditions = [
                {"friendly_name": "present", "arguments": [subject], "type": "is_not_blank", "value": "is_not_blank"},
                {"friendly_name": "not zero", "arguments": [subject], "type": "not_equal_to", "value": "0"},
            ]
            self.link(state, "match", nxt, conditions=conditions)
        self.link(state, "noMatch", self.target(split.default, source, seen))
        return str(state["name"])

    def subject(self, param: str, source: str | None) -> str:
        """The split's input: the parameter, and for words (not Twilio's tokens) the folder's
        normalisation in Liquid (lower case, common punctuation removed), as `exact` matching does."""
        text = self.raw_subject(param, source)
        if param in TOKEN_PARAMS or param == "RecordingDuration":
            return text
        removes = "".join(f" | remove: '{c}'" if c == '"' else f' | remove: "{c}"' for c in _PUNCTUATION)
        return text.replace("}}", f" | downcase{removes} | strip}}}}")

    def raw_subject(self, param: str, source: str | None) -> str:
        if source is None:
            return {"Body": "{{trigger.message.Body}}", "From": "{{contact.channel.address}}"}.get(
                param, f"{{{{trigger.call.{param}}}}}"
            )
        if param in ("From", "To"):
            return "{{contact.channel.address}}" if param == "From" else "{{flow.channel.address}}"
        if param == "Body":
            return f"{{{{widgets.{source}.inbound.Body}}}}"
        return f"{{{{widgets.{source}.{param}}}}}"

    # --------------------------------------------------------------------------- documents

    def document(self, file: str) -> str | None:
        """The first widget of a document (made once; a document reached again is linked)."""
        if file in self.docs:
            return self.docs[file]
        import twiml
        from twiml.errors import TwiMLParseError

        try:
            doc = twiml.parse(self.flow.folder / file)
        except TwiMLParseError as exc:
            raise _Broken(f"{file}:{exc.line}:{exc.column}: {exc.message}") from None
        stem = _slug(Path(file).stem)
        self.docs[file] = None
        verbs = [c for c in doc.children if not c.name.startswith("#")]
        pending: list[tuple[dict[str, Any], str]] = []  # (state, event) waiting for the next verb's widget
        first: str | None = None
        source: str | None = None
        for verb in verbs:
            if verb.name == "Redirect":
                nxt = self.route(str(verb.value or "").strip(), source)
                for prev, event in pending:
                    self.link(prev, event, nxt)
                if first is None:
                    self.docs[file] = first = nxt
                return first
            if verb.name in ("Hangup", "Reject", "Leave"):
                break
            made = self.verb(verb, stem, file)
            if made is None:
                continue
            state, follow = made
            source = str(state["name"])
            if first is None:
                first = source
                self.docs[file] = first
            for prev, event in pending:
                self.link(prev, event, source)
            pending = [(state, event) for event in follow]
        for prev, event in pending:
            self.link(prev, event, None)
        return first

    def add_verb(self, file: str, name: str, type_: str, properties: dict[str, Any]) -> dict[str, Any]:
        """A verb's widget; the document's first one is known before any of its routes are followed,
        so a route leading back to the document (a menu's retry) links to it."""
        state = self.add(name, type_, properties)
        if self.docs.get(file) is None:
            self.docs[file] = str(state["name"])
        return state

    def verb(self, verb: Any, stem: str, file: str) -> tuple[dict[str, Any], list[str]] | None:
        """The widget for one verb and the events that go on to the next verb of the document."""
        attrs = dict(verb.attrs)
        name = verb.name
        dropped = sorted(set(attrs) - _KEPT_ATTRS.get(name, set(attrs)))
        if dropped:
            self.left_out.append(f"{file}: <{name}> {', '.join(dropped)} (no widget property)")
        props: dict[str, Any]
        if name in ("Say", "Play"):
            state = self.add_verb(file, stem, "say-play", self.say_props(verb))
            return state, ["audioComplete"]
        if name == "Gather":
            props = self.say_props_nested(verb)
            for attr, key in (
                ("timeout", "timeout"),
                ("numDigits", "number_of_digits"),
                ("finishOnKey", "finish_on_key"),
                ("speechTimeout", "speech_timeout"),
                ("language", "gather_language"),
                ("hints", "hints"),
            ):
                if attr in attrs:
                    props[key] = int(attrs[attr]) if key in ("timeout", "number_of_digits") else attrs[attr]
            state = self.add_verb(file, stem, "gather-input-on-call", props)
            action = attrs.get("action")
            nxt = self.route(action.strip(), state["name"]) if action else None
            if action:
                self.link(state, "keypress", nxt)
                self.link(state, "speech", nxt)
            return state, ["timeout"] if action else ["timeout", "keypress", "speech"]
        if name == "Dial":
            nouns = [c for c in verb.children if c.name in _NOUNS]
            noun = _NOUNS[nouns[0].name] if nouns else "number"
            targets = [str(c.value or "").strip() for c in nouns] or [str(verb.value or "").strip()]
            if len(targets) > 1 and noun == "number":
                noun = "number-multi"
            for c in nouns:
                if "url" in dict(c.attrs):
                    self.left_out.append(f"{file}: <{c.name} url> (what the callee hears first) has no Studio widget")
            props = {"noun": noun, "to": ",".join(targets)}
            if "callerId" in attrs:
                props["caller_id"] = attrs["callerId"]
            if "timeout" in attrs:
                props["timeout"] = int(attrs["timeout"])
            if attrs.get("record", "do-not-record") != "do-not-record":
                props["record"] = True
            state = self.add_verb(file, stem, "connect-call-to", props)
            action = attrs.get("action")
            if action:
                self.link(state, "callCompleted", self.route(action.strip(), state["name"]))
                self.link(state, "hangup", None)
                return state, []
            return state, ["callCompleted"]
        if name == "Record":
            props = {}
            for attr, key in (
                ("maxLength", "max_length"),
                ("timeout", "timeout"),
                ("finishOnKey", "finish_on_key"),
                ("playBeep", "play_beep"),
                ("trim", "trim"),
            ):
                if attr in attrs:
                    props[key] = int(attrs[attr]) if key in ("max_length", "timeout") else attrs[attr]
            if "transcribe" in attrs:
                props["transcribe"] = attrs["transcribe"] == "true"
            if "transcribeCallback" in attrs:
                props["transcription_callback_url"] = urljoin(
                    DEFAULT_BASE_URL + "/", attrs["transcribeCallback"].strip()
                )
            state = self.add_verb(file, stem, "record-voicemail", props)
            action = attrs.get("action")
            if action:
                self.link(state, "recordingComplete", self.route(action.strip(), state["name"]))
            return state, ["noAudio"] + ([] if action else ["recordingComplete"])
        if name == "Enqueue":
            props = {"queue_name": str(verb.value or "").strip()}
            if "workflowSid" in attrs:
                props["workflow_sid"] = attrs["workflowSid"]
            if "waitUrl" in attrs:  # the hold document stays in the folder: a URL where it is served
                props["wait_url"] = urljoin(DEFAULT_BASE_URL + "/", attrs["waitUrl"].strip())
                props["wait_url_method"] = attrs.get("waitUrlMethod", "POST")
                self.left_out.append(
                    f"{file}: the Enqueue's hold document {attrs['waitUrl']} stays a webhook of the folder "
                    f"(wait_url {props['wait_url']})"
                )
            state = self.add_verb(file, stem, "enqueue-call", props)
            action = attrs.get("action")
            if action:
                nxt = self.route(action.strip(), state["name"])
                for event in ("callComplete", "failedToEnqueue", "callFailure"):
                    self.link(state, event, nxt)
                return state, []
            return state, ["callComplete", "failedToEnqueue", "callFailure"]
        if name in ("Message", "Sms"):
            bodies = [str(c.value or "") for c in verb.children if c.name == "Body"]
            media = [str(c.value or "").strip() for c in verb.children if c.name == "Media"]
            props = {"body": "".join(bodies) if bodies else str(verb.value or "")}
            if media:
                props["media_url"] = media[0]
            for attr in ("to", "from"):
                if attr in attrs:
                    props[attr] = attrs[attr]
            state = self.add_verb(file, stem, "send-message", props)
            return state, ["sent", "failed"]
        self.left_out.append(f"{file}: <{name}> has no Studio widget; left out")
        return None

    def say_props(self, verb: Any) -> dict[str, Any]:
        attrs = dict(verb.attrs)
        props: dict[str, Any] = {}
        if verb.name == "Play":
            if attrs.get("digits"):
                props["digits"] = attrs["digits"]
            else:
                props["play"] = str(verb.value or "").strip()
        else:
            props["say"] = str(verb.value or "")
            for key in ("voice", "language"):
                if key in attrs:
                    props[key] = attrs[key]
        if "loop" in attrs and attrs["loop"].isdigit():
            props["loop"] = int(attrs["loop"])
        return props

    def say_props_nested(self, gather: Any) -> dict[str, Any]:
        prompts = [c for c in gather.children if c.name in ("Say", "Play")]
        if not prompts:
            return {}
        props = self.say_props(prompts[0])
        says = [str(c.value or "") for c in prompts if c.name == "Say"]
        if "say" in props:
            props["say"] = " ".join(says)
        return props


class _Broken(Exception):
    pass


def export_flow_folder(folder: Path) -> dict[str, Any]:
    """The Studio definition of a hand-written flow folder (ConvertError names what is wrong)."""
    from twiml.studio.model import ConvertError

    try:
        flow = load_flow(folder)
    except FlowError as exc:
        raise ConvertError(exc.problem.format()) from None
    if flow.errors:
        raise ConvertError(f"{folder}: fix the errors in flow.toml first")
    exporter = _Exporter(flow)
    trigger = exporter.add("Trigger", "trigger", {})
    trigger["properties"]["offset"] = {"x": 0, "y": 0}
    try:
        call = exporter.route(flow.start, None) if flow.start else None
        message = exporter.route(flow.sms_start, None) if flow.sms_start else None
    except _Broken as exc:
        raise ConvertError(f"{folder}/{exc}") from None
    exporter.link(trigger, "incomingMessage", message)
    exporter.link(trigger, "incomingCall", call)
    exporter.link(trigger, "incomingConversationMessage", None)
    exporter.link(trigger, "incomingRequest", None)
    exporter.link(trigger, "incomingParent", None)
    if flow.fax_start:
        exporter.left_out.append(f"fax_start {flow.fax_start}: Studio flows do not answer faxes")
    description = f"Exported from the flow folder {folder.name or folder}"
    if exporter.left_out:
        description += ". Left out: " + "; ".join(dict.fromkeys(exporter.left_out))
    return {
        "description": description,
        "states": exporter.states,
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
    }
