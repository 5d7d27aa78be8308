"""The engine: executes TwiML as Twilio does, one step at a time, with no I/O.

A call is a `CallState` (frozen: keeping a reference is a fork). Every function returns a
`Step`: the new state, the events of that step, and what comes next: a `Fetch` (the driver
fetches the request and calls `receive`), an `Ask` (the call waits for an outcome of a Gather,
Dial, Record or queue; the caller of `answer` supplies it) or a `Stop` (the call is over).

    step = begin_call("http://localhost/voice")
    step = receive(step.state, transport.fetch(step.next.request))
    step = answer(step.state, GatherInput.parse("1"))

The engine is three modules: `twiml.simulator.state` (the records and the first request),
`twiml.simulator.verbs` (the handlers and the run loop) and this one (replies in, outcomes in);
every public name is importable from here.

Twilio's behaviour reproduced here follows Twilio's pages (checked with the project's search):
- twilio.com/docs/voice/twiml/gather: no action means the URL of the document holding the
  Gather; input ends at numDigits, finishOnKey (default #) or `timeout` seconds of silence.
- twilio.com/docs/voice/twiml/record: action default is the current document; `Digits` is the
  key that ended the recording; Twilio's own example plays "I did not receive a recording" after
  <Record>, i.e. an empty recording falls through to the next verb without the action.
- twilio.com/docs/voice/twiml/enqueue and /leave: the action is requested when the caller leaves
  the queue (QueueResult, QueueSid, QueueTime); <Leave> continues after the <Enqueue>; waitUrl
  documents loop until the caller leaves (run once here).
- twilio.com/docs/usage/webhooks, /docs/api/errors (11200, 11205, 11750, 12100, 12300): request
  parameters, reply checks and what the caller hears; see also shared/reference/webhooks.md.
"""

from __future__ import annotations

from twiml.codes import PARSE_FAILURE
from twiml.errors import TwiMLParseError
from twiml.simulator.events import (
    Event,
    Fetch,
    Fetched,
    Note,
    Problem,
    Stop,
)
from twiml.simulator.state import (
    APPLICATION_ERROR,
    MAX_BODY,
    XML_TYPES,
    CallState,
    DialOutcome,
    Frame,
    GatherInput,
    Outcome,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    _elements,
    _step,
    begin_call,
    begin_message,
    replace,
)
from twiml.simulator.state import DIAL_STATUSES as DIAL_STATUSES
from twiml.simulator.state import QUEUE_RESULTS as QUEUE_RESULTS
from twiml.simulator.transport import Reply
from twiml.simulator.verbs import _answer_dial, _answer_gather, _answer_queue, _answer_record, _run

__all__ = [
    "APPLICATION_ERROR",
    "CallState",
    "DialOutcome",
    "Frame",
    "GatherInput",
    "Outcome",
    "QueueOutcome",
    "RecordOutcome",
    "Sent",
    "Step",
    "answer",
    "begin_call",
    "begin_message",
    "receive",
]

# ------------------------------------------------------------------------------------------ replies


def _content_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _reply_problem(state: CallState, fetch: Fetch, reply: Reply) -> Problem | None:
    """Twilio's error for a reply it cannot use, naming the URL and who requested it."""
    url = fetch.request.url
    by = f" (requested by {fetch.origin.describe()})" if fetch.origin.attr != "start" else ""
    if reply.error is not None:
        code: int | str = reply.code if reply.code is not None else "TWIML-NO-DOCUMENT"
        return Problem("error", code, reply.error + by, url=url)
    if not 200 <= reply.status < 300:
        detail = f": {reply.detail}" if reply.detail else ""
        return Problem("error", 11200, f"HTTP {reply.status} from {fetch.request.method} {url}{by}{detail}", url=url)
    ctype = _content_type(reply.content_type)
    if reply.status == 204:  # fine for a callback, whose answer Twilio ignores; never requested here
        return Problem(
            "error",
            12300,
            f"HTTP 204 with no body from {url}: a URL of the call must answer TwiML "
            f"(only a callback may answer nothing){by}",
            url=url,
        )
    if ctype not in XML_TYPES:
        shown = ctype or "none"
        return Problem(
            "error",
            12300,
            f"Content-Type {shown} from {url} is not TwiML (text/xml, application/xml or text/plain){by}",
            url=url,
            file=reply.source,
        )
    if len(reply.body) > MAX_BODY:
        return Problem(
            "error",
            11750,
            f"the reply from {url} is over 64 KB ({len(reply.body)}+ bytes){by}",
            url=url,
            file=reply.source,
        )
    return None


