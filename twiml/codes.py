"""Every diagnostic code: Twilio's log level, Twilio's own message, and what happens at run time.

One table for the texts that the grammar's elements only name by number (`Element.codes`).  The
level of a finding is the level Twilio logs the code at (its error dictionary says ERROR or
WARNING); codes of our own (strings) have a level documented here.  The one exception is a value
merely absent from an advisory table (a voice Twilio may have added since): that is `info`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["CODES", "Code", "Level", "effect_of", "level_of", "text_of"]

Level = Literal["error", "warning", "info"]
ERROR: Level = "error"
WARNING: Level = "warning"
INFO: Level = "info"

LEVELS: tuple[Level, ...] = ("info", "warning", "error")
"""Least to most severe."""

# What Twilio does at run time (the `effect` of a diagnostic), where known.
DOCUMENT_REJECTED = "document rejected: the call or message fails"
VERB_FAILS = "verb fails"
VERB_SKIPPED = "verb skipped"
ELEMENT_IGNORED = "element ignored"
ATTRIBUTE_IGNORED = "attribute ignored"
DEFAULT_USED = "default used"
NEVER_RUNS = "never runs"
TRUNCATED = "text cut short"

# Our own codes: Twilio has no number for these findings.
UNREACHABLE = "TWIML-UNREACHABLE"
AFTER_ACTION = "TWIML-AFTER-ACTION"
MISSING_CONTENT = "TWIML-MISSING-CONTENT"
TOO_MANY_NOUNS = "TWIML-TOO-MANY-NOUNS"
VOICE_LANGUAGE = "TWIML-VOICE-LANGUAGE"
DIALECT_UNSUPPORTED = "DIALECT-UNSUPPORTED"
DIALECT_RENAMED = "DIALECT-RENAMED"
DIALECT_IGNORED = "DIALECT-IGNORED"
# Flow folders (flow.toml and the map of a folder).
FLOW_TOML = "FLOW-TOML"
FLOW_CONFIG = "FLOW-CONFIG"
FLOW_TARGET = "FLOW-TARGET"
FLOW_CYCLE = "FLOW-CYCLE"
FLOW_UNREACHABLE = "FLOW-UNREACHABLE"
FLOW_DEFAULT = "FLOW-DEFAULT"

# General Twilio codes the validator reports directly.
PARSE_FAILURE = 12100
ROOT_NOT_RESPONSE = 12102
SCHEMA = 12200
INVALID_URL = 11100
BODY_TOO_LARGE = 11750
INLINE_TOO_LARGE = 32018


@dataclass(frozen=True, slots=True)
class Code:
    level: Level
    text: str
    """Twilio's message for the code (ours for our own codes)."""
    effect: str = ""
    """What Twilio does when it meets the problem, where the code itself says so."""


