"""The simulator's verb handlers: what each TwiML verb does to a `CallState`, and the run loop
that dispatches to them until the call waits, fetches or ends.

The run loop (`_run`) lives here with the handler tables because handlers that finish a wait
(a Gather's input, a queue left) continue the run: the two cannot be separated without a cycle.
`twiml.simulator.engine` is the step machine's face (`receive`, `answer`).
"""

from __future__ import annotations

from collections.abc import Callable

from twiml.base import TwiML
from twiml.simulator.events import (
    Ask,
    Event,
    Input,
    Note,
    Stop,
    Verb,
)
from twiml.simulator.params import (
    sid,
    speech_result,
)
from twiml.simulator.state import (
    RECORD_KEYS_DEFAULT,
    CallState,
    DialOutcome,
    Frame,
    GatherInput,
    Next,
    Queue,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    _advance,
    _attr,
    _elements,
    _fetch,
    _int,
    _loop_notes,
    _method,
    _origin,
    _own_text,
    _resolve,
    _step,
    _text,
    _true,
    _verb,
    replace,
)

# ---------------------------------------------------------------------------------------- execution

Handler = Callable[[CallState, TwiML, list["Event | Sent"]], "tuple[CallState, Next | None]"]


def _run(state: CallState, events: list[Event | Sent]) -> Step:
    """Run verbs from the current one until the call waits, fetches or ends."""
    handlers = _VOICE if state.kind == "voice" else _MESSAGING
    if state.dialect != "twilio" and state.kind == "voice":
        handlers = _VENDOR_VOICE.get(state.dialect, handlers)
    while True:
        frame = state.frame
        assert frame is not None
        if frame.pc >= len(frame.verbs):
            return _step(state, events, _out_of_verbs(state, events))
        node = frame.verbs[frame.pc]
        handler = handlers.get(node.name, _unknown)
        state, nxt = handler(state, node, events)
        if nxt is not None:
            return _step(state, events, nxt)
        state = _advance(state)


def _out_of_verbs(state: CallState, events: list[Event | Sent]) -> Next:
    if state.queue is not None:
        events.append(Note("the waitUrl document ends; Twilio would play it again until the caller leaves the queue"))
        return Ask("queue", state.queue.verb)
    if state.kind == "messaging":
        return Stop("completed", "no verbs left")
    return Stop("completed", "no verbs left: the call ends")


def _continue(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    """Verbs the simulator shows and moves past (Start, Stop, Refer, ...)."""
    assert state.frame is not None
    events.append(_verb(state.frame, node))
    return state, None


def _unknown(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=(f"<{node.name}> is not a {state.kind} verb: Twilio skips it",)))
    return state, None


def _say(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_loop_notes(node)))
    return state, None


def _play_notes(node: TwiML) -> tuple[str, ...]:
    digits = _attr(node, "digits")
    if digits:
        return (f"sends the keypad tones {digits} (w: half-second pause)", *_loop_notes(node))
    return _loop_notes(node)


def _play(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_play_notes(node)))
    return state, None


def _pause_notes(node: TwiML) -> tuple[str, ...]:
    length = _int(node, "length", 1)
    return (f"silence for {length} s (reported, not waited)",)


def _pause(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=_pause_notes(node)))
    return state, None


_NESTED_NOTES: dict[str, Callable[[TwiML], tuple[str, ...]]] = {
    "Say": _loop_notes,
    "Play": _play_notes,
    "Pause": _pause_notes,
}


