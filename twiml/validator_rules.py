"""The validator's rules: per-element rule tables built once from the grammar (and a vendor
profile), and the named checks that cannot be data (`checks = (...)` in a grammar entry).

`twiml.validator` walks a document and applies these; they are kept apart so a new check is
added here, next to its siblings, without reading the walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from twiml import codes, rules
from twiml.base import TwiML
from twiml.checks import Check, Problem, for_attr, nearest
from twiml.diagnostic import Diagnostic, Fix, Severity
from twiml.dialects import AttrNote, ElementNote, Notes, grammar_for, notes_for
from twiml.dialects import profile as dialect_profile
from twiml.dialects.types import Source
from twiml.errors import TwiMLException
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Attr, Content, Element, Grammar
from twiml.grammar_values import VOICE_LANGUAGES
from twiml.limits import message_length
from twiml.serialize import DECLARATION, attr_text, body_text, compact_size

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
        child_attrs.setdefault(g.get(el.kind, ca.child).xml, []).append((ca.attr, ca.values, ca.code, ca.reason))
    is_root = el.xml == "Response"
    kids = g.allowed_children(el) + tuple(g.get(el.kind, c) for _, c in el.methods)
    notes = place.notes
    return _Rules(
        el=el,
        place=place,
        attr_notes=notes.attrs.get((el.kind, el.xml), {}),
        attr_sources={a: s for (k, x, a), s in notes.sources.items() if (k, x) == (el.kind, el.xml)},
        value_notes={a: v for (k, x, a), v in notes.values.items() if (k, x) == (el.kind, el.xml)},
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


def _element_hint(kind: str, name: str, r: _Rules) -> tuple[str | None, Fix | None]:
    """Did-you-mean for an unknown element: the children allowed here first, then the kind's."""
    names = _NAMES.get((r.place.name, kind))
    if names is None:
        elements = r.place.grammar.elements
        names = _NAMES[(r.place.name, kind)] = tuple(dict.fromkeys(e.xml for e in elements if e.kind == kind))
    near = nearest(name, (*r.allowed, *names), limit=1)
    if not near:
        return None, None
    why = "; TwiML names are case-sensitive" if near[0].casefold() == name.casefold() else ""
    return f"did you mean <{near[0]}>?{why}", Fix("rename_element", near[0])


_ALL_NAMES = frozenset(e.xml for e in GRAMMAR.elements)
"""Names known in some kind of document: such an element in another kind is misplaced, not unknown.

Outside its documented place a node is checked as the class the parser would give that name
there (`Grammar.resolve`), not as the class it was built with, so a built document and its
parsed XML get the same findings."""


def _element_note(r: _Rules, kind: str, name: str) -> ElementNote | None:
    """What the dialect's profile (or another vendor's) says about `name` inside `r`'s element."""
    for note in r.place.notes.elements.get((kind, name), ()):
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
