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
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Literal

from twiml import codes, rules
from twiml.base import TwiML, is_markup
from twiml.checks import Check, Problem, for_attr, nearest
from twiml.codes import Level
from twiml.dialects import AttrNote, ElementNote, Notes, grammar_for, notes_for
from twiml.dialects import profile as dialect_profile
from twiml.dialects.types import Source
from twiml.errors import TwiMLException
from twiml.gc_pause import collections_paused
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Attr, Content, Element, Grammar, element_of
from twiml.grammar_values import VOICE_LANGUAGES
from twiml.limits import message_length
from twiml.serialize import DECLARATION, attr_text, body_text, compact_size

__all__ = ["Diagnostic", "Fix", "Revalidator", "Severity", "suppressions", "validate"]

Severity = Level


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
    path: str
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

    @property
    def twilio_message(self) -> str:
        """Twilio's own message for the code ("" for codes of our own without one)."""
        return codes.text_of(self.code)

    def format(self, filename: str = "-") -> str:
        """`file:line:col: severity code message (hint)`; column 0 when only the line is known, and
        the node path instead of a position when the document was built rather than parsed."""
        text = f"{self.severity} {self.code} {self.message}" + (f" ({self.hint})" if self.hint else "")
        if self.line is None:
            return f"{filename}: {text} (at {self.path})"
        return f"{filename}:{self.line}:{self.column or 0}: {text}"


_INT = re.compile(r"[+-]?[0-9]+")
_IGNORE = re.compile(r"\s*twiml:\s*ignore(?:\[([^\]]*)\])?\s*$")


def suppressions(comment: str) -> frozenset[str] | None:
    """Codes a ``twiml: ignore[...]`` comment silences (empty set: all); None when it is no such comment."""
    m = _IGNORE.match(comment)
    if m is None:
        return None
    listed = m.group(1)
    return frozenset(c.strip() for c in listed.split(",") if c.strip()) if listed else frozenset()


_CHECKERS: dict[int, tuple[Attr, Check | None, dict[str, Problem | None]]] = {}


def _checker(a: Attr) -> tuple[Attr, Check | None, dict[str, Problem | None]]:
    """The checker of `a` with a memo of its results: checkers are pure functions of the text, and
    the same few values ("POST", "5", a voice) repeat on every element of a kind."""
    hit = _CHECKERS.get(id(a))
    if hit is None or hit[0] is not a:
        hit = _CHECKERS[id(a)] = (a, for_attr(a), {})
    return hit


ElementCheck = Callable[[TwiML, "_Rules", "NodePath", list[Diagnostic]], None]
_NAMED_CHECKS: dict[str, ElementCheck] = {}


def _registers(name: str) -> Callable[[ElementCheck], ElementCheck]:
    """Register a check that cannot be data under the name its grammar entries list in `checks`."""

    def register(func: ElementCheck) -> ElementCheck:
        _NAMED_CHECKS[name] = func
        return func

    return register


@dataclass(frozen=True, eq=False)
class _Place:
    """The vendor dialect a document is checked in (`twiml.dialects`), and the kind it is of."""

    name: str
    title: str
    grammar: Grammar
    notes: Notes
    vendor: bool
    """Not Twilio: what the profile does not know is only info, Twilio's own errors only warnings."""


_PLACES: dict[str, _Place] = {}


def _place(name: str) -> _Place:
    hit = _PLACES.get(name)
    if hit is None:
        p = dialect_profile(name)
        hit = _PLACES[name] = _Place(
            name, f"{p.title} ({p.vendor})", grammar_for(name), notes_for(name), name != "twilio"
        )
    return hit


@dataclass
class _Rules:
    """Everything the walk needs about one element, computed once."""

    el: Element
    place: _Place
    attr_notes: dict[str, AttrNote]
    attr_sources: dict[str, Source]
    value_notes: dict[str, tuple[tuple[str, str, Source], ...]]
    allowed: dict[str, Element]
    """XML name -> element for children Twilio accepts here."""
    checkers: dict[str, tuple[Attr, Check | None, dict[str, Problem | None]]]
    attr_names: tuple[str, ...]
    required: tuple[Attr, ...]
    text_ignored: bool
    content: Content | None
    child_attrs: dict[str, tuple[tuple[str, tuple[str, ...], int, str], ...]]
    attr_codes_for_child: dict[tuple[str, str], int]
    ends: frozenset[str]
    leaves: dict[str, tuple[str, str | None]]
    text_rules: bool
    """The body has a length limit or must be JSON."""
    checks: tuple[ElementCheck, ...]
    allowed_rules: dict[str, _Rules] = field(default_factory=dict)
    """The rules of `allowed` children, filled in as the walk meets them."""


