"""Move TwiML between vendor dialects (Twilio, Telnyx TeXML, SignalWire cXML).

`migrate(doc, to)` checks the document as the target vendor runs it (`twiml.validator` with the
target's profile from `twiml.dialects`), applies every rename the profiles know (an attribute the
target spells differently, a voice family it names differently) through the format-preserving
writer (`twiml.source`), and returns what is left for a person: constructs the target rejects,
ignores or lacks, each with its line, column and the rule's source.
"""

from __future__ import annotations

from dataclasses import dataclass

from twiml.codes import DIALECT_IGNORED, DIALECT_RENAMED, DIALECT_UNSUPPORTED
from twiml.fixes import apply_fix
from twiml.source import SourceDocument
from twiml.validator import Diagnostic, validate

__all__ = ["Migration", "migrate"]

_DIALECT_CODES = frozenset((DIALECT_IGNORED, DIALECT_RENAMED, DIALECT_UNSUPPORTED))


@dataclass(frozen=True)
class Migration:
    applied: tuple[Diagnostic, ...]
    """Findings whose fix was applied (renames)."""
    left: tuple[Diagnostic, ...]
    """Findings about the target dialect that need a person (no equivalent there)."""


def migrate(doc: SourceDocument, to: str) -> Migration:
    """Rewrite `doc` in place for dialect `to`; `doc.dumps()` then gives the minimal edit."""
    applied: list[Diagnostic] = []
    left: list[Diagnostic] = []
    for d in validate(doc.root, dialect=to):
        if not (d.source or d.code in _DIALECT_CODES):
            continue  # not about the dialect: `twiml validate` reports it
        if d.fix is not None and d.node is not None and d.fix.kind in ("rename_attribute", "set_value"):
            apply_fix(doc.root, d.node, d.fix, doc)
            applied.append(d)
        else:
            left.append(d)
    return Migration(tuple(applied), tuple(left))
