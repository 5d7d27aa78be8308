"""The language server itself: pygls handlers over `twiml.lsp.analysis` and `twiml.lsp.flows`.

Imported only by `twiml lsp` (pygls is the optional extra `lsp`). Positions: the client's
UTF-16 columns are taken as code points (the same for every character outside the astral planes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from twiml import codes
from twiml.flow.config import FLOW_FILE, Flow
from twiml.grammar import GRAMMAR
from twiml.grammar_types import BOOL, ENUM, LIST, Attr, Element
from twiml.grammar_values import LEGACY_VOICE_LANGUAGES, VOICE_LANGUAGES
from twiml.lsp.analysis import TOKEN, Context, Finding, Span, TwimlFile, context_at, edited, spans
from twiml.lsp.flows import URL_ATTRS, flow_for, flow_problems, route_line, target_at, url_path
from twiml.schema import attr_doc, docs_url
from twiml.settings import BadSettings, Settings, settings_for
from twiml.version import installed_version

__all__ = ["TwimlServer", "serve"]

_SEVERITY = {
    "error": T.DiagnosticSeverity.Error,
    "warning": T.DiagnosticSeverity.Warning,
    "info": T.DiagnosticSeverity.Information,
}
_ERRORS_URL = "https://www.twilio.com/docs/api/errors"
_URL_BODIES = frozenset({"Redirect", "Play"})
"""Elements whose text is a URL (`<Redirect>` is routed by a flow folder)."""


class TwimlServer(LanguageServer):
    """Open TwiML files (by URI) and what was last published for them."""

    def __init__(self) -> None:
        super().__init__("twiml", installed_version(), text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.files: dict[str, TwimlFile] = {}
        self.placed: dict[str, list[Finding]] = {}
        self.flow_texts: dict[str, str] = {}


server = TwimlServer()


def _path(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def _is_flow(uri: str) -> bool:
    return uri.endswith("/" + FLOW_FILE)


def _range(f: TwimlFile, start: int, end: int) -> T.Range:
    sl, sc = f.position(start)
    el, ec = f.position(end)
    return T.Range(T.Position(sl, sc), T.Position(el, ec))


def _settings(path: Path | None) -> Settings:
    try:
        return settings_for(str(path) if path else "-")
    except BadSettings as exc:
        server.window_show_message(T.ShowMessageParams(T.MessageType.Warning, f"twiml: {exc}"))
        return Settings()


# ----------------------------------------------------------------------------------- diagnostics


def _publish(uri: str) -> None:
    f = server.files[uri]
    settings = _settings(_path(uri))
    placed = [x for x in f.findings(settings.dialect) if settings.reports(_Shown(x))]
    server.placed[uri] = placed
    server.text_document_publish_diagnostics(
        T.PublishDiagnosticsParams(uri=uri, diagnostics=[_diagnostic(f, x) for x in placed])
    )


class _Shown:
    """A finding as the settings see it (code, severity, suppressed)."""

    def __init__(self, x: Finding) -> None:
        self.code = x.diagnostic.code
        self.severity = x.diagnostic.severity
        self.suppressed = x.diagnostic.suppressed


def _diagnostic(f: TwimlFile, x: Finding) -> T.Diagnostic:
    d = x.diagnostic
    message = d.message + (f" ({d.hint})" if d.hint else "")
    if d.effect:
        message += f" [{d.effect}]"
    return T.Diagnostic(
        range=_range(f, x.start, x.end),
        message=message,
        severity=_SEVERITY.get(d.severity, T.DiagnosticSeverity.Information),
        code=str(d.code),
        code_description=T.CodeDescription(f"{_ERRORS_URL}/{d.code}") if isinstance(d.code, int) else None,
        source="twiml",
    )


def _publish_flow(uri: str, text: str) -> None:
    path = _path(uri)
    if path is None:
        return
    out = []
    for p in flow_problems(text, path.parent):
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
    server.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=out))


@server.feature(T.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: TwimlServer, params: T.DidOpenTextDocumentParams) -> None:
    doc = params.text_document
    if _is_flow(doc.uri):
        ls.flow_texts[doc.uri] = doc.text
        _publish_flow(doc.uri, doc.text)
        return
    if doc.uri.endswith(".toml") or doc.language_id == "toml":
        return  # another TOML file (pyproject.toml...): not ours
    path = _path(doc.uri)
    ls.files[doc.uri] = TwimlFile(doc.text, str(path) if path else None)
    _publish(doc.uri)


@server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: TwimlServer, params: T.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if _is_flow(uri):
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
    ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(T.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: TwimlServer, params: T.DidSaveTextDocumentParams) -> None:
    from twiml.settings import CONFIG_CACHE

    CONFIG_CACHE.clear()  # pyproject.toml may have changed
    for uri in ls.files:
        _publish(uri)
    for uri, text in ls.flow_texts.items():
        _publish_flow(uri, text)  # a saved document may mend or break the map's links


# ------------------------------------------------------------------------------------ completion


def _flow(uri: str) -> Flow | None:
    path = _path(uri)
    return flow_for(path) if path else None


def _element_snippet(el: Element) -> tuple[str, str]:
    """(snippet, plain text) of a new element: its required attributes, its body or its children."""
    n = 1
    attrs = ""
    for a in el.attrs:
        if a.required:
            attrs += f' {a.xml}="${{{n}}}"'
            n += 1
    has_body = el.body is not None and el.body.kind != "none"
    if not has_body and not el.children:
        return f"<{el.xml}{attrs}/>$0", f"<{el.xml}/>"
    example = el.body.example if el.body is not None and el.body.example else ""
    inner = f"${{{n}:{_escape(example)}}}" if example else "$0"
    return f"<{el.xml}{attrs}>{inner}</{el.xml}>" + ("$0" if example else ""), f"<{el.xml}></{el.xml}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _element_doc(el: Element) -> str:
    lines = [f"**<{el.xml}>** ({el.dialect})", "", el.doc]
    if el.attrs:
        required = [a.xml for a in el.attrs if a.required]
        if required:
            lines.append(f"\nRequired: {', '.join(required)}")
    kids = GRAMMAR.allowed_children(el)
    if kids:
        lines.append(f"\nChildren: {', '.join(dict.fromkeys(k.xml for k in kids))}")
    if el.body is not None and el.body.meaning:
        lines.append(f"\nText: {el.body.meaning}")
    lines.append(f"\n[Twilio docs]({docs_url(el)})")
    return "\n".join(lines)


def _attr_markdown(el: Element, a: Attr) -> str:
    kind = a.type if a.type != LIST else f"list of {a.item_type or 'tokens'}"
    lines = [f"**{a.xml}** on <{el.xml}>: {kind}", "", attr_doc(a)]
    if a.values:
        shown = ", ".join(f"`{v}`" for v in a.values[:20])
        more = f" and {len(a.values) - 20} more" if len(a.values) > 20 else ""
        lines.append(f"\nValues{' (known; others may work)' if a.open else ''}: {shown}{more}")
    if a.min is not None or a.max is not None:
        lines.append(f"\nRange: {a.min if a.min is not None else ''}..{a.max if a.max is not None else ''}")
    if a.code is not None:
        lines.append(f"\nBad value: {a.code} {codes.text_of(a.code)}")
    lines.append(f"\n[Twilio docs]({a.source or docs_url(el)})")
    return "\n".join(lines)


def _values(el: Element, a: Attr, ctx: Context, uri: str) -> list[str]:
    if a.xml in URL_ATTRS or a.type == "url":
        flow = _flow(uri)
        return sorted(flow.routes) if flow is not None else []
    if a.type == BOOL:
        return ["true", "false"]
    values = list(a.values)
    if a.xml == "language" and "voice" in ctx.attrs:
        voice = ctx.attrs["voice"]
        if voice in VOICE_LANGUAGES:
            return list(VOICE_LANGUAGES[voice])
        m = re.match(r"Google\.([a-z]{2,3}-[A-Z]{2})-", voice)
        if m:
            return [v for v in values if v == m.group(1)]
    if a.xml == "voice" and "language" in ctx.attrs:
        lang = ctx.attrs["language"]
        return [
            v
            for v in values
            if (v in VOICE_LANGUAGES and lang in VOICE_LANGUAGES[v])
            or v.startswith(f"Google.{lang}-")
            or (v.startswith("Polly.") and lang not in LEGACY_VOICE_LANGUAGES)
        ]
    return values


@server.feature(T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=["<", " ", '"', "'", "/"]))
def completion(ls: TwimlServer, params: T.CompletionParams) -> T.CompletionList | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    offset = f.offset(params.position.line, params.position.character)
    return T.CompletionList(is_incomplete=False, items=complete(f, offset, params.text_document.uri))


def complete(f: TwimlFile, offset: int, uri: str) -> list[T.CompletionItem]:
    """Completion items at `offset` (separate from the handler so the benchmark can call it too)."""
    ctx = context_at(f, offset)
    here = T.Range(T.Position(*f.position(ctx.replace_from)), T.Position(*f.position(offset)))
    items: list[T.CompletionItem] = []
    if ctx.kind in ("content", "tag"):
        parent = f.element_at(ctx.stack) if ctx.stack else None
        if parent is None and not ctx.stack:
            root = GRAMMAR.root(f.dialect)
            snippet = "<Response>\n\t$0\n</Response>"
            return [
                T.CompletionItem(
                    "Response",
                    kind=T.CompletionItemKind.Class,
                    text_edit=T.TextEdit(here, snippet),
                    insert_text_format=T.InsertTextFormat.Snippet,
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, _element_doc(root)),
                )
            ]
        if parent is None:
            return []
        if ctx.kind == "content" and parent.xml in _URL_BODIES:
            flow = _flow(uri)
            if flow is not None:
                items += [
                    T.CompletionItem(p, kind=T.CompletionItemKind.Reference, detail="route in flow.toml")
                    for p in sorted(flow.routes)
                ]
        for kid in dict.fromkeys(GRAMMAR.allowed_children(parent)):
            snippet, plain = _element_snippet(kid)
            items.append(
                T.CompletionItem(
                    kid.xml,
                    kind=T.CompletionItemKind.Class,
                    detail=kid.doc,
                    filter_text=("<" if ctx.kind == "tag" else "") + kid.xml,
                    text_edit=T.TextEdit(here, snippet),
                    insert_text_format=T.InsertTextFormat.Snippet,
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, _element_doc(kid)),
                    label_details=T.CompletionItemLabelDetails(description=plain),
                )
            )
        return items
    if ctx.kind == "end":
        if ctx.stack:
            name = ctx.stack[-1]
            return [
                T.CompletionItem(f"/{name}", kind=T.CompletionItemKind.Class, text_edit=T.TextEdit(here, f"</{name}>"))
            ]
        return []
    el = f.element_at([*ctx.stack, ctx.tag or ""])
    if el is None:
        return []
    if ctx.kind == "attr":
        for a in el.attrs:
            if a.xml in ctx.attrs:
                continue
            items.append(
                T.CompletionItem(
                    a.xml,
                    kind=T.CompletionItemKind.Property,
                    detail=f"{a.type}{' (required)' if a.required else ''}",
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, _attr_markdown(el, a)),
                    text_edit=T.TextEdit(here, f'{a.xml}="$1"$0'),
                    insert_text_format=T.InsertTextFormat.Snippet,
                    sort_text=("0" if a.required else "1") + a.xml,
                    command=T.Command("suggest", "editor.action.triggerSuggest")
                    if a.values or a.type == BOOL
                    else None,
                )
            )
        return items
    found = el.attr(ctx.attr or "")
    if found is None:
        return []
    a = found
    value_range = T.Range(
        T.Position(*f.position(ctx.replace_from)), T.Position(*f.position(max(ctx.value_end, offset)))
    )
    kind = T.CompletionItemKind.EnumMember if a.type in (ENUM, LIST, BOOL) else T.CompletionItemKind.Reference
    for v in _values(el, a, ctx, uri):
        items.append(
            T.CompletionItem(
                v,
                kind=kind,
                text_edit=T.TextEdit(value_range if a.type != LIST else here, v),
                detail="default" if v == a.default else None,
            )
        )
    return items


# ------------------------------------------------------------------------------------------- hover


def _word_end(text: str, offset: int) -> int:
    while offset < len(text) and (text[offset].isalnum() or text[offset] in "_-:."):
        offset += 1
    return offset


@server.feature(T.TEXT_DOCUMENT_HOVER)
def hover(ls: TwimlServer, params: T.HoverParams) -> T.Hover | None:
    uri = params.text_document.uri
    f = ls.files.get(uri)
    if f is None:
        return None
    offset = f.offset(params.position.line, params.position.character)
    parts: list[str] = []
    for x in ls.placed.get(uri, ()):
        if x.start <= offset <= x.end:
            d = x.diagnostic
            text = f"**{d.code}** ({d.severity}): {codes.text_of(d.code) or d.message}"
            if d.effect:
                text += f"; at run time: {d.effect}"
            if isinstance(d.code, int):
                text += f" ([{d.code}]({_ERRORS_URL}/{d.code}))"
            parts.append(text)
    ctx = context_at(f, _word_end(f.text, offset))
    if ctx.kind == "tag" and ctx.prefix:
        el = f.element_at([*ctx.stack, ctx.prefix])
        if el is not None:
            parts.insert(0, _element_doc(el))
    elif ctx.kind in ("attr", "value"):
        el = f.element_at([*ctx.stack, ctx.tag or ""])
        name = ctx.prefix if ctx.kind == "attr" else ctx.attr
        a = el.attr(name or "") if el is not None else None
        if el is not None and a is not None:
            parts.insert(0, _attr_markdown(el, a))
        elif el is not None and ctx.kind == "attr" and not ctx.prefix:
            parts.insert(0, _element_doc(el))
    if not parts:
        return None
    return T.Hover(T.MarkupContent(T.MarkupKind.Markdown, "\n\n---\n\n".join(parts)))


# ------------------------------------------------------------------------------------- code actions


def _end_tag_name(text: str, start: int, name: str) -> tuple[int, int] | None:
    """The name in the end tag of the element whose start tag begins at `start`."""
    depth = 0
    for m in TOKEN.finditer(text, start):
        if m.group(2) is not None:
            if m.group(4):
                if depth == 0:
                    return None  # self-closing
                continue
            depth += 1
        elif m.group(1) is not None:
            depth -= 1
            if depth == 0:
                return (m.start(1), m.end(1)) if m.group(1) == name else None
    return None


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
    actions: list[T.CodeAction] = []
    ignored: set[tuple[int, str]] = set()
    for x in ls.placed.get(uri, ()):
        if x.end < lo or x.start > hi:
            continue
        d = x.diagnostic
        shown = _diagnostic(f, x)
        fix = d.fix
        if fix is not None:
            edits = [T.TextEdit(_range(f, x.start, x.end), fix.new)]
            if fix.kind == "rename_element" and d.node is not None:
                start = f.node_offset(d.node)
                closing = _end_tag_name(f.text, start, d.node.name) if start is not None else None
                if closing is not None:
                    edits.append(T.TextEdit(_range(f, *closing), fix.new))
            title = {
                "rename_element": f"Rename to <{fix.new}>",
                "rename_attribute": f"Rename {fix.attr} to {fix.new}",
                "set_value": f"Set {fix.attr} to {fix.new!r}",
            }[fix.kind]
            actions.append(
                T.CodeAction(
                    title,
                    kind=T.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    is_preferred=True,
                    edit=T.WorkspaceEdit(changes={uri: edits}),
                )
            )
        node_start = f.node_offset(d.node) if d.node is not None else None  # the root: no comment can silence it
        if node_start is not None and d.node is not f.doc and (node_start, str(d.code)) not in ignored:
            ignored.add((node_start, str(d.code)))
            line, col = f.position(node_start)
            line_text = f.text[f.starts[line] : node_start]
            indent = line_text if not line_text.strip() else ""
            insert = f"<!-- twiml: ignore[{d.code}] -->" + (f"\n{indent}" if indent or col == 0 else " ")
            actions.append(
                T.CodeAction(
                    f"Ignore {d.code} here (twiml: ignore comment)",
                    kind=T.CodeActionKind.QuickFix,
                    diagnostics=[shown],
                    edit=T.WorkspaceEdit(changes={uri: [T.TextEdit(_range(f, node_start, node_start), insert)]}),
                )
            )
    route = _new_route_action(f, uri, lo)
    if route is not None:
        actions.append(route)
    return actions


def _url_at(f: TwimlFile, offset: int) -> str | None:
    """The URL under the cursor: a URL attribute's value or the text of <Redirect>."""
    ctx = context_at(f, offset)
    if ctx.kind == "value" and ctx.attr is not None:
        el = f.element_at([*ctx.stack, ctx.tag or ""])
        a = el.attr(ctx.attr) if el is not None else None
        if ctx.attr in URL_ATTRS or (a is not None and a.type == "url"):
            return f.text[ctx.replace_from : max(ctx.value_end, offset)]
    if ctx.kind == "content" and ctx.stack and ctx.stack[-1] == "Redirect":
        start = f.text.rfind(">", 0, offset) + 1
        end = f.text.find("<", offset)
        return f.text[start : end if end >= 0 else offset].strip()
    return None


