"""The language server itself: the pygls server, the open files, and one thin handler per LSP
request. What each request answers is worked out in its own module, over `twiml.lsp.analysis`:
`diagnostics`, `completion`, `hover` (with `docs`), `actions`, `formatting`, `outline` and
`definition` (`protocol` converts URIs, offsets and ranges for all of them).

Imported only by `twiml lsp` (pygls is the optional extra `lsp`). Positions: the client's
UTF-16 columns are taken as code points (the same for every character outside the astral planes).
"""

from __future__ import annotations

import contextlib

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer

from twiml.diagnostic import Diagnostic
from twiml.lsp.actions import code_actions
from twiml.lsp.analysis import Finding, TwimlFile, edited
from twiml.lsp.completion import complete
from twiml.lsp.definition import document_definition, flow_toml_definition
from twiml.lsp.diagnostics import flow_diagnostics, to_lsp
from twiml.lsp.formatting import format_edits, format_text
from twiml.lsp.hover import hover_markdown
from twiml.lsp.outline import document_symbols, folding_ranges
from twiml.lsp.protocol import flow_of, is_flow, path_of
from twiml.settings import BadSettings, Settings, settings_for
from twiml.version import installed_version

__all__ = ["TwimlServer", "complete", "format_text", "serve"]


class TwimlServer(LanguageServer):
    """Open TwiML files (by URI) and what was last published for them."""

    def __init__(self) -> None:
        super().__init__("twiml", installed_version(), text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.files: dict[str, TwimlFile] = {}
        self.placed: dict[str, list[Finding]] = {}
        self.flow_texts: dict[str, str] = {}
        self.mapped: dict[str, tuple[str, list[Diagnostic]]] = {}
        """Per document of a flow folder: the saved text the map read, and its findings there."""


server = TwimlServer()


def _settings(uri: str) -> Settings:
    path = path_of(uri)
    try:
        return settings_for(str(path) if path else "-")
    except BadSettings as exc:
        server.window_show_message(T.ShowMessageParams(T.MessageType.Warning, f"twiml: {exc}"))
        return Settings()


# ----------------------------------------------------------------------------------- diagnostics


def _map(uri: str) -> None:
    """The map's findings about a document of a flow folder (a callback no route answers ...),
    worked out from the saved files when the document is opened or saved."""
    from twiml.lsp.flows import document_map_findings

    path = path_of(uri)
    server.mapped.pop(uri, None)
    if path is None or not path.is_file():
        return
    found = document_map_findings(path)
    if found:
        with contextlib.suppress(OSError, UnicodeDecodeError):  # gone since: nothing to place them in
            server.mapped[uri] = (path.read_text(encoding="utf-8"), found)


def _publish(uri: str) -> None:
    f = server.files[uri]
    settings = _settings(uri)
    placed = [x for x in f.findings(settings.dialect) if settings.reports(x.diagnostic)]
    saved, mapped = server.mapped.get(uri, ("", []))
    if mapped and f.text == saved:  # their lines are the saved file's: edited, they wait for the save
        placed += [f.place_at(d) for d in mapped if settings.reports(d)]
    server.placed[uri] = placed
    server.text_document_publish_diagnostics(
        T.PublishDiagnosticsParams(uri=uri, diagnostics=[to_lsp(f, x) for x in placed])
    )


def _publish_flow(uri: str, text: str) -> None:
    path = path_of(uri)
    if path is None:
        return
    out = flow_diagnostics(text, path.parent)
    server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=out))


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TwimlServer, params: T.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    if is_flow(doc.uri):
        ls.flow_texts[doc.uri] = doc.text
        _publish_flow(doc.uri, doc.text)
        return
    if doc.uri.endswith(".toml") or doc.language_id == "toml":
        return  # another TOML file (pyproject.toml...): not ours
    path = path_of(doc.uri)
    ls.files[doc.uri] = TwimlFile(doc.text, str(path) if path else None)
    _map(doc.uri)
    _publish(doc.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TwimlServer, params: T.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if is_flow(uri):
        text = ls.flow_texts.get(uri, "")
        for change in params.content_changes:
            text = _apply(text, change)
        ls.flow_texts[uri] = text
        _publish_flow(uri, text)
        return
    f = ls.files.get(uri)
    if f is None:
        return
    for change in params.content_changes:
        if isinstance(change, T.TextDocumentContentChangePartial):
            r = change.range
            f.change((r.start.line, r.start.character), (r.end.line, r.end.character), change.text)
        else:
            f.replace_all(change.text)
    _publish(uri)


def _apply(text: str, change: T.TextDocumentContentChangeEvent) -> str:
    if not isinstance(change, T.TextDocumentContentChangePartial):
        return change.text
    r = change.range
    return edited(text, (r.start.line, r.start.character), (r.end.line, r.end.character), change.text)


@server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: TwimlServer, params: T.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.files.pop(uri, None)
    ls.placed.pop(uri, None)
    ls.flow_texts.pop(uri, None)
    ls.mapped.pop(uri, None)
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TwimlServer, params: T.DidSaveTextDocumentParams) -> None:
    from twiml.settings import CONFIG_CACHE

    CONFIG_CACHE.clear()  # pyproject.toml may have changed
    for uri in ls.files:
        _map(uri)  # a saved document or flow.toml may add or answer a callback
        _publish(uri)
    for uri, text in ls.flow_texts.items():
        _publish_flow(uri, text)  # a saved document may mend or break the map's links


