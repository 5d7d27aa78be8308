"""The 1,600-character message limit counts as Twilio does (UTF-16 units), and the one depth limit."""

from __future__ import annotations

from twiml.limits import MAX_DEPTH, message_length
from twiml.messaging_response import MessagingResponse
from twiml.validator import validate


def codes(doc: MessagingResponse) -> list[int | str]:
    return [d.code for d in validate(doc)]


def test_message_length_counts_utf16_units() -> None:
    assert message_length("") == 0
    assert message_length("hello") == 5
    assert message_length("café ☎") == 6  # Basic Multilingual Plane: one each
    assert message_length("hi 😀") == 5  # outside it: two (a surrogate pair)
    assert message_length("\U0001f44d\U0001f3fd") == 4


def test_emoji_push_a_message_over_the_limit() -> None:
    ok = MessagingResponse()
    ok.message("a" * 1598 + "😀")  # 1,599 code points, 1,600 units
    assert 21617 not in codes(ok)
    over = MessagingResponse()
    over.message("a" * 1599 + "😀")  # 1,600 code points, 1,601 units
    diagnostics = [d for d in validate(over) if d.code == 21617]
    assert len(diagnostics) == 1 and "1601 characters" in diagnostics[0].message


def test_body_children_count_together() -> None:
    doc = MessagingResponse()
    message = doc.message("😀" * 400)
    message.body("😀" * 400 + "a")
    assert 21617 in codes(doc)


def test_depth_limit_is_a_plain_int() -> None:
    assert isinstance(MAX_DEPTH, int) and 10 <= MAX_DEPTH <= 200
