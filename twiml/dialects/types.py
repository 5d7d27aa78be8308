"""The shapes of a dialect profile: what a vendor's XML (Telnyx TeXML, SignalWire cXML) does
differently from TwiML, as data the validator, the migrator, the simulator and the editor read.

A profile is an overlay on `twiml.grammar`: it adds vendor-only elements and attributes, marks
what the vendor rejects, renames or ignores, and changes ranges and defaults.  Every rule names
its `Source` because vendor pages contradict each other; a finding shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from twiml.grammar_types import Attr, Element

Kind = Literal["voice", "messaging", "fax"]


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: a documentation page or a vendor file, and when it was read."""

    ref: str
    read: str
    """Date read (ISO); `via` says through what copy when not first hand."""
    via: str = ""

    def __str__(self) -> str:
        via = f", via {self.via}" if self.via else ""
        return f"{self.ref} (read {self.read}{via})"


@dataclass(frozen=True)
class Adds:
    """A vendor-only element, placed under the classes in `parents` (of the same kind)."""

    element: Element
    parents: tuple[str, ...]
    source: Source


@dataclass(frozen=True)
class AddAttrs:
    """Vendor-only attributes of an existing element; an existing name is replaced (new range,
    default or values) rather than added twice."""

    cls: str
    attrs: tuple[Attr, ...]
    source: Source
    kind: Kind = "voice"


@dataclass(frozen=True)
class Unsupported:
    """An element the vendor rejects or silently drops, everywhere or only under `parents`."""

    cls: str
    source: Source
    note: str = "not supported"
    parents: tuple[str, ...] = ()
    kind: Kind = "voice"


@dataclass(frozen=True)
class Rename:
    """An attribute the vendor spells differently: `old` (TwiML's XML name) is `new` there."""

    cls: str
    old: str
    new: str
    source: Source
    kind: Kind = "voice"


@dataclass(frozen=True)
class Drop:
    """A TwiML attribute the vendor does not have: it is ignored there."""

    cls: str
    attr: str
    source: Source
    note: str = "ignored"
    kind: Kind = "voice"


@dataclass(frozen=True)
class Relax:
    """A Twilio restriction on a child's attribute that the vendor does not have."""

    cls: str
    child: str
    attr: str
    source: Source
    kind: Kind = "voice"


@dataclass(frozen=True)
class ValueRename:
    """A value the vendor spells differently (a voice family's prefix: Twilio `Google.` is
    SignalWire `gcloud.`)."""

    cls: str
    attr: str
    old_prefix: str
    new_prefix: str
    source: Source
    kind: Kind = "voice"


Rule = Adds | AddAttrs | Unsupported | Rename | Drop | Relax | ValueRename


@dataclass(frozen=True)
class Signing:
    """How the vendor signs its webhooks."""

    scheme: Literal["hmac-sha1", "ed25519"]
    headers: tuple[str, ...]
    """Signature header first (then the timestamp header for Ed25519)."""
    source: Source


@dataclass(frozen=True)
class Profile:
    """One vendor dialect: its rules and how its webhooks look."""

    name: str
    title: str
    vendor: str
    rules: tuple[Rule, ...]
    signing: Signing
    call_params: tuple[tuple[str, str], ...] = ()
    """Parameters the vendor posts with a call webhook beyond Twilio's ((name, example))."""
    drop_params: tuple[str, ...] = ()
    """Twilio parameters the vendor does not post."""
    call_sid_prefix: str = "CA"
