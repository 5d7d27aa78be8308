"""Messaging TwiML: <Response> replies to incoming SMS/MMS.

Constructors and builder methods come from the grammar table through `twiml.builders.install`.
"""

from __future__ import annotations

from twiml.base import TwiML
from twiml.builders import install
from twiml.response import Response

__all__ = ["Body", "Media", "Message", "MessagingResponse", "Redirect"]


class MessagingResponse(Response):
    """Root <Response> of a messaging reply."""


class Redirect(TwiML):
    """<Redirect>: continue with the TwiML at another URL."""


class Message(TwiML):
    """<Message>: send a reply SMS/MMS."""


class Media(TwiML):
    """<Media>: URL of an image or file to attach to a message."""


class Body(TwiML):
    """<Body>: the text of a message."""


install(globals(), "messaging")
