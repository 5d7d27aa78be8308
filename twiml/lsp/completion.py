"""Completion: the elements allowed at the cursor (with snippets), attributes, their values (voices
narrowed by language and back, routes of the flow folder for URLs), and end tags."""

from __future__ import annotations

import re

from lsprotocol import types as T

from twiml.grammar import GRAMMAR
from twiml.grammar_types import BOOL, ENUM, LIST, Attr, Element
from twiml.grammar_values import LEGACY_VOICE_LANGUAGES, VOICE_LANGUAGES
from twiml.lsp.analysis import Context, TwimlFile, context_at
from twiml.lsp.docs import attr_markdown, element_doc
from twiml.lsp.protocol import flow_of

__all__ = ["complete"]

_URL_BODIES = frozenset({"Redirect", "Play"})
"""Elements whose text is a URL (`<Redirect>` is routed by a flow folder)."""


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


def _values(el: Element, a: Attr, ctx: Context, uri: str) -> list[str]:
    if a.type == "url":  # the grammar says which attributes are URLs
        flow = flow_of(uri)
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


def complete(f: TwimlFile, offset: int, uri: str) -> list[T.CompletionItem]:
    """Completion items at `offset` (separate from the handler so the benchmark can call it too)."""
    ctx = context_at(f, offset)
    here = T.Range(T.Position(*f.position(ctx.replace_from)), T.Position(*f.position(offset)))
    items: list[T.CompletionItem] = []
    if ctx.kind in ("content", "tag"):
        parent = f.element_at(ctx.stack) if ctx.stack else None
        if parent is None and not ctx.stack:
            root = GRAMMAR.root(f.kind)
            snippet = "<Response>\n\t$0\n</Response>"
            return [
                T.CompletionItem(
                    "Response",
                    kind=T.CompletionItemKind.Class,
                    text_edit=T.TextEdit(here, snippet),
                    insert_text_format=T.InsertTextFormat.Snippet,
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, element_doc(root)),
                )
            ]
        if parent is None:
            return []
        if ctx.kind == "content" and parent.xml in _URL_BODIES:
            flow = flow_of(uri)
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
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, element_doc(kid)),
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
                    documentation=T.MarkupContent(T.MarkupKind.Markdown, attr_markdown(el, a)),
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
