"""`twiml studio import` and `twiml studio export`: a Studio flow as a flow folder and back.

Import writes one TwiML document per widget that answers the caller (say-play, gather, connect,
record, enqueue, messages), routes in flow.toml for the transitions routes can express (a
widget's result to the next document, a split on the request's Digits, SpeechResult or Body with
exact or contains conditions), and for every other widget (set-variables, HTTP and Function calls,
splits on Liquid) a document that takes the widget's offline transition, with a comment saying so.
`studio.json` (the sidecar) keeps the definition as read (canvas offsets, every property, unknown
keys) and the documents as written, so export gives back a definition equal to the original, with
the properties of every document you edited read back from it.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from twiml.grammar_types import Kind
from twiml.studio.model import ConvertError, State, StudioFlow
from twiml.studio.widgets import WIDGETS

__all__ = ["SIDECAR", "ConvertError", "export_folder", "import_flow"]

SIDECAR = "studio.json"
_END_VOICE = "_end_call.xml"
_END_MESSAGE = "_end_message.xml"
_TWIML_TYPES = ("say-play", "gather-input-on-call", "connect-call-to", "record-voicemail", "enqueue-call")
_MESSAGE_TYPES = ("send-message", "send-and-wait-for-reply")


def _xml_text(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)


def _attr(name: str, value: Any) -> str:
    from xml.sax.saxutils import quoteattr

    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f" {name}={quoteattr(str(value))}"


def _say(state: State, indent: str) -> str:
    p = state.properties
    voice = p.get("voice") if p.get("voice") != "default" else None
    language = p.get("language") if p.get("language") != "default" else None
    if p.get("play"):
        return f"{indent}<Play{_attr('loop', p.get('loop'))}>{_xml_text(str(p['play']))}</Play>\n"
    if p.get("digits"):
        return f"{indent}<Play{_attr('digits', p.get('digits'))} />\n"
    if p.get("say"):
        attrs = _attr("voice", voice) + _attr("language", language) + _attr("loop", p.get("loop"))
        return f"{indent}<Say{attrs}>{_xml_text(str(p['say']))}</Say>\n"
    return ""


def _then(state: State, event: str, kind: str, indent: str = "  ") -> str:
    t = state.next_for(event)
    if t is None or t.next is None:
        return f"{indent}<Hangup />\n"
    return f"{indent}<Redirect>/{state.name}/{kind}</Redirect>\n"


def document(state: State, kind: Kind) -> str:
    """The TwiML a widget answers with (Liquid kept as written)."""
    p = state.properties
    body = ""
    if state.type == "say-play":
        body = _say(state, "  ") + _then(state, "audioComplete", "done")
    elif state.type == "gather-input-on-call":
        finish = p.get("finish_on_key", p.get("finishOnKey"))
        attrs = (
            _attr("action", f"/{state.name}/input")
            + ' input="dtmf speech"'
            + _attr("timeout", p.get("timeout"))
            + _attr("numDigits", p.get("number_of_digits", p.get("numDigits")))
            + (f' finishOnKey="{_xml_text(finish)}"' if isinstance(finish, str) else "")
            + _attr("speechTimeout", p.get("speech_timeout"))
            + _attr("language", p.get("gather_language", p.get("gatherLanguage")))
            + _attr("hints", p.get("hints"))
        )
        body = f"  <Gather{attrs}>\n{_say(state, '    ')}  </Gather>\n" + _then(state, "timeout", "timeout")
    elif state.type == "connect-call-to":
        noun = {"client": "Client", "sip": "Sip", "conference": "Conference", "queue": "Queue"}.get(
            str(p.get("noun")), "Number"
        )
        targets = str(p.get("to", "")).split(",") if p.get("noun") == "number-multi" else [str(p.get("to", ""))]
        nouns = "".join(f"    <{noun}>{_xml_text(t.strip())}</{noun}>\n" for t in targets)
        attrs = (
            _attr("action", f"/{state.name}/dial")
            + _attr("callerId", p.get("caller_id"))
            + _attr("timeout", p.get("timeout"))
        )
        body = f"  <Dial{attrs}>\n{nouns}  </Dial>\n"
    elif state.type == "record-voicemail":
        attrs = (
            _attr("action", f"/{state.name}/done")
            + _attr("maxLength", p.get("max_length", p.get("maxLength")))
            + _attr("timeout", p.get("timeout"))
            + _attr("finishOnKey", p.get("finish_on_key", p.get("finishOnKey")))
            + _attr("playBeep", p.get("play_beep"))
            + _attr("trim", p.get("trim"))
            + _attr("transcribe", p.get("transcribe"))
        )
        body = f"  <Record{attrs} />\n" + _then(state, "noAudio", "noaudio")
    elif state.type == "enqueue-call":
        attrs = _attr("action", f"/{state.name}/queue") + _attr("workflowSid", p.get("workflow_sid"))
        body = f"  <Enqueue{attrs}>{_xml_text(str(p.get('queue_name') or ''))}</Enqueue>\n"
    elif state.type in _MESSAGE_TYPES:
        verb = "Message" if kind == "messaging" else "Sms"
        body = f"  <{verb}>{_xml_text(str(p.get('body') or ''))}</{verb}>\n"
        if state.type == "send-message":
            t = state.next_for("sent")
            body += f"  <Redirect>/{state.name}/sent</Redirect>\n" if t and t.next else ""
    else:
        event = _offline_event(state)
        body = (
            f"  <!-- studio: {state.name} is a {state.type} widget, kept in {SIDECAR}; offline it takes "
            f"'{event}' -->\n" + (f"  <Redirect>/{state.name}/{event}</Redirect>\n" if event else "")
        )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n{body}</Response>\n'


def _offline_event(state: State) -> str:
    spec = WIDGETS.get(state.type)
    if state.type == "split-based-on":
        return "noMatch"
    if state.type == "set-variables":
        return "next"
    if spec is None:
        return ""
    return spec.offline_event or (spec.events[0] if spec.events else "")


def _kind(flow: StudioFlow, state: State) -> Kind:
    """Messaging when a messaging entry reaches the widget before a call does (a rough guess for docs)."""
    return "messaging" if state.type in _MESSAGE_TYPES and not flow.entry("incomingCall") else "voice"


def _toml_key(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _route_target(flow: StudioFlow, name: str | None, kind: Kind) -> str:
    if name is None or name not in flow.by_name:
        return _END_VOICE if kind == "voice" else _END_MESSAGE
    return "/" + name


_SPLIT_PARAMS = {
    "Digits": "Digits",
    "SpeechResult": "SpeechResult",
    "inbound.Body": "Body",
    "DialCallStatus": "DialCallStatus",
    "QueueResult": "QueueResult",
}


def _split_route(flow: StudioFlow, state: State, source: str, doc_kind: Kind) -> str | None:
    """A split on the request that just came (`widgets.<source>.Digits` ...) as a flow.toml split."""
    text = str(state.properties.get("input", "")).replace(" ", "")
    by = None
    for suffix, param in _SPLIT_PARAMS.items():
        if text in (f"{{{{widgets.{source}.{suffix}}}}}",):
            by = param
    if text == "{{trigger.message.Body}}":
        by = "Body"
    if by is None:
        return None
    cases: list[tuple[str, str]] = []
    kinds: set[str] = set()
    for t in state.transitions:
        if t.event != "match":
            continue
        for c in t.conditions:
            kind = str(c.get("type"))
            value = str(c.get("value", ""))
            if kind not in ("equal_to", "contains", "matches_any_of") or "{" in value:
                return None
            kinds.add("contains" if kind == "contains" else "equal_to")
            values = [v.strip() for v in value.split(",") if v.strip()] if kind == "matches_any_of" else [value]
            cases += [(v, _route_target(flow, t.next, doc_kind)) for v in values]
    if len(kinds) > 1:
        return None
    no_match = state.next_for("noMatch")
    default = _route_target(flow, no_match.next if no_match else None, doc_kind)
    body = ", ".join(f"{_toml_key(k)} = {_toml_key(v)}" for k, v in dict(cases).items())
    match = ', match = "contains"' if kinds == {"contains"} else ""
    return f'{{ by = "{by}"{match}, cases = {{ {body} }}, default = {_toml_key(default)} }}'


_KINDS = {
    ("gather-input-on-call", "keypress"): "input",
    ("gather-input-on-call", "speech"): "input",
    ("gather-input-on-call", "timeout"): "timeout",
    ("say-play", "audioComplete"): "done",
    ("record-voicemail", "recordingComplete"): "done",
    ("record-voicemail", "noAudio"): "noaudio",
    ("connect-call-to", "callCompleted"): "dial",
    ("enqueue-call", "callComplete"): "queue",
    ("send-message", "sent"): "sent",
}
"""The continuation URL (`/<widget>/<kind>`) each result of a widget's TwiML comes back to."""


