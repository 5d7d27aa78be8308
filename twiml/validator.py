"""Check a TwiML document against the grammar and Twilio's documented limits.

`validate(doc)` returns `Diagnostic`s in document order.  Every structural fact comes from
`twiml.grammar.GRAMMAR`, every value check from `twiml.checks`, every code's level and text from
`twiml.codes`: a finding is as severe as Twilio logs its code (ERROR or WARNING), and a value merely
missing from an advisory table (a voice Twilio may have added) is only `info`.  Each finding says,
where known, what Twilio does at run time, and offers a did-you-mean hint (and a `Fix` the editor
can apply) for misspelt elements, attributes and values.

A comment ``<!-- twiml: ignore[13212] -->`` (or ``twiml: ignore`` for every code) right before an
element suppresses that element's findings; `validate(doc, suppressed=True)` keeps them, marked.

The walk is one linear pass with an explicit stack (deep documents cannot overflow Python's
recursion limit); per-element lookups and per-attribute value checkers are built once and cached.

This module is the walk and `Revalidator`; the finding record is `twiml.diagnostic`, the rule
tables and named checks `twiml.validator_rules` (public names are re-exported here).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Collection
from dataclasses import replace

from twiml import codes
from twiml.base import TwiML, is_markup
from twiml.checks import Problem, nearest
from twiml.diagnostic import Diagnostic, Fix, Severity
from twiml.gc_pause import collections_paused
from twiml.grammar_types import Attr, Content, Element, element_of
from twiml.serialize import attr_text
from twiml.validator_rules import (
    _ALL_NAMES,
    NodePath,
    _check_size,
    _diag,
    _element_hint,
    _element_note,
    _has_text,
    _own_text,
    _Place,
    _place,
    _Rules,
    _rules_for,
    suppressions,
)

__all__ = ["Diagnostic", "Fix", "Revalidator", "Severity", "suppressions", "validate"]

# --- the walk ----------------------------------------------------------------------------------


def _value_finding(
    node: TwiML, r: _Rules, a: Attr, key: str, found: Problem, parent: _Rules | None, path: NodePath
) -> Diagnostic:
    el = r.el
    code: int | str = a.code if a.code is not None else (codes.INVALID_URL if a.type == "url" else codes.SCHEMA)
    if parent is not None and parent.attr_codes_for_child:
        code = parent.attr_codes_for_child.get((el.xml, key), code)
    message = f"<{el.xml}> {key}={_show(node.attrs[key])} {found.message}"
    level: Severity = "info" if found.unknown else codes.level_of(code)
    if level == "error" and found.doubtful:
        level = "warning"
    elif level == "error" and not a.verified:
        level = "warning"
        message += " (a rule no Twilio source confirms)"
    if found.unknown:
        effect = "none if Twilio knows the value; otherwise Twilio's default is used"
    elif level == "error":
        effect = codes.effect_of(code) or codes.VERB_FAILS
    elif a.default is not None:
        effect = f"{codes.DEFAULT_USED} ({a.default})"
    else:
        effect = codes.ATTRIBUTE_IGNORED
    hint = fix = None
    if found.suggestion is not None:
        hint = f"did you mean {found.suggestion!r}?"
        fix = Fix("set_value", found.suggestion, key)
    source: object = r.attr_sources.get(key, "")
    if r.value_notes:
        text = node.attrs[key]
        text = text if isinstance(text, str) else attr_text(text)
        for written, meant, src in r.value_notes.get(key, ()):
            if text.startswith(written):
                new = meant + text[len(written) :]
                message = f"<{el.xml}> {key}={_show(text)}: {r.place.title} spells this family {meant!r}"
                hint, fix, source, level = f"did you mean {new!r}?", Fix("set_value", new, key), src, "warning"
                code = codes.SCHEMA
    return _diag(code, message, path, node, level=level, hint=hint, fix=fix, effect=effect, source=source)


def _show(value: object) -> str:
    from twiml.textsafe import quoted  # the one escaping rule for what a person reads

    text = value if isinstance(value, str) else attr_text(value)
    return quoted(text if len(text) <= 40 else text[:40] + "...")


_UNCHECKED = Problem("not checked yet")
"""Memo miss marker (checkers return a Problem or None)."""


def _by_name(finding: tuple[str, Diagnostic]) -> str:
    return finding[0]


def _check_node(node: TwiML, r: _Rules, parent: _Rules | None, path: NodePath, out: list[Diagnostic]) -> None:
    el = r.el
    attrs = node.attrs
    if attrs:
        checkers = r.checkers
        found_here: list[tuple[str, Diagnostic]] | None = None
        for key, value in attrs.items():  # findings sorted by name below: XML order (the writer sorts)
            entry = checkers.get(key)
            if entry is None:
                if key.startswith("xmlns"):
                    continue
                note = r.attr_notes.get(key)
                if note is not None:
                    new = note.rename_to
                    diag = _diag(
                        note.code,
                        note.message,
                        path,
                        node,
                        level=note.level,
                        hint=f"write {new!r}" if new else None,
                        fix=Fix("rename_attribute", new, key) if new else None,
                        effect=note.effect,
                        source=note.source,
                    )
                else:
                    near = nearest(key, r.attr_names, limit=1)
                    diag = _diag(
                        codes.SCHEMA,
                        f"<{el.xml}> has no attribute {key!r}"
                        + (f" (not in Twilio's grammar; {r.place.title} may accept it)" if r.place.vendor else ""),
                        path,
                        node,
                        level="info" if r.place.vendor else None,
                        hint=f"did you mean {near[0]!r}?" if near else None,
                        fix=Fix("rename_attribute", near[0], key) if near else None,
                        effect=codes.ATTRIBUTE_IGNORED,
                    )
            else:
                checker = entry[1]
                if checker is None:
                    continue
                text = value if value.__class__ is str else attr_text(value)
                memo = entry[2]
                found = memo.get(text, _UNCHECKED)
                if found is _UNCHECKED:
                    found = checker(text)
                    if len(memo) > 4096:  # values made from data: keep the memo bounded
                        memo.clear()
                    memo[text] = found
                if found is None:
                    continue
                diag = _value_finding(node, r, entry[0], key, found, parent, path)
            if found_here is None:
                found_here = [(key, diag)]
            else:
                found_here.append((key, diag))
        if found_here is not None:
            if len(found_here) > 1:
                found_here.sort(key=_by_name)
            out.extend(d for _, d in found_here)
    for a in r.required:
        if a.xml not in attrs:
            out.append(
                _diag(
                    a.code or codes.SCHEMA,
                    f"<{el.xml}> is missing the required attribute {a.xml!r}",
                    path,
                    node,
                    effect=codes.VERB_SKIPPED,
                )
            )
    if parent is not None and parent.child_attrs:
        for attr, values, code, reason in parent.child_attrs.get(el.xml, ()):
            value = attrs.get(attr)
            if value is not None and (not values or attr_text(value) not in values):
                out.append(_diag(code, reason, path, node))
    if r.text_ignored:
        if (node.value is not None or node.verbs) and _has_text(node):
            out.append(
                _diag(codes.SCHEMA, f"text directly inside <{el.xml}> is ignored", path, node, effect="text ignored")
            )
    elif r.content is not None:
        value = node.value
        if not (value.__class__ is str and value.strip()):  # text is content: most nodes end here
            _check_content(node, r.content, path, out)
    if r.text_rules:
        text = _own_text(node).strip()
        if el.text_limit is not None and len(text) > el.text_limit[0]:
            out.append(
                _diag(
                    el.text_limit[1],
                    f"<{el.xml}> name is {len(text)} characters; the limit is {el.text_limit[0]}",
                    path,
                    node,
                )
            )
        if el.json_code is not None and text:
            try:
                json.loads(text)
            except ValueError as exc:
                out.append(_diag(el.json_code, f"<{el.xml}> text is not valid JSON ({exc})", path, node))
    if r.checks:
        for check in r.checks:
            check(node, r, path, out)


def _check_content(node: TwiML, c: Content, path: NodePath, out: list[Diagnostic]) -> None:
    if _has_text(node):
        return
    for a in c.attrs:
        if a in node.attrs:
            return
    if c.children:
        any_child = c.children == ("*",)
        for kid in node.verbs:
            if not isinstance(kid, str) and kid.name[:1] != "#" and (any_child or kid.name in c.children):
                return
    out.append(_diag(c.code, c.message, path, node, effect=codes.VERB_SKIPPED))


Frame = tuple[TwiML, "_Rules | None", "_Rules | None", NodePath, "list[Diagnostic] | None", "frozenset[str] | None"]


def validate(
    doc: TwiML, *, suppressed: bool = False, dialect: str = "twilio", vendor_dialect: str | None = None
) -> list[Diagnostic]:
    """Every problem found in `doc`, in document order; an empty list means Twilio will accept it.

    Findings silenced by a ``twiml: ignore`` comment are left out, or kept with
    ``suppressed=True`` set on them when `suppressed` is true (the editor shows them dimmed).
    `dialect` checks the document as Telnyx ("texml") or SignalWire ("cxml") runs it
    (`twiml.dialects`); ValueError for an unknown name. `vendor_dialect` is its deprecated name."""
    place = _place(_dialect(dialect, vendor_dialect))
    out, kind, path, root_rules = _root_findings(doc, place)
    with collections_paused():
        _walk((doc, root_rules, None, path, None, None), kind, out, place)
    out = _vendor_levels(out, place)
    return out if suppressed else [d for d in out if not d.suppressed]


def _dialect(dialect: str, vendor_dialect: str | None) -> str:
    """`dialect`, or the keyword's name before 2026-12 (deprecated for one release)."""
    if vendor_dialect is None:
        return dialect
    warnings.warn("vendor_dialect= is deprecated, use dialect=", DeprecationWarning, stacklevel=3)
    return vendor_dialect