def _new_route_action(f: TwimlFile, uri: str, offset: int) -> T.CodeAction | None:
    url = _url_at(f, offset)
    path = url_path(url) if url else None
    flow = _flow(uri)
    if path is None or flow is None or path in flow.routes:
        return None
    name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "index"
    document = f"{name}.xml"
    config = flow.config_path
    text = config.read_text(encoding="utf-8")
    lines = text.split("\n")
    last = max((r.line for r in flow.routes.values()), default=0)
    at = last if last else len(lines)
    if not text.endswith("\n") and at >= len(lines):
        entry = f'\n"{path}" = "{document}"'
        line_no, char = len(lines) - 1, len(lines[-1])
    else:
        entry = f'"{path}" = "{document}"\n'
        line_no, char = min(at, len(lines)), 0
    config_uri = from_fs_path(str(config)) or config.as_uri()
    new_uri = from_fs_path(str(flow.folder / document)) or (flow.folder / document).as_uri()
    changes: list[Any] = [
        T.TextDocumentEdit(
            T.OptionalVersionedTextDocumentIdentifier(uri=config_uri, version=None),
            [T.TextEdit(T.Range(T.Position(line_no, char), T.Position(line_no, char)), entry)],
        )
    ]
    if not (flow.folder / document).exists():
        skeleton = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say>TODO</Say>\n</Response>\n'
        changes[:0] = [T.CreateFile(uri=new_uri, options=T.CreateFileOptions(ignore_if_exists=True))]
        changes.append(
            T.TextDocumentEdit(
                T.OptionalVersionedTextDocumentIdentifier(uri=new_uri, version=None),
                [T.TextEdit(T.Range(T.Position(0, 0), T.Position(0, 0)), skeleton)],
            )
        )
    return T.CodeAction(
        f"Create a route for {path} in {FLOW_FILE} ({document})",
        kind=T.CodeActionKind.QuickFix,
        edit=T.WorkspaceEdit(document_changes=changes),
    )


