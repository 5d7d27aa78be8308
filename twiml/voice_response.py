"""Voice TwiML: <Response> for calls and every verb and noun inside it.

The classes are declared here; their constructors and builder methods come from the grammar
table (`twiml.grammar`) through `twiml.builders.install`.
"""

from __future__ import annotations

from twiml.base import TwiML
from twiml.builders import install
from twiml.response import Response

__all__ = [
    "AiSession",
    "Application",
    "ApplicationSid",
    "Assistant",
    "Autopilot",
    "Client",
    "Conference",
    "Config",
    "Connect",
    "Conversation",
    "ConversationRelay",
    "ConversationRelaySession",
    "Dial",
    "Echo",
    "Enqueue",
    "Gather",
    "Hangup",
    "Header",
    "Headers",
    "Identity",
    "Language",
    "Leave",
    "MediaFilter",
    "Number",
    "Parameter",
    "Pause",
    "Pay",
    "Play",
    "Prompt",
    "Queue",
    "Record",
    "Recording",
    "Redirect",
    "Refer",
    "ReferSip",
    "Reject",
    "Room",
    "Say",
    "Sim",
    "Sip",
    "SipUri",
    "Siprec",
    "Sms",
    "SsmlBreak",
    "SsmlEmphasis",
    "SsmlLang",
    "SsmlP",
    "SsmlPhoneme",
    "SsmlProsody",
    "SsmlS",
    "SsmlSayAs",
    "SsmlSub",
    "SsmlW",
    "Start",
    "Stop",
    "Stream",
    "Task",
    "Transcription",
    "VirtualAgent",
    "VoiceResponse",
    "WhatsApp",
]


class VoiceResponse(Response):
    """Root <Response> of a voice call document."""


class Refer(TwiML):
    """<Refer>: transfer a SIP call leg elsewhere with a SIP REFER."""


class ReferSip(TwiML):
    """<Sip> inside <Refer>: the SIP URI to refer the call to."""


class Stop(TwiML):
    """<Stop>: end a stream, SIPREC session, transcription or recording started earlier."""


class Transcription(TwiML):
    """<Transcription>: real-time transcription of the call."""


class Parameter(TwiML):
    """<Parameter>: a custom name/value pair passed on to the parent's service."""


class Config(TwiML):
    """<Config>: a name/value setting for a transcription or virtual agent."""


class Siprec(TwiML):
    """<Siprec>: fork the call's media to a SIPREC recorder."""


class Stream(TwiML):
    """<Stream>: send the call's audio to a WebSocket."""


class Start(TwiML):
    """<Start>: begin something that runs alongside the call (stream, recording, transcription)."""


class Recording(TwiML):
    """<Recording>: record the call in the background."""


class Prompt(TwiML):
    """<Prompt>: what <Pay> says at one step of collecting a payment."""


class Pause(TwiML):
    """<Pause>: wait silently for `length` seconds."""


class Play(TwiML):
    """<Play>: play an audio file, or DTMF tones with `digits`."""


class Say(TwiML):
    """<Say>: speak text; SSML children allowed."""


class SsmlW(TwiML):
    """SSML <w>: a word with a part-of-speech role."""


class SsmlSub(TwiML):
    """SSML <sub>: say `alias` in place of the written words."""


class SsmlSayAs(TwiML):
    """SSML <say-as>: how to read the words (digits, date, spelled out...)."""


class SsmlProsody(TwiML):
    """SSML <prosody>: volume, rate and pitch of the words."""


class SsmlS(TwiML):
    """SSML <s>: a sentence."""


class SsmlPhoneme(TwiML):
    """SSML <phoneme>: explicit pronunciation."""


class SsmlLang(TwiML):
    """SSML <lang>: words in another language."""


class SsmlP(TwiML):
    """SSML <p>: a paragraph."""


class SsmlEmphasis(TwiML):
    """SSML <emphasis>: stress the words."""


class SsmlBreak(TwiML):
    """SSML <break>: a pause inside spoken text."""


class Pay(TwiML):
    """<Pay>: collect a card or bank payment over the phone."""


class Sms(TwiML):
    """<Sms>: send a text during a call (deprecated; prefer <Message> or the REST API)."""


class MediaFilter(TwiML):
    """<MediaFilter>: filter the call's audio in the background (twilio-node 6.3.1; not in twilio 9.13)."""


class Assistant(TwiML):
    """<Assistant>: connect the call to an AI assistant (twilio-node; not in twilio 9.13)."""


class Reject(TwiML):
    """<Reject>: decline the call without answering it."""


class Redirect(TwiML):
    """<Redirect>: continue with the TwiML at another URL."""


class Record(TwiML):
    """<Record>: record the caller and post the recording to `action`."""


class Queue(TwiML):
    """<Queue>: inside <Dial>, take the next caller from a queue."""


class Leave(TwiML):
    """<Leave>: take the caller out of the queue they wait in."""


class Hangup(TwiML):
    """<Hangup>: end the call."""


class Gather(TwiML):
    """<Gather>: collect keypad digits or speech, then request `action`."""


class Enqueue(TwiML):
    """<Enqueue>: put the caller in a queue."""


class Task(TwiML):
    """<Task>: TaskRouter task attributes (JSON) for <Enqueue>."""


class Echo(TwiML):
    """<Echo>: play the caller's audio back (testing aid, undocumented)."""


class Dial(TwiML):
    """<Dial>: connect the caller to another party."""


class WhatsApp(TwiML):
    """<WhatsApp>: dial a WhatsApp user."""


class Application(TwiML):
    """<Application>: dial a TwiML App."""


class ApplicationSid(TwiML):
    """<ApplicationSid>: the SID of the TwiML App to dial."""


class Sip(TwiML):
    """<Sip> inside <Dial>: dial a SIP endpoint."""


class Headers(TwiML):
    """<Headers>: custom SIP headers for <Sip>."""


class Header(TwiML):
    """<Header>: one custom SIP header."""


class SipUri(TwiML):
    """<Uri>: one SIP URI to try for <Sip>."""


class Sim(TwiML):
    """<Sim>: dial a Twilio Programmable Wireless SIM."""


class Number(TwiML):
    """<Number>: dial a phone number."""


class Conference(TwiML):
    """<Conference>: join a named conference room."""


class Client(TwiML):
    """<Client>: dial a Voice SDK client."""


class Identity(TwiML):
    """<Identity>: the client identity to dial."""


class Connect(TwiML):
    """<Connect>: hand the call to a stream, room, agent or relay until it ends."""


class ConversationRelaySession(TwiML):
    """<ConversationRelaySession>: attach a configured relay session."""


class AiSession(TwiML):
    """<AiSession>: hand the call to an AI connector."""


class ConversationRelay(TwiML):
    """<ConversationRelay>: connect the call to a real-time AI voice app over WebSocket."""


class Language(TwiML):
    """<Language>: per-language speech settings for <ConversationRelay>."""


class Conversation(TwiML):
    """<Conversation>: route the call into Twilio Conversations."""


class VirtualAgent(TwiML):
    """<VirtualAgent>: connect the call to a Dialogflow CX agent."""


class Autopilot(TwiML):
    """<Autopilot>: connect to an Autopilot assistant (product retired)."""


class Room(TwiML):
    """<Room>: join a Programmable Video room."""


install(globals(), "voice")
