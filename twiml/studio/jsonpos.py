"""JSON with the line and column of every value, for findings that point into a flow file.

`json.loads` gives no positions; this small reader gives the same values plus, for each path
(`("states", 3, "properties", "say")`), where its key (for object members) or its value (for
array items and the root) starts. Errors name the line and column, as `json` does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from json import decoder as _decoder
from typing import Any, cast

__all__ = ["JsonPosError", "Located", "Path", "loads_located"]

Path = tuple[str | int, ...]

scanstring = cast(Any, _decoder).scanstring  # the C string scanner json itself uses (not in typeshed)
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")


class JsonPosError(ValueError):
    """Not JSON: the message and where (1-based line and column)."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Located:
    """The parsed value and the position of each path in the text."""

    value: Any
    text: str
    offsets: dict[Path, int] = field(default_factory=dict)
    _lines: list[int] = field(default_factory=list)

    def where(self, path: Path) -> tuple[int, int]:
        """(line, column) of `path`, or of its nearest parent that has one."""
        while path not in self.offsets and path:
            path = path[:-1]
        return self.position(self.offsets.get(path, 0))

    def span(self, path: Path) -> tuple[int, int, int]:
        """(entry start, value start, value end) of `path`: the entry starts at the key for an object
        member and at the value otherwise. Editors splice new values into `text` with it."""
        entry = self.offsets[path]
        reader = _Reader(self.text)
        start = entry
        if path and isinstance(path[-1], str):
            _, after_key = scanstring(self.text, entry + 1, True)
            start = reader.ws(reader.ws(after_key) + 1)
        _, end = reader.value(start, path)
        return entry, start, end

    def position(self, offset: int) -> tuple[int, int]:
        if not self._lines:
            self._lines = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.offsets: dict[Path, int] = {}

    def fail(self, message: str, at: int) -> JsonPosError:
        located = Located(None, self.text)
        line, column = located.position(at)
        return JsonPosError(message, line, column)

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value(self, i: int, path: Path) -> tuple[Any, int]:
        text = self.text
        i = self.ws(i)
        if i >= len(text):
            raise self.fail("expected a value, found the end of the file", i)
        c = text[i]
        if c == "{":
            return self.obj(i + 1, path)
        if c == "[":
            return self.arr(i + 1, path)
        if c == '"':
            try:
                found: tuple[str, int] = scanstring(text, i + 1, True)
                return found
            except ValueError as exc:
                raise self.fail(f"bad string: {str(exc).split(':')[0]}", i) from None
        for word, val in (("true", True), ("false", False), ("null", None)):
            if text.startswith(word, i):
                return val, i + len(word)
        m = _NUMBER.match(text, i)
        if m:
            integer, frac, exp = m.groups()
            number: Any = float(m.group(0)) if frac or exp else int(integer)
            return number, m.end()
        raise self.fail(f"expected a value, found {c!r}", i)

    def obj(self, i: int, path: Path) -> tuple[dict[str, Any], int]:
        text = self.text
        out: dict[str, Any] = {}
        i = self.ws(i)
        if text.startswith("}", i):
            return out, i + 1
        while True:
            i = self.ws(i)
            if not text.startswith('"', i):
                raise self.fail("expected a property name in double quotes", i)
            key_at = i
            try:
                key, i = scanstring(text, i + 1, True)
            except ValueError:
                raise self.fail("bad property name", i) from None
            i = self.ws(i)
            if not text.startswith(":", i):
                raise self.fail("expected ':' after the property name", i)
            sub = (*path, key)
            self.offsets[sub] = key_at
            out[key], i = self.value(i + 1, sub)
            i = self.ws(i)
            if text.startswith(",", i):
                i += 1
                continue
            if text.startswith("}", i):
                return out, i + 1
            raise self.fail("expected ',' or '}' in an object", i)

    def arr(self, i: int, path: Path) -> tuple[list[Any], int]:
        text = self.text
        out: list[Any] = []
        i = self.ws(i)
        if text.startswith("]", i):
            return out, i + 1
        while True:
            sub = (*path, len(out))
            self.offsets[sub] = self.ws(i)
            item, i = self.value(i, sub)
            out.append(item)
            i = self.ws(i)
            if text.startswith(",", i):
                i += 1
                continue
            if text.startswith("]", i):
                return out, i + 1
            raise self.fail("expected ',' or ']' in an array", i)


def loads_located(text: str) -> Located:
    """Parse `text` as JSON, keeping positions; raises JsonPosError with line and column."""
    reader = _Reader(text)
    start = reader.ws(0)
    reader.offsets[()] = start
    value, end = reader.value(start, ())
    end = reader.ws(end)
    if end != len(text):
        raise reader.fail("extra data after the JSON value", end)
    return Located(value, text, reader.offsets)
