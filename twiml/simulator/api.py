"""`Call` and `Text`: drive a simulated call or SMS exchange from a test, no network needed.

call = Call(app=flask_app, url="/voice", auth_token="secret")
assert "For sales, press 1" in call.heard()
call.press("1")
assert "Connecting you to sales" in call.heard()
assert call.ended == "hangup"
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from twiml.simulator.driver import Options, Session
from twiml.simulator.engine import DialOutcome, GatherInput, QueueOutcome, RecordOutcome, Sent
from twiml.simulator.events import Ask, Fetched, Input, Problem, Stop, Verb
from twiml.simulator.params import DEFAULT_FROM, DEFAULT_TO
from twiml.simulator.render import heard_line
from twiml.simulator.transport import AppTransport, FileTransport, HttpTransport, Request, Transport, load_app

__all__ = ["Call", "CannotCall", "Text"]


class CannotCall(ValueError):
    """The target cannot be called at all (a missing file, a folder without routes, no entry
    point): raised at once, naming the target, rather than a call that silently hears nothing."""


def _open(
    app: Callable[..., Any] | str | None,
    url: str,
    file: str | os.PathLike[str] | None,
    transport: Transport | None,
) -> tuple[Transport, str, Callable[[], None] | None]:
    if transport is not None:
        return transport, url, None
    # "MODULE:ATTR" is loaded as `twiml call --app` and `--twiml-cov-app` load it
    application: Callable[..., Any] | None = load_app(app) if isinstance(app, str) else app
    if application is not None:
        t = AppTransport(application)
        return t, t.url(url), t.close
    if file is not None:
        path = Path(file)
        if path.is_dir():
            routed = (path / "flow.toml").is_file()
            how = f"; pass folder={str(file)!r} to call it through its flow.toml" if routed else ""
            raise CannotCall(f"{file}: is a folder, not a TwiML file{how}")
        if not path.is_file():
            raise CannotCall(f"{file}: no such TwiML file")
        files = FileTransport(path.parent)
        return files, files.url_for(file), None
    if url.startswith(("http://", "https://")):
        http = HttpTransport(origin=url)
        return http, url, http.close
    raise CannotCall(
        "give app= (a WSGI/ASGI app), folder= (a flow folder), file= (a TwiML file), transport=, or an http(s) url="
    )


class _Exchange:
    """What Call and Text share: the session, its events, and closing."""

    session: Session
    _close: Callable[[], None] | None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._close is not None:
            self._close()
            self._close = None

    @property
    def requests(self) -> list[Request]:
        """Every request made, in order (parameters as sent)."""
        return [f.request for f in self.session.requests]

    @property
    def fetched(self) -> list[Fetched]:
        """Every request with the reply's status, content type and source."""
        return self.session.requests

    @property
    def problems(self) -> list[Problem]:
        """Fetch errors and validation findings of every document, with their place."""
        return self.session.problems

    @property
    def verbs(self) -> list[Verb]:
        return self.session.verbs

    @property
    def end(self) -> Stop | None:
        return self.session.ended

    @property
    def ended(self) -> str | None:
        """How it ended: hangup, completed, rejected, error, max-steps; None while it runs."""
        return self.session.ended.reason if self.session.ended else None


