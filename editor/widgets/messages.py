"""Intent messages widgets post; the app applies them to the Document and refreshes the views."""

from __future__ import annotations

from textual.message import Message

from twiml.base import TwiML


class AttributeEdited(Message):
    """The user set (or, with value None, removed) attribute `xml_name` of `node`."""

    def __init__(self, node: TwiML, xml_name: str, value: str | None, entry: int = 0) -> None:
        super().__init__()
        self.node = node
        self.xml_name = xml_name
        self.value = value
        self.entry = entry
        """The typing entry it came from (`TypingEntry`); 0 for a one-off edit."""


class TextEdited(Message):
    """The user changed the body text of `node` (None clears it), or with `piece` the text piece
    ``node.verbs[piece]`` that follows a child element."""

    def __init__(self, node: TwiML, text: str | None, piece: int | None = None, entry: int = 0) -> None:
        super().__init__()
        self.node = node
        self.text = text
        self.piece = piece
        self.entry = entry
        """The typing entry it came from (`TypingEntry`); 0 for a one-off edit."""


class NodeChosen(Message):
    """Some view (problems list, preview) asks the app to select `node` in the tree."""

    def __init__(self, node: TwiML) -> None:
        super().__init__()
        self.node = node


class FieldDone(Message):
    """Enter in a form field: the user is done with it (the app returns focus to the tree)."""
