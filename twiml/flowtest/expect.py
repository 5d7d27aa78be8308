"""Assertions as people write them about a call: what the caller heard, what was sent, which
requests were made and how it ended (`twiml.testing.Call` and `Text` carry them).

`expect_heard("press 1 for sales")` ignores what does not change the meaning (case,
punctuation, whitespace, SSML tags); `similarity=0.9` also accepts small wording changes
(difflib's ratio over words). A failure shows the closest prompt heard and where it is.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from twiml.grammar_types import Kind
from twiml.simulator import api
from twiml.simulator.engine import Sent
from twiml.simulator.events import Ask, Verb

__all__ = ["Call", "Expectations", "Text", "closest", "normalize_words"]

_TAG = re.compile(r"<[^>]*>")
_PUNCT = re.compile(r"[^\w\s*#+@%&/-]|(?<!\w)[-/]|[-/](?!\w)")


def normalize_words(text: str) -> str:
    """Lower case, SSML tags, punctuation and runs of whitespace removed."""
    text = _TAG.sub(" ", text).casefold()
    return " ".join(_PUNCT.sub(" ", text).split())


def closest(expected: str, lines: list[str]) -> tuple[float, int, str]:
    """The best similarity of `expected` to a line, or to a run of words of the joined lines
    (a phrase may span two <Say>s): (ratio, index of the line it starts in, the words)."""
    want = normalize_words(expected)
    size = len(want.split())
    best = (0.0, -1, "")
    words: list[tuple[str, int]] = []
    for n, line in enumerate(lines):
        norm = normalize_words(line)
        if want and want in norm:
            return 1.0, n, want
        words += [(w, n) for w in norm.split()]
    if not want:
        return best
    for width in {max(1, size - 1), size, size + 1}:
        for start in range(max(1, len(words) - width + 1)):
            window = words[start : start + width]
            if not window:
                continue
            text = " ".join(w for w, _ in window)
            if want in text:
                return 1.0, window[0][1], want
            ratio = difflib.SequenceMatcher(a=want, b=text, autojunk=False).ratio()
            if ratio > best[0]:
                best = (ratio, window[0][1], text)
    return best


def _where(verb: Verb) -> str:
    place = verb.source or verb.url
    return f"{place}:{verb.line}" if verb.line else place


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class Expectations:
    """The `expect_*` assertions; each returns the call (or text) so they chain."""

    session: Any
    _mark: int

    def _spoken(self, anywhere: bool) -> list[Verb]:
        events = self.session.events if anywhere else self.session.events[self._mark :]
        return [e for e in events if isinstance(e, Verb) and e.name in ("Say", "Play") and e.text.strip()]

    def expect_heard(self, text: str, similarity: float = 1.0, *, anywhere: bool = False) -> Self:
        """Fail unless the caller heard `text` (since the last input; `anywhere`: in the whole
        call). `similarity` below 1 accepts wording that close (0.9: a word or two changed)."""
        if not 0 < similarity <= 1:
            raise ValueError(f"similarity is between 0 and 1, not {similarity}")
        verbs = self._spoken(anywhere)
        lines = [v.text if v.name == "Say" else f"[{v.text.strip()}]" for v in verbs]
        ratio, index, words = closest(text, lines)
        if ratio >= similarity:
            return self
        scope = "in the call" if anywhere else "since the last input"
        if not verbs:
            everything = self._spoken(True)
            hint = f"; {len(everything)} prompts earlier in the call (anywhere=True looks there)" if everything else ""
            raise AssertionError(f"expected to hear {text!r}, but nothing was said {scope}{hint}")
        where = _where(verbs[index]) if index >= 0 else "?"
        raise AssertionError(
            f"expected to hear {text!r} {scope} (similarity {similarity:g}); the closest was "
            f"{words!r} in {verbs[index].text.strip()!r} at {where} (similarity {ratio:.2f})"
        )

    def expect_sent(self, text: str, similarity: float = 1.0, *, to: str | None = None) -> Self:
        """Fail unless a message (a <Message>, or <Sms> during a call) with `text` was sent."""
        sent = [s for s in self.session.events if isinstance(s, Sent) and (to is None or s.to == to)]
        ratio, index, _ = closest(text, [s.body for s in sent])
        if ratio >= similarity:
            return self
        if not sent:
            raise AssertionError(f"expected a message {text!r}, but none was sent" + (f" to {to}" if to else ""))
        message = sent[index]
        raise AssertionError(
            f"expected a message {text!r}; the closest sent was {message.body!r} to {message.to} at "
            f"{_where(message.verb)} (similarity {ratio:.2f})"
        )

    def expect_request(
        self, url: str | None = None, params: Mapping[str, str] | None = None, method: str | None = None
    ) -> Self:
        """Fail unless a request was made to `url` (a path matches any host) with at least
        `params` (and `method`, when given)."""
        fetched = [f.request for f in self.session.requests]
        for request in fetched:
            if url is not None and request.url != url and _path(request.url) != url:
                continue
            if method is not None and request.method != method.upper():
                continue
            if params and any(request.param(k) != v for k, v in params.items()):
                continue
            return self
        wanted = " ".join(x for x in (method, url, " ".join(f"{k}={v}" for k, v in (params or {}).items())) if x)
        made = "\n".join(
            f"  {r.method} {r.url} " + " ".join(f"{k}={r.param(k)}" for k in (params or {}) if r.param(k) is not None)
            for r in fetched
        )
        raise AssertionError(f"expected a request {wanted}; the requests made were:\n{made or '  (none)'}")

    def expect_ended(self, reason: str = "hangup") -> Self:
        """Fail unless the call ended this way: hangup, completed, rejected, error, max-steps."""
        end = self.session.ended
        if end is not None and end.reason == reason:
            return self
        if end is None:
            waiting: Ask | None = self.session.waiting
            at = f" at <{waiting.verb.name}> ({_where(waiting.verb)})" if waiting is not None else ""
            raise AssertionError(f"expected the call to end ({reason}), but it is still waiting{at}")
        detail = f": {end.message}" if end.message else ""
        raise AssertionError(f"expected the call to end with {reason}, but it ended with {end.reason}{detail}")


def _open_folder(folder: str | os.PathLike[str], url: str | None, kind: Kind) -> tuple[Any, str]:
    """`folder=FOLDER`: the folder's routes answer, from its start (or sms_start) unless `url` says;
    a folder that cannot be called raises `CannotCall` naming why (as `twiml call FOLDER` says it)."""
    from twiml.flow.config import FLOW_FILE, FlowError, load_flow
    from twiml.flow.transport import FolderTransport

    path = Path(folder)
    if path.suffix.lower() == ".json" and path.is_file():
        raise api.CannotCall(f"{folder}: a Twilio Studio flow; pass it as studio={str(folder)!r}, not folder=")
    if not path.is_dir():
        raise api.CannotCall(f"{folder}: no such folder (a flow folder holds a {FLOW_FILE})")
    try:
        loaded = load_flow(path)
    except FlowError as exc:
        raise api.CannotCall(exc.problem.format()) from None
    if loaded.errors:
        found = "; ".join(p.format() for p in loaded.errors)
        raise api.CannotCall(f"{folder}: fix flow.toml first: {found}")
    transport = FolderTransport(loaded)
    key = "start" if kind == "voice" else "sms_start"
    entry = url or (loaded.start if kind == "voice" else loaded.sms_start)
    if entry is None:
        what = "call" if kind == "voice" else "text"
        raise api.CannotCall(f"{path / FLOW_FILE}: no {key} to {what}; set it, or pass url=")
    return transport, transport.url(entry)


class Call(api.Call, Expectations):
    """`twiml.simulator.api.Call` with the `expect_*` assertions, and `folder=FOLDER` (a flow folder,
    from its `start`) as a target."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str | None = None,
        *,
        folder: str | os.PathLike[str] | None = None,
        flow: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> None:
        folder = (
            folder if folder is not None else flow
        )  # flow= is the name of 0.x; folder= reads as `twiml call FOLDER`
        if folder is not None:
            options["transport"], url = _open_folder(folder, url, "voice")
        super().__init__(app, url or "/", **options)


class Text(api.Text, Expectations):
    """`twiml.simulator.api.Text` with the `expect_*` assertions, and `folder=FOLDER` (a flow folder,
    from its `sms_start`) as a target."""

    def __init__(
        self,
        app: Callable[..., Any] | str | None = None,
        url: str | None = None,
        *,
        folder: str | os.PathLike[str] | None = None,
        flow: str | os.PathLike[str] | None = None,
        **options: Any,
    ) -> None:
        folder = (
            folder if folder is not None else flow
        )  # flow= is the name of 0.x; folder= reads as `twiml call FOLDER`
        if folder is not None:
            options["transport"], url = _open_folder(folder, url, "messaging")
        super().__init__(app, url or "/", **options)
