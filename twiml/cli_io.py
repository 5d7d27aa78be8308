"""What every `twiml` file command shares: exit statuses, reading and writing a named file (or
stdin) with one error type that names the file, and a parse failure as a finding."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

from twiml.diagnostic import Diagnostic
from twiml.errors import TwiMLParseError
from twiml.files import MAX_FILE_BYTES, ChangedOnDiskError, ReadOnlyFileError, atomic_write, read_bytes

if TYPE_CHECKING:
    from twiml.base import TwiML

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2
BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program the pipe's reader left


class Unreadable(Exception):
    """An input file could not be read (missing, a directory, no permission)."""


def read_input(name: str, stdin: IO[bytes] | None) -> bytes:
    if name == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise Unreadable(f"<stdin>: cannot read: input is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return data
    try:  # pipes such as `<(curl ...)` are fine on the command line; the byte limit still holds
        return read_bytes(name, special=True)
    except OSError as exc:
        raise Unreadable(f"{name}: cannot read: {exc.strerror or exc}") from None


def write_output(name: str, text: str, read: bytes) -> None:
    """Replace a file for `format --write`; a read-only file is left alone (there is no one to ask),
    and so is a file another program changed since it was `read` (its change is kept)."""
    try:
        atomic_write(name, text, expected=read)
    except ReadOnlyFileError:
        raise Unreadable(f"{name}: not written: the file is read-only") from None
    except ChangedOnDiskError:
        raise Unreadable(f"{name}: not written: another program changed it meanwhile; run format again") from None
    except OSError as exc:
        raise Unreadable(f"{name}: cannot write: {exc.strerror or exc}") from None


def parse_document(data: bytes) -> TwiML:
    from twiml.parser import parse

    return parse(data)


def parse_findings(name: str, exc: TwiMLParseError) -> list[Diagnostic]:
    """One finding per syntax error, each at its own line and column, the first one first."""
    return [Diagnostic("error", e.code, e.message, line=e.line, column=e.column, file=name) for e in exc.all()]


def print_parse_errors(name: str, exc: TwiMLParseError, err: IO[str]) -> None:
    for d in parse_findings(name, exc):
        print(d.format(sources=True), file=err)


def display_name(name: str) -> str:
    return "<stdin>" if name == "-" else name
