"""Findings as LSP diagnostics: the validator's for TwiML files, the map's for flow.toml."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T

from twiml.lsp.analysis import Finding, TwimlFile
from twiml.lsp.flows import flow_problems
from twiml.lsp.protocol import lsp_range

__all__ = ["ERRORS_URL", "flow_diagnostics", "to_lsp"]

_SEVERITY = {
    "error": T.DiagnosticSeverity.Error,
    "warning": T.DiagnosticSeverity.Warning,
    "info": T.DiagnosticSeverity.Information,
}
ERRORS_URL = "https://www.twilio.com/docs/api/errors"
"""Twilio's page per error code (`ERRORS_URL/12200`)."""


def to_lsp(f: TwimlFile, x: Finding) -> T.Diagnostic:
    """One placed finding of `f` as the client shows it, linked to Twilio's page for its code."""
    d = x.diagnostic
    message = d.message + (f" ({d.hint})" if d.hint else "")
    if d.effect:
        message += f" [{d.effect}]"
    return T.Diagnostic(
        range=lsp_range(f, x.start, x.end),
        message=message,
        severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Information),
        code=str(d.code),
        code_description=T.CodeDescription(f"{ERRORS_URL}/{d.code}") if isinstance(d.code, int) else None,
        source="twiml",
    )


def flow_diagnostics(text: str, folder: Path) -> list[T.Diagnostic]:
    """flow.toml's problems (`twiml map`'s), each on its line up to the line's end."""
    out = []
    for p in flow_problems(text, folder):
        line, column = max((p.line or 1) - 1, 0), max((p.column or 1) - 1, 0)
        line_end = len(text.split("\n")[line]) if line < text.count("\n") + 1 else 0
        out.append(
            T.Diagnostic(
                range=T.Range(T.Position(line, column), T.Position(line, max(line_end, column))),
                message=p.message,
                severity=_SEVERITY.get(p.severity, T.DiagnosticSeverity.Warning),
                code=p.code,
                source="twiml map",
            )
        )
    return out