def _vendor_levels(out: list[Diagnostic], place: _Place) -> list[Diagnostic]:
    """In a vendor's dialect Twilio's own errors are only warnings: the vendor's runtime is not
    Twilio's, and a profile never rejects what the vendor may accept."""
    if not place.vendor:
        return out
    return [
        replace(d, severity="warning", message=f"{d.message} (Twilio's rule; {place.title} may differ)")
        if d.severity == "error" and not d.source
        else d
        for d in out
    ]


def _root_findings(doc: TwiML, place: _Place) -> tuple[list[Diagnostic], str, str, _Rules | None]:
    """Findings about the document as a whole (root name, size budgets), its kind, the root's
    path and its grammar entry."""
    out: list[Diagnostic] = []
    root_el = element_of(doc)
    kind = root_el.kind if root_el is not None else "voice"
    path = doc.name
    if doc.name != "Response":
        out.append(_diag(codes.ROOT_NOT_RESPONSE, f"the root element must be <Response>, not <{doc.name}>", path, doc))
    g = place.grammar
    root_el = g.find(root_el.kind, root_el.cls) if root_el is not None else g.resolve(kind, None, doc.name)
    _check_size(doc, out)
    root_rules = _rules_for(root_el, place) if root_el else None
    return out, kind, path, root_rules


