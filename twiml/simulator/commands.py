"""`twiml call` and `twiml text`: play a call or an SMS exchange in the terminal.

Exit status: 0 when the call ended without an error, 1 when a step failed (HTTP error,
unreadable or invalid TwiML at error level, the step limit), 2 for bad arguments or a target
that cannot be opened.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from twiml.grammar_types import Kind
from twiml.simulator.driver import Decider, Options, Session
from twiml.simulator.engine import (
    DIAL_STATUSES,
    QUEUE_RESULTS,
    DialOutcome,
    GatherInput,
    QueueOutcome,
    RecordOutcome,
    Sent,
)
from twiml.simulator.events import Ask, Event, Fetched, Stop
from twiml.simulator.render import as_json, lines
from twiml.simulator.transport import AppLoadError, AppTransport, FileTransport, HttpTransport, Transport, load_app
from twiml.textsafe import json_printable, printable_lines

__all__ = ["ANSWERED_BY", "FolderOpener", "Target", "TargetError", "add_commands", "add_vendor_options", "open_target"]

OK, FAILED, BAD_ARGUMENTS = 0, 1, 2
INTERRUPTED = 130  # ctrl+c while a request was running (as shells report SIGINT)
ANSWERED_BY = (
    "human",
    "machine_start",
    "machine_end_beep",
    "machine_end_silence",
    "machine_end_other",
    "fax",
    "unknown",
)


class TargetError(Exception):
    """The target cannot be opened; the message says why (exit status 2)."""


@dataclass
class Target:
    """Where documents come from and the first URL to request. A target that is more than a
    webhook (a Studio flow) may read its own options (`configure`), have notes to print after
    each request (`notes`), and act once the given inputs ran out (`finish`)."""

    transport: Transport
    url: str
    label: str
    closers: list[Callable[[], None]] = field(default_factory=list)
    configure: Callable[[argparse.Namespace], None] | None = None
    notes: Callable[[], list[str]] | None = None
    finish: Callable[[Session], None] | None = None
    warnings: list[str] = field(default_factory=list)
    """Warnings about the target (a flow folder's flow.toml) shown before the call."""
    dialect: str | None = None
    """The dialect a flow folder's flow.toml names (used unless --dialect says otherwise)."""

    def close(self) -> None:
        for close in self.closers:
            close()


FolderOpener = Callable[[Path, Kind], Target]
"""Opens a folder target (or a `.json` Studio flow) for a kind (voice: a call, messaging: a text); the CLI passes twiml.flow's and
twiml.studio's (they build on the simulator, so the simulator does not import them)."""


def open_target(
    target: str | None,
    app: str | None,
    kind: Kind = "voice",
    open_folder: FolderOpener | None = None,
    allow_hosts: tuple[str, ...] | list[str] = (),
) -> Target:
    """A TwiML file, a flow folder (through `open_folder`), an http(s) URL, or `--app MODULE:ATTR` with
    a path (default /)."""
    if app is not None:
        try:
            application = load_app(app)
        except AppLoadError as exc:
            raise TargetError(str(exc)) from None
        transport = AppTransport(application)
        path = target or "/"
        return Target(transport, transport.url(path), f"{app} {path}", [transport.close])
    kinds = "a TwiML file, a flow folder, a Studio flow (.json)" if open_folder is not None else "a TwiML file"
    if not target:
        raise TargetError(f"a target is needed: {kinds}, an http(s):// URL, or --app MODULE:ATTR [PATH]")
    if target.startswith(("http://", "https://")):
        http = HttpTransport(origin=target, allow_hosts=allow_hosts)
        return Target(http, target, target, [http.close])
    file = Path(target)
    if "://" in target:
        raise TargetError(f"{target}: only http:// and https:// URLs can be called")
    if not file.exists():
        raise TargetError(f"{target}: no such file (a target is {kinds}, an http(s):// URL or --app MODULE:ATTR)")
    if file.is_dir() or (file.suffix.lower() == ".json" and open_folder is not None):
        if open_folder is None:
            raise TargetError(f"{target}: is a folder; call one of its TwiML files")
        return open_folder(file, kind)
    if not os.access(file, os.R_OK):
        raise TargetError(f"{target}: cannot read the file")
    files = FileTransport(file.parent)
    return Target(files, files.url_for(file), target)


def _pairs(values: list[str] | None) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for item in values or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise TargetError(f"--param {item!r}: expected KEY=VALUE")
        out.append((key, value))
    return tuple(out)


def _fixtures(values: list[str] | None) -> tuple[tuple[str, int, str], ...]:
    """--http-fixture URL=FILE: the file's text answers TeXML's <HttpRequest> to URL (HTTP 200)."""
    out: list[tuple[str, int, str]] = []
    for item in values or []:
        url, sep, name = item.rpartition("=")
        if not sep or not url:
            raise TargetError(f"--http-fixture {item!r}: expected URL=FILE")
        try:
            out.append((url, 200, Path(name).read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            raise TargetError(f"--http-fixture {item!r}: cannot read {name}: {exc}") from None
    return tuple(out)


def _options(args: argparse.Namespace) -> Options:
    if args.max_steps < 1:
        raise TargetError("--max-steps must be at least 1")
    token = args.auth_token if args.auth_token is not None else os.environ.get("TWILIO_AUTH_TOKEN") or None
    kw: dict[str, Any] = {}
    if getattr(args, "dial_status", None):
        kw["dial"] = DialOutcome(args.dial_status, args.dial_duration)
    if getattr(args, "recording_duration", None) is not None:
        if args.recording_duration < 0:
            raise TargetError("--recording-duration must be 0 or more seconds")
        kw["record"] = RecordOutcome(args.recording_duration)
    if getattr(args, "queue_result", None):
        kw["queue"] = QueueOutcome(args.queue_result)
    dialect = getattr(args, "dialect", None) or "twilio"
    signing_key = getattr(args, "signing_key", None)
    if signing_key and dialect == "twilio":
        raise TargetError("--signing-key is for --dialect texml (Ed25519) or cxml; Twilio signs with --auth-token")
    if signing_key and dialect == "texml":
        from twiml.signature import MissingExtra, ed25519_public_key

        try:
            ed25519_public_key(signing_key)
        except (ValueError, MissingExtra) as exc:
            raise TargetError(f"--signing-key: {exc}") from None
    return Options(
        from_=args.from_,
        to=args.to,
        params=_pairs(args.param),
        auth_token=token,
        dialect=dialect,
        signing_key=signing_key,
        fixtures=_fixtures(getattr(args, "http_fixture", None)),
        answered_by=getattr(args, "answered_by", None),
        max_steps=args.max_steps,
        method=args.method,
        seed=args.seed,
        **kw,
    )


class _HungUp(Exception):
    """The interactive caller ended the call (end of input or ctrl+c at a prompt)."""


def _scripted(inputs: list[str]) -> Callable[[Ask], GatherInput]:
    queue = list(inputs)

    def answer(ask: Ask) -> GatherInput:
        return GatherInput.parse(queue.pop(0)) if queue else GatherInput()

    return answer


def _interactive(out: IO[str]) -> Callable[[Ask], GatherInput]:
    def answer(ask: Ask) -> GatherInput:
        out.flush()
        try:
            text = input("> ")
        except (EOFError, KeyboardInterrupt):
            print(file=out)
            raise _HungUp from None
        return GatherInput.parse(text)

    return answer


def _read(prompt: str, out: IO[str]) -> str:
    print(prompt, file=out)
    out.flush()
    try:
        return input("> ").strip()
    except (EOFError, KeyboardInterrupt):
        print(file=out)
        raise _HungUp from None


def _interactive_outcomes(args: argparse.Namespace, out: IO[str]) -> Decider:
    """At a terminal, ask how a Dial, Record or queue turns out unless an option already says."""

    def choose(ask: Ask) -> DialOutcome | RecordOutcome | QueueOutcome | None:
        if ask.kind == "dial" and args.dial_status is None:
            targets = ", ".join(f"{n.name} {n.text}".strip() for n in ask.verb.nouns) or ask.verb.text
            while True:
                got = _read(f"?  Dial {targets}: outcome? [completed] or {', '.join(DIAL_STATUSES[1:])}", out)
                if not got or got in DIAL_STATUSES:
                    return DialOutcome(got or "completed", args.dial_duration)
        if ask.kind == "record" and args.recording_duration is None:
            while True:
                got = _read("?  Record: seconds the caller speaks? [5] (0 = silence)", out)
                if not got or (got.isdigit() and int(got) <= 3600):
                    return RecordOutcome(int(got or 5))
        if ask.kind == "queue" and args.queue_result is None:
            while True:
                got = _read(f"?  Enqueue {ask.verb.text}: how does the caller leave? [bridged] or leave, hangup", out)
                if not got or got in QUEUE_RESULTS:
                    return QueueOutcome(got or "bridged")
        return None

    return choose


def _status(session: Session) -> int:
    return FAILED if session.failed else OK


def _listener(out: IO[str], notes: Callable[[], list[str]] | None) -> Callable[[Event | Sent | Ask | Stop], None]:
    def show(event: Event | Sent | Ask | Stop) -> None:
        for line in lines(event):
            print(printable_lines(line), file=out)  # Say text, URLs, an app's headers: no terminal controls
        if notes is not None and isinstance(event, Fetched):
            for note in notes():
                print(printable_lines(f"   . {note}"), file=out)
        out.flush()

    return show


def add_vendor_options(p: argparse.ArgumentParser) -> None:
    """`--dialect` and `--allow-host`: the same on every command that places calls on a target
    (`call`, `text`, `map`, `test`, `coverage`)."""
    from twiml.dialects import DIALECTS

    p.add_argument(
        "--dialect",
        choices=DIALECTS,
        default=None,
        help="the vendor placing the call: its parameters, signature and verbs; documents are checked "
        "in its dialect (default: a flow folder's flow.toml dialect, else twilio)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST",
        help="also follow URLs on HOST (repeatable; by default only the target's own host and loopback)",
    )


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--app", metavar="MODULE:ATTR", help="call a WSGI/ASGI app in process; TARGET is then its path")
    p.add_argument("--from", dest="from_", default="+15555550100", metavar="NUMBER", help="caller (From)")
    p.add_argument("--to", default="+15555550199", metavar="NUMBER", help="called number (To)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE", help="extra or overriding request parameter")
    p.add_argument(
        "--auth-token",
        metavar="TOKEN",
        help="sign requests with X-Twilio-Signature (default: $TWILIO_AUTH_TOKEN)",
    )
    p.add_argument(
        "--method", choices=("POST", "GET"), default="POST", help="method of the first request (the number's webhook)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--max-steps", type=int, default=100, metavar="N", help="stop after N requests (default 100)")
    p.add_argument("--seed", metavar="TEXT", help="derive all SIDs from TEXT (reproducible output)")
    add_vendor_options(p)
    p.add_argument(
        "--signing-key",
        metavar="KEY",
        help="texml: base64 Ed25519 private key to sign with (a test key); cxml: the Signing Key",
    )


def _run(
    args: argparse.Namespace,
    out: IO[str],
    err: IO[str],
    kind: Kind,
    play: Callable[[Session], None],
) -> int:
    try:
        options = _options(args)
        target = open_target(args.target, args.app, kind, args.open_folder, args.allow_host or ())
        if target.dialect and not getattr(args, "dialect", None):
            options = dataclasses.replace(options, dialect=target.dialect)
        if target.configure is not None:
            target.configure(args)
        elif any(getattr(args, o, None) for o in ("fixture", "subflow", "config", "webhooks", "http")):
            raise TargetError(
                "--fixture, --subflow, --config, --http and --webhooks apply to Studio flows (a .json target) only"
            )
    except TargetError as exc:
        print(f"twiml {args.command}: {printable_lines(str(exc))}", file=err)
        return BAD_ARGUMENTS
    for warning in target.warnings:
        print(printable_lines(warning), file=err)
    text = args.format == "text"
    session = Session(
        target.transport,
        target.url,
        options,
        kind=kind,
        listener=_listener(out, target.notes) if text else None,
    )
    interrupted = False
    try:
        play(session)
        if target.finish is not None:
            target.finish(session)
    except (_HungUp, KeyboardInterrupt) as exc:
        interrupted = isinstance(exc, KeyboardInterrupt)
        session.ended = Stop("hangup", "interrupted" if interrupted else "the caller hung up")
        if text:
            for line in lines(session.ended):
                print(printable_lines(line), file=out)
    finally:
        target.close()
    status = INTERRUPTED if interrupted else _status(session)
    if not text:
        data = as_json(session.events, session.ended, kind, target.label, status)
        out.write(json_printable(json.dumps(data, indent=2, ensure_ascii=False)))
        out.write("\n")
    return status


def _cmd_call(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    interactive = not args.input and stdin is None and sys.stdin.isatty() and args.format == "text"
    answerer = _interactive(out) if interactive else _scripted(args.input or [])

    def play(session: Session) -> None:
        if interactive:
            session.decide = _interactive_outcomes(args, out)
        session.run(answerer)

    return _run(args, out, err, "voice", play)


def _cmd_text(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    interactive = not args.body and stdin is None and sys.stdin.isatty() and args.format == "text"

    def play(session: Session) -> None:
        media = tuple(args.media or ())
        if not interactive:
            for i, body in enumerate(args.body or [""]):
                session.start(body, media if i == 0 else ())
            return
        print("(each line is a message; ctrl+d ends the conversation)", file=out)
        first = True
        while True:
            out.flush()
            try:
                body = input("> ")
            except EOFError:
                print(file=out)
                return
            session.start(body, media if first else ())
            first = False

    return _run(args, out, err, "messaging", play)


def add_commands(sub: Any, open_folder: FolderOpener | None = None) -> None:
    """Register `call` and `text` on the `twiml` command's subparsers; `open_folder` opens folder targets."""
    c = sub.add_parser(
        "call",
        help="play a call through a TwiML file, a webhook URL or an app (--app)",
        description="Simulate an inbound call: fetch TwiML as Twilio does, show each verb, answer Gathers.",
    )
    c.add_argument(
        "target",
        nargs="?",
        metavar="TARGET",
        help="TwiML file, flow folder, Studio flow (.json), http(s):// URL, or the path with --app",
    )
    c.add_argument(
        "--input",
        action="append",
        metavar="ANSWER",
        help='answer the next Gather: keys (0-9*#) or words; "" is no input (repeatable)',
    )
    c.add_argument("--dial-status", choices=DIAL_STATUSES, help="outcome of every <Dial> (default completed)")
    c.add_argument("--dial-duration", type=int, default=30, metavar="S", help="seconds an answered Dial lasts")
    c.add_argument("--answered-by", choices=ANSWERED_BY, help="machine detection result sent as AnsweredBy")
    c.add_argument(
        "--recording-duration", type=int, metavar="S", help="seconds the caller speaks at <Record> (0: silence)"
    )
    c.add_argument("--queue-result", choices=QUEUE_RESULTS, help="how the caller leaves an <Enqueue> queue")
    c.add_argument(
        "--http-fixture",
        action="append",
        metavar="URL=FILE",
        help="texml: answer <HttpRequest> to URL with FILE's text (repeatable; never the network)",
    )
    _common(c)
    c.set_defaults(run=_cmd_call, open_folder=open_folder)

    t = sub.add_parser(
        "text",
        help="send an inbound SMS/MMS to a TwiML file, a webhook URL or an app (--app) and show the replies",
        description="Simulate an inbound message: post it as Twilio does and show the reply messages.",
    )
    t.add_argument(
        "target",
        nargs="?",
        metavar="TARGET",
        help="TwiML file, flow folder, Studio flow (.json), http(s):// URL, or the path with --app",
    )
    t.add_argument(
        "--body",
        action="append",
        metavar="TEXT",
        help="message text (Body); repeat to send several messages in turn (a Studio flow: the first starts it, "
        "the next ones answer its send-and-wait-for-reply widgets); none at a terminal: type them",
    )
    t.add_argument("--media", action="append", metavar="URL", help="attach media (MediaUrl0, ...; repeatable)")
    _common(t)
    t.set_defaults(run=_cmd_text, open_folder=open_folder)
