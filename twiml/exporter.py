"""Turn a TwiML document into the Python builder code that rebuilds it.

Everything about elements comes from the grammar: which builder method creates a child of a
parent (`Element.methods`), each attribute's keyword (`Attr.kwarg`) and the body's parameter
(`Body.param`). What the builder cannot say directly (unknown elements, attribute names the
keyword mangling would change, comments) falls back to `add_child`, `**{...}` or `.attrs[...]`,
so executing the snippet always gives back the same XML.
"""

from __future__ import annotations

import keyword
import math
import re
from typing import Any

from twiml.base import TwiML, is_markup
from twiml.grammar_types import MODULES, Attr, Element, element_of
from twiml.serialize import markup_text

__all__ = ["to_python"]


_RESERVED = frozenset({"print", "float", "response", "Comment", "GenericNode", "ProcessingInstruction"})
"""Names the snippet itself uses; variables never take them."""


def _literal(value: Any) -> str:
    """A Python literal for a value, strings double-quoted when that needs no escaping."""
    if isinstance(value, str):
        text = repr(value)
        if text[0] == "'" and '"' not in value:
            text = '"' + text[1:-1] + '"'
        return text
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else f'float("{value!r}")'
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bytes):
        return repr(value)
    return _literal(str(value))


_CANONICAL_INT = re.compile(r"0|-?[1-9][0-9]{0,17}")


def _natural(value: Any, attr: Attr) -> Any:
    """Parsed values are strings; write `num_digits=1` and `barge_in=False` where the grammar
    says int or bool and the text is exactly what that Python value renders as."""
    if isinstance(value, str):
        if attr.type == "int" and _CANONICAL_INT.fullmatch(value):
            return int(value)
        if attr.type == "bool" and value in ("true", "false"):
            return value == "true"
    return value


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    name = re.sub(r"\W+", "_", name).strip("_")
    return name or "node"


class _Writer:
    def __init__(self, import_root: str) -> None:
        self.root = import_root
        self.twilio = import_root != "twiml"
        self.lines: list[str] = []
        self.imports: dict[str, dict[str, None]] = {}
        self.taken: dict[str, int] = {}
        self.used: set[str] = set()
        self.owners: dict[str, str] = {}

    def need(self, module: str, name: str) -> str:
        """Import `name` from `module`; a second class of the same name (another kind's
        Redirect, say) is imported under an alias."""
        alias = name
        owner = self.owners.setdefault(name, module)
        if owner != module:
            alias = "".join(p.title() for p in module.rsplit(".", 1)[-1].split("_")[:1]) + name
            self.owners.setdefault(alias, module)
        self.imports.setdefault(module, {})[name if alias == name else f"{name} as {alias}"] = None
        return alias

    def var(self, base: str) -> str:
        base = _snake(base)
        if base[0].isdigit():
            base = "node_" + base
        if keyword.iskeyword(base) or base in _RESERVED:
            base += "_node"
        count = self.taken.get(base, 0)
        while True:  # never a name already given: `a_2` may be an element's own name
            count += 1
            name = base if count == 1 else f"{base}_{count}"
            if name not in self.used:
                break
        self.taken[base] = count
        self.used.add(name)
        return name

    def class_name(self, element: Element) -> str | None:
        if self.twilio and not element.in_twilio:
            return None  # becomes add_child(...), which twilio renders the same way
        return self.need(f"{self.root}.{MODULES[element.kind]}", element.cls)

    def method(self, parent: Element | None, element: Element) -> str | None:
        if parent is None or parent.kind != element.kind:
            return None
        for name, cls in parent.methods:
            if cls == element.cls:
                if self.twilio and name in parent.not_in_twilio:
                    return None
                return name
        return None

    def arguments(
        self, node: TwiML, element: Element | None, params: set[str], positional: list[str], via_method: bool
    ) -> tuple[str, list[tuple[str, Any]]]:
        """Argument list, plus attributes that must be set afterwards on `.attrs`.

        Keywords go through the builder's name mangling (snake_case -> lowerCamel, `from_` ...),
        so a name with `_`, a reserved keyword or one that clashes with a parameter is set directly.
        """
        keywords: list[str] = []
        extra: list[str] = []
        late: list[tuple[str, Any]] = []
        for key, value in node.attrs.items():
            attr = element.attr(key) if element is not None else None
            if value is None:
                late.append((key, value))
            elif attr is not None and attr.keyword and (via_method or attr.kwarg not in params):
                keywords.append(f"{attr.kwarg}={_literal(_natural(value, attr))}")
            elif "_" in key or key in params:
                late.append((key, value))
            else:
                extra.append(f"{_literal(key)}: {_literal(value)}")
        args = positional + keywords
        if extra:
            args.append("**{" + ", ".join(extra) + "}")
        return ", ".join(args), late

    def emit(self, node: TwiML, parent_var: str | None, parent: Element | None) -> None:
        """Write the statement(s) that create `node` under `parent_var` (None: the root)."""
        element = element_of(node)
        verbs = [v for v in node.verbs if not (isinstance(v, str) and v == "")]
        body_param = element.body.param if element is not None and element.body is not None else None
        value = node.value
        loose_value = value is not None and value != "" and body_param is None and element is not None
        if self.twilio:
            value, verbs, loose_value = _twilio_text(value, verbs, loose_value)
        method = self.method(parent, element) if element is not None and parent_var is not None else None
        cls = self.class_name(element) if element is not None and method is None else None
        generic = element is None or (method is None and cls is None)

        positional: list[str] = []
        if generic:
            params = {"self", "name", "value"}
            positional.append(_literal(node.name))
            if value is not None or parent_var is None:  # GenericNode() requires the value
                positional.append(_literal(value))
        else:
            assert element is not None
            params = {"self"}
            if body_param is not None:
                params.add(body_param)
                if value is not None or (element.body is not None and element.body.param_required):
                    positional.append(_literal(value))
            if method is not None:
                params.update(a.kwarg for a in element.keyword_attrs)
        args, late = self.arguments(node, None if generic else element, params, positional, method is not None)

        needs_var = bool(verbs) or bool(late) or loose_value or parent_var is None
        if parent_var is None:
            name = "response"
        elif needs_var:
            base = (
                method.rstrip("_")
                if method
                else (element.cls if element is not None and not generic else str(node.name))
            )
            name = self.var(base)
        else:
            name = ""
        if generic:
            if parent_var is None:
                ctor = self.need(self.root, "GenericNode")
                call = f"{ctor}({args})"
            else:
                call = f"{parent_var}.add_child({args})"
        elif method is not None:
            call = f"{parent_var}.{method}({args})"
        elif parent_var is None:
            call = f"{cls}({args})"
        else:
            call = f"{parent_var}.{'nest' if needs_var else 'append'}({cls}({args}))"
        self.lines.append(f"{name} = {call}" if needs_var else call)
        for key, val in late:
            self.lines.append(f"{name}.attrs[{_literal(key)}] = {_literal(val)}")
        if loose_value:
            self.lines.append(f"{name}.append({_literal(value if isinstance(value, str) else str(value))})")
        for verb in verbs:
            if isinstance(verb, str):
                self.lines.append(f"{name}.append({_literal(verb)})")
            elif is_markup(verb):
                if self.twilio:
                    self.python_comment(verb)
                else:
                    self.lines.append(f"{name}.append({self.markup(verb)})")
            else:
                self.emit(verb, name, element if not generic else None)
        if parent_var is None:
            for where in ("prolog", "epilog"):
                items = getattr(node, where, ())
                if not items:
                    continue
                if self.twilio:  # twilio cannot write these; keep them readable in the snippet
                    self.lines.append(f"# {where} (twilio cannot write it):")
                    for item in items:
                        self.python_comment(item)
                else:
                    self.lines.append(f"{name}.{where} = [{', '.join(self.markup(m) for m in items)}]")

    def markup(self, node: TwiML) -> str:
        """Constructor call for a comment or processing instruction."""
        if node.name == "#pi":
            cls = self.need("twiml.base", "ProcessingInstruction")
            return f"{cls}({_literal(getattr(node, 'target', ''))}, {_literal(node.value)})"
        return f"{self.need('twiml.base', 'Comment')}({_literal(node.value)})"

    def python_comment(self, node: TwiML) -> None:
        text = str(node.value) if node.name == "#comment" else markup_text(node)
        self.lines.extend(("# " + line.strip()).rstrip() for line in text.strip().splitlines() or [""])

    def source(self) -> str:
        head = [f"from {module} import {', '.join(names)}" for module, names in sorted(self.imports.items())]
        return "\n".join([*head, "", *self.lines, "", "print(response)", ""])


