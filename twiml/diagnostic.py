"""The finding record: one `Diagnostic` (a code, a level, a message and a place) with its `Fix`,
and its one formatter for text (`Diagnostic.format`), JSON (`Diagnostic.as_dict`) and SARIF
(`sarif`).

A place is any of: a file with line and column, a URL (a webhook's reply), and a path (the node
path `Response/Gather[1]`, or a JSON path `states[3].properties.say` in a Studio flow). Kept apart
from the walk in `twiml.validator` so every part that reports a finding (the parser, the CLI,
the simulator, Studio and flow checks) can import the record without the checks.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from twiml import codes
from twiml.base import TwiML
from twiml.codes import Level

Severity = Level

_VALUE_FINDING = re.compile(r"^<[^>]+> ([^\s=]+)=")
"""A finding about an attribute's value starts `<Gather> numDigits="x" ...`."""
_NO_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")


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
    path: str = ""
    """The node path (`Response/Gather[1]`) or a JSON path; "" when the place is only a file or URL."""
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
    file: str | None = None
    """The file the finding is in (as shown to the reader), where one is known."""
    url: str | None = None
    """The URL whose reply the finding is about (the simulator's fetches)."""

    @property
    def attribute(self) -> str | None:
        """The attribute the finding is about (its value, or its name when the element has no
        such attribute), None when it is about the element: the CLI and the language server point
        at the attribute rather than at its element."""
        if self.node is None:
            return None
        if self.fix is not None and self.fix.attr:
            return self.fix.attr
        m = _VALUE_FINDING.match(self.message) or _NO_ATTRIBUTE.search(self.message)
        return m.group(1) if m else None

    @property
    def about_name(self) -> bool:
        """True when the finding is about the attribute's name (unknown, misspelled), not its value."""
        return bool(_NO_ATTRIBUTE.search(self.message)) or (
            self.fix is not None and self.fix.kind == "rename_attribute"
        )

    @property
    def twilio_message(self) -> str:
        """Twilio's own message for the code ("" for codes of our own without one)."""
        return codes.text_of(self.code)

    def format(self, filename: str | None = None, *, sources: bool = False) -> str:
        """`file:line:col: severity code message (hint)`; column 0 when only the line is known, and
        the path instead of a position when the document was built rather than parsed. The place
        is `filename`, else the finding's file, else its URL, else "-"; `sources` adds the vendor
        rule's source (`[source: ...]`)."""
        where = filename or self.file or self.url or "-"
        text = f"{self.severity} {self.code} {self.message}" + (f" ({self.hint})" if self.hint else "")
        text += f" [source: {self.source}]" if sources and self.source else ""
        if self.line is None:
            return f"{where}: {text}" + (f" (at {self.path})" if self.path else "")
        return f"{where}:{self.line}:{self.column or 0}: {text}"

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (`twiml validate --format json`); `url` only when the place is a URL."""
        out: dict[str, Any] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "level": self.severity,
            "severity": self.severity,
            "code": self.code,
            "twilio_message": self.twilio_message,
            "message": self.message,
            "hint": self.hint,
            "effect": self.effect,
            "path": self.path or None,
            "source": self.source or None,
        }
        if self.url:
            out["url"] = self.url
        return out


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://www.twilio.com/docs/api/errors"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(name: str) -> str:
    """SARIF wants URIs: relative paths stay relative (code scanning maps them to the repository)."""
    if os.path.isabs(name):
        return Path(name).as_uri()
    return quote(name.replace(os.sep, "/"))


def sarif(findings: list[Diagnostic], failures: list[str], version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log of `findings` (suppressed ones marked as such); `failures` are files that
    could not be read (the run then did not succeed); `version` is the tool's."""
    descriptions = {str(code): entry.text for code, entry in codes.CODES.items()}
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for f in findings:
        rule_id = str(f.code)
        if rule_id not in index:
            index[rule_id] = len(rules)
            rule: dict[str, Any] = {
                "id": rule_id,
                "shortDescription": {"text": descriptions.get(rule_id) or f.twilio_message or f.message},
                "defaultConfiguration": {"level": _SARIF_LEVEL.get(f.severity, "note")},
            }
            if isinstance(f.code, int):
                rule["helpUri"] = f"{INFORMATION_URI}/{f.code}"
            rules.append(rule)
        location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(f.file or f.url or "-")}}}
        if f.line is not None:
            region: dict[str, int] = {"startLine": f.line}
            if f.column:
                region["startColumn"] = f.column
            location["physicalLocation"]["region"] = region
        if f.path:
            location["logicalLocations"] = [{"fullyQualifiedName": f.path, "kind": "element"}]
        result: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": _SARIF_LEVEL.get(f.severity, "note"),
            "message": {"text": f.message + (f" ({f.hint})" if f.hint else "")},
            "locations": [location],
            "properties": {
                "level": f.severity,
                "code": f.code,
                "twilioMessage": f.twilio_message,
                "message": f.message,
                "hint": f.hint,
                "effect": f.effect,
            },
        }
        if f.suppressed:
            result["suppressions"] = [{"kind": "inSource", "justification": "twiml: ignore comment"}]
        results.append(result)
    invocation: dict[str, Any] = {"executionSuccessful": not failures}
    if failures:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": text}} for text in failures]
    driver = {"name": "twiml", "version": version, "informationUri": INFORMATION_URI, "rules": rules}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "invocations": [invocation], "results": results}],
    }