_RULES: dict[tuple[int, str], tuple[Element, _Rules]] = {}


def _rules_for(el: Element, place: _Place) -> _Rules:
    hit = _RULES.get((id(el), place.name))
    if hit is not None and hit[0] is el:
        return hit[1]
    r = _build_rules(el, place)
    _RULES[(id(el), place.name)] = (el, r)
    return r


def _build_rules(el: Element, place: _Place) -> _Rules:
    g = place.grammar
    allowed = {k.xml: k for k in g.allowed_children(el)}
    content = el.content
    if content is None and el.body is not None and el.body.kind == "required":
        meaning = el.body.meaning.split(";")[0].strip() or "text"
        content = Content(f"<{el.xml}> is empty; it needs its text ({meaning})")
    child_attrs: dict[str, list[tuple[str, tuple[str, ...], int, str]]] = {}
    for ca in el.child_attrs:
        child_attrs.setdefault(g.get(el.dialect, ca.child).xml, []).append((ca.attr, ca.values, ca.code, ca.reason))
    is_root = el.xml == "Response"
    kids = g.allowed_children(el) + tuple(g.get(el.dialect, c) for _, c in el.methods)
    notes = place.notes
    return _Rules(
        el=el,
        place=place,
        attr_notes=notes.attrs.get((el.dialect, el.xml), {}),
        attr_sources={a: s for (k, x, a), s in notes.sources.items() if (k, x) == (el.dialect, el.xml)},
        value_notes={a: v for (k, x, a), v in notes.values.items() if (k, x) == (el.dialect, el.xml)},
        allowed=allowed,
        checkers={a.xml: _checker(a) for a in el.attrs},
        attr_names=tuple(a.xml for a in el.attrs),
        required=tuple(a for a in el.attrs if a.required),
        text_ignored=el.body is None or el.body.kind == "none",
        content=content,
        child_attrs={k: tuple(v) for k, v in child_attrs.items()},
        attr_codes_for_child={(xml, attr): code for xml, attr, code in el.child_attr_codes},
        ends=frozenset(k.xml for k in kids if k.ends) if is_root else frozenset(),
        leaves={k.xml: k.hands_off for k in kids if k.hands_off is not None} if is_root else {},
        text_rules=el.text_limit is not None or el.json_code is not None,
        checks=tuple(_NAMED_CHECKS[name] for name in el.checks),
    )


# --- text helpers ---------------------------------------------------------------------------------


def _own_text(node: TwiML) -> str:
    """Body value plus the text pieces directly inside the node."""
    value = node.value
    text = "" if value is None else (value if value.__class__ is str else body_text(value))
    for v in node.verbs:
        if isinstance(v, str):
            text += v
    return text


def _has_text(node: TwiML) -> bool:
    value = node.value
    if value is not None and (value if value.__class__ is str else body_text(value)).strip():
        return True
    for v in node.verbs:  # noqa: SIM110 (a loop: any() over a generator costs twice as much here)
        if isinstance(v, str) and v.strip():
            return True
    return False


def _text_length(node: TwiML) -> int:
    """How long all text in the subtree is, without markup (what a voice speaks), without joining it."""
    length = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if n.name[:1] != "#":
            value = n.value
            if value is not None:
                length += len(value if value.__class__ is str else body_text(value))
            for v in n.verbs:
                if isinstance(v, str):
                    length += len(v)
                else:
                    stack.append(v)
    return length


def _element_children(node: TwiML) -> list[TwiML]:
    return [v for v in node.verbs if not isinstance(v, str) and v.name[:1] != "#"]


NodePath = str | tuple["NodePath", str, int]
"""Where a node is: the root's name, or (its parent's path, its name, its number among the
parent's children of that name); written out (`Response/Gather[2]/Say[1]`) only for a finding."""