CODES: dict[int | str, Code] = {
    UNREACHABLE: Code(WARNING, "Verb after one that ends the call never runs", NEVER_RUNS),
    AFTER_ACTION: Code(INFO, "Verb runs only if the previous verb's action URL cannot be fetched"),
    MISSING_CONTENT: Code(ERROR, "Element has nothing to do: no text, no noun and no attribute that replaces them"),
    TOO_MANY_NOUNS: Code(WARNING, "More nouns in one <Dial> than Twilio rings at once"),
    VOICE_LANGUAGE: Code(WARNING, "Language not supported by this voice"),
    DIALECT_UNSUPPORTED: Code(ERROR, "Not supported in the target dialect", VERB_SKIPPED),
    DIALECT_RENAMED: Code(WARNING, "Attribute spelled differently in the target dialect", ATTRIBUTE_IGNORED),
    DIALECT_IGNORED: Code(WARNING, "Attribute the target dialect does not have", ATTRIBUTE_IGNORED),
    FLOW_TOML: Code(ERROR, "flow.toml is missing or is not readable TOML"),
    FLOW_CONFIG: Code(ERROR, "A key or route of flow.toml is not what the flow format allows"),
    FLOW_TARGET: Code(ERROR, "A route or entry point leads to nothing (a missing file, a route that does not exist)"),
    FLOW_CYCLE: Code(ERROR, "Routes redirect in a cycle with no caller input"),
    FLOW_UNREACHABLE: Code(WARNING, "A document of the folder that no path of the flow reaches"),
    FLOW_DEFAULT: Code(INFO, "An input only the default of a split catches"),
    11100: Code(ERROR, "Invalid URL format"),
    11200: Code(ERROR, "HTTP retrieval failure"),
    11750: Code(ERROR, "TwiML response body too large"),
    12100: Code(ERROR, "Document parse failure"),
    12101: Code(ERROR, "Invalid Twilio Markup XML version"),
    12102: Code(ERROR, "The root element must be Response"),
    12200: Code(WARNING, "Schema validation warning"),
    12300: Code(ERROR, "Invalid Content-Type"),
    12400: Code(ERROR, "Internal Failure"),
    13000: Code(WARNING, "Conference Noun cannot be mixed with Number nouns"),
    13201: Code(ERROR, "Dial: Cannot Dial out from a Dial Call Segment"),
    13210: Code(WARNING, "Dial: Invalid method value"),
    13212: Code(WARNING, "Dial: Invalid timeout value"),
    13213: Code(WARNING, "Dial: Invalid hangupOnStar value"),
    13214: Code(WARNING, "Dial: Invalid callerId value"),
    13215: Code(WARNING, "Dial: Invalid nested element"),
    13216: Code(WARNING, "Invalid timeLimit value"),
    13217: Code(WARNING, "Dial: Invalid record value"),
    13218: Code(WARNING, "Dial: Invalid sequential value"),
    13219: Code(WARNING, "Dial: Invalid answerOnBridge value"),
    13220: Code(WARNING, "Dial: Invalid ringTone value"),
    13221: Code(WARNING, "Dial->Number: Invalid method value"),
    13222: Code(WARNING, "Dial->Number: Invalid sendDigits value"),
    13223: Code(WARNING, "Dial: Invalid phone number format"),
    13224: Code(WARNING, "Dial: Twilio does not support calling this number or the number is invalid"),
    13225: Code(WARNING, "Dial: Call blocked by Twilio block list"),
    13226: Code(WARNING, "Dial: Invalid country code"),
    13227: Code(WARNING, "Geo Permission configuration is not permitting call"),
    13230: Code(WARNING, "Dial->Conference: Invalid muted value"),
    13231: Code(ERROR, "Dial->Conference: Invalid endConferenceOnExit value"),
    13232: Code(WARNING, "Dial->Conference: Invalid startConferenceOnEnter value"),
    13233: Code(WARNING, "Dial->Conference: Invalid waitUrl"),
    13234: Code(WARNING, "Dial->Conference: Invalid waitMethod"),
    13235: Code(WARNING, "Dial->Conference: Invalid beep value"),
    13236: Code(WARNING, "Dial->Conference: Invalid Conference Sid"),
    13237: Code(WARNING, "Dial->Conference: Invalid Conference Name"),
    13238: Code(ERROR, "Dial->Conference: Invalid Verb used in waitUrl, holdUrl, or announceUrl TwiML"),
    13239: Code(ERROR, "Dial->Conference: Invalid Trim Value"),
    13240: Code(ERROR, "Dial->Conference: Invalid Whisper SID"),
    13241: Code(WARNING, "Dial->SIP: Invalid method value"),
    13242: Code(WARNING, "Dial->SIP: Invalid sendDigits value"),
    13243: Code(WARNING, "Dial->SIP: Invalid SIP URI"),
    13244: Code(WARNING, "Dial: No SIP Authorization"),
    13245: Code(WARNING, "Dial: Not allowed in this API version"),
    13246: Code(WARNING, "Dial: SIP dialing not enabled for this account"),
    13247: Code(ERROR, "Dial: Invalid From number (caller ID)"),
    13248: Code(WARNING, "Dial: Invalid callerID, too long"),
    13249: Code(WARNING, "Dial: Invalid username or password attribute"),
    13250: Code(WARNING, "Dial: Too many URIs passed"),
    13251: Code(WARNING, "Dial: Too many headers passed"),
    13252: Code(WARNING, "Dial: Invalid header name"),
    13253: Code(WARNING, "Dial: Header is too long"),
    13254: Code(WARNING, "Dial->Sip: SIP URI DNS does not resolve or resolves to an non-public IP address"),
    13255: Code(WARNING, "Dialing .sip.twilio.com addresses is not currently allowed"),
    13256: Code(WARNING, "Invalid recordingStatusCallback URL"),
    13257: Code(ERROR, "Invalid transcribeCallback URL"),
    13258: Code(ERROR, "Dial->Sim not supported in this realm"),
    13310: Code(WARNING, "Gather: Invalid finishOnKey value"),
    13311: Code(WARNING, "Gather: Invalid finishOnKey value"),
    13312: Code(WARNING, "Gather: Invalid method value"),
    13313: Code(WARNING, "Gather: Invalid timeout value"),
    13314: Code(WARNING, "Gather: Invalid numDigits value"),
    13320: Code(WARNING, "Gather: Invalid nested verb"),
    13321: Code(WARNING, "Gather->Say: Invalid voice value"),
    13322: Code(WARNING, "Gather->Say: Invalid loop value"),
    13325: Code(ERROR, "Gather->Play: Invalid Content-Type"),
    13326: Code(WARNING, "Gather: Invalid input value"),
    13327: Code(WARNING, "Gather: Invalid speechTimeout value"),
    13328: Code(WARNING, "Gather: Invalid maxSpeechTime value"),
    13329: Code(WARNING, "Gather: Invalid partialResultCallbackMethod value"),
    13330: Code(WARNING, "Gather: Invalid hints value"),
    13331: Code(WARNING, "Gather: Invalid language value"),
    13332: Code(WARNING, "Gather: Invalid bargeIn value"),
    13333: Code(WARNING, "Gather: Invalid profanityFilter value"),
    13334: Code(WARNING, "Gather: Invalid model value"),
    13335: Code(WARNING, "Gather: speechTimeout auto cannot be used with model default"),
    13336: Code(WARNING, "Gather: Invalid debug value"),
    13337: Code(ERROR, "Gather: callback must be over HTTPS when using gather with PCI compliance"),
    13338: Code(ERROR, "Gather: Invalid actionOnEmptyResult value"),
    13339: Code(WARNING, "Gather: Invalid enhanced value"),
    13410: Code(WARNING, "Play: Invalid loop value"),
    13420: Code(ERROR, "Play: Invalid Content-Type"),
    13430: Code(WARNING, "Play: Invalid DTMF String"),
    13510: Code(WARNING, "Say: Invalid loop value"),
    13511: Code(WARNING, "Say: Invalid voice value"),
    13512: Code(WARNING, 'Gather element has an invalid "language" attribute value'),
    13513: Code(WARNING, "Say: Invalid rate value"),
    13520: Code(WARNING, "Say: Invalid text"),
    13521: Code(WARNING, "`<Say>` element character limits exceeded"),
    13610: Code(WARNING, "Record: Invalid method value"),
    13611: Code(WARNING, "Record: Invalid timeout value"),
    13612: Code(WARNING, "Record: Invalid maxLength value"),
    13613: Code(WARNING, "Record: Invalid finishOnKey value"),
    13614: Code(WARNING, "Record: Invalid transcribe value"),
    13615: Code(WARNING, "Record: maxLength too high for transcription"),
    13616: Code(WARNING, "Record: playBeep must be true or false"),
    13617: Code(WARNING, "Record: Recording length is out of range for transcription"),
    13618: Code(WARNING, "Record: Recording not available for transcription"),
    13619: Code(WARNING, "Record: Transcription feature not available for this type of recording."),
    13620: Code(WARNING, "Record: Transcription not available for this recording"),
    13621: Code(ERROR, "Invalid 'recordingStatusCallbackEvent'"),
    13699: Code(WARNING, "Record: Invalid trim value"),
    13710: Code(WARNING, "Redirect: Invalid method value"),
    13801: Code(ERROR, "Refer not allowed on non-SIP call legs"),
    13802: Code(ERROR, "Dial: No referUrl attribute specified"),
    13803: Code(ERROR, "SMS verb not supported in this realm"),
    13810: Code(WARNING, "Reject: Invalid cause"),
    13910: Code(WARNING, "Pause: Invalid length value"),
    14101: Code(WARNING, 'Invalid "To" attribute'),
    14102: Code(WARNING, 'Invalid "From" attribute'),
    14103: Code(WARNING, "Invalid Body"),
    14104: Code(WARNING, "Invalid Method attribute"),
    14105: Code(WARNING, "Invalid statusCallback attribute"),
    14106: Code(WARNING, "Document retrieval limit reached"),
    14107: Code(ERROR, "SMS send rate limit exceeded"),
    14108: Code(WARNING, "From phone number not SMS capable"),
    14109: Code(WARNING, "TwiML Reply message limit exceeded"),
    14110: Code(WARNING, "Invalid Verb for SMS Reply"),
    14111: Code(WARNING, "Invalid To phone number for Trial mode"),
    14201: Code(ERROR, "Enqueue: Invalid method value"),
    14202: Code(ERROR, "Enqueue: Invalid waitUrl"),
    14203: Code(ERROR, "Enqueue: Invalid Enqueue action url"),
    14204: Code(ERROR, "Enqueue: Queue name too short"),
    14205: Code(ERROR, "Enqueue: Queue name too long"),
    14206: Code(ERROR, "Enqueue: Invalid waitUrlMethod value"),
    14207: Code(WARNING, "Enqueue: The targeted queue reached max queue size"),
    14210: Code(ERROR, "Dial->Queue: Invalid whisper method"),
    14211: Code(ERROR, "Dial->Queue: Invalid whisper url"),
    14212: Code(ERROR, "Dial->Queue: queue name too short"),
    14213: Code(ERROR, "Dial->Queue: queue name too long"),
    14215: Code(ERROR, "Dial->Queue: Invalid ReservationSid. Unable to dequeue"),
    14217: Code(ERROR, "Dial->Queue: Could not find or accept provided reservationSid"),
    14218: Code(ERROR, "Dial->Queue: Could not update worker to provided activity"),
    14220: Code(ERROR, "Enqueue: Provided Workflow was not a valid sid"),
    14221: Code(ERROR, "Enqueue: Provided Attributes JSON was not valid"),
    14222: Code(ERROR, "Enqueue: Could not create Task"),
    14300: Code(ERROR, "Start: Invalid nested noun value"),
    16020: Code(ERROR, "Conference is full"),
    16023: Code(
        ERROR,
        "Dial->Conference: Invalid participant label, must not exceed 128 characters, must not be a CallSid, must not contain '/'",
    ),
    16025: Code(ERROR, "Dial->Conference: Participant label is in use by another participant"),
    21602: Code(ERROR, "Message body is required"),
    21617: Code(ERROR, "The concatenated message body exceeds the 1600 character limit"),
    21620: Code(ERROR, "Invalid media URL(s)"),
    21623: Code(ERROR, "Number of media files exceeds allowed limit"),
    31920: Code(ERROR, "Stream - WebSocket - Handshake Error"),
    31922: Code(ERROR, "Stream - WebSocket - URL Schema Not Supported"),
    31923: Code(ERROR, "Stream - WebSocket - Malformed URL"),
    31940: Code(ERROR, "Stream - Invalid connectorName attribute in TwiML."),
    31941: Code(ERROR, "Stream - Invalid Track configuration"),
    31942: Code(ERROR, "Stream - Invalid connector configuration"),
    31950: Code(WARNING, "Stream - Protocol - Malformed Message"),
    31951: Code(WARNING, "Stream - Protocol - Invalid Message"),
    32018: Code(ERROR, "Twiml size exceeded maximum allowed value"),
    32501: Code(ERROR, "Voice Conversation: TwiML attributes validation error."),
    32603: Code(WARNING, "Virtual Agent: Unsupported <Config> attribute(s) in TwiML"),
    34005: Code(ERROR, "Programmable Fax is no longer available"),
    34106: Code(ERROR, "No Fax TwiML action specified"),
    64001: Code(ERROR, "Pay: Configuration Error"),
    64002: Code(ERROR, "Pay: Service unavailable."),
    64003: Code(ERROR, "Pay: Invalid charge amount."),
    64004: Code(ERROR, "Pay: Invalid paymentConnector attribute in TwiML."),
    64005: Code(ERROR, "Pay: Connector does not support tokenization."),
    64006: Code(ERROR, "Pay: Connector does not support token type."),
    64007: Code(ERROR, "Pay: Connector does not support creating charge."),
    64011: Code(ERROR, "Pay: Connector does not support the requested currency."),
    64013: Code(ERROR, "Pay: Connector does not support supplied paymentMethod attribute."),
    64014: Code(ERROR, "Pay: ECP/ACH requires AVSName Parameter in the <Pay> verb."),
    64015: Code(ERROR, "Pay: `<Pay>` verb is missing a needed Parameter"),
    64016: Code(ERROR, "Pay: Invalid Action URL"),
    64017: Code(ERROR, 'Pay: BankAccountType Parameter not supported with PaymentMethod = "credit-card"'),
    64018: Code(ERROR, "Pay: Value needed for either Capture or Status parameters"),
    64019: Code(ERROR, "Pay: Required payment information incomplete"),
    64020: Code(ERROR, "Pay: Invalid Parameter Value"),
    64021: Code(ERROR, "Pay: Invalid Operation"),
    64106: Code(ERROR, "ConversationRelay: Invalid argument"),
}

for _code in (PARSE_FAILURE, 12101, ROOT_NOT_RESPONSE, BODY_TOO_LARGE, 12300):
    CODES[_code] = Code(CODES[_code].level, CODES[_code].text, DOCUMENT_REJECTED)


def level_of(code: int | str) -> Level:
    """Twilio's log level for `code`; a code nobody documents is a warning."""
    entry = CODES.get(code)
    return entry.level if entry is not None else WARNING


def text_of(code: int | str) -> str:
    entry = CODES.get(code)
    return entry.text if entry is not None else ""


def effect_of(code: int | str) -> str:
    entry = CODES.get(code)
    return entry.effect if entry is not None else ""