# ------------------------------------------------------------------------------------- formatting


@server.feature(T.TEXT_DOCUMENT_FORMATTING)
def formatting(ls: TwimlServer, params: T.DocumentFormattingParams) -> list[T.TextEdit] | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    formatted = format_text(f.text, params.options.tab_size if params.options.insert_spaces else 0)
    if formatted is None or formatted == f.text:
        return [] if formatted is not None else None
    return [T.TextEdit(_range(f, 0, len(f.text)), formatted)]


def format_text(text: str, indent: int = 2) -> str | None:
    """What `twiml format` writes for `text` (None when it does not parse)."""
    from twiml.errors import TwiMLException
    from twiml.parser import parse

    try:
        doc = parse(text.encode("utf-8") if not text.startswith("<") else text)
        out = doc.to_xml(xml_declaration=True, pretty=True, indent=" " * indent if indent else "\t")
    except TwiMLException:
        return None
    return out if out.endswith("\n") else out + "\n"


# ------------------------------------------------------------------------------ symbols and folding


def _summary(span: Span) -> str:
    for key in ("action", "url", "name", "voice", "to"):
        if key in span.attrs:
            return f'{key}="{span.attrs[key][2]}"'
    return ""


def _symbol(f: TwimlFile, span: Span) -> T.DocumentSymbol:
    kind = T.SymbolKind.Module if span.name == "Response" else T.SymbolKind.Function
    if span.name[:1].islower():
        kind = T.SymbolKind.String
    return T.DocumentSymbol(
        name=f"<{span.name}>",
        detail=_summary(span),
        kind=kind,
        range=_range(f, span.start, span.end),
        selection_range=_range(f, span.start + 1, span.start + 1 + len(span.name)),
        children=[_symbol(f, c) for c in span.children if not c.comment],
    )