def _fail(state: CallState, events: list[Event | Sent], problem: Problem) -> Step:
    if state.kind == "voice":
        events.append(Note(f'the caller hears "{APPLICATION_ERROR}" and the call ends'))
    elif state.sent:
        events.append(Note("Twilio stops here: the messages sent before stay sent, no more are sent"))
    else:
        events.append(Note("no reply is sent"))
    state = replace(state, errors=state.errors + 1)
    return _step(state, events, Stop("error", problem.message, (problem,)))


def receive(state: CallState, reply: Reply) -> Step:
    """The reply to the pending request: check it as Twilio does, then run the document."""
    from twiml.parser import parse
    from twiml.validator import validate

    fetch = state.pending
    if fetch is None:
        raise ValueError("receive() without a pending request")
    events: list[Event | Sent] = [
        Fetched(
            fetch.request,
            fetch.origin,
            reply.status,
            reply.content_type,
            reply.url or fetch.request.url,
            reply.source,
            reply.elapsed,
        )
    ]
    problem = _reply_problem(state, fetch, reply)
    if problem is not None:
        events.append(problem)
        return _fail(state, events, problem)
    url = reply.url or fetch.request.url
    try:
        doc = parse(reply.body, kind=state.kind)
    except TwiMLParseError as exc:
        problem = Problem(
            "error",
            PARSE_FAILURE,
            f"document is not well-formed: {exc.message}",
            url=url,
            file=reply.source,
            line=exc.line,
            column=exc.column,
        )
        events.append(problem)
        return _fail(state, events, problem)
    errors = 0
    for d in validate(doc, dialect=state.dialect):
        events.append(Problem(d.severity, d.code, d.message, url=url, file=reply.source, line=d.line, column=d.column))
        errors += d.severity == "error"
    if doc.name != "Response":
        problem = Problem(
            "error", 12102, f"the root element is <{doc.name}>, not <Response>", url=url, file=reply.source
        )
        return _fail(state, events, problem)
    frame = Frame(url, reply.source, _elements(doc))
    state = replace(state, frame=frame, pending=None, errors=state.errors + errors)
    return _run(state, events)


# ------------------------------------------------------------------------------------------ answers


def answer(state: CallState, outcome: Outcome) -> Step:
    """Resolve what the call waits for (`state.waiting`) with `outcome` and run on."""
    ask = state.waiting
    if ask is None:
        raise ValueError("answer() while the call is not waiting for input")
    events: list[Event | Sent] = []
    if ask.kind == "queue":
        if not isinstance(outcome, QueueOutcome):
            raise TypeError(f"a queue needs a QueueOutcome, not {type(outcome).__name__}")
        return _answer_queue(state, outcome, events)
    frame = state.frame
    assert frame is not None
    node = frame.verbs[frame.pc]
    if ask.kind == "gather":
        if not isinstance(outcome, GatherInput):
            raise TypeError(f"a Gather needs a GatherInput, not {type(outcome).__name__}")
        return _answer_gather(state, node, outcome, events)
    if ask.kind == "record":
        if not isinstance(outcome, RecordOutcome):
            raise TypeError(f"a Record needs a RecordOutcome, not {type(outcome).__name__}")
        return _answer_record(state, node, outcome, events)
    if not isinstance(outcome, DialOutcome):
        raise TypeError(f"a Dial needs a DialOutcome, not {type(outcome).__name__}")
    return _answer_dial(state, node, outcome, events)
