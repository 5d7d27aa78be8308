"""How a flow answers a request: a URL path names a route; a route names a document, another
route, splits on one request parameter, or answers nothing (`NoContent`: HTTP 204, for a
callback whose answer Twilio ignores).

Matching rules (the exported webhook app writes the same rules as plain code):
- `exact` (the default): the value equals a case. Twilio's fixed tokens (`Digits`,
  `DialCallStatus`, `QueueResult`, ...) are compared as sent; any other parameter (speech, SMS
  bodies, phone numbers) is compared after `normalize`, because speech results come back as
  "Sales." and people text "help!".
- `contains`: the case's words appear together in the normalized value ("sales" in "I want sales").
- `present`: the parameter is there and neither empty nor "0" (`RecordingDuration`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "MATCH_KINDS",
    "MATCH_WORDS",
    "NO_CONTENT",
    "SPLIT_PARAMS",
    "TOKEN_PARAMS",
    "NoContent",
    "Resolution",
    "Route",
    "Split",
    "is_forward",
    "matches",
    "normalize",
    "resolve",
]

MATCH_KINDS = ("exact", "contains", "present")
MATCH_WORDS = {
    "exact": "the value equals a case (speech and texts ignoring case and punctuation)",
    "contains": 'the case\'s words appear in the value ("sales" in "I want sales")',
    "present": "the parameter is there and neither empty nor 0 (then / default)",
}
"""What each match kind does, in the words the editor offers them with."""

SPLIT_PARAMS = {
    "Digits": "keys the caller pressed at a <Gather>",
    "SpeechResult": "words the caller said at a <Gather>",
    "DialCallStatus": "how a <Dial> ended: completed, busy, no-answer, failed",
    "RecordingDuration": "seconds a <Record> recorded (0: silence)",
    "QueueResult": "how the caller left an <Enqueue> queue: bridged, queue-full, hangup",
    "From": "the caller's number",
    "Body": "the text of an SMS",
}
"""Request parameters flows commonly split on (any other name works as well), with what they carry."""

TOKEN_PARAMS = frozenset(
    {"Digits", "DialCallStatus", "QueueResult", "AnsweredBy", "CallStatus", "DialBridged", "SmsStatus"}
)
"""Parameters whose values are Twilio's own tokens: compared exactly as sent."""

_KEPT = frozenset("-*#+@_/&%")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """Lower case, punctuation dropped (except `- * # + @ _ / & %`), runs of spaces collapsed."""
    kept = "".join(c for c in text.casefold() if c in _KEPT or not unicodedata.category(c).startswith("P"))
    return _SPACES.sub(" ", kept).strip()


def is_forward(target: str) -> bool:
    """A target starting with `/` hands the request on to another route; anything else is a file."""
    return target.startswith("/")


@dataclass(frozen=True)
class Split:
    """Choose a target by one request parameter."""

    by: str
    match: str = "exact"
    cases: tuple[tuple[str, str], ...] = ()
    then: str | None = None  # the target when `match = "present"` finds the parameter
    default: str | None = None

    def targets(self) -> list[str]:
        """Every target this split can choose, cases first, default last."""
        out = [target for _, target in self.cases]
        if self.then is not None:
            out.append(self.then)
        if self.default is not None:
            out.append(self.default)
        return out


@dataclass(frozen=True)
class NoContent:
    """An empty answer, HTTP 204 with no body: flow.toml's `"/status" = { status = 204 }`.

    For callbacks (statusCallback, recordingStatusCallback, transcribeCallback ...): Twilio only
    needs a 2xx there and ignores the body, so acknowledging is all a route has to do. A URL
    of the call itself needs TwiML: Twilio reports 12300 for an answer that is not XML.
    """

    status: int = 204

    def describe(self) -> str:
        return f"{self.status} (empty answer)"


NO_CONTENT = NoContent()


