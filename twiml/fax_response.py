"""Fax TwiML: <Response> with <Receive> or <Reject> for incoming faxes.

Constructors and builder methods come from the grammar table through `twiml.builders.install`.
"""

from __future__ import annotations

from twiml.base import TwiML
from twiml.builders import install
from twiml.response import Response

__all__ = ["FaxResponse", "Receive", "Reject"]


class FaxResponse(Response):
    """Root <Response> of a fax document."""


class Receive(TwiML):
    """<Receive>: accept an incoming fax."""


class Reject(TwiML):
    """<Reject>: refuse an incoming fax."""


install(globals(), "fax")