@server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def document_symbol(ls: TwimlServer, params: T.DocumentSymbolParams) -> list[T.DocumentSymbol] | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    return [_symbol(f, s) for s in spans(f.text) if not s.comment]


@server.feature(T.TEXT_DOCUMENT_FOLDING_RANGE)
def folding_range(ls: TwimlServer, params: T.FoldingRangeParams) -> list[T.FoldingRange] | None:
    f = ls.files.get(params.text_document.uri)
    if f is None:
        return None
    out: list[T.FoldingRange] = []
    pending = spans(f.text)
    while pending:
        span = pending.pop()
        first, last = f.position(span.start)[0], f.position(span.end)[0]
        if last > first:
            out.append(
                T.FoldingRange(
                    first,
                    last if span.comment else last - 1,  # an element's end tag stays visible
                    kind=T.FoldingRangeKind.Comment if span.comment else T.FoldingRangeKind.Region,
                )
            )
        pending.extend(span.children)
    return sorted(out, key=lambda r: r.start_line)


# ------------------------------------------------------------------------------- go to definition


def _route_locations(flow: Flow, path: str, seen: set[str] | None = None) -> list[T.Location]:
    """Where a URL path leads: the document flow.toml routes it to, or the route (a split) in flow.toml."""
    seen = seen if seen is not None else set()
    route = flow.routes.get(path)
    if route is None or path in seen:
        return []
    seen.add(path)
    config_uri = from_fs_path(str(flow.config_path)) or flow.config_path.as_uri()
    if isinstance(route.target, str):
        if route.target.startswith("/"):
            return _route_locations(flow, route.target, seen)
        target = flow.folder / route.target
        return [T.Location(from_fs_path(str(target)) or target.as_uri(), T.Range(T.Position(0, 0), T.Position(0, 0)))]
    line = route_line(flow, path)
    return [T.Location(config_uri, T.Range(T.Position(max(line, 0), 0), T.Position(max(line, 0), 0)))]