def _gather(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """Nested Say/Play/Pause play first, then Twilio listens for keys and/or speech."""
    frame = state.frame
    assert frame is not None
    types = tuple(t for t in (_attr(node, "input") or "dtmf").replace(",", " ").lower().split() if t)
    fok = _attr(node, "finishOnKey")
    finish = "#" if fok is None else fok.strip()[:1]
    num = _int(node, "numDigits", None)
    timeout = _int(node, "timeout", 5)
    action = _resolve(frame, _attr(node, "action"))
    notes = [f"then {_method(node)} {action}" + (" (this document)" if action == frame.url else "")]
    if num is not None and num < 1:
        num = None
    verb = _verb(frame, node, notes=tuple(notes), nouns=False)
    events.append(verb)
    for kid in _elements(node):
        notes_of = _NESTED_NOTES.get(kid.name)
        events.append(_verb(frame, kid, inside="Gather", notes=notes_of(kid) if notes_of else ()))
    ask = Ask(
        "gather",
        verb,
        input_types=types or ("dtmf",),
        num_digits=num,
        finish_on_key=finish,
        timeout=timeout if timeout is not None and timeout > 0 else 5,
        language=_attr(node, "language") or "en-US",
        hints=_attr(node, "hints") or "",
    )
    return state, ask


def _answer_gather(state: CallState, node: TwiML, got: GatherInput, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None and state.waiting is not None
    ask = state.waiting
    notes: list[str] = []
    added: list[tuple[str, str]] = []
    value = got.label()
    if got.digits:
        if "dtmf" not in ask.input_types:
            notes.append("keys are ignored: this Gather accepts speech only")
        else:
            digits = ""
            finished: str | None = None
            used = 0
            for ch in got.digits:
                used += 1
                if ask.finish_on_key and ch == ask.finish_on_key:
                    finished = ch
                    break
                digits += ch
                if ask.num_digits is not None and len(digits) >= ask.num_digits:
                    break
            if used < len(got.digits):
                notes.append(f"keys {got.digits[used:]} after the Gather ended are ignored")
            if finished is None and (ask.num_digits is None or len(digits) < ask.num_digits):
                notes.append(f"no more keys: the Gather ends after {ask.timeout} s of silence")
            if digits:
                added.append(("Digits", digits))
                if finished is not None:
                    added.append(("FinishedOnKey", finished))
            elif finished is not None:
                notes.append(f"only the finish key {finished} was pressed: no digits")
    elif got.speech.strip():
        if "speech" not in ask.input_types:
            notes.append("speech is ignored: this Gather accepts keys only (input=dtmf)")
        else:
            added.append(("SpeechResult", speech_result(got.speech)))
            added.append(("Confidence", f"{got.confidence:g}"))
    events.append(Input("gather", value, tuple(added), tuple(notes)))
    if added or _true(node, "actionOnEmptyResult"):
        action = _resolve(frame, _attr(node, "action"))
        if not added:
            events.append(Note("no input, but actionOnEmptyResult=true: the action is requested"))
        return _step(state, events, _fetch(state, action, _method(node), _origin(frame, node, "action"), tuple(added)))
    events.append(Note("no input: Twilio continues with the next verb"))
    return _run(_advance(replace(state, waiting=None)), events)


def _record(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    frame = state.frame
    assert frame is not None
    notes = []
    if (_attr(node, "playBeep") or "true").lower() != "false":
        notes.append("beep")
    max_length = _int(node, "maxLength", 3600)
    notes.append(
        f"records up to {max_length} s; ends on a key of {_attr(node, 'finishOnKey') or RECORD_KEYS_DEFAULT!r}"
    )
    if _true(node, "transcribe"):
        notes.append("transcription goes to transcribeCallback later (not simulated)")
    action = _resolve(frame, _attr(node, "action"))
    notes.append(f"then {_method(node)} {action}" + (" (this document: a common loop)" if action == frame.url else ""))
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    return state, Ask("record", verb)


def _answer_record(state: CallState, node: TwiML, got: RecordOutcome, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None
    if got.duration <= 0:
        events.append(Input("record", "silence (empty recording)"))
        events.append(Note("empty recording: Twilio does not request the action and continues with the next verb"))
        return _run(_advance(replace(state, waiting=None)), events)
    max_length = _int(node, "maxLength", 3600) or 3600
    duration = min(got.duration, max_length)
    keys = _attr(node, "finishOnKey")
    keys = RECORD_KEYS_DEFAULT if keys is None else keys.strip()
    key = got.key if got.key is not None else ("#" if "#" in keys else keys[:1])
    counter = state.counter + 1
    recording = sid("RE", state.seed, f"recording{counter}")
    account = state.param("AccountSid") or ""
    added = [
        ("RecordingUrl", f"https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}"),
        ("RecordingSid", recording),
        ("RecordingDuration", str(duration)),
    ]
    if key:
        added.append(("Digits", key))
    ended = f"presses {key}" if key else "goes silent"
    events.append(Input("record", f"the caller speaks {duration} s, then {ended}", tuple(added)))
    state = replace(state, counter=counter)
    action = _resolve(frame, _attr(node, "action"))
    return _step(state, events, _fetch(state, action, _method(node), _origin(frame, node, "action"), tuple(added)))


def _dial(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    frame = state.frame
    assert frame is not None
    notes = []
    action = _attr(node, "action")
    if action:
        notes.append(f"then {_method(node)} {_resolve(frame, action)} with the outcome")
    else:
        notes.append("no action: the call continues after <Dial> when the dialled call ends")
    for kid in _elements(node):
        url = _attr(kid, "url")
        if url:
            notes.append(f"<{kid.name}> url {_resolve(frame, url)} plays to the callee first (not fetched)")
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    return state, Ask("dial", verb)


def _answer_dial(state: CallState, node: TwiML, got: DialOutcome, events: list[Event | Sent]) -> Step:
    frame = state.frame
    assert frame is not None
    counter = state.counter + 1
    added = [("DialCallStatus", got.status), ("DialCallSid", sid("CA", state.seed, f"dial{counter}"))]
    if got.status in ("completed", "answered"):
        added.append(("DialCallDuration", str(got.duration)))
    lasted = f" after {got.duration} s" if got.status in ("completed", "answered") else ""
    events.append(Input("dial", f"{got.status}{lasted}", tuple(added)))
    state = replace(state, counter=counter)
    action = _attr(node, "action")
    if action:
        url = _resolve(frame, action)
        return _step(state, events, _fetch(state, url, _method(node), _origin(frame, node, "action"), tuple(added)))
    events.append(Note(f"the dialled call ended ({got.status}): the call continues after <Dial>"))
    return _run(_advance(replace(state, waiting=None)), events)


def _enqueue(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """The caller waits in a queue; the waitUrl document runs once (Twilio loops it)."""
    frame = state.frame
    assert frame is not None
    name = _own_text(node) or "(unnamed)"
    wait_url = _attr(node, "waitUrl")
    action = _attr(node, "action")
    notes = []
    if wait_url:
        notes.append(f"hold: {_method(node, 'waitUrlMethod')} {_resolve(frame, wait_url)} (run once, not looped)")
    else:
        notes.append("hold: Twilio's default classical music")
    notes.append(
        f"on leaving: {_method(node)} {_resolve(frame, action)}" if action else "on leaving: the next verb runs"
    )
    verb = _verb(frame, node, notes=tuple(notes))
    events.append(verb)
    queue = Queue(
        name,
        _resolve(frame, action) if action else None,
        _method(node),
        frame,
        verb,
        _origin(frame, node, "action"),
        sid("QU", state.seed, name),
    )
    state = replace(state, queue=queue)
    if not wait_url:
        return state, Ask("queue", verb)
    added = (
        ("QueueSid", queue.sid),
        ("QueuePosition", "1"),
        ("QueueTime", "0"),
        ("AvgQueueTime", "0"),
        ("CurrentQueueSize", "1"),
        ("MaxQueueSize", "100"),
    )
    origin = _origin(frame, node, "waitUrl")
    return _fetch(state, _resolve(frame, wait_url), _method(node, "waitUrlMethod"), origin, added)


def _leave_queue(state: CallState, result: str, waited: int, events: list[Event | Sent]) -> Step:
    queue = state.queue
    assert queue is not None
    state = replace(state, queue=None, waiting=None)
    added = (("QueueResult", result), ("QueueSid", queue.sid), ("QueueTime", str(waited)))
    if queue.action is not None:
        return _step(state, events, _fetch(state, queue.action, queue.method, queue.origin, added))
    if result == "bridged":
        events.append(Note("connected to an agent; when the agent hangs up the call continues after <Enqueue>"))
    else:
        events.append(Note(f"left the queue ({result}): the call continues after <Enqueue>"))
    state = replace(state, frame=replace(queue.outer, pc=queue.outer.pc + 1))
    return _run(state, events)


def _answer_queue(state: CallState, got: QueueOutcome, events: list[Event | Sent]) -> Step:
    meaning = {"bridged": "an agent answers", "leave": "the caller leaves", "hangup": "the caller hangs up"}
    shown = f"{got.result} ({meaning[got.result]})" if got.result in meaning else got.result
    events.append(Input("queue", shown, (("QueueResult", got.result),)))
    if got.result == "hangup":
        return _step(
            replace(state, queue=None), events, Stop("hangup", "the caller hung up while waiting in the queue")
        )
    return _leave_queue(state, got.result, got.time, events)


def _leave(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    frame = state.frame
    assert frame is not None
    if state.queue is None:
        events.append(_verb(frame, node, notes=("not in a queue: <Leave> does nothing here",)))
        return state, None
    events.append(_verb(frame, node, notes=("the caller leaves the queue",)))
    step = _leave_queue(state, "leave", 0, [])
    events.extend(step.events)
    return step.state, step.next


def _hangup(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    events.append(_verb(state.frame, node))
    return state, Stop("hangup", "<Hangup>")


def _reject(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    reason = (_attr(node, "reason") or "rejected").strip()
    hears = "a busy signal" if reason == "busy" else "a not-in-service message"
    events.append(_verb(state.frame, node, notes=(f"the call is not answered; the caller hears {hears}",)))
    return state, Stop("rejected", f"<Reject reason={reason}>")


def _redirect(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    frame = state.frame
    assert frame is not None
    target = _own_text(node)
    if not target:
        events.append(_verb(frame, node, notes=("<Redirect> without a URL: Twilio cannot follow it",)))
        return state, None
    url = _resolve(frame, target)
    events.append(_verb(frame, node, notes=(f"{_method(node)} {url}",)))
    return _fetch(state, url, _method(node), _origin(frame, node, "body"), ())


def _sent(state: CallState, frame: Frame, node: TwiML, verb: Verb) -> Sent:
    inbound_from = state.param("From") or ""
    inbound_to = state.param("To") or ""
    body = _own_text(node)
    media: list[str] = []
    for kid in _elements(node):
        if kid.name == "Body":
            body = (body + " " + _text(kid)).strip() if body else _text(kid)
        elif kid.name == "Media":
            media.append(_resolve(frame, _text(kid)))
    return Sent(_attr(node, "to") or inbound_from, _attr(node, "from") or inbound_to, body, tuple(media), verb)


def _sms(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    """Voice <Sms> (deprecated): sends a message; with an action, its reply continues the call."""
    frame = state.frame
    assert frame is not None
    verb = _verb(frame, node)
    events.append(verb)
    events.append(_sent(state, frame, node, verb))
    state = replace(state, sent=state.sent + 1)
    action = _attr(node, "action")
    if not action:
        return state, None
    counter = state.counter + 1
    added = (("SmsSid", sid("SM", state.seed, f"sms{counter}")), ("SmsStatus", "sent"))
    state = replace(state, counter=counter)
    return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), added)


def _with_action(note: str, added: tuple[tuple[str, str], ...] = ()) -> Handler:
    """Verbs the simulator cannot carry out (media sessions, payments): shown with a note;
    with an action the action is requested, else the next verb runs."""

    def handler(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
        frame = state.frame
        assert frame is not None
        events.append(_verb(frame, node, notes=(note,)))
        action = _attr(node, "action")
        if not action:
            return state, None
        return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), added)

    return handler


def _echo(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    assert state.frame is not None
    events.append(_verb(state.frame, node, notes=("echoes the caller until they hang up",)))
    return state, Stop("hangup", "<Echo> runs until the caller hangs up")


def _message(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, None]:
    frame = state.frame
    assert frame is not None
    notes = ("action is deprecated: not followed",) if _attr(node, "action") else ()
    verb = _verb(frame, node, notes=notes)
    events.append(verb)
    events.append(_sent(state, frame, node, verb))
    return replace(state, sent=state.sent + 1), None


_VOICE: dict[str, Handler] = {
    "Say": _say,
    "Play": _play,
    "Pause": _pause,
    "Gather": _gather,
    "Record": _record,
    "Dial": _dial,
    "Enqueue": _enqueue,
    "Leave": _leave,
    "Hangup": _hangup,
    "Reject": _reject,
    "Redirect": _redirect,
    "Sms": _sms,
    "Echo": _echo,
    "Connect": _with_action("media session not simulated: treated as ended at once"),
    "Pay": _with_action("payment not simulated: the action gets Result=success", (("Result", "success"),)),
    "Refer": _with_action("SIP REFER not simulated: treated as accepted"),
    "Start": _continue,
    "Stop": _continue,
}

_MESSAGING: dict[str, Handler] = {
    "Message": _message,
    "Redirect": _redirect,
}


def _aigather(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next]:
    """TeXML <AIGather>: an AI assistant talks with the caller; simulated as a Gather of speech
    whose words are posted to the action (the assistant's field extraction is not modelled)."""
    frame = state.frame
    assert frame is not None
    action = _resolve(frame, _attr(node, "action"))
    note = f"AI assistant simulated as a speech Gather: the caller's words go to {_method(node)} {action}"
    verb = _verb(frame, node, notes=(note,), nouns=False)
    events.append(verb)
    for kid in _elements(node):
        events.append(_verb(frame, kid, inside="AIGather"))
    return state, Ask("gather", verb, input_types=("speech",), num_digits=None, finish_on_key="", timeout=5)


def _http_request(state: CallState, node: TwiML, events: list[Event | Sent]) -> tuple[CallState, Next | None]:
    """TeXML <HttpRequest>: the call's platform requests another service; answered from the
    simulator's fixtures (never the network), then the action, if any, is requested."""
    frame = state.frame
    assert frame is not None
    request = next((k for k in _elements(node) if k.name == "Request"), None)
    url = (_attr(request, "url") or "") if request is not None else ""
    method = ((_attr(request, "method") or "GET") if request is not None else "GET").upper()
    hit = next((f for f in state.fixtures if f[0] == url), None)
    if hit is None:
        note = f"{method} {url or '(no <Request url>)'}: no fixture for this URL, the request fails"
    else:
        note = f"{method} {url}: fixture answers HTTP {hit[1]} ({len(hit[2])} characters)"
    events.append(_verb(frame, node, notes=(note,), nouns=False))
    action = _attr(node, "action")
    if not action:
        return state, None
    return _fetch(state, _resolve(frame, action), _method(node), _origin(frame, node, "action"), ())


_VENDOR_VOICE: dict[str, dict[str, Handler]] = {
    "texml": {**_VOICE, "AIGather": _aigather, "HttpRequest": _http_request, "Suppression": _continue},
    "cxml": {**_VOICE, "Denoise": _continue, "Connect": _with_action("AI agent or media session not simulated")},
}
"""Verbs each vendor adds, run by the same engine (a dialect is an input, not a second engine)."""