class Revalidator:
    """`validate` again after edits, re-checking only the subtrees that changed.

    An editor knows what each edit touched; it names the root's children whose subtrees were
    edited (`edited`). When the root still has the same children and none of the edited ones
    changes what follows it (a `twiml: ignore` comment, whether it hands the call off), only the
    edited children are walked again; otherwise every child whose place is unchanged (same
    grammar entry, path, position findings and comment before it) reuses its findings. The root
    itself and the size budgets are always checked again. The findings are exactly `validate`'s:
    the editor's tests compare both after random edit sequences."""

    def __init__(self, *, suppressed: bool = False, dialect: str = "twilio", vendor_dialect: str | None = None) -> None:
        self.suppressed = suppressed
        self.place = _place(_dialect(dialect, vendor_dialect))
        self._last: _Children | None = None
        self.reused = 0
        """How many of the root's children the last run took from the previous one (for tests)."""

    def run(self, doc: TwiML, edited: Collection[TwiML] | None = None) -> list[Diagnostic]:
        """Findings for `doc`; `edited` lists the root's children whose subtrees changed since the
        previous run (None: anything may have changed, check everything)."""
        with collections_paused():
            return self._run(doc, edited)

    def _run(self, doc: TwiML, edited: Collection[TwiML] | None) -> list[Diagnostic]:
        place = self.place
        out, kind, path, root_rules = _root_findings(doc, place)
        if root_rules is not None:
            _check_node(doc, root_rules, None, path, out)
        last = self._last
        if edited is not None and last is not None and last.still_fits(doc, root_rules, kind, edited):
            founds = last.founds
            walked = set()
            for node in edited:
                i = last.index.get(id(node))
                if i is not None and i not in walked:
                    walked.add(i)
                    founds[i] = []
                    _walk(last.frames[i], kind, founds[i], place)
            self.reused = len(founds) - len(walked)
        else:
            self._last = last = self._full(doc, root_rules, kind, path, last if edited is not None else None, edited)
        for found in last.founds:
            if found:
                out.extend(found)
        out = _vendor_levels(out, place)
        return out if self.suppressed else [d for d in out if not d.suppressed]

    def _full(
        self,
        doc: TwiML,
        root_rules: _Rules | None,
        kind: str,
        path: NodePath,
        last: _Children | None,
        edited: Collection[TwiML] | None,
    ) -> _Children:
        """Walk the root's children, reusing the findings `last` has for those whose place is
        unchanged and that are not in `edited`."""
        skip = {id(node) for node in edited} if edited is not None else set()
        frames = _child_frames(doc, root_rules, kind, path, self.place) if doc.verbs else []
        founds: list[list[Diagnostic]] = []
        reused = 0
        for frame in frames:
            node = frame[0]
            i = last.index.get(id(node)) if last is not None else None
            if i is not None and last is not None and id(node) not in skip and last.same_place(i, frame, kind):
                found = last.founds[i]
                reused += 1
            else:
                found = []
                _walk(frame, kind, found, self.place)
            founds.append(found)
        self.reused = reused
        return _Children(doc, tuple(doc.verbs), root_rules, kind, frames, founds)


