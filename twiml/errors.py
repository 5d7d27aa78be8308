"""Exception types shared by the builder, parser and validator."""
from __future__ import annotations


class TwiMLException(Exception):
    """Any TwiML problem the library raises."""