def import_flow(flow: StudioFlow, folder: Path, force: bool = False) -> list[str]:
    """Write the folder; returns the report (what each widget became)."""
    from twiml.files import atomic_write

    if folder.exists() and not folder.is_dir():
        raise ConvertError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise ConvertError(f"{folder}: is not empty (use --force to write into it)")
    folder.mkdir(parents=True, exist_ok=True)
    documents: dict[str, str] = {}
    routes: list[str] = []
    report: list[str] = []
    names = set()
    for state in flow.states:
        if state.name in names or state.type == "trigger":
            continue
        names.add(state.name)
        doc_kind = _kind(flow, state)
        file = f"{state.name}.xml"
        documents[file] = document(state, doc_kind)
        routes.append(f"{_toml_key('/' + state.name)} = {_toml_key(file)}")
        expressed = state.type in _TWIML_TYPES or state.type in _MESSAGE_TYPES
        written: set[str] = set()
        for t in state.transitions:
            if not expressed and t.event != _offline_event(state):
                continue
            kind = _KINDS.get((state.type, t.event), t.event if not expressed else None)
            if kind is None or kind in written:
                continue
            if state.type == "gather-input-on-call" and t.next is None:
                speech = state.next_for("speech")
                t = speech if speech is not None and speech.next else t
            written.add(kind)
            target = flow.by_name.get(t.next or "")
            route = None
            if target is not None and target.type == "split-based-on":
                route = _split_route(flow, target, state.name, doc_kind)
            route = route or _toml_key(_route_target(flow, t.next, doc_kind))
            routes.append(f"{_toml_key(f'/{state.name}/{kind}')} = {route}")
        if not expressed:
            report.append(
                f"{state.name}: {state.type} has no TwiML equivalent: kept in {SIDECAR}; {file} takes "
                f"'{_offline_event(state)}'"
            )
    documents[_END_VOICE] = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Hangup />\n</Response>\n'
    documents[_END_MESSAGE] = '<?xml version="1.0" encoding="UTF-8"?>\n<Response />\n'
    head = [f"# Imported from the Twilio Studio flow {flow.path.name if flow.path else 'flow.json'}."]
    head.append(f"# Canvas positions, every property and the widgets TwiML cannot express are kept in {SIDECAR};")
    head.append("# `twiml studio export` writes the definition back from it and from the documents you edit.")
    if flow.entry("incomingCall"):
        head.append(f'start = "/{flow.entry("incomingCall")}"')
    sms = flow.entry("incomingMessage") or flow.entry("incomingConversationMessage")
    sms = sms or flow.entry("incomingRequest") or flow.entry("incomingParent")  # REST and subflow entries
    if sms:
        head.append(f'sms_start = "/{sms}"')
    toml = "\n".join(head) + "\n\n[routes]\n" + "\n".join(routes) + "\n"
    for file, text in documents.items():
        atomic_write(folder / file, text)
    atomic_write(folder / "flow.toml", toml)
    sidecar = {"definition": flow.data, "documents": documents}
    atomic_write(folder / SIDECAR, json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n")
    report.insert(0, f"wrote {folder}/: {len(documents)} documents, flow.toml ({len(routes)} routes), {SIDECAR}")
    return report


def _read_back(state: dict[str, Any], text: str, path: Path) -> None:
    """Properties an edited document carries, written back to the widget (say text, voice ...)."""
    import twiml
    from twiml.errors import TwiMLParseError

    try:
        doc = twiml.parse(text)
    except TwiMLParseError as exc:
        raise ConvertError(f"{path}:{exc.line}:{exc.column}: {exc.message}") from None
    props = state.setdefault("properties", {})
    for node in doc.iter():
        name = node.name
        attrs = dict(node.attrs)
        text_value = str(node.value or "")
        if name == "Say":
            props["say"] = text_value
            for key in ("voice", "language"):
                if key in attrs:
                    props[key] = attrs[key]
        elif name == "Play" and text_value:
            props["play"] = text_value
        elif name in ("Message", "Sms"):
            props["body"] = text_value
        elif name == "Gather":
            for attr, key in (("timeout", "timeout"), ("numDigits", "number_of_digits"), ("hints", "hints")):
                if attr in attrs:
                    old = props.get(key)
                    props[key] = int(attrs[attr]) if isinstance(old, int) and attrs[attr].isdigit() else attrs[attr]
        elif name in ("Number", "Client", "Sip", "Conference", "Queue") and text_value:
            props["to"] = text_value


def export_folder(folder: Path) -> dict[str, Any]:
    """The flow definition of a folder: from its sidecar (a folder `studio import` wrote) with the
    edited documents read back, or, for a hand-written flow folder, converted from its documents."""
    sidecar = folder / SIDECAR
    if not sidecar.is_file():
        from twiml.studio.folder_export import export_flow_folder

        return export_flow_folder(folder)
    try:
        kept = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConvertError(f"{sidecar}: cannot read: {exc}") from None
    data = copy.deepcopy(kept.get("definition"))
    if not isinstance(data, dict):
        raise ConvertError(f"{sidecar}: has no definition")
    for state in data.get("states", []):
        if not isinstance(state, dict) or not isinstance(state.get("name"), str):
            continue
        file = f"{state['name']}.xml"
        original = kept.get("documents", {}).get(file)
        path = folder / file
        if original is None or not path.is_file():
            continue
        current = path.read_text(encoding="utf-8")
        if current != original:
            _read_back(state, current, path)
    return data
