"""The record of one change, shared by `twiml test` (a case against its replay), `twiml diff`
and the diffs of other inputs (a Studio flow's widgets). Kept apart from the comparison itself
so a target can name it without importing the cases."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Change"]


@dataclass(frozen=True)
class Change:
    """One change: `kind` (prompt, message, branch, attribute, verb, step, end; in a diff also
    route, document, widget), where it is (a document, a Studio widget, or a URL path when the
    reply has no file), one line saying it, and old/new values."""

    kind: str
    where: str
    summary: str
    was: str = ""
    now: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "where": self.where, "summary": self.summary, "was": self.was, "now": self.now}
