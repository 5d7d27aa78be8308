"""Check a TwiML document against the grammar and Twilio's documented limits.

`validate(doc)` returns `Diagnostic`s in document order.  Every structural fact comes from
`twiml.grammar.GRAMMAR`; `twiml.rules` only numbers and words the findings.  The guiding rule is
that a document Twilio accepts gets no error: doubtful cases (unknown voices, odd letter case,
comma-separated lists) are warnings.

The walk is one linear pass with an explicit stack (deep documents cannot overflow Python's
recursion limit); per-element lookups and per-attribute value checkers are built once and cached.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from twiml import rules
from twiml.base import TwiML
from twiml.errors import TwiMLException
from twiml.grammar import GRAMMAR
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, LIST, URL, Attr, Element, element_of
from twiml.limits import message_length
from twiml.serialize import DECLARATION, attr_text, body_text, compact_size

__all__ = ["Diagnostic", "Severity", "validate"]

Severity = rules.Severity


@dataclass(frozen=True)
class Diagnostic:
    """One finding: where it is, how bad it is, and Twilio's code for it when Twilio has one."""

    severity: Severity
    code: int | str
    message: str
    path: str
    line: int | None = None
    column: int | None = None
    node: TwiML | None = field(default=None, compare=False, repr=False)

    def format(self, filename: str = "-") -> str:
        """`file:line:col: severity code message`; column 0 when only the line is known, and the
        node path instead of a position when the document was built rather than parsed."""
        if self.line is None:
            return f"{filename}: {self.severity} {self.code} {self.message} (at {self.path})"
        return f"{filename}:{self.line}:{self.column or 0}: {self.severity} {self.code} {self.message}"


# A checker turns an attribute's text into None (fine) or (severity, code, message).
Finding = tuple[Severity, "int | str", str]
Checker = Callable[[str], "Finding | None"]

_INT = re.compile(r"[+-]?[0-9]+")
_SPACE = re.compile(r"\s")
_LIST_SPLIT = re.compile(r"[\s,]+")


