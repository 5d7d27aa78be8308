"""Callback URLs of a flow folder: the URL attributes (statusCallback, recordingStatusCallback, a
Conference's waitUrl ...) that Twilio requests on the side of a call, which the walk of the map
does not follow, and whether a route answers each."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from twiml.diagnostic import Diagnostic
from twiml.flow.config import Flow
from twiml.flow.routing import is_forward

__all__ = ["Callback", "find_callbacks"]


@dataclass(frozen=True)
class Callback:
    """A URL attribute the walk does not follow (statusCallback, recordingStatusCallback, a
    Conference waitUrl ...): Twilio requests it on the side, and logs 11200 when nothing answers."""

    url: str
    """Absolute, resolved against the route that serves the document."""
    value: str
    """As written in the document."""
    attr: str
    element: str
    file: str
    line: int | None
    column: int | None
    routed: bool

    def diagnostic(self) -> Diagnostic:
        """The finding for a callback no route answers: a warning (the call goes on)."""
        text = f'<{self.element}> {self.attr}="{self.value}" has no route in flow.toml (Twilio logs 11200; the call goes on)'
        return Diagnostic(
            "warning",
            11200,
            text,
            line=self.line,
            column=self.column,
            file=self.file,
            url=self.url,
            effect="callback fails",
        )


def find_callbacks(flow: Flow, requested: set[str], base_url: str) -> list[Callback]:
    """Every URL attribute (of grammar type url) in the folder's documents that the walk did not
    request (the paths in `requested`): Twilio calls these on the side (status, recording and transcription callbacks, a
    Conference's waitUrl). Relative URLs resolve against the first route that serves the
    document; URLs on another host, WebSocket URLs and the ones already reported as broken links
    are left out. A document that is not TwiML is reported elsewhere (as a broken link or a
    problem) and skipped here."""
    from urllib.parse import urljoin

    from twiml.decoding import decode
    from twiml.errors import TwiMLParseError
    from twiml.grammar_types import URL, element_of
    from twiml.lexer import attribute_place, line_starts
    from twiml.parser import parse

    host = urlsplit(base_url).netloc
    served: dict[str, str] = {}
    for path, route in flow.routes.items():
        for target in route.targets():
            if not is_forward(target):
                served.setdefault(target, path)
    out: list[Callback] = []
    for document in flow.documents():
        try:
            data = flow.read_document(document)
            text = decode(data)[0]
            root = parse(data)
        except (OSError, TwiMLParseError):
            continue
        base = base_url + served.get(document, "/")
        file = str(flow.folder / document)
        starts: list[int] | None = None
        pending = [root]
        while pending:
            node = pending.pop()
            pending.extend(reversed([v for v in node.verbs if not isinstance(v, str)]))
            element = element_of(node)
            if element is None:
                continue
            for name, value in node.attrs.items():
                attr = element.attr(name)
                if attr is None or attr.type != URL or attr.schemes or not isinstance(value, str) or not value.strip():
                    continue
                url = urljoin(base, value.strip())
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https") or parts.netloc != host or parts.path in requested:
                    continue
                line, column = node.source_line, node.source_column
                if line is not None and column is not None:
                    starts = starts if starts is not None else line_starts(text)
                    line, column = attribute_place(text, starts, line, column, name) or (line, column)
                routed = parts.path in flow.routes
                out.append(Callback(url, value.strip(), name, node.name, file, line, column, routed))
    return out