@server.feature(T.TEXT_DOCUMENT_DEFINITION)
def definition(ls: TwimlServer, params: T.DefinitionParams) -> list[T.Location] | None:
    uri = params.text_document.uri
    flow = _flow(uri)
    if flow is None:
        return None
    if _is_flow(uri):
        text = ls.flow_texts.get(uri) or flow.config_path.read_text(encoding="utf-8")
        lines = text.split("\n")
        line = params.position.line
        offset = sum(len(x) + 1 for x in lines[:line]) + params.position.character
        target = target_at(text, offset)
        if target is None:
            return None
        if target.startswith("/"):
            return _route_locations(flow, target) if target in flow.routes else None
        file = flow.folder / target
        if not file.is_file():
            return None
        return [T.Location(from_fs_path(str(file)) or file.as_uri(), T.Range(T.Position(0, 0), T.Position(0, 0)))]
    f = ls.files.get(uri)
    if f is None:
        return None
    url = _url_at(f, f.offset(params.position.line, params.position.character))
    path = url_path(url) if url else None
    return _route_locations(flow, path) if path else None


def serve() -> None:
    """Run the server on stdin/stdout until the client exits. pygls gets its own file objects over
    the same descriptors, so closing them on exit leaves `sys.stdout` usable for the CLI's final flush."""
    import os

    with os.fdopen(0, "rb", closefd=False) as stdin, os.fdopen(1, "wb", closefd=False) as stdout:
        server.start_io(stdin, stdout)
