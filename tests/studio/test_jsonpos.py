"""JSON read with the line and column of every key and value."""

from __future__ import annotations

import json

import pytest

from twiml.studio.jsonpos import JsonPosError, loads_located
from twiml.studio.model import StudioError, loads_flow

TEXT = '{\n  "a": [1, {"b": "x\\u00e9"}],\n  "c": -2.5e3, "d": [true, false, null]\n}\n'


def test_values_equal_json_and_positions_point_at_keys_and_items() -> None:
    located = loads_located(TEXT)
    assert located.value == json.loads(TEXT)
    assert located.where(("a",)) == (2, 3)
    assert located.where(("a", 1, "b")) == (2, 13)
    assert located.where(("c",)) == (3, 3)
    assert located.where(("d", 2)) == (3, 35)
    assert located.where(("a", 1, "b", "nothing")) == (2, 13)  # nearest known parent


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('{"a": [1,\n 2,, 3]}', 2, 4, "expected a value"),
        ('{"a" 1}', 1, 6, "expected ':'"),
        ('{"a": 1} x', 1, 10, "extra data"),
        ('{"a": "unterminated}', 1, 7, "bad string"),
        ("", 1, 1, "end of the file"),
    ],
)
def test_errors_name_line_and_column(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(JsonPosError) as info:
        loads_located(text)
    assert (info.value.line, info.value.column) == (line, column)
    assert words in info.value.message


def test_a_flow_that_is_not_json_or_not_an_object_is_a_studio_error() -> None:
    with pytest.raises(StudioError) as info:
        loads_flow('{"states": [}')
    assert (info.value.line, info.value.column) == (1, 13)
    with pytest.raises(StudioError):
        loads_flow("[1, 2]")
