"""Validator-only data: which Twilio code each check reports, size budgets, and cross-element rules.

Per-element facts (attributes, children, body) live in `twiml.grammar`; this table only says how
the validator words and numbers what it finds.  Every Twilio code named for an element here is
also listed in that element's `errors` in the grammar (a test keeps the two in step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]

# --- our own stable codes (Twilio has no code for these) -------------------------------------
UNREACHABLE = "TWIML-UNREACHABLE"
AFTER_ACTION = "TWIML-AFTER-ACTION"
MISSING_CONTENT = "TWIML-MISSING-CONTENT"
TOO_MANY_NOUNS = "TWIML-TOO-MANY-NOUNS"

# --- general Twilio codes ------------------------------------------------------------------------
PARSE_FAILURE = 12100
ROOT_NOT_RESPONSE = 12102
SCHEMA = 12200
INVALID_URL = 11100
BODY_TOO_LARGE = 11750
INLINE_TOO_LARGE = 32018

RESPONSE_BUDGET_BYTES = 64 * 1024
"""Largest TwiML response body Twilio fetches (11750)."""
INLINE_BUDGET_CHARS = 4000
"""Largest TwiML passed inline in the REST `Twiml` parameter (32018)."""

NESTING_CODES: dict[tuple[str, str], int] = {
    ("voice", "Gather"): 13320,
    ("voice", "Dial"): 13215,
    ("voice", "Start"): 14300,
    ("voice", "Stop"): 14300,
    ("messaging", "MessagingResponse"): 14110,
}
"""Code for a child the parent does not accept; 12200 for parents not listed."""

ATTR_CODES_IN_PARENT: dict[tuple[str, str, str, str], int] = {
    ("voice", "Gather", "Say", "voice"): 13321,
    ("voice", "Gather", "Say", "loop"): 13322,
}
"""(dialect, parent class, child class, attribute) -> code replacing the attribute's own code."""


@dataclass(frozen=True)
class ParentAttrRule:
    """An attribute of a child that its parent restricts: forbidden, or limited to `values`."""

    parent: str
    child: str
    attr: str
    values: tuple[str, ...]
    """Allowed values; empty means the attribute is not allowed there at all."""
    code: int
    reason: str


PARENT_ATTR_RULES: dict[str, tuple[ParentAttrRule, ...]] = {
    "voice": (
        ParentAttrRule("Gather", "Play", "digits", (), 13320, "<Play digits> is not allowed inside <Gather>"),
        ParentAttrRule(
            "Connect",
            "Stream",
            "track",
            ("inbound_track",),
            31941,
            '<Connect><Stream> takes only track="inbound_track"',
        ),
    ),
}


@dataclass(frozen=True)
class ContentRule:
    """An element that must say *something*: body text, or one of these children or attributes."""

    children: tuple[str, ...] = ()
    """XML names of children that count as content; ("*",) means any element child."""
    attrs: tuple[str, ...] = ()
    code: int | str = MISSING_CONTENT
    severity: Severity = "error"
    message: str = ""


CONTENT_RULES: dict[tuple[str, str], ContentRule] = {
    ("voice", "Play"): ContentRule(attrs=("digits",), message="<Play> needs a media URL or a digits attribute"),
    ("voice", "Dial"): ContentRule(
        children=("*",), message="<Dial> needs a number as text or a noun (<Number>, <Client>, ...)"
    ),
    ("voice", "Sip"): ContentRule(children=("Uri",), message="<Sip> needs a SIP URI as text or <Uri> children"),
    ("voice", "ReferSip"): ContentRule(message="<Sip> inside <Refer> needs the SIP URI as text"),
    ("voice", "Client"): ContentRule(
        children=("Identity",), message="<Client> needs an identity as text or an <Identity> child"
    ),
    ("voice", "Application"): ContentRule(
        children=("ApplicationSid",), message="<Application> needs an <ApplicationSid> child"
    ),
    ("voice", "Enqueue"): ContentRule(
        attrs=("workflowSid",), code=14204, message="<Enqueue> needs a queue name or a workflowSid"
    ),
    ("voice", "Say"): ContentRule(
        children=("*",), code=13520, severity="warning", message="<Say> has no text to speak"
    ),
    ("voice", "Queue"): ContentRule(code=14212, message="<Queue> needs a queue name"),
    ("voice", "Sms"): ContentRule(code=14103, message="<Sms> needs a message body"),
    ("messaging", "Message"): ContentRule(
        children=("Body", "Media"), code=21602, message="<Message> needs a body or <Media>"
    ),
}
"""Overrides the plain `Body.kind == "required"` check where there are alternatives or a code."""

NAME_MAX_LENGTH: dict[tuple[str, str], tuple[int, int]] = {
    ("voice", "Enqueue"): (64, 14205),
    ("voice", "Queue"): (64, 14213),
}
"""Body text length limit and the code reported beyond it."""

JSON_BODY: dict[tuple[str, str], int] = {("voice", "Task"): 14221}

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

# --- reachability ---------------------------------------------------------------------------------
ENDS_DOCUMENT: dict[str, frozenset[str]] = {
    "voice": frozenset({"Hangup", "Reject", "Redirect"}),
    "messaging": frozenset({"Redirect"}),
    "fax": frozenset({"Reject", "Receive"}),
}
"""Top-level verbs after which nothing else in the document runs."""
LEAVES_WHEN: dict[str, dict[str, tuple[str, str | None]]] = {
    "voice": {
        "Dial": ("action", None),
        "Enqueue": ("action", None),
        "Connect": ("action", None),
        "Pay": ("action", None),
        "Gather": ("actionOnEmptyResult", "true"),
    },
}
"""Verbs that hand the call to a URL when done (attribute set, or set to the given value), so the
verbs after them run only if that request fails: reported as information."""

URL_SCHEMES: dict[tuple[str, str, str], tuple[tuple[str, ...], int | str]] = {
    ("voice", "Stream", "url"): (("wss://",), 31922),
    ("voice", "ConversationRelay", "url"): (("wss://",), SCHEMA),
}
"""Grammar gap: URL attributes that must use one of these schemes (WebSockets), and the code."""

EMPTY_URL_MEANINGFUL: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("voice", "Conference", "waitUrl"),
        ("voice", "Enqueue", "waitUrl"),
    }
)
"""URL attributes where the empty string means something (silence) rather than a mistake."""
