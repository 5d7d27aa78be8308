"""A Flask webhook app for the IVR of `sample_flows/ivr_main_menu.xml`, with signature checks.

Try it without a phone or a tunnel:

    twiml call --app examples.flask_ivr:app /voice/incoming --input 1
    twiml text --app examples.flask_ivr:app /sms --body HELP
    TWILIO_AUTH_TOKEN=secret twiml call --app examples.flask_ivr:app /voice/incoming   # interactive, signed

Serve it for real with `flask --app examples.flask_ivr run` and point a Twilio number's voice
webhook at `https://<your host>/voice/incoming`. When `TWILIO_AUTH_TOKEN` is set every request
must carry a valid `X-Twilio-Signature`; behind a proxy or tunnel set `PUBLIC_URL` to the base
URL Twilio uses (e.g. https://abc.ngrok.app) so the signature is checked against it.
"""

from __future__ import annotations

import os
import re

from flask import Flask, Response, abort, request

from twiml.messaging_response import MessagingResponse
from twiml.signature import SIGNATURE_HEADER, validate_signature
from twiml.voice_response import VoiceResponse

app = Flask(__name__)

VOICE = {"voice": "Polly.Joanna-Neural", "language": "en-US"}
SALES = "+15555550101"
OPERATOR = "+15555550100"
DEPARTMENTS = {"sales": "1", "support": "2", "billing": "3", "operator": "0"}


@app.before_request
def check_signature() -> None:
    """Refuse requests that Twilio did not sign (only when an Auth Token is configured)."""
    token = os.environ.get("TWILIO_AUTH_TOKEN")
    if not token:
        return
    signature = request.headers.get(SIGNATURE_HEADER)
    params = request.form.items(multi=True)
    if not validate_signature(request.url, params, signature, token, public_url=os.environ.get("PUBLIC_URL")):
        abort(403)


def twiml(response: VoiceResponse | MessagingResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


@app.post("/voice/incoming")
def incoming() -> Response:
    """The main menu: the same document as sample_flows/ivr_main_menu.xml."""
    r = VoiceResponse()
    g = r.gather(
        action="/menu",
        hints="sales, support, billing, operator",
        input="dtmf speech",
        language="en-US",
        method="POST",
        num_digits=1,
        speech_timeout="auto",
        timeout=6,
    )
    g.say("Thank you for calling Acme Corporation.", **VOICE)
    g.say("For sales, press 1 or say sales.", **VOICE)
    g.say("For technical support, press 2 or say support.", **VOICE)
    g.say("For billing, press 3 or say billing.", **VOICE)
    g.say("To speak with an operator, press 0.", **VOICE)
    r.say("Sorry, we did not receive your selection.", **VOICE)
    r.redirect("/voice/incoming", method="POST")
    return twiml(r)


def _choice() -> str:
    """The key pressed, or the key of the department the caller named ("Sales." -> "1")."""
    digits = request.form.get("Digits", "")
    if digits:
        return digits
    words = re.sub(r"[^a-z ]", " ", request.form.get("SpeechResult", "").lower()).split()
    return next((DEPARTMENTS[w] for w in words if w in DEPARTMENTS), "")


@app.post("/menu")
def menu() -> Response:
    """Route the caller's choice from the main menu."""
    choice = _choice()
    r = VoiceResponse()
    if choice == "1":
        r.say("Connecting you to sales.", **VOICE)
        r.dial(SALES, timeout=20)
        r.say("Thank you for calling Acme. Goodbye.", **VOICE)
    elif choice == "2":
        r.say("All of our support agents are busy. Please stay on the line.", **VOICE)
        r.enqueue("support", wait_url="/support/hold", action="/support/done")
    elif choice == "3":
        r.say("Billing is closed right now. Please leave a message after the tone and press pound.", **VOICE)
        r.record(action="/voicemail/done", finish_on_key="#", max_length=120)
        r.say("We did not receive a message. Goodbye.", **VOICE)
    elif choice == "0":
        r.say("Please hold while we connect you to an operator.", **VOICE)
        r.dial(OPERATOR, action="/operator/done", timeout=15)
    else:
        r.say("Sorry, that is not an option.", **VOICE)
        r.redirect("/voice/incoming")
    return twiml(r)


@app.post("/support/hold")
def support_hold() -> Response:
    """Played to callers waiting in the support queue (Twilio repeats it until an agent answers)."""
    r = VoiceResponse()
    r.say("Thank you for your patience. Your call is important to us.", **VOICE)
    r.play("https://assets.example.com/audio/hold-music.mp3")
    return twiml(r)


@app.post("/support/done")
def support_done() -> Response:
    r = VoiceResponse()
    if request.form.get("QueueResult") != "bridged":
        r.say("Sorry, no agent could take your call. Please try again later.", **VOICE)
    r.hangup()
    return twiml(r)


@app.post("/operator/done")
def operator_done() -> Response:
    """After the operator's line: voicemail when nobody answered."""
    r = VoiceResponse()
    if request.form.get("DialCallStatus") in ("completed", "answered"):
        r.hangup()
    else:
        r.say("The operator is not available. Please leave a message after the tone.", **VOICE)
        r.record(action="/voicemail/done", finish_on_key="#", max_length=120)
    return twiml(r)


@app.post("/voicemail/done")
def voicemail_done() -> Response:
    r = VoiceResponse()
    seconds = request.form.get("RecordingDuration", "0")
    r.say(f"Thank you. We received your {seconds} second message. Goodbye.", **VOICE)
    r.hangup()
    return twiml(r)


@app.post("/sms")
def sms() -> Response:
    """Keyword auto-reply for texts to the same number (Twilio itself handles STOP and START)."""
    keyword = request.form.get("Body", "").strip().upper()
    r = MessagingResponse()
    if keyword == "HELP":
        r.message(
            "Acme Support is open Mon-Fri 8am-8pm ET. Call us or reply with your question. Reply STOP to opt out."
        )
    elif keyword == "HOURS":
        r.message("We are open Mon-Fri 8am-8pm and Sat 9am-5pm ET.")
    elif keyword not in ("STOP", "START", "UNSTOP"):
        r.message("Thanks for your message! Reply HELP for help or HOURS for our opening hours.")
    return twiml(r)
