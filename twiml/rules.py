"""Limits that the validator's named checks (`twiml.validator`, registered by element) apply.

Per-element facts (attributes, children, body, codes, nesting, content, reachability) live on the
grammar entries in `twiml.grammar`; codes, levels and texts in `twiml.codes`.  What is left here
are the numbers behind the few rules that cannot be plain data.
"""

from __future__ import annotations

from twiml.codes import (
    AFTER_ACTION,
    BODY_TOO_LARGE,
    INLINE_TOO_LARGE,
    INVALID_URL,
    MISSING_CONTENT,
    PARSE_FAILURE,
    ROOT_NOT_RESPONSE,
    SCHEMA,
    TOO_MANY_NOUNS,
    UNREACHABLE,
    VOICE_LANGUAGE,
    Level,
)

__all__ = [
    "AFTER_ACTION",
    "BODY_TOO_LARGE",
    "INLINE_TOO_LARGE",
    "INVALID_URL",
    "MISSING_CONTENT",
    "PARSE_FAILURE",
    "ROOT_NOT_RESPONSE",
    "SCHEMA",
    "TOO_MANY_NOUNS",
    "UNREACHABLE",
    "VOICE_LANGUAGE",
    "Severity",
]

Severity = Level

RESPONSE_BUDGET_BYTES = 64 * 1024
"""Largest TwiML response body Twilio fetches (11750)."""
INLINE_BUDGET_CHARS = 4000
"""Largest TwiML passed inline in the REST `Twiml` parameter (32018)."""

# --- messaging ---------------------------------------------------------------------------------
MESSAGE_BODY_MAX = 1600
MESSAGE_BODY_CODE = 21617
MEDIA_MAX = 10
MEDIA_CODE = 21623
MESSAGES_MAX = 10
MESSAGES_CODE = 14109

# --- Say ------------------------------------------------------------------------------------------
SAY_LIMIT_CODE = 13521
SAY_LIMITS: tuple[tuple[str, int], ...] = (("Polly.", 3000), ("Google.", 5000))
"""Voice prefix -> most characters Twilio speaks (13521); other voices get SAY_LIMIT_DEFAULT."""
SAY_LIMIT_DEFAULT = 4096
BASIC_VOICES = frozenset({"man", "woman", "alice"})
"""Voices that do not understand SSML (13513)."""
SSML_WITH_BASIC_VOICE_CODE = 13513

# --- Record ----------------------------------------------------------------------------------------
TRANSCRIBE_MAX_LENGTH = 120
TRANSCRIBE_MAX_LENGTH_CODE = 13615

# --- Dial -------------------------------------------------------------------------------------------
DIAL_NOUN_LIMIT = 10
"""At most this many <Number> and this many <Client> ring at once."""
DIAL_LIMITED_NOUNS = ("Number", "Client")
CONFERENCE_WITH_NUMBER_CODE = 13000

# --- Pay ------------------------------------------------------------------------------------------
ACH_ONLY_ATTR = "bankAccountType"
ACH_METHOD = "ach-debit"
ACH_ONLY_CODE = 64017
"""Pay@bankAccountType needs paymentMethod="ach-debit" (the default is credit-card)."""

# --- fax --------------------------------------------------------------------------------------------
FAX_NO_ACTION_CODE = 34106
