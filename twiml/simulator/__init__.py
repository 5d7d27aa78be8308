"""Call simulator: executes TwiML as Twilio does, against files, URLs or an app in process.

`engine` is pure (no I/O): states, steps and outcomes. `transport` fetches documents.
`driver.Session` runs the engine over a transport; the CLI, `twiml.testing.Call`/`Text` and
the editor all use it.
"""

from __future__ import annotations

from twiml.simulator.driver import Options, Session
from twiml.simulator.engine import (
    CallState,
    DialOutcome,
    GatherInput,
    QueueOutcome,
    RecordOutcome,
    Sent,
    Step,
    answer,
    begin_call,
    begin_message,
    receive,
)
from twiml.simulator.events import Ask, Fetch, Fetched, Input, Note, Origin, Problem, Stop, Verb
from twiml.simulator.transport import AppTransport, FileTransport, HttpTransport, Reply, Request, Transport

__all__ = [
    "AppTransport",
    "Ask",
    "CallState",
    "DialOutcome",
    "Fetch",
    "Fetched",
    "FileTransport",
    "GatherInput",
    "HttpTransport",
    "Input",
    "Note",
    "Options",
    "Origin",
    "Problem",
    "QueueOutcome",
    "RecordOutcome",
    "Reply",
    "Request",
    "Sent",
    "Session",
    "Step",
    "Stop",
    "Transport",
    "Verb",
    "answer",
    "begin_call",
    "begin_message",
    "receive",
]
