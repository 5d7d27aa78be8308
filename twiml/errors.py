"""Exception types shared by the builder, parser and validator."""

from __future__ import annotations


class TwiMLException(Exception):
    """Any TwiML problem the library raises."""


class TwiMLParseError(TwiMLException):
    """Input that is not well-formed or not TwiML at all; carries where it went wrong."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        filename: str | None = None,
        *,
        code: int = 12100,
    ) -> None:
        self.message = message
        self.code = code
        """Twilio's error code: 12100 for a document that does not parse, 12102 for a root other than <Response>."""
        self.line = line
        self.column = column
        self.filename = filename
        super().__init__(self.location() + message)

    def location(self) -> str:
        """`file:line:col: ` prefix for messages (parts that are unknown are left out)."""
        parts = [p for p in (self.filename, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts) + ": " if parts else ""
