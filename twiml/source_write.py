"""The writer half of `twiml.source.SourceDocument`: each node's original text where it still
matches its snapshot, new text in the file's own style elsewhere (see `twiml.source`).

A mixin rather than a class of its own: it reads the records `SourceDocument` builds when it
aligns the text with the tree, and splitting them into an object would pass them all back and
forth. The attributes it reads are declared here for the type checker.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from twiml.base import TwiML, is_markup
from twiml.lexer import (
    _WS,
    _attributes,
    _Entry,
    _has_text,
    _key,
    _Record,
    _same,
    _same_attrs,
    _same_items,
)
from twiml.serialize import attr_text, body_text, escape_attr, escape_text, markup_text


class _Renderer:
    """Rendering for `SourceDocument` (the attributes below are set by its `__init__`)."""

    root: TwiML
    text: str | None
    newline: str
    indent_unit: str
    _records: dict[int, _Record]
    _top: _Record | None
    _epilog: _Record | None
    _reuse: dict[int, tuple[TwiML, str | None, str]]
    _slots: dict[int, tuple[TwiML, int, str | None]]
    _pristine: set[int] | None

    def _indent_at(self, pos: int) -> str | None:
        """The whitespace that starts the line up to `pos`; None when text or markup precede it."""
        text = self.text or ""
        line_start = text.rfind("\n", 0, pos) + 1
        indent = text[line_start:pos]
        return indent if indent.strip(" \t") == "" else None

    def _emit(self, node: TwiML, out: list[str], indent: str | None, top: bool = False) -> None:
        """Write `node`: its original text where it matches its snapshot, new text elsewhere
        (`top`: a child of the root, whose text is remembered for `dumps(edited=...)`)."""
        if top:
            hit = self._reuse.get(id(node))
            if hit is not None and hit[0] is node and hit[1] == indent:
                text = hit[2]
            elif self._pristine is not None and id(node) not in self._pristine:
                text = self._original(node) or self._written_alone(node, indent)
            else:
                text = self._written_alone(node, indent)
            out.append(text)
            self._slots[id(node)] = (node, len(out) - 1, indent)
            return
        rec = self._records.get(id(node))
        if rec is None or rec.node is not node or (rec.name != node.name and rec.markup.kind != "el"):
            out.append(self._new(node, indent))
            return
        text = self.text or ""
        markup = rec.markup
        renamed = rec.name != node.name  # `SourceDocument.adopt`: only the tags' name is new
        if markup.kind != "el":  # comment or processing instruction
            if _same(rec.value, node.value) and rec.target == str(getattr(node, "target", "")):
                out.append(text[markup.start : markup.end])
            else:
                out.append(markup_text(node))
            return
        same_content = _same(rec.value, node.value) and _same_items(rec.verbs, node.verbs)
        if same_content and _same_attrs(rec.attrs, node.attrs) and not renamed:
            if not any(not isinstance(v, str) for v in node.verbs):  # a leaf: copy it whole
                out.append(text[markup.start : markup.end])
                return
            out.append(text[markup.start : markup.tag_end])
            self._emit_children(rec, node, out)
            out.append(text[self._end_tag_start(rec) : markup.end])
            return
        empty = (node.value is None or node.value == "") and not node.verbs
        opening = not empty and markup.self_closing
        out.append(self._start_tag(rec, node, opening))
        if markup.self_closing and not opening:
            return
        if same_content:
            self._emit_children(rec, node, out)
            out.append(self._end_tag(rec, node))
            return
        if not empty:
            self._emit_content(rec, node, out)
        out.append(f"</{node.name}>" if opening else self._end_tag(rec, node))

    def _written_alone(self, node: TwiML, indent: str | None) -> str:
        """`node` written on its own, as `_emit` writes it at `indent`."""
        piece: list[str] = []
        self._emit(node, piece, indent)
        return "".join(piece)

    def _original(self, node: TwiML) -> str | None:
        """The text `node` was read from (None for a node that was not)."""
        rec = self._records.get(id(node))
        if rec is None or rec.node is not node:
            return None
        return (self.text or "")[rec.markup.start : rec.markup.end]

    @staticmethod
    def _end_tag_start(rec: _Record) -> int:
        return rec.markup.end_start

    def _end_tag(self, rec: _Record, node: TwiML) -> str:
        """The original end tag, under the node's name when it was renamed (`</Numbr >` -> `</Number >`)."""
        end = (self.text or "")[rec.markup.end_start : rec.markup.end]
        if rec.name == node.name:
            return end
        return "</" + node.name + end[2 + len(rec.markup.name) :]

    def _emit_children(self, rec: _Record, node: TwiML, out: list[str]) -> None:
        """Unchanged content: the original text with each child node written by `_emit`."""
        if rec.value_raw is not None:
            out.append(rec.value_raw)
        top = node is self.root
        for entry in rec.entries:
            out.append(entry.gap)
            if isinstance(entry.item, str):
                out.append(entry.raw)
            else:
                self._emit(entry.item, out, self._child_indent(entry.gap), top)
        out.append(rec.tail)

    def _emit_content(self, rec: _Record, node: TwiML, out: list[str]) -> None:
        """Changed content: body text, then the children diffed against the original ones."""
        value = node.value
        if _same(rec.value, value) and rec.value_raw is not None:
            out.append(rec.value_raw)
        elif value is not None and value != "":
            out.append(escape_text(body_text(value), node.name))
        # Text where there was only formatting would make that formatting part of the text.
        formatting = rec.text_free and not _has_text(node)
        indent = self._indent_of(rec)
        sibling_gap = next((e.gap for e in rec.entries if e.gap), None)
        if not formatting:
            new_gap = ""
        elif sibling_gap is not None:
            new_gap = sibling_gap
        elif indent is not None and rec.tail.strip(_WS) == "" and (rec.entries or not rec.value_raw):
            new_gap = self.newline + indent + self.indent_unit
        else:
            new_gap = ""
        entries = rec.entries if formatting else [_Entry("", e.item, e.raw) for e in rec.entries]
        tail = rec.tail if formatting else ""
        if formatting and node.verbs and new_gap and "\n" not in tail and indent is not None:
            tail = self.newline + indent
        shadow = _Record(node, rec.markup, node.name, {}, None, rec.verbs, entries=entries, tail=tail)
        self._emit_entries(out, shadow, list(node.verbs), new_gap, indent)

    def _emit_entries(
        self, out: list[str], rec: _Record, current: list[TwiML | str], new_gap: str, indent: str | None
    ) -> None:
        """Children (or prolog/epilog items) of a container: original entries that are still there
        keep their formatting; removed ones take the formatting before them along; new ones go on
        lines of their own, indented like their neighbours (or by `new_gap`).

        A node inserted where the original has a line break goes in at that line break, so the
        formatting around it (trailing spaces, blank lines) stays where it was and the new node
        adds exactly its own lines."""
        entries = rec.entries
        top = rec.node is self.root and rec is not self._top and rec is not self._epilog
        old_keys = [_key(e.item) for e in entries]
        new_keys = [_key(v) for v in current]
        opcodes: list[tuple[str, int, int, int, int]] = (
            [("equal", 0, len(entries), 0, len(current))]
            if old_keys == new_keys
            else list(SequenceMatcher(None, old_keys, new_keys, autojunk=False).get_opcodes())
        )
        gaps = [e.gap for e in entries]  # what is written before each original entry
        tail = rec.tail
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "equal":
                for k in range(i1, i2):
                    entry = entries[k]
                    out.append(gaps[k])
                    if isinstance(entry.item, str):
                        out.append(entry.raw)
                    else:
                        self._emit(entry.item, out, self._child_indent(entry.gap), top)
                continue
            if tag == "delete":
                continue
            items = current[j1:j2]
            if not new_gap:  # inline content: new nodes are written where they are, without formatting
                first = last = ""
                line = ""
            else:
                near = gaps[i1] if i1 < len(entries) and gaps[i1] else gaps[i1 - 1] if i1 > 0 and gaps[i1 - 1] else ""
                line = self._line_gap(near or new_gap)
                host = tail if i1 == len(entries) else gaps[i1]
                cut = self._last_break(host)
                if tag == "replace":  # the first new node stands where the first removed one stood
                    first, last = (gaps[i1] or line), line
                elif cut is not None:  # at the last line break of the formatting it goes into
                    out.append(host[:cut])
                    first = last = line
                    if i1 == len(entries):
                        tail = host[cut:]
                    else:
                        gaps[i1] = host[cut:]
                else:
                    first = last = near or new_gap
            for n, item in enumerate(items):
                if isinstance(item, str):
                    if item:
                        out.append(escape_text(item, rec.name))
                else:
                    gap = first if n == 0 else last
                    out.append(gap)
                    self._emit(item, out, self._child_indent(gap), top)
        out.append(tail)

    def _line_gap(self, gap: str) -> str:
        """A line break and the indentation `gap` ends with (`gap` itself when it has no line break)."""
        indent = self._child_indent(gap)
        return gap if indent is None else self.newline + indent

    @staticmethod
    def _last_break(gap: str) -> int | None:
        """Where the last line break of `gap` starts (None: no line break)."""
        if "\n" not in gap:
            return None
        at = gap.rindex("\n")
        return at - 1 if at > 0 and gap[at - 1] == "\r" else at

    def _indent_of(self, rec: _Record) -> str | None:
        return self._indent_at(rec.markup.start)

    @staticmethod
    def _child_indent(gap: str) -> str | None:
        """The indentation a gap gives the node after it (None: not on a line of its own)."""
        if "\n" in gap:
            line = gap[gap.rindex("\n") + 1 :]
            return line if line.strip(" \t") == "" else None
        return None

    def _start_tag(self, rec: _Record, node: TwiML, opening: bool) -> str:
        """The original start tag with only the changed attributes rewritten."""
        text = self.text or ""
        markup = rec.markup
        close = markup.close
        if opening:
            close = close[:-2].rstrip(_WS) + ">"
        attrs = node.attrs
        lexed = _attributes(text, markup)
        spans = {a.name: a for a in lexed}
        if any(k not in spans for k in rec.attrs):  # names the lexer cannot find: write the tag anew
            quote = lexed[0].quote if lexed else '"'
            parts = [f" {k}={quote}{self._attr(node, k, v, quote)}{quote}" for k, v in attrs.items()]
            return "<" + node.name + "".join(parts) + close
        pieces = [
            "<" + node.name if rec.name != node.name else text[markup.start : markup.start + 1 + len(markup.name)]
        ]
        carry: str | None = None  # the line break and indentation of a removed attribute that began a line
        keys = list(attrs)
        order = {k: i for i, k in enumerate(keys)}
        after = 0  # index in `keys` of the attribute that follows the last one written
        placed: set[str] = set()
        for a in lexed:
            if a.name not in attrs:  # removed, with the whitespace before it ...
                new = keys[after] if after < len(keys) else None
                if new is not None and new not in spans and carry is None:  # ... unless a new one took its place
                    value = self._attr(node, new, attrs[new], a.quote)
                    pieces.append(f"{text[a.start : a.name_start]}{new}={a.quote}{value}{a.quote}")
                    placed.add(new)
                    after += 1
                    continue
                if carry is None and "\n" in text[a.start : a.name_start]:
                    carry = text[a.start : a.name_start]  # ... which the next attribute takes over
                continue
            after = order[a.name] + 1
            start = a.name_start if carry is not None else a.start
            lead = carry or ""
            carry = None
            value = attrs[a.name]
            if _same(value, rec.attrs.get(a.name)):
                pieces.append(lead + text[start : a.value_end + 1])
            else:
                pieces.append(lead + text[start : a.value_start] + self._attr(node, a.name, value, a.quote) + a.quote)
        added = [k for k in attrs if k not in spans and k not in placed]
        if added:
            last = lexed[-1] if lexed else None
            sep = text[last.start : last.name_start] if last is not None else " "
            if "\n" not in sep:
                sep = " "
            quote = lexed[0].quote if lexed else '"'
            for k in added:
                pieces.append(f"{sep}{k}={quote}{self._attr(node, k, attrs[k], quote)}{quote}")
        if lexed:
            last = lexed[-1]
            between = text[last.value_end + 1 : markup.tag_end - len(markup.close)]
        else:
            between = text[markup.start + 1 + len(markup.name) : markup.tag_end - len(markup.close)]
        if carry is not None and not added and "\n" in between + close:
            between, close = carry, close.lstrip(_WS)  # the last attributes went; the close keeps its own line
        pieces.append(between + close)
        return "".join(pieces)

    @staticmethod
    def _attr(node: TwiML, key: str, value: Any, quote: str) -> str:
        escaped = escape_attr(attr_text(value), node.name, key)
        if quote == "'":
            escaped = escaped.replace("&quot;", '"').replace("'", "&apos;")
        return escaped

    def _new(self, node: TwiML, indent: str | None) -> str:
        """A node that was not in the file: canonical, indented from `indent` (None: one line)."""
        if is_markup(node):
            return markup_text(node)
        kids = [v for v in node.verbs if not isinstance(v, str)]
        if indent is None or _has_text(node) or not kids:
            return node.to_xml(xml_declaration=False)
        inner = indent + self.indent_unit
        out = [_head(node), ">"]
        for kid in kids:
            out.append(self.newline + inner)
            self._emit(kid, out, inner)
        out.append(f"{self.newline}{indent}</{node.name}>")
        return "".join(out)


def _head(node: TwiML) -> str:
    """`<Name a="1" b="2"` with attributes sorted, as the builder writes them."""
    return (
        "<"
        + node.name
        + "".join(f' {k}="{escape_attr(attr_text(v), node.name, k)}"' for k, v in sorted(node.attrs.items()))
    )