class _Children:
    """The root's children as the last full run of a `Revalidator` saw them."""

    def __init__(
        self,
        root: TwiML,
        items: tuple[TwiML | str, ...],
        rules: _Rules | None,
        kind: str,
        frames: list[Frame],
        founds: list[list[Diagnostic]],
    ) -> None:
        self.root, self.items, self.rules, self.kind = root, items, rules, kind
        self.frames, self.founds = frames, founds
        self.index = {id(frame[0]): i for i, frame in enumerate(frames)}
        self.hands_off = {i: _hands_off(frame[0], rules) for i, frame in enumerate(frames)} if rules else {}

    def same_place(self, i: int, frame: Frame, kind: str) -> bool:
        """Whether child `i` was seen in the place `frame` describes (same node, grammar entry,
        path, position findings and comment before it)."""
        old = self.frames[i]
        return old[0] is frame[0] and kind == self.kind and old[1:] == frame[1:]

    def still_fits(self, root: TwiML, rules: _Rules | None, kind: str, edited: Collection[TwiML]) -> bool:
        """True when the frames still hold: same root, children, grammar entry, and no edited
        child that is a comment (its text may silence what follows) or now hands the call off
        differently."""
        if root is not self.root or rules is not self.rules or kind != self.kind:
            return False
        if len(root.verbs) != len(self.items) or tuple(root.verbs) != self.items:
            return False
        for node in edited:
            if is_markup(node):
                return False
            i = self.index.get(id(node))
            if i is None:
                continue
            if self.frames[i][0] is not node:
                return False
            if rules is not None and _hands_off(node, rules) != self.hands_off.get(i):
                return False
        return True


def _hands_off(node: TwiML, rules: _Rules | None) -> bool | None:
    """Whether `node` ends the document's run at its place (`_Rules.leaves`); None: cannot."""
    if rules is None:
        return None
    how = rules.leaves.get(node.name)
    if how is None:
        return None
    value = node.attrs.get(how[0])
    return value is not None and bool(attr_text(value) == how[1] if how[1] else attr_text(value))


def _walk(first: Frame, kind: str, out: list[Diagnostic], place: _Place) -> None:
    """The findings of one subtree, in document order (an explicit stack: deep documents cannot
    overflow Python's recursion limit)."""
    stack: list[Frame] = [first]
    while stack:
        node, r, parent, path, early, ignored = stack.pop()
        start = len(out) if ignored is not None else 0
        if early:
            out.extend(early)
        if r is not None:
            _check_node(node, r, parent, path, out)
        if ignored is not None and len(out) > start:
            out[start:] = [
                replace(d, suppressed=True) if not ignored or str(d.code) in ignored else d for d in out[start:]
            ]
        if not node.verbs:
            continue
        frames = _child_frames(node, r, kind, path, place)
        frames.reverse()
        stack.extend(frames)


