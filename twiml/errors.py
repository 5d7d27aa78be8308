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
        more: tuple[TwiMLParseError, ...] = (),
    ) -> None:
        self.message = message
        self.code = code
        """Twilio's error code: 12100 for a document that does not parse, 12102 for a root other than <Response>."""
        self.line = line
        self.column = column
        self.filename = filename
        self.more = more
        """Further syntax errors found after this one, each with its own line and column (a file
        with two broken places shows both); `all()` lists them after this one."""
        super().__init__(self.location() + message)

    def all(self) -> list[TwiMLParseError]:
        """This error and the ones found after it, earliest first."""
        return [self, *self.more]

    def in_file(self, filename: str | None) -> TwiMLParseError:
        """The same errors naming `filename` (the loaders learn the name after parsing)."""
        return TwiMLParseError(
            self.message,
            self.line,
            self.column,
            filename,
            code=self.code,
            more=tuple(e.in_file(filename) for e in self.more),
        )

    def location(self) -> str:
        """`file:line:col: ` prefix for messages (parts that are unknown are left out)."""
        parts = [p for p in (self.filename, self.line, self.column) if p is not None]
        return ":".join(str(p) for p in parts) + ": " if parts else ""