# ------------------------------------------------------------------------------------- requests


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["<", " ", '"', "'", "/"]))
def completion(ls: TwimlServer, params: T.CompletionParams) -> T.CompletionList | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    offset = f.offset(params.position.line, params.position.character)
    return T.CompletionList(is_incomplete=False, items=complete(f, offset, params.text_document.uri))


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: TwimlServer, params: T.HoverParams) -> T.Hover | None:
    uri = params.text_document.uri
    f = ls.files.get(uri)
    if f is None:
        return None
    text = hover_markdown(f, ls.placed.get(uri, ()), f.offset(params.position.line, params.position.character))
    return T.Hover(T.MarkupContent(T.MarkupKind.Markdown, text)) if text is not None else None


@server.feature(
    T.TEXT_DOCUMENT_CODE_ACTION,
    T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix]),
)
def code_action(ls: TwimlServer, params: T.CodeActionParams) -> list[T.CodeAction] | None:
    uri = params.text_document.uri
    f = ls.files.get(uri)
    if f is None:
        return None
    lo = f.offset(params.range.start.line, params.range.start.character)
    hi = f.offset(params.range.end.line, params.range.end.character)
    return code_actions(f, uri, ls.placed.get(uri, ()), lo, hi)


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: TwimlServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    return format_edits(f, params.options.tab_size if params.options.insert_spaces else 0)


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: TwimlServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol] | None:
    f = ls.files.get(params.text_document.uri)
    return document_symbols(f) if f is not None else None


@server.feature(T.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_range(ls: TwimlServer, params: T.FoldingRangeParams) -> list[T.FoldingRange] | None:
    f = ls.files.get(params.text_document.uri)
    return folding_ranges(f) if f is not None else None


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: TwimlServer, params: T.DefinitionParams) -> list[T.Location] | None:
    uri = params.text_document.uri
    flow = flow_of(uri)
    if flow is None:
        return None
    line, character = params.position.line, params.position.character
    if is_flow(uri):
        text = ls.flow_texts.get(uri) or flow.config_path.read_text(encoding="utf-8")
        return flow_toml_definition(flow, text, line, character)
    f = ls.files.get(uri)
    return document_definition(flow, f, f.offset(line, character)) if f is not None else None


def serve() -> None:
    """Run the server on stdin/stdout until the client exits. pygls gets its own file objects over
    the same descriptors, so closing them on exit leaves `sys.stdout` usable for the CLI's final flush."""
    import os

    with os.fdopen(0, "rb", closefd=False) as stdin, os.fdopen(1, "wb", closefd=False) as stdout:
        server.start_io(stdin, stdout)
