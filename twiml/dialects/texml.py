"""Telnyx TeXML as an overlay on the TwiML grammar (data only).

Facts from Telnyx's pages and files as cited in ../shared/corpus/DIALECTS.md (read 2026-12-06);
where Telnyx's own sources disagree the rule says so in its note.
"""

from __future__ import annotations

from twiml.dialects.types import (
    AddAttrs,
    Adds,
    Drop,
    Profile,
    Relax,
    Rename,
    Rule,
    Signing,
    Source,
    Unsupported,
)
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, STRING, URL, Attr, Body, Element

READ = "2026-12-06"
VIA = "shared/corpus/DIALECTS.md"
DOCS = "https://developers.telnyx.com/docs/voice/programmable-voice"
COMPAT = Source(f"{DOCS}/texml-twiml-compatibility", READ, VIA)
VERBS = Source("team-telnyx/ai@8b150fd8 skills/telnyx-twilio-migration/references/texml-verbs.md", READ, VIA)
FORK = Source(
    "Vijaypepakayala/ai@d378d20d providers/cursor/plugin/skills/telnyx-twilio-migration/references/texml-verbs.md",
    READ,
    VIA,
)
AIGATHER = Source(f"{DOCS}/texml-verbs/aigather", READ, VIA)
AIASSISTANT = Source(f"{DOCS}/texml-verbs/aiassistant", READ, VIA)
STREAM = Source(f"{DOCS}/texml-verbs/stream", READ, VIA)
TRANSCRIPTION = Source(f"{DOCS}/texml-verbs/transcription.md", READ, VIA)
RECORD = Source(f"{DOCS}/texml-verbs/record", READ, VIA)
HTTPREQUEST = Source(f"{DOCS}/texml-verbs/httprequest", READ, VIA)
SUPPRESSION = Source(f"{DOCS}/texml-verbs/suppression", READ, VIA)
SIGNATURE = Source("https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks", READ)

HTTP = ("GET", "POST")
VOICE_FAMILIES = ("Polly.", "AWS.Polly.", "Azure.", "ElevenLabs.", "Telnyx.")
VOICES = ("man", "woman", "alice")