def _show(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _choices(values: tuple[str, ...] | frozenset[str], limit: int = 8) -> str:
    shown = [repr(v) for v in list(values)[:limit]]
    return ", ".join(shown) + (f" (and {len(values) - limit} more)" if len(values) > limit else "")


def _range_finding(name: str, n: float, a: Attr, code: int | str) -> Finding | None:
    if a.min is not None and n < a.min:
        return ("error", code, f"{name}={_num(n)} is below the minimum {_num(a.min)}")
    if a.max is not None and n > a.max:
        return ("error", code, f"{name}={_num(n)} is above the maximum {_num(a.max)}")
    return None


def _int_checker(a: Attr, code: int | str) -> Checker:
    name = a.xml

    def check(text: str) -> Finding | None:
        s = text.strip()
        if _INT.fullmatch(s) is None:
            return ("error", code, f"{name}={_show(text)} is not an integer")
        return _range_finding(name, int(s), a, code)

    return check


def _float_checker(a: Attr, code: int | str) -> Checker:
    name = a.xml

    def check(text: str) -> Finding | None:
        try:
            n = float(text)
        except ValueError:
            return ("error", code, f"{name}={_show(text)} is not a number")
        if not math.isfinite(n):
            return ("error", code, f"{name}={_show(text)} is not a finite number")
        return _range_finding(name, n, a, code)

    return check


def _bool_checker(a: Attr, code: int | str) -> Checker:
    name = a.xml

    def check(text: str) -> Finding | None:
        if text == "true" or text == "false":
            return None
        if text.strip().lower() in ("true", "false"):
            return ("warning", code, f"{name}={_show(text)}: write booleans as 'true' or 'false'")
        return ("error", code, f"{name}={_show(text)} is not a boolean (use 'true' or 'false')")

    return check


def _url_checker(
    a: Attr, code: int | str, empty_ok: bool, schemes: tuple[tuple[str, ...], int | str] | None
) -> Checker:
    name = a.xml

    def check(text: str) -> Finding | None:
        if not text:
            if empty_ok:
                return None
            return ("warning", code, f"{name} is an empty URL")
        if schemes is not None and not text.strip().lower().startswith(schemes[0]):
            return ("error", schemes[1], f"{name}={_show(text)} must start with {' or '.join(schemes[0])}")
        if _SPACE.search(text) is None:
            return None
        stripped = text.strip()
        if not stripped:
            return ("warning", code, f"{name} is an empty URL")
        if _SPACE.search(stripped) is not None:
            return ("error", code, f"{name}={_show(text)} is not a valid URL (it contains white space)")
        return ("warning", code, f"{name}={_show(text)} has white space around the URL")

    return check


def _value_checker(a: Attr, code: int | str, values: tuple[str, ...], is_open: bool) -> Checker:
    """Enum (or a string with a value list): exact match, else a warning when the list is open
    or only the letter case differs, else an error."""
    name = a.xml
    allowed = frozenset(values)
    folded = {v.lower(): v for v in values}

    def check(text: str) -> Finding | None:
        if text in allowed:
            return None
        near = folded.get(text.strip().lower())
        if near is not None:
            return ("warning", code, f"{name}={_show(text)}: Twilio spells this value {near!r}")
        if is_open:
            return (
                "warning",
                code,
                f"{name}={_show(text)} is not a value this toolkit knows "
                "(Twilio adds values often; check the spelling)",
            )
        return ("error", code, f"{name}={_show(text)} is not one of {_choices(values)}")

    return check


def _list_checker(a: Attr, code: int | str, values: tuple[str, ...], is_open: bool) -> Checker:
    name = a.xml
    allowed = frozenset(values)
    folded = {v.lower(): v for v in values}
    want_int = a.item_type == INT

    def bad_token(token: str) -> Finding | None:
        if want_int:
            if _INT.fullmatch(token) is None:
                return ("error", code, f"{name}: {_show(token)} is not an integer")
            return None
        if not allowed or token in allowed:
            return None
        near = folded.get(token.lower())
        if near is not None:
            return ("warning", code, f"{name}: Twilio spells {_show(token)} as {near!r}")
        sev: Severity = "warning" if is_open else "error"
        return (sev, code, f"{name}: {_show(token)} is not one of {_choices(values)}")

    def check(text: str) -> Finding | None:
        worst: Finding | None = None
        for token in _LIST_SPLIT.split(text):
            if token:
                found = bad_token(token)
                if found is not None and (worst is None or found[0] == "error"):
                    worst = found
                    if found[0] == "error":
                        break
        if worst is not None:
            return worst
        if "," in text and (allowed or want_int):
            return ("warning", code, f"{name}={_show(text)}: separate the values with spaces, not commas")
        return None

    return check


def _string_checker(a: Attr, code: int | str, values: tuple[str, ...], is_open: bool) -> Checker | None:
    checks: list[Checker] = []
    name = a.xml
    if values:
        checks.append(_value_checker(a, code, values, is_open))
    if a.pattern:
        pattern = re.compile(a.pattern)

        def check_pattern(text: str) -> Finding | None:
            if pattern.search(text) is not None:
                return None
            sev: Severity = "warning" if not text.strip() else "error"
            return (sev, code, f"{name}={_show(text)} does not have the expected form")

        checks.append(check_pattern)
    if a.max_length is not None:
        limit = a.max_length

        def check_length(text: str) -> Finding | None:
            if len(text) > limit:
                return ("error", code, f"{name} is {len(text)} characters long; the limit is {limit}")
            return None

        checks.append(check_length)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def check_all(text: str) -> Finding | None:
        for c in checks:
            found = c(text)
            if found is not None:
                return found
        return None

    return check_all


def _make_checker(el: Element, a: Attr) -> Checker | None:
    """The value check for one attribute; doubtful grammar facts only ever give warnings."""
    check = _type_checker(el, a)
    if check is None or a.verified:
        return check
    strict = check

    def lenient(text: str) -> Finding | None:
        found = strict(text)
        if found is not None and found[0] == "error":
            return ("warning", found[1], found[2] + " (a rule no Twilio source confirms)")
        return found

    return lenient


def _type_checker(el: Element, a: Attr) -> Checker | None:
    where = (el.dialect, el.cls, a.xml)
    code: int | str = a.code if a.code is not None else rules.SCHEMA
    values = a.values
    is_open = a.open
    if a.type == INT:
        return _int_checker(a, code)
    if a.type == FLOAT:
        return _float_checker(a, code)
    if a.type == BOOL:
        return _bool_checker(a, code)
    if a.type == URL:
        url_code = a.code if a.code is not None else rules.INVALID_URL
        return _url_checker(a, url_code, where in rules.EMPTY_URL_MEANINGFUL, rules.URL_SCHEMES.get(where))
    if a.type == ENUM:
        return _value_checker(a, code, values, is_open) if values else None
    if a.type == LIST:
        return _list_checker(a, code, values, is_open)
    return _string_checker(a, code, values, is_open)


@dataclass
class _Rules:
    """Everything the walk needs about one element, computed once."""

    el: Element
    allowed: dict[str, Element]
    """XML name -> element for children Twilio accepts here."""
    checkers: dict[str, tuple[Attr, Checker | None]]
    required: tuple[Attr, ...]
    text_ignored: bool
    content: rules.ContentRule | None
    nesting_code: int | str
    parent_attr_rules: dict[str, tuple[rules.ParentAttrRule, ...]]
    attr_codes_for_child: dict[tuple[str, str], int]
    ends: frozenset[str]
    leaves: dict[str, tuple[str, str | None]]
    name_limit: tuple[int, int] | None
    json_code: int | None
    extra: Callable[[TwiML, _Rules, str, list[Diagnostic]], None] | None


_RULES: dict[int, tuple[Element, _Rules]] = {}


def _rules_for(el: Element) -> _Rules:
    hit = _RULES.get(id(el))
    if hit is not None and hit[0] is el:
        return hit[1]
    r = _build_rules(el)
    _RULES[id(el)] = (el, r)
    return r


def _build_rules(el: Element) -> _Rules:
    key = (el.dialect, el.cls)
    allowed = {k.xml: k for k in GRAMMAR.allowed_children(el)}
    content = rules.CONTENT_RULES.get(key)
    if content is None and el.body is not None and el.body.kind == "required":
        meaning = el.body.meaning.split(";")[0].strip() or "text"
        content = rules.ContentRule(message=f"<{el.xml}> is empty; it needs its text ({meaning})")
    parent_attr: dict[str, list[rules.ParentAttrRule]] = {}
    for pr in rules.PARENT_ATTR_RULES.get(el.dialect, ()):
        if pr.parent == el.cls:
            parent_attr.setdefault(GRAMMAR.get(el.dialect, pr.child).xml, []).append(pr)
    is_root = el.xml == "Response"
    return _Rules(
        el=el,
        allowed=allowed,
        checkers={a.xml: (a, _make_checker(el, a)) for a in el.attrs},
        required=tuple(a for a in el.attrs if a.required),
        text_ignored=el.body is None or el.body.kind == "none",
        content=content,
        nesting_code=rules.NESTING_CODES.get(key, rules.SCHEMA),
        parent_attr_rules={k: tuple(v) for k, v in parent_attr.items()},
        attr_codes_for_child={
            (GRAMMAR.get(d, child).xml, attr): code
            for (d, parent, child, attr), code in rules.ATTR_CODES_IN_PARENT.items()
            if d == el.dialect and parent == el.cls
        },
        ends=rules.ENDS_DOCUMENT.get(el.dialect, frozenset()) if is_root else frozenset(),
        leaves=rules.LEAVES_WHEN.get(el.dialect, {}) if is_root else {},
        name_limit=rules.NAME_MAX_LENGTH.get(key),
        json_code=rules.JSON_BODY.get(key),
        extra=_EXTRA.get(key),
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
    return any(isinstance(v, str) and v.strip() for v in node.verbs)


def _deep_text(node: TwiML) -> str:
    """All text in the subtree, without markup (what a voice speaks)."""
    parts: list[str] = []
    for n in node.iter():
        if n.name[:1] != "#":
            parts.append(_own_text(n))
    return "".join(parts)


def _element_children(node: TwiML) -> list[TwiML]:
    return [v for v in node.verbs if not isinstance(v, str) and v.name[:1] != "#"]


# --- element-specific checks (keyed by grammar class) -------------------------------------------


def _diag(severity: Severity, code: int | str, message: str, path: str, node: TwiML) -> Diagnostic:
    return Diagnostic(
        severity, code, message, path, getattr(node, "source_line", None), getattr(node, "source_column", None), node
    )


def _check_say(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    voice = node.attrs.get("voice")
    voice_text = "" if voice is None else attr_text(voice)
    kids = _element_children(node)
    if kids and voice_text in rules.BASIC_VOICES:
        out.append(
            _diag(
                "warning",
                rules.SSML_WITH_BASIC_VOICE_CODE,
                f"voice {voice_text!r} does not support SSML; the markup is not spoken as intended",
                path,
                node,
            )
        )
    limit = rules.SAY_LIMIT_DEFAULT
    for prefix, n in rules.SAY_LIMITS:
        if voice_text.startswith(prefix):
            limit = n
            break
    text = _deep_text(node) if kids else _own_text(node)
    if len(text) > limit:
        out.append(
            _diag(
                "warning",
                rules.SAY_LIMIT_CODE,
                f"<Say> text is {len(text)} characters; {voice_text or 'the default voice'} speaks at most {limit}",
                path,
                node,
            )
        )


def _check_message(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
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
                "error",
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
                "error",
                rules.MEDIA_CODE,
                f"{media} <Media> in one <Message>; the limit is {rules.MEDIA_MAX}",
                path,
                node,
            )
        )


def _check_dial(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    counts: dict[str, int] = {}
    for kid in _element_children(node):
        counts[kid.name] = counts.get(kid.name, 0) + 1
    for noun in rules.DIAL_LIMITED_NOUNS:
        n = counts.get(noun, 0)
        if n > rules.DIAL_NOUN_LIMIT:
            out.append(
                _diag(
                    "warning",
                    rules.TOO_MANY_NOUNS,
                    f"{n} <{noun}> in one <Dial>; Twilio rings at most {rules.DIAL_NOUN_LIMIT}",
                    path,
                    node,
                )
            )
    if counts.get("Conference") and counts.get("Number"):
        out.append(
            _diag(
                "warning",
                rules.CONFERENCE_WITH_NUMBER_CODE,
                "<Conference> cannot be mixed with <Number> in one <Dial>",
                path,
                node,
            )
        )


def _check_record(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    transcribe = node.attrs.get("transcribe")
    max_length = node.attrs.get("maxLength")
    if transcribe is None or max_length is None or attr_text(transcribe).strip().lower() != "true":
        return
    text = attr_text(max_length).strip()
    if _INT.fullmatch(text) and int(text) > rules.TRANSCRIBE_MAX_LENGTH:
        out.append(
            _diag(
                "warning",
                rules.TRANSCRIBE_MAX_LENGTH_CODE,
                f"maxLength={text}: Twilio transcribes recordings of at most {rules.TRANSCRIBE_MAX_LENGTH} seconds",
                path,
                node,
            )
        )


def _check_pay(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    if rules.ACH_ONLY_ATTR not in node.attrs:
        return
    method = node.attrs.get("paymentMethod")
    if method is None or attr_text(method).strip() != rules.ACH_METHOD:
        out.append(
            _diag(
                "error",
                rules.ACH_ONLY_CODE,
                f"<Pay> {rules.ACH_ONLY_ATTR} needs paymentMethod={rules.ACH_METHOD!r}",
                path,
                node,
            )
        )


def _check_messaging_root(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    n = sum(1 for kid in _element_children(node) if kid.name == "Message")
    if n > rules.MESSAGES_MAX:
        out.append(
            _diag(
                "warning",
                rules.MESSAGES_CODE,
                f"{n} <Message> replies; Twilio sends at most {rules.MESSAGES_MAX}",
                path,
                node,
            )
        )


def _check_fax_root(node: TwiML, r: _Rules, path: str, out: list[Diagnostic]) -> None:
    if not any(kid.name in r.allowed for kid in _element_children(node)):
        out.append(_diag("error", rules.FAX_NO_ACTION_CODE, "fax <Response> has no <Receive> or <Reject>", path, node))


_EXTRA: dict[tuple[str, str], Callable[[TwiML, _Rules, str, list[Diagnostic]], None]] = {
    ("voice", "Say"): _check_say,
    ("messaging", "Message"): _check_message,
    ("voice", "Dial"): _check_dial,
    ("voice", "Record"): _check_record,
    ("voice", "Pay"): _check_pay,
    ("messaging", "MessagingResponse"): _check_messaging_root,
    ("fax", "FaxResponse"): _check_fax_root,
}


# --- name resolution ---------------------------------------------------------------------------

_FOLDED: dict[str, dict[str, str]] = {}


def _suggest(dialect: str, name: str) -> str:
    folded = _FOLDED.get(dialect)
    if folded is None:
        folded = _FOLDED[dialect] = {e.xml.lower(): e.xml for e in GRAMMAR.elements if e.dialect == dialect}
    near = folded.get(name.lower())
    return f" (did you mean <{near}>? TwiML names are case-sensitive)" if near and near != name else ""


_ALL_NAMES = frozenset(e.xml for e in GRAMMAR.elements)
"""Names known in some dialect: such an element in another dialect is misplaced, not unknown.

Outside its documented place a node is checked as the class the parser would give that name
there (`Grammar.resolve`), not as the class it was built with, so a built document and its
parsed XML get the same findings."""


# --- the walk ----------------------------------------------------------------------------------


def _check_node(node: TwiML, r: _Rules, parent: _Rules | None, path: str, out: list[Diagnostic]) -> None:
    el = r.el
    attrs = node.attrs
    if attrs:
        checkers = r.checkers
        for key in sorted(attrs) if len(attrs) > 1 else attrs:  # XML order (the writer sorts)
            value = attrs[key]
            entry = checkers.get(key)
            if entry is None:
                if key.startswith("xmlns"):
                    continue
                out.append(_diag("warning", rules.SCHEMA, f"<{el.xml}> has no attribute {key!r}", path, node))
                continue
            checker = entry[1]
            if checker is None:
                continue
            found = checker(value if value.__class__ is str else attr_text(value))
            if found is not None:
                code = found[1]
                if parent is not None and parent.attr_codes_for_child:
                    code = parent.attr_codes_for_child.get((el.xml, key), code)
                out.append(_diag(found[0], code, f"<{el.xml}> {found[2]}", path, node))
    for a in r.required:
        if a.xml not in attrs:
            out.append(
                _diag(
                    "error",
                    a.code or rules.SCHEMA,
                    f"<{el.xml}> is missing the required attribute {a.xml!r}",
                    path,
                    node,
                )
            )
    if parent is not None and parent.parent_attr_rules:
        for pr in parent.parent_attr_rules.get(el.xml, ()):
            value = attrs.get(pr.attr)
            if value is not None and (not pr.values or attr_text(value) not in pr.values):
                out.append(_diag("error", pr.code, pr.reason, path, node))
    if r.text_ignored:
        if (node.value is not None or node.verbs) and _has_text(node):
            out.append(_diag("warning", rules.SCHEMA, f"text directly inside <{el.xml}> is ignored", path, node))
    elif r.content is not None:
        _check_content(node, r.content, path, out)
    if r.name_limit is not None or r.json_code is not None:
        text = _own_text(node).strip()
        if r.name_limit is not None and len(text) > r.name_limit[0]:
            out.append(
                _diag(
                    "error",
                    r.name_limit[1],
                    f"<{el.xml}> name is {len(text)} characters; the limit is {r.name_limit[0]}",
                    path,
                    node,
                )
            )
        if r.json_code is not None and text:
            try:
                json.loads(text)
            except ValueError as exc:
                out.append(_diag("error", r.json_code, f"<{el.xml}> text is not valid JSON ({exc})", path, node))
    if r.extra is not None:
        r.extra(node, r, path, out)


def _check_content(node: TwiML, c: rules.ContentRule, path: str, out: list[Diagnostic]) -> None:
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
    out.append(_diag(c.severity, c.code, c.message, path, node))


Frame = tuple[TwiML, "_Rules | None", "_Rules | None", str, "list[Diagnostic] | None"]


def validate(doc: TwiML) -> list[Diagnostic]:
    """Every problem found in `doc`, in document order; an empty list means Twilio will accept it."""
    out: list[Diagnostic] = []
    root_el = element_of(doc)
    dialect = root_el.dialect if root_el is not None else "voice"
    path = doc.name
    if doc.name != "Response":
        out.append(
            _diag("error", rules.ROOT_NOT_RESPONSE, f"the root element must be <Response>, not <{doc.name}>", path, doc)
        )
    if root_el is None:
        root_el = GRAMMAR.resolve(dialect, None, doc.name)
    _check_size(doc, out)

    stack: list[Frame] = [(doc, _rules_for(root_el) if root_el else None, None, path, None)]
    while stack:
        node, r, parent, path, early = stack.pop()
        if early:
            out.extend(early)
        if r is not None:
            _check_node(node, r, parent, path, out)
        if not node.verbs:
            continue
        frames = _child_frames(node, r, dialect, path)
        frames.reverse()
        stack.extend(frames)
    return out


def _child_frames(node: TwiML, r: _Rules | None, dialect: str, path: str) -> list[Frame]:
    """One stack frame per element child: its path, its grammar entry in this place, and the
    findings that belong to its position (misplaced, unknown, unreachable)."""
    frames: list[Frame] = []
    counts: dict[str, int] = {}
    ended: str | None = None
    left: str | None = None
    for kid in node.verbs:
        if isinstance(kid, str):
            continue
        name = kid.name
        if name[:1] == "#":
            continue
        i = counts[name] = counts.get(name, 0) + 1
        kid_path = f"{path}/{name}[{i}]"
        early: list[Diagnostic] | None = None
        kid_el: Element | None = None
        if r is not None:
            kid_el = r.allowed.get(name)
            if kid_el is None:
                kid_el = GRAMMAR.resolve(dialect, r.el, name)
                if kid_el is not None:
                    early = [
                        _diag("error", r.nesting_code, f"<{name}> is not allowed inside <{r.el.xml}>", kid_path, kid)
                    ]
                elif element_of(kid) is not None or name in _ALL_NAMES:
                    early = [
                        _diag("error", r.nesting_code, f"<{name}> is not a {dialect} TwiML element", kid_path, kid)
                    ]
                else:
                    early = [
                        _diag(
                            "warning", rules.SCHEMA, f"unknown element <{name}>{_suggest(dialect, name)}", kid_path, kid
                        )
                    ]
            if ended is not None:
                (early := early or []).append(
                    _diag("warning", rules.UNREACHABLE, f"<{name}> never runs: it follows <{ended}>", kid_path, kid)
                )
            elif left is not None:
                (early := early or []).append(
                    _diag(
                        "info",
                        rules.AFTER_ACTION,
                        f"<{name}> runs only if <{left}> cannot reach its action URL",
                        kid_path,
                        kid,
                    )
                )
            if ended is None and (r.ends or r.leaves):
                if name in r.ends:
                    ended = name
                elif left is None:
                    how = r.leaves.get(name)
                    if how is not None:
                        value = kid.attrs.get(how[0])
                        if value is not None and (attr_text(value) == how[1] if how[1] else attr_text(value)):
                            left = name
        else:
            kid_el = GRAMMAR.resolve(dialect, None, name)
        frames.append((kid, _rules_for(kid_el) if kid_el is not None else None, r, kid_path, early))
    return frames


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
            out.append(
                _diag("error", rules.PARSE_FAILURE, f"the document cannot be written as XML: {exc}", doc.name, doc)
            )
            return
    if size > rules.RESPONSE_BUDGET_BYTES:
        out.append(
            _diag(
                "error",
                rules.BODY_TOO_LARGE,
                f"the document is {size} bytes; Twilio fetches at most {rules.RESPONSE_BUDGET_BYTES}",
                doc.name,
                doc,
            )
        )
    if chars > rules.INLINE_BUDGET_CHARS:
        out.append(
            _diag(
                "info",
                rules.INLINE_TOO_LARGE,
                f"the document is {chars} characters; inline TwiML (the REST 'Twiml' parameter) "
                f"takes at most {rules.INLINE_BUDGET_CHARS}",
                doc.name,
                doc,
            )
        )