class Call(_Exchange):
    """An inbound call to `app` (a WSGI/ASGI app, or "MODULE:ATTR") at `url` (or a TwiML `file`, or a
    webhook `url`, or any `transport`)."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str = "/",
        *,
        file: str | os.PathLike[str] | None = None,
        transport: Transport | None = None,
        auth_token: str | None = None,
        from_: str = DEFAULT_FROM,
        to: str = DEFAULT_TO,
        params: dict[str, str] | None = None,
        dialect: str = "twilio",
        signing_key: str | None = None,
        dial_status: str = "completed",
        dial_duration: int = 30,
        recording_duration: int = 5,
        queue_result: str = "bridged",
        answered_by: str | None = None,
        max_steps: int = 100,
        seed: str | None = None,
    ) -> None:
        transport, start, self._close = _open(app, url, file, transport)
        options = Options(
            from_=from_,
            to=to,
            params=tuple((params or {}).items()),
            auth_token=auth_token,
            dial=DialOutcome(dial_status, dial_duration),
            record=RecordOutcome(recording_duration),
            queue=QueueOutcome(queue_result),
            answered_by=answered_by,
            max_steps=max_steps,
            seed=seed,
            dialect=dialect,
            signing_key=signing_key,
        )
        self.session = Session(transport, start, options)
        self._mark = 0
        self.session.start()

    def heard(self) -> str:
        """What the caller heard since the last input (Say text; [audio URL] for Play), one per line."""
        return "\n".join(self._heard(self.session.events[self._mark :]))

    def transcript(self) -> str:
        """Everything the caller heard since the call began."""
        return "\n".join(self._heard(self.session.events))

    @staticmethod
    def _heard(events: list[Any]) -> list[str]:
        return [line for e in events if isinstance(e, Verb) and (line := heard_line(e)) is not None]

    @property
    def waiting(self) -> Ask | None:
        """The Gather the caller is at (None once the call has ended)."""
        return self.session.waiting

    @property
    def inputs(self) -> list[Input]:
        return self.session.inputs

    @property
    def messages(self) -> list[Sent]:
        """Messages sent during the call (<Sms>)."""
        return self.session.sent

    def _answer(self, got: GatherInput) -> Self:
        if self.session.waiting is None:
            how = f"it ended ({self.ended})" if self.ended else "it is not at a Gather"
            raise AssertionError(f"the call is not waiting for input: {how}")
        self._mark = len(self.session.events)
        self.session.answer(got)
        return self

    def press(self, keys: str) -> Self:
        """Press keys at the waiting Gather (include the finish key, e.g. '1234#', if you like)."""
        if not keys or any(k not in "0123456789*#" for k in keys):
            raise ValueError(f"keys are 0-9, * and #, not {keys!r}")
        return self._answer(GatherInput(digits=keys))

    def say(self, words: str, confidence: float = 0.9) -> Self:
        """Speak at the waiting Gather; Twilio's recogniser capitalises and adds a period."""
        return self._answer(GatherInput(speech=words, confidence=confidence))

    def silence(self) -> Self:
        """Give no input: the Gather times out."""
        return self._answer(GatherInput())


class Text(_Exchange):
    """An SMS conversation with `app` at `url` (or a `file`, a webhook `url`, any `transport`)."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str = "/",
        *,
        body: str | None = None,
        media: tuple[str, ...] = (),
        file: str | os.PathLike[str] | None = None,
        transport: Transport | None = None,
        auth_token: str | None = None,
        from_: str = DEFAULT_FROM,
        to: str = DEFAULT_TO,
        params: dict[str, str] | None = None,
        max_steps: int = 100,
        seed: str | None = None,
    ) -> None:
        transport, start, self._close = _open(app, url, file, transport)
        options = Options(
            from_=from_,
            to=to,
            params=tuple((params or {}).items()),
            auth_token=auth_token,
            max_steps=max_steps,
            seed=seed,
        )
        self.session = Session(transport, start, options, kind="messaging")
        self._mark = 0
        if body is not None:
            self.send(body, media)

    def send(self, body: str, media: tuple[str, ...] = ()) -> list[Sent]:
        """Send one inbound message (a new MessageSid); returns the replies to it."""
        self._mark = len(self.session.events)
        self.session.start(body, media)
        return self.replies

    @property
    def replies(self) -> list[Sent]:
        """Replies to the last message sent."""
        return [e for e in self.session.events[self._mark :] if isinstance(e, Sent)]

    @property
    def reply(self) -> str:
        """The bodies of the replies to the last message, one per line."""
        return "\n".join(s.body for s in self.replies)