def _path_text(path: NodePath) -> str:
    parts: list[str] = []
    while not isinstance(path, str):
        path, name, i = path
        parts.append(f"/{name}[{i}]")
    return path + "".join(reversed(parts))


def _diag(
    code: int | str,
    message: str,
    path: NodePath,
    node: TwiML,
    *,
    level: Severity | None = None,
    hint: str | None = None,
    fix: Fix | None = None,
    effect: str | None = None,
    source: object = "",
) -> Diagnostic:
    """A finding at `node`, as severe as Twilio logs `code` unless `level` says otherwise."""
    return Diagnostic(
        level or codes.level_of(code),
        code,
        message,
        path if isinstance(path, str) else _path_text(path),
        getattr(node, "source_line", None),
        getattr(node, "source_column", None),
        node,
        hint,
        fix,
        codes.effect_of(code) if effect is None else effect,
        source=str(source),
    )


# --- named element checks (listed by name in the grammar entries' `checks`) -----------------------


@_registers("ssml_voice")
def _check_ssml_voice(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    if not node.verbs:  # no SSML inside
        return
    voice = node.attrs.get("voice")
    voice_text = "" if voice is None else voice if voice.__class__ is str else attr_text(voice)
    if voice_text in rules.BASIC_VOICES and _element_children(node):
        out.append(
            _diag(
                rules.SSML_WITH_BASIC_VOICE_CODE,
                f"voice {voice_text!r} does not support SSML; the markup is not spoken as intended",
                path,
                node,
                effect="the markup is read as plain text or dropped",
            )
        )


_SAY_SHORT = min(rules.SAY_LIMIT_DEFAULT, *(n for _, n in rules.SAY_LIMITS))
"""A <Say> text no longer than this is within every voice's limit."""


@_registers("say_length")
def _check_say_length(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    value = node.value
    if not node.verbs and (value is None or (value.__class__ is str and len(value) <= _SAY_SHORT)):
        return
    length = _text_length(node)
    if length <= _SAY_SHORT:
        return
    voice = node.attrs.get("voice")
    voice_text = "" if voice is None else attr_text(voice)
    limit = rules.SAY_LIMIT_DEFAULT
    for prefix, n in rules.SAY_LIMITS:
        if voice_text.startswith(prefix):
            limit = n
            break
    if length > limit:
        out.append(
            _diag(
                rules.SAY_LIMIT_CODE,
                f"<Say> text is {length} characters; {voice_text or 'the default voice'} speaks at most {limit}",
                path,
                node,
            )
        )


@_registers("message_size")
def _check_message(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    length = message_length(_own_text(node))
    media = 0
    for kid in _element_children(node):
        if kid.name == "Body":
            length += message_length(_own_text(kid))
        elif kid.name == "Media":
            media += 1
    if length > rules.MESSAGE_BODY_MAX:
        out.append(
            _diag(
                rules.MESSAGE_BODY_CODE,
                f"message body is {length} characters as Twilio counts them (emoji count 2);"
                f" the limit is {rules.MESSAGE_BODY_MAX}",
                path,
                node,
            )
        )
    if media > rules.MEDIA_MAX:
        out.append(
            _diag(
                rules.MEDIA_CODE,
                f"{media} <Media> in one <Message>; the limit is {rules.MEDIA_MAX}",
                path,
                node,
            )
        )


@_registers("dial_nouns")
def _check_dial(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    counts: dict[str, int] = {}
    for kid in _element_children(node):
        counts[kid.name] = counts.get(kid.name, 0) + 1
    for noun in rules.DIAL_LIMITED_NOUNS:
        n = counts.get(noun, 0)
        if n > rules.DIAL_NOUN_LIMIT:
            out.append(
                _diag(
                    codes.TOO_MANY_NOUNS,
                    f"{n} <{noun}> in one <Dial>; Twilio rings at most {rules.DIAL_NOUN_LIMIT}",
                    path,
                    node,
                )
            )
    if counts.get("Conference") and counts.get("Number"):
        out.append(
            _diag(
                rules.CONFERENCE_WITH_NUMBER_CODE,
                "<Conference> cannot be mixed with <Number> in one <Dial>",
                path,
                node,
            )
        )


@_registers("transcribe_length")
def _check_record(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    transcribe = node.attrs.get("transcribe")
    max_length = node.attrs.get("maxLength")
    if transcribe is None or max_length is None or attr_text(transcribe).strip().lower() != "true":
        return
    text = attr_text(max_length).strip()
    if _INT.fullmatch(text) and int(text) > rules.TRANSCRIBE_MAX_LENGTH:
        out.append(
            _diag(
                rules.TRANSCRIBE_MAX_LENGTH_CODE,
                f"maxLength={text}: Twilio transcribes recordings of at most {rules.TRANSCRIBE_MAX_LENGTH} seconds",
                path,
                node,
            )
        )


@_registers("ach_only")
def _check_pay(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    if rules.ACH_ONLY_ATTR not in node.attrs:
        return
    method = node.attrs.get("paymentMethod")
    if method is None or attr_text(method).strip() != rules.ACH_METHOD:
        out.append(
            _diag(
                rules.ACH_ONLY_CODE,
                f"<Pay> {rules.ACH_ONLY_ATTR} needs paymentMethod={rules.ACH_METHOD!r}",
                path,
                node,
            )
        )


@_registers("reply_count")
def _check_messaging_root(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    n = sum(1 for kid in _element_children(node) if kid.name == "Message")
    if n > rules.MESSAGES_MAX:
        out.append(
            _diag(
                rules.MESSAGES_CODE,
                f"{n} <Message> replies; Twilio sends at most {rules.MESSAGES_MAX}",
                path,
                node,
            )
        )


@_registers("fax_action")
def _check_fax_root(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    if not any(kid.name in r.allowed for kid in _element_children(node)):
        out.append(_diag(rules.FAX_NO_ACTION_CODE, "fax <Response> has no <Receive> or <Reject>", path, node))


@_registers("voice_language")
def _check_voice_language(node: TwiML, r: _Rules, path: NodePath, out: list[Diagnostic]) -> None:
    """A language the voice is documented not to speak (man/woman/alice, Google.<locale>-...)."""
    voice = node.attrs.get("voice")
    language = node.attrs.get("language")
    if voice is None or language is None:
        return
    voice_text = voice if voice.__class__ is str else attr_text(voice)
    lang = language if language.__class__ is str else attr_text(language)
    known = VOICE_LANGUAGES.get(voice_text)
    if known is not None:
        if lang in known:
            return
        near = nearest(lang, known)
        out.append(
            _diag(
                codes.VOICE_LANGUAGE,
                f"<Say> voice {voice_text!r} does not speak language {lang!r}",
                path,
                node,
                hint=f"did you mean {near[0]!r}?" if near else f"{voice_text} speaks {', '.join(known)}",
                fix=Fix("set_value", near[0], "language") if near else None,
                effect="Twilio may fail the <Say> or use the voice's default language",
            )
        )
        return
    m = _GOOGLE_LOCALE.match(voice_text)
    if m is not None and lang.casefold() != m.group(1).casefold():
        out.append(
            _diag(
                codes.VOICE_LANGUAGE,
                f"<Say> voice {voice_text!r} speaks {m.group(1)}, not {lang!r}",
                path,
                node,
                hint=f"use language={m.group(1)!r}",
                fix=Fix("set_value", m.group(1), "language"),
                effect="Twilio may fail the <Say>",
            )
        )


_GOOGLE_LOCALE = re.compile(r"Google\.([a-z]{2,3}-[A-Z]{2})-")


# --- name resolution ---------------------------------------------------------------------------

_NAMES: dict[tuple[str, str], tuple[str, ...]] = {}


def _element_hint(dialect: str, name: str, r: _Rules) -> tuple[str | None, Fix | None]:
    """Did-you-mean for an unknown element: the children allowed here first, then the kind's."""
    names = _NAMES.get((r.place.name, dialect))
    if names is None:
        elements = r.place.grammar.elements
        names = _NAMES[(r.place.name, dialect)] = tuple(dict.fromkeys(e.xml for e in elements if e.dialect == dialect))
    near = nearest(name, (*r.allowed, *names), limit=1)
    if not near:
        return None, None
    why = "; TwiML names are case-sensitive" if near[0].casefold() == name.casefold() else ""
    return f"did you mean <{near[0]}>?{why}", Fix("rename_element", near[0])


_ALL_NAMES = frozenset(e.xml for e in GRAMMAR.elements)
"""Names known in some dialect: such an element in another dialect is misplaced, not unknown.

Outside its documented place a node is checked as the class the parser would give that name
there (`Grammar.resolve`), not as the class it was built with, so a built document and its
parsed XML get the same findings."""


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


def validate(doc: TwiML, *, suppressed: bool = False, vendor_dialect: str = "twilio") -> list[Diagnostic]:
    """Every problem found in `doc`, in document order; an empty list means Twilio will accept it.

    Findings silenced by a ``twiml: ignore`` comment are left out, or kept with
    ``suppressed=True`` set on them when `suppressed` is true (the editor shows them dimmed).
    `vendor_dialect` checks the document as Telnyx ("texml") or SignalWire ("cxml") runs it
    (`twiml.dialects`); ValueError for an unknown name."""
    place = _place(vendor_dialect)
    out, dialect, path, root_rules = _root_findings(doc, place)
    with collections_paused():
        _walk((doc, root_rules, None, path, None, None), dialect, out, place)
    out = _vendor_levels(out, place)
    return out if suppressed else [d for d in out if not d.suppressed]


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
    dialect = root_el.dialect if root_el is not None else "voice"
    path = doc.name
    if doc.name != "Response":
        out.append(_diag(codes.ROOT_NOT_RESPONSE, f"the root element must be <Response>, not <{doc.name}>", path, doc))
    g = place.grammar
    root_el = g.find(root_el.dialect, root_el.cls) if root_el is not None else g.resolve(dialect, None, doc.name)
    _check_size(doc, out)
    root_rules = _rules_for(root_el, place) if root_el else None
    return out, dialect, path, root_rules


class Revalidator:
    """`validate` again after edits, re-checking only the subtrees that changed.

    An editor knows what each edit touched; it names the root's children whose subtrees were
    edited (`edited`). When the root still has the same children and none of the edited ones
    changes what follows it (a `twiml: ignore` comment, whether it hands the call off), only the
    edited children are walked again; otherwise every child whose place is unchanged (same
    grammar entry, path, position findings and comment before it) reuses its findings. The root
    itself and the size budgets are always checked again. The findings are exactly `validate`'s:
    the editor's tests compare both after random edit sequences."""

    def __init__(self, *, suppressed: bool = False, vendor_dialect: str = "twilio") -> None:
        self.suppressed = suppressed
        self.place = _place(vendor_dialect)
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
        out, dialect, path, root_rules = _root_findings(doc, place)
        if root_rules is not None:
            _check_node(doc, root_rules, None, path, out)
        last = self._last
        if edited is not None and last is not None and last.still_fits(doc, root_rules, dialect, edited):
            founds = last.founds
            walked = set()
            for node in edited:
                i = last.index.get(id(node))
                if i is not None and i not in walked:
                    walked.add(i)
                    founds[i] = []
                    _walk(last.frames[i], dialect, founds[i], place)
            self.reused = len(founds) - len(walked)
        else:
            self._last = last = self._full(doc, root_rules, dialect, path, last if edited is not None else None, edited)
        for found in last.founds:
            if found:
                out.extend(found)
        out = _vendor_levels(out, place)
        return out if self.suppressed else [d for d in out if not d.suppressed]

    def _full(
        self,
        doc: TwiML,
        root_rules: _Rules | None,
        dialect: str,
        path: NodePath,
        last: _Children | None,
        edited: Collection[TwiML] | None,
    ) -> _Children:
        """Walk the root's children, reusing the findings `last` has for those whose place is
        unchanged and that are not in `edited`."""
        skip = {id(node) for node in edited} if edited is not None else set()
        frames = _child_frames(doc, root_rules, dialect, path, self.place) if doc.verbs else []
        founds: list[list[Diagnostic]] = []
        reused = 0
        for frame in frames:
            node = frame[0]
            i = last.index.get(id(node)) if last is not None else None
            if i is not None and last is not None and id(node) not in skip and last.same_place(i, frame, dialect):
                found = last.founds[i]
                reused += 1
            else:
                found = []
                _walk(frame, dialect, found, self.place)
            founds.append(found)
        self.reused = reused
        return _Children(doc, tuple(doc.verbs), root_rules, dialect, frames, founds)


class _Children:
    """The root's children as the last full run of a `Revalidator` saw them."""

    def __init__(
        self,
        root: TwiML,
        items: tuple[TwiML | str, ...],
        rules: _Rules | None,
        dialect: str,
        frames: list[Frame],
        founds: list[list[Diagnostic]],
    ) -> None:
        self.root, self.items, self.rules, self.dialect = root, items, rules, dialect
        self.frames, self.founds = frames, founds
        self.index = {id(frame[0]): i for i, frame in enumerate(frames)}
        self.hands_off = {i: _hands_off(frame[0], rules) for i, frame in enumerate(frames)} if rules else {}

    def same_place(self, i: int, frame: Frame, dialect: str) -> bool:
        """Whether child `i` was seen in the place `frame` describes (same node, grammar entry,
        path, position findings and comment before it)."""
        old = self.frames[i]
        return old[0] is frame[0] and dialect == self.dialect and old[1:] == frame[1:]

    def still_fits(self, root: TwiML, rules: _Rules | None, dialect: str, edited: Collection[TwiML]) -> bool:
        """True when the frames still hold: same root, children, grammar entry, and no edited
        child that is a comment (its text may silence what follows) or now hands the call off
        differently."""
        if root is not self.root or rules is not self.rules or dialect != self.dialect:
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


def _walk(first: Frame, dialect: str, out: list[Diagnostic], place: _Place) -> None:
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
        frames = _child_frames(node, r, dialect, path, place)
        frames.reverse()
        stack.extend(frames)


def _child_frames(node: TwiML, r: _Rules | None, dialect: str, path: NodePath, place: _Place) -> list[Frame]:
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
            note = _element_note(r, dialect, name) if kid_el is None else None
            if note is not None:
                kid_el = r.place.grammar.resolve(dialect, r.el, name)
                if note.vendor:  # another vendor's element: Twilio (or this vendor) ignores it whole
                    other = _place(note.vendor)
                    parent_el = other.grammar.find(dialect, r.el.cls)
                    kid_el = other.grammar.resolve(dialect, parent_el, name)
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
                kid_el = r.place.grammar.resolve(dialect, r.el, name)
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
                            f"<{name}> is not a {dialect} TwiML element",
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
                    hint, fix = _element_hint(dialect, name, r)
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
            kid_el = place.grammar.resolve(dialect, None, name)
            kid_rules = _rules_for(kid_el, place) if kid_el is not None else None
        frames.append((kid, kid_rules, r, kid_path, early, ignored))
        ignored = None
    return frames


def _element_note(r: _Rules, dialect: str, name: str) -> ElementNote | None:
    """What the dialect's profile (or another vendor's) says about `name` inside `r`'s element."""
    for note in r.place.notes.elements.get((dialect, name), ()):
        if not note.parents or r.el.xml in note.parents:
            return note
    return None


def _check_size(doc: TwiML, out: list[Diagnostic]) -> None:
    """Budgets count what is served: the text as read for a parsed document (`source_size`,
    recorded by `parse`), else the serializer's output, measured without writing it."""
    measured = getattr(doc, "source_size", None)
    if measured is not None:
        chars, size = measured
    else:
        try:
            chars, size = compact_size(doc, xml_declaration=False)  # inline TwiML goes without one
            size += len(DECLARATION)
        except RecursionError:
            return  # nested deeper than the writer goes; such a document is no real TwiML anyway
        except TwiMLException as exc:
            out.append(_diag(codes.PARSE_FAILURE, f"the document cannot be written as XML: {exc}", doc.name, doc))
            return
    if size > rules.RESPONSE_BUDGET_BYTES:
        out.append(
            _diag(
                codes.BODY_TOO_LARGE,
                f"the document is {size} bytes; Twilio fetches at most {rules.RESPONSE_BUDGET_BYTES}",
                doc.name,
                doc,
            )
        )
    if chars > rules.INLINE_BUDGET_CHARS:
        out.append(
            _diag(
                codes.INLINE_TOO_LARGE,
                f"the document is {chars} characters; inline TwiML (the REST 'Twiml' parameter) "
                f"takes at most {rules.INLINE_BUDGET_CHARS}",
                doc.name,
                doc,
                level="info",  # Twilio's ERROR applies only to TwiML sent inline, not to a webhook's reply
                effect="rejected only when sent inline in the REST 'Twiml' parameter",
            )
        )