def _child_frames(node: TwiML, r: _Rules | None, kind: str, path: NodePath, place: _Place) -> list[Frame]:
    """One stack frame per element child: its path, its grammar entry in this place, the findings
    that belong to its position (misplaced, unknown, unreachable) and the codes a comment right
    before it silences."""
    frames: list[Frame] = []
    counts: dict[str, int] = {}
    ended: str | None = None
    left: str | None = None
    ignored: frozenset[str] | None = None
    allowed = r.allowed_rules if r is not None else {}
    places = r is not None and bool(r.ends or r.leaves)  # the root: children can end the run
    for kid in node.verbs:
        if isinstance(kid, str):
            if ignored is not None and kid.count("\n") > 1:
                ignored = None  # a blank line parts the comment from the element
            continue
        name = kid.name
        kid_rules = allowed.get(name)
        if kid_rules is None and name[:1] == "#":  # comments, processing instructions
            if name == "#comment":
                ignored = suppressions(kid.value) if isinstance(kid.value, str) else None
            continue
        i = counts[name] = counts.get(name, 0) + 1
        kid_path = (path, name, i)
        early: list[Diagnostic] | None = None
        kid_el: Element | None = None
        if r is not None:
            kid_el = kid_rules.el if kid_rules is not None else r.allowed.get(name)
            note = _element_note(r, kind, name) if kid_el is None else None
            if note is not None:
                kid_el = r.place.grammar.resolve(kind, r.el, name)
                if note.vendor:  # another vendor's element: Twilio (or this vendor) ignores it whole
                    other = _place(note.vendor)
                    parent_el = other.grammar.find(kind, r.el.cls)
                    kid_el = other.grammar.resolve(kind, parent_el, name)
                    kid_rules = _rules_for(kid_el, other) if kid_el is not None else None
                early = [
                    _diag(
                        note.code,
                        note.message,
                        kid_path,
                        kid,
                        level=note.level,
                        effect=note.effect,
                        source=note.source,
                    )
                ]
            elif kid_el is None:
                kid_el = r.place.grammar.resolve(kind, r.el, name)
                if kid_el is not None:
                    early = [
                        _diag(
                            r.el.nesting_code,
                            f"<{name}> is not allowed inside <{r.el.xml}>",
                            kid_path,
                            kid,
                            level="info" if r.place.vendor else None,
                            effect=codes.VERB_SKIPPED,
                        )
                    ]
                elif element_of(kid) is not None or name in _ALL_NAMES:
                    early = [
                        _diag(
                            r.el.nesting_code,
                            f"<{name}> is not a {kind} TwiML element",
                            kid_path,
                            kid,
                            level="info" if r.place.vendor else None,
                            effect=codes.VERB_SKIPPED,
                        )
                    ]
                elif ":" in name:  # a namespaced extension such as Polly's <amazon:effect> in <Say>
                    early = [
                        _diag(
                            codes.SCHEMA,
                            f"<{name}> is a namespaced extension this toolkit does not know",
                            kid_path,
                            kid,
                            level="info",
                            effect="passed to the voice provider, or ignored",
                        )
                    ]
                else:
                    hint, fix = _element_hint(kind, name, r)
                    early = [
                        _diag(
                            codes.SCHEMA,
                            f"unknown element <{name}>"
                            + (f" (not known to {r.place.title} either)" if r.place.vendor else ""),
                            kid_path,
                            kid,
                            level="info" if r.place.vendor else None,
                            hint=hint,
                            fix=fix,
                            effect=codes.ELEMENT_IGNORED,
                        )
                    ]
            if ended is not None:
                (early := early or []).append(
                    _diag(codes.UNREACHABLE, f"<{name}> never runs: it follows <{ended}>", kid_path, kid)
                )
            elif left is not None:
                (early := early or []).append(
                    _diag(
                        codes.AFTER_ACTION,
                        f"<{name}> runs only if <{left}> cannot reach its action URL",
                        kid_path,
                        kid,
                    )
                )
            if places and ended is None:
                if name in r.ends:
                    ended = name
                elif left is None and name in r.leaves and _hands_off(kid, r):
                    left = name
            if kid_rules is None and kid_el is not None:
                kid_rules = _rules_for(kid_el, r.place)
                if kid_el is r.allowed.get(name):
                    allowed[name] = kid_rules
        else:
            kid_el = place.grammar.resolve(kind, None, name)
            kid_rules = _rules_for(kid_el, place) if kid_el is not None else None
        frames.append((kid, kid_rules, r, kid_path, early, ignored))
        ignored = None
    return frames