@dataclass(frozen=True)
class Route:
    """One entry of `[routes]`: a URL path and what answers it; `line` is its line in flow.toml."""

    path: str
    target: str | Split | NoContent
    line: int = 0

    def targets(self) -> list[str]:
        """The documents and routes this route can hand a request to (none for an empty answer)."""
        if isinstance(self.target, NoContent):
            return []
        return [self.target] if isinstance(self.target, str) else self.target.targets()

    def describe(self, arrow: str = "→") -> str:
        """The route in words, the one wording of the editor's routes list and the exported app's
        comments: `/menu → menu.xml`, or `/menu  by Digits: 1 → sales.xml, else → retry.xml`
        (`arrow` "->" where the text must stay ASCII)."""
        if isinstance(self.target, str):
            return f"{self.path} {arrow} {self.target}"
        if isinstance(self.target, NoContent):
            return f"{self.path} {arrow} {self.target.describe()}"
        split = self.target
        parts = [f"{key} {arrow} {target}" for key, target in split.cases]
        if split.then is not None:
            parts.append(f"present {arrow} {split.then}")
        if split.default is not None:
            parts.append(f"else {arrow} {split.default}")
        how = "" if split.match == "exact" else f" {split.match}"
        return f"{self.path}  by {split.by}{how}: " + ", ".join(parts)


def matches(split: Split, value: str | None) -> str | None:
    """The case key (or "then") that `value` selects, None when it falls to the default."""
    if split.match == "present":
        return "then" if value is not None and value.strip() not in ("", "0") else None
    if value is None:
        return None
    if split.match == "contains":
        said = f" {normalize(value)} "
        for key, _ in split.cases:
            phrase = normalize(key)
            if phrase and f" {phrase} " in said:
                return key
        return None
    if split.by in TOKEN_PARAMS:
        return next((key for key, _ in split.cases if key == value), None)
    wanted = normalize(value)
    return next((key for key, _ in split.cases if normalize(key) == wanted), None)


@dataclass(frozen=True)
class Resolution:
    """Where a request ends up: the document (None: no route, a split with no default, or an
    empty answer, then `no_content`) and the hops that led there, e.g. `[("/menu", "default"),
    ("/menu/speech", "sales")]`."""

    path: str
    document: str | None
    hops: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    no_content: bool = False
    """The route answers HTTP 204 with no body (`NoContent`)."""

    @property
    def fell_to_default(self) -> bool:
        return any(choice == "default" for _, choice in self.hops)


def resolve(routes: Mapping[str, Route], path: str, params: Mapping[str, str]) -> Resolution:
    """Follow routes (and forwards between them) from `path` to a document."""
    hops: list[tuple[str, str]] = []
    current = path
    seen: set[str] = set()
    while True:
        route = routes.get(current)
        if route is None:
            where = f" (forwarded from {hops[-1][0]})" if hops else ""
            return Resolution(path, None, tuple(hops), f"no route for {current}{where}")
        if current in seen:
            return Resolution(path, None, tuple(hops), f"routes forward in a cycle at {current}")
        seen.add(current)
        target: str | None
        if isinstance(route.target, NoContent):
            hops.append((current, ""))
            reason = f"route {current} answers {route.target.status} with no body"
            return Resolution(path, None, tuple(hops), reason, no_content=True)
        if isinstance(route.target, str):
            target, choice = route.target, ""
        else:
            split = route.target
            key = matches(split, params.get(split.by))
            if key == "then":
                target, choice = split.then, f"{split.by} present"
            elif key is not None:
                target, choice = dict(split.cases)[key], key
            else:
                target, choice = split.default, "default"
            if target is None:
                hops.append((current, choice))
                shown = params.get(split.by)
                value = "no value" if shown is None else repr(shown)
                return Resolution(
                    path,
                    None,
                    tuple(hops),
                    f"route {current}: {split.by} {value} matches no case and there is no default",
                )
        hops.append((current, choice))
        if is_forward(target):
            current = target
            continue
        return Resolution(path, target, tuple(hops))
