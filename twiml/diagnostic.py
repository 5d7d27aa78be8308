"""The finding record: one `Diagnostic` (a code, a level, a message and a place) with its `Fix`.

Kept apart from the walk in `twiml.validator` so every part that reports a finding (the parser,
the CLI, the simulator, Studio and flow checks) can import the record without the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from twiml import codes
from twiml.base import TwiML
from twiml.codes import Level

Severity = Level


@dataclass(frozen=True)
class Fix:
    """A one-step correction: rename the element or an attribute, or set an attribute's value."""

    kind: Literal["rename_element", "rename_attribute", "set_value"]
    new: str
    attr: str | None = None
    """The attribute renamed or set (None for `rename_element`)."""


@dataclass(frozen=True)
class Diagnostic:
    """One finding: where it is, how bad it is (Twilio's level for its code), and what to do."""

    severity: Severity
    code: int | str
    message: str
    path: str
    line: int | None = None
    column: int | None = None
    node: TwiML | None = field(default=None, compare=False, repr=False)
    hint: str | None = None
    """Did-you-mean or another short suggestion, shown after the message."""
    fix: Fix | None = field(default=None, compare=False)
    effect: str = ""
    """What Twilio does at run time, where known (document rejected, attribute ignored, ...)."""
    suppressed: bool = False
    """Silenced by a ``twiml: ignore`` comment (kept only when asked for)."""
    source: str = ""
    """The vendor rule's source (documentation page or file, date read) for a dialect finding."""

    @property
    def twilio_message(self) -> str:
        """Twilio's own message for the code ("" for codes of our own without one)."""
        return codes.text_of(self.code)

    def format(self, filename: str = "-") -> str:
        """`file:line:col: severity code message (hint)`; column 0 when only the line is known, and
        the node path instead of a position when the document was built rather than parsed."""
        text = f"{self.severity} {self.code} {self.message}" + (f" ({self.hint})" if self.hint else "")
        if self.line is None:
            return f"{filename}: {text} (at {self.path})"
        return f"{filename}:{self.line}:{self.column or 0}: {text}"