def _is_comment(verb: TwiML | str) -> bool:
    """Comments and processing instructions: the twilio export writes them as Python comments."""
    return is_markup(verb)


def _twilio_text(value: Any, verbs: list[TwiML | str], loose: bool) -> tuple[Any, list[TwiML | str], bool]:
    """Text pieces as twilio can hold them: its `xml()` gives each gap between child elements
    one string (the body, or the previous child's tail) and a second string replaces the first.
    Comments (Python comments in this export) split a gap into pieces; join them again, the
    body included, so the rebuilt XML keeps every character."""
    out: list[TwiML | str] = []
    text_at: int | None = None  # index in `out` of the string of the current gap
    if isinstance(value, str) and value and loose:  # a body twilio writes first: the gap's start
        out.append(value)
        text_at, value, loose = 0, None, False
    lead_body = isinstance(value, str) and value != ""
    for verb in verbs:
        if isinstance(verb, str):
            if text_at is not None:
                out[text_at] = str(out[text_at]) + verb
            elif lead_body and not any(not _is_comment(v) for v in out):
                value += verb  # text before the first child joins the body
            else:
                text_at = len(out)
                out.append(verb)
        else:
            if not _is_comment(verb):
                text_at = None
            out.append(verb)
    return value, out, loose


def to_python(doc: TwiML, import_root: str = "twiml") -> str:
    """Python source that rebuilds `doc` with the builder API and prints it.

    ``import_root="twilio.twiml"`` writes imports for the twilio package instead; our extensions
    twilio lacks become ``add_child`` calls and comments become Python comments (twilio cannot
    write XML comments), so there the rebuilt XML has no comments (nor processing instructions).
    """
    if not isinstance(doc, TwiML):
        raise TypeError(f"to_python() needs a TwiML node, not {type(doc).__name__}")
    writer = _Writer(import_root)
    writer.emit(doc, None, None)
    return writer.source()
