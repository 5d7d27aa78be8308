"""Limits shared by the parser, the editor and the validator, and how Twilio counts message length."""

from __future__ import annotations

__all__ = ["MAX_DEPTH", "message_length"]

MAX_DEPTH = 100
"""Deepest element nesting accepted (``<Response>`` is level 1).

Real TwiML nests a handful of levels (Response > Gather > Say > prosody > emphasis); the limit
keeps every recursive walk over a document (serializer, exporter, validator, the editor's tree)
far from Python's recursion limit. The parser refuses deeper documents and the editor refuses
edits that would go deeper, so no document the toolkit produced or accepted is out of reach.
"""


def message_length(text: str) -> int:
    """Length of a message body as Twilio counts it against the 1,600-character limit.

    Twilio counts characters, but "emojis, emoticons or non-GSM characters will be counted as
    multiple characters if they have a higher byte count" (error 21617,
    https://www.twilio.com/docs/api/errors/21617); the limit is not a number of SMS segments
    (1,600 is no multiple of 153 or 67, and it applies to WhatsApp and MMS too). That is the
    length in UTF-16 code units, the unit of UCS-2 SMS encoding: a character of the Basic
    Multilingual Plane counts 1, one outside it (most emoji) counts 2.
    """
    return len(text.encode("utf-16-le", "surrogatepass")) // 2
