"""Twilio's request parameters: SIDs, the parameters every voice or messaging request carries,
and the form Twilio gives speech results and message segments."""

from __future__ import annotations

import hashlib
import math
import mimetypes
import re
import secrets

__all__ = [
    "API_VERSION",
    "call_params",
    "message_params",
    "new_seed",
    "segments",
    "sid",
    "speech_result",
]

API_VERSION = "2010-04-01"
DEFAULT_FROM = "+15555550100"
DEFAULT_TO = "+15555550199"
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def new_seed() -> str:
    """A fresh random seed: every SID of one call derives from it, so forks stay consistent."""
    return secrets.token_hex(8)


def sid(prefix: str, seed: str, n: int | str) -> str:
    """`prefix` + 32 hex digits, fixed by (seed, n): the same call always gets the same SIDs."""
    return prefix + hashlib.sha256(f"{seed}:{prefix}:{n}".encode()).hexdigest()[:32]


def call_params(seed: str, from_: str, to: str, dialect: str = "twilio") -> tuple[tuple[str, str], ...]:
    """Parameters of every request of an inbound call (CallStatus is added per request), as the
    vendor of `dialect` posts them (`twiml.dialects`: Telnyx's CallSid is ``v3:...`` and it adds
    CallSidLegacy and ConnectionId)."""
    params = [
        ("AccountSid", sid("AC", seed, "account")),
        ("ApiVersion", API_VERSION),
        ("CallSid", sid("CA", seed, "call")),
        ("Direction", "inbound"),
        ("From", from_),
        ("To", to),
        ("Caller", from_),
        ("Called", to),
    ]
    if dialect != "twilio":
        from twiml.dialects import profile

        p = profile(dialect)
        token = hashlib.sha256(f"{seed}:{dialect}:call".encode()).hexdigest()
        params = [(k, p.call_sid_prefix + token[:43] if k == "CallSid" else v) for k, v in params]
        params += [(k, example.replace("{legacy}", token[:32])) for k, example in p.call_params]
        params = [(k, v) for k, v in params if k not in p.drop_params]
    return tuple(params)


def segments(body: str) -> int:
    """SMS segments of a body: 160 GSM-7 characters (153 per part when split), else 70 (67)."""
    if not body:
        return 1
    if all(ch in _GSM for ch in body):
        return 1 if len(body) <= 160 else math.ceil(len(body) / 153)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def message_params(
    seed: str, n: int, from_: str, to: str, body: str, media: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """Parameters of an inbound message number `n` of a conversation."""
    message_sid = sid("SM" if not media else "MM", seed, f"message{n}")
    params: list[tuple[str, str]] = [
        ("AccountSid", sid("AC", seed, "account")),
        ("ApiVersion", API_VERSION),
        ("MessageSid", message_sid),
        ("SmsMessageSid", message_sid),
        ("SmsSid", message_sid),
        ("SmsStatus", "received"),
        ("From", from_),
        ("To", to),
        ("Body", body),
        ("NumMedia", str(len(media))),
        ("NumSegments", str(segments(body))),
    ]
    for i, url in enumerate(media):
        params.append((f"MediaUrl{i}", url))
        params.append((f"MediaContentType{i}", mimetypes.guess_type(url)[0] or "application/octet-stream"))
    return tuple(params)


_END_PUNCTUATION = re.compile(r"[.!?]$")


def speech_result(words: str) -> str:
    """Words as Twilio's recogniser returns them: a capital first letter and a final period
    ("sales" -> "Sales."), so apps that compare raw strings fail here as they would live."""
    text = " ".join(words.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if _END_PUNCTUATION.search(text) else text + "."
