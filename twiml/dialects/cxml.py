"""SignalWire cXML (LaML) as an overlay on the TwiML grammar (data only).

SignalWire calls cXML fully compatible with TwiML and lists nothing unsupported, so this profile
mostly adds.  Facts from SignalWire's pages and files as cited in ../shared/corpus/DIALECTS.md
(read 2026-12-06).
"""

from __future__ import annotations

from twiml.dialects.types import AddAttrs, Adds, Profile, Rule, Signing, Source, ValueRename
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, STRING, URL, Attr, Body, Element

READ = "2026-12-06"
VIA = "shared/corpus/DIALECTS.md"
PAGES = "signalwire/docs@668371b2 fern/products/compatibility-api/pages/cxml"
AI = Source("https://developer.signalwire.com/compatibility-api/xml/voice/ai-noun", READ, VIA)
HELPERS = Source("signalwire/compatibility-api-js@60a6d2fe src/helpers.ts", READ, VIA)
DENOISE = Source(f"{PAGES}/voice/denoise.mdx", READ, VIA)
VERTO = Source(f"{PAGES}/voice/verto-noun.mdx", READ, VIA)
ECHO = Source(f"{PAGES}/voice/echo.mdx", READ, VIA)
STREAM = Source(f"{PAGES}/voice/stream.mdx", READ, VIA)
SAY = Source(f"{PAGES}/voice/say.mdx", READ, VIA)
SIGNATURE = Source("https://developer.signalwire.com/guides/webhook-security", READ)

VOICE_FAMILIES = ("gcloud.", "amazon.", "azure.", "cartesia.", "deepgram.", "elevenlabs.", "openai.", "Polly.")
AI_TUNING = tuple(
    Attr(k, FLOAT)
    for k in ("temperature", "top_p", "confidence", "barge_confidence", "presence_penalty", "frequency_penalty")
)
WEBHOOK = (
    Attr("web_hook_url", URL, xml_name="webHookURL"),
    Attr("web_hook_auth_user", STRING),
    Attr("web_hook_auth_pass", STRING),
)

# fmt: off
RULES: tuple[Rule, ...] = (
    Adds(Element("voice", "Denoise", xml="Denoise", doc="Turns noise reduction on or off for the rest of the call.",
        body=Body("required", param="state", meaning="on or off", example="on")), ("VoiceResponse",), DENOISE),
    Adds(Element("voice", "Verto", xml="Verto", doc="Dials a Verto (WebRTC) endpoint.",
        body=Body("required", param="endpoint", meaning="Verto address", example="alice@example.verto.signalwire.com")), ("Dial",), VERTO),
    Adds(Element("voice", "AI", xml="AI", doc="Connects the call to a SignalWire AI agent.",
        attrs=(Attr("engine", STRING), Attr("voice", STRING), Attr("post_prompt_url", URL, xml_name="postPromptURL"), Attr("post_prompt_auth_user", STRING),
               Attr("post_prompt_auth_password", STRING), Attr("hints", STRING)),
        children=("AIPrompt", "AIPostPrompt", "AILanguages", "SWAIG")), ("Connect",), AI),
    Adds(Element("voice", "AIPrompt", xml="Prompt", body=Body("optional", param="text", meaning="the agent's instructions"), attrs=AI_TUNING), ("AI",), HELPERS),
    Adds(Element("voice", "AIPostPrompt", xml="PostPrompt", body=Body("optional", param="text", meaning="summary instructions"), attrs=AI_TUNING), ("AI",), HELPERS),
    Adds(Element("voice", "AILanguages", xml="Languages", children=("AILanguage",)), ("AI",), HELPERS),
    Adds(Element("voice", "AILanguage", xml="Language", attrs=(Attr("name", STRING), Attr("code", STRING), Attr("voice", STRING))), ("AILanguages",), HELPERS),
    Adds(Element("voice", "SWAIG", xml="SWAIG", children=("SWAIGDefaults", "SWAIGFunction")), ("AI",), HELPERS),
    Adds(Element("voice", "SWAIGDefaults", xml="Defaults", attrs=WEBHOOK), ("SWAIG",), HELPERS),
    Adds(Element("voice", "SWAIGFunction", xml="Function",
        attrs=(Attr("name", STRING), Attr("argument", STRING), Attr("purpose", STRING), *WEBHOOK)), ("SWAIG",), HELPERS),
    Adds(Element("voice", "ConferenceStream", xml="Stream", doc="Streams a conference's audio.",
        attrs=(Attr("name", STRING), Attr("url", URL, schemes=("wss",)), Attr("bidir", BOOL), Attr("codec", STRING), Attr("realtime", BOOL),
               Attr("status_callback", URL), Attr("status_callback_method", ENUM, values=("GET", "POST")),
               Attr("stream_ssl_validate_certificate", BOOL), Attr("stream_start_conference_on_enter", BOOL),
               Attr("track", ENUM, values=("inbound_track", "outbound_track", "both_tracks"))),
        children=("Parameter",)), ("Conference",), STREAM),
    AddAttrs("Echo", (Attr("timeout", INT, default="60", min=0, doc="Seconds to echo (default 60)."),), ECHO),
    AddAttrs("Say", (Attr("voice", STRING, values=("man", "woman", "alice"), open=True, prefixes=VOICE_FAMILIES,
                          doc="man, woman, alice, gcloud.*, amazon.*, azure.*, elevenlabs.*, ..."),), SAY),
    ValueRename("Say", "voice", "Google.", "gcloud.", SAY),
)
# fmt: on

PROFILE = Profile(
    name="cxml",
    title="cXML",
    vendor="SignalWire",
    rules=RULES,
    signing=Signing("hmac-sha1", ("X-SignalWire-Signature", "X-Twilio-Signature"), SIGNATURE),
)