# fmt: off
RULES: tuple[Rule, ...] = (
    # --- verbs and nouns only TeXML has ------------------------------------------------------------
    Adds(Element("voice", "AIGather", xml="AIGather",
        doc="Gathers what the caller says with an AI assistant and posts the extracted fields to action.",
        attrs=(Attr("action", URL, doc="URL that receives the gathered result."),
               Attr("method", ENUM, values=HTTP, default="POST", doc="HTTP method for action.")),
        children=("AIGatherGreeting", "AIGatherVoice", "AIGatherParameters", "AIGatherAssistant", "AIGatherHistory")),
        ("VoiceResponse",), AIGATHER),
    Adds(Element("voice", "AIGatherGreeting", xml="Greeting", body=Body("optional", param="text", meaning="what the assistant says first")), ("AIGather",), AIGATHER),
    Adds(Element("voice", "AIGatherVoice", xml="Voice", attrs=(Attr("name", STRING, doc="Voice of the assistant."), Attr("voice_speed", FLOAT, xml_name="voice_speed", doc="Speaking rate."))), ("AIGather",), AIGATHER),
    Adds(Element("voice", "AIGatherParameters", xml="Parameters", body=Body("optional", param="schema", meaning="JSON Schema of the fields to gather")), ("AIGather",), AIGATHER),
    Adds(Element("voice", "AIGatherAssistant", xml="Assistant", attrs=(Attr("id", STRING, doc="Assistant to use."),)), ("AIGather",), FORK),
    Adds(Element("voice", "AIGatherHistory", xml="MessageHistory"), ("AIGather",), FORK),
    Adds(Element("voice", "AIAssistant", xml="AIAssistant",
        doc="Connects the call to a Telnyx AI assistant.",
        attrs=(Attr("id", STRING, doc="Assistant id."), Attr("join", STRING), Attr("participant_name", STRING), Attr("participant_role", STRING))),
        ("Connect",), AIASSISTANT),
    Adds(Element("voice", "HttpRequest", xml="HttpRequest",
        doc="Makes an HTTP request during the call and maps the response into variables.",
        attrs=(Attr("async", BOOL, default="false"), Attr("action", URL), Attr("method", ENUM, values=HTTP, default="POST")),
        children=("HttpRequestRequest", "HttpRequestResponse")),
        ("VoiceResponse",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestRequest", xml="Request",
        attrs=(Attr("url", URL, required=True), Attr("method", ENUM, values=("GET", "POST", "PUT", "PATCH", "DELETE"), default="GET")),
        children=("HttpRequestHeaders", "HttpRequestBody")),
        ("HttpRequest",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestHeaders", xml="Headers", children=("HttpRequestHeader",)), ("HttpRequestRequest",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestHeader", xml="Header", attrs=(Attr("name", STRING, required=True), Attr("value", STRING))), ("HttpRequestHeaders",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestBody", xml="Body", body=Body("optional", param="body")), ("HttpRequestRequest",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestResponse", xml="Response", children=("HttpRequestField",)), ("HttpRequest",), HTTPREQUEST),
    Adds(Element("voice", "HttpRequestField", xml="Field", attrs=(Attr("name", STRING), Attr("path", STRING))), ("HttpRequestResponse",), HTTPREQUEST),
    Adds(Element("voice", "Suppression", xml="Suppression",
        doc="Turns noise suppression on the call on or off.",
        attrs=(Attr("direction", ENUM, values=("inbound", "outbound", "both"), open=True), Attr("noise_suppression_engine", STRING))),
        ("VoiceResponse", "Start", "Stop"), SUPPRESSION),
    # --- TwiML that TeXML rejects or drops ---------------------------------------------------------
    Unsupported("Pay", COMPAT, "the compatibility page says not supported (Telnyx's newer docs index lists <Pay>)"),
    Unsupported("Client", COMPAT, "not supported; dial a <Number> or <Sip>", parents=("Dial",)),
    Unsupported("Room", COMPAT, "not supported", parents=("Connect",)),
    Unsupported("VirtualAgent", COMPAT, "not supported", parents=("Connect",)),
    Unsupported("Autopilot", FORK, "no TeXML equivalent; dropped", parents=("Connect",)),
    Unsupported("Sms", FORK, "no TeXML equivalent; dropped"),
    Unsupported("Echo", FORK, "no TeXML equivalent; dropped"),
    # --- renamed attributes (the TwiML spelling is silently ignored) --------------------------------
    Rename("Record", "transcribe", "transcription", VERBS),
    Rename("Record", "transcribeCallback", "transcriptionCallback", VERBS),
    Rename("Transcription", "statusCallbackUrl", "transcriptionCallback", FORK),
    Rename("Transcription", "languageCode", "language", FORK),
    Rename("Transcription", "track", "transcriptionTracks", FORK),
    Rename("Transcription", "partialResults", "interimResults", FORK),
    Rename("Transcription", "speechModel", "model", FORK),
    Rename("Gather", "speechModel", "model", FORK),
    # --- attributes TeXML does not have --------------------------------------------------------------
    Drop("Dial", "answerOnBridge", VERBS, "not in TeXML's Dial table (a newer copy of the same guide says Telnyx supports it)"),
    Drop("Gather", "method", FORK, "the action callback uses the TeXML application's method"),
    *(Drop("Transcription", a, FORK, "no TeXML equivalent") for a in (
        "name", "enableProviderData", "profanityFilter", "enableAutomaticPunctuation", "intelligenceService",
        "conversationConfiguration", "conversationId")),
    Drop("Record", "recordingConfigurationId", FORK, "no TeXML equivalent"),
    # --- TeXML's own attributes, ranges and defaults ---------------------------------------------------
    AddAttrs("Record", (
        Attr("transcription", BOOL, default="false", doc="Also transcribe the recording."),
        Attr("transcription_callback", URL, doc="URL that receives the transcription."),
        Attr("channels", ENUM, values=("single", "dual"), default="dual", doc="Mono or one channel per leg (default dual)."),
    ), RECORD),
    AddAttrs("Transcription", (
        Attr("transcription_callback", URL), Attr("language", STRING), Attr("model", STRING),
        Attr("transcription_tracks", STRING),
        Attr("interim_results", BOOL),
        Attr("transcription_engine", ENUM, values=("Google", "Telnyx", "Deepgram", "Azure"), open=True),
    ), TRANSCRIPTION),
    AddAttrs("Gather", (
        Attr("transcription_engine", STRING), Attr("model", STRING), Attr("keyterms", STRING),
    ), VERBS),
    AddAttrs("Stream", (
        Attr("bidirectional_mode", ENUM, values=("mp3", "rtp"), default="mp3", doc="Audio sent back: mp3 files or an RTP stream."),
        Attr("bidirectional_codec", ENUM, values=("PCMU", "PCMA", "G722", "OPUS", "AMR-WB", "L16"), open=True),
    ), STREAM),
    AddAttrs("Dial", (
        Attr("timeout", INT, default="30", min=5, max=120, doc="Seconds to ring (5-120)."),
        Attr("recording_channels", ENUM, values=("single", "dual")),
    ), VERBS),
    AddAttrs("Say", (
        Attr("loop", INT, default="1", min=0, max=10, doc="Times to repeat (0-10)."),
        Attr("voice", STRING, values=VOICES, open=True, prefixes=VOICE_FAMILIES, doc="man, woman, alice, Polly.*, AWS.Polly.*, Azure.*, ElevenLabs.*, Telnyx.*"),
    ), VERBS),
    AddAttrs("Pause", (Attr("length", INT, default="1", min=1, max=180, doc="Seconds (1-180)."),), VERBS),
    AddAttrs("Play", (Attr("media_storage", STRING),), VERBS),
    Relax("Connect", "Stream", "track", STREAM),
)
# fmt: on

PROFILE = Profile(
    name="texml",
    title="TeXML",
    vendor="Telnyx",
    rules=RULES,
    signing=Signing("ed25519", ("telnyx-signature-ed25519", "telnyx-timestamp"), SIGNATURE),
    call_params=(("CallSidLegacy", "v2:{legacy}"), ("ConnectionId", "1494404757140276705")),
    call_sid_prefix="v3:",
)
