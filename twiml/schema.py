"""Publish the grammar as an XML Schema (XSD 1.0) or a JSON Schema, for editors and other tools.

Both are generated from `twiml.grammar.GRAMMAR`, never written by hand, so they can never drift
from the validator. The XSD is as strict as the validator is at warning level and above: every
document `twiml validate` passes (default `--fail-on warning`) validates against it, and every
element the validator reports as misplaced or unknown is rejected by it. What only the
validator can say (Twilio's codes, limits across elements, voice/language pairs) stays there.

- Values Twilio may have added since (voices, languages: `Attr.open`) are a union of the known
  values and any text, so editors still offer the known ones.
- A namespaced extension (Polly's ``<amazon:effect>``) is allowed anywhere, as the validator
  only notes it.
- `kind="all"` (the default) describes one ``<Response>`` that takes the verbs of every
  kind (voice, messaging, fax): one file for a whole flow folder. An element that two
  kinds both have at the top (``<Redirect>``, ``<Reject>``) takes the attributes and children
  of either.

The JSON Schema describes the same documents as JSON: each element an object
``{"element": "Gather", "attributes": {"numDigits": "1"}, "text": "...", "children": [...]}``
(`to_json` writes that form from a parsed document).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from twiml.grammar import GRAMMAR
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, LIST, Attr, Element

if TYPE_CHECKING:
    from twiml.base import TwiML

__all__ = ["KINDS", "attr_doc", "docs_url", "json_schema", "to_json", "xsd"]

KINDS = ("all", "voice", "messaging", "fax")
"""What a schema can describe: one kind of document (`twiml.grammar_types.Kind`), or all three."""
SchemaKind = Literal["all", "voice", "messaging", "fax"]
XS = "http://www.w3.org/2001/XMLSchema"
XML_NS = "http://www.w3.org/XML/1998/namespace"
DOCS = "https://www.twilio.com/docs"


def _roots(kind: str) -> list[Element]:
    names = ("voice", "messaging", "fax") if kind == "all" else (kind,)
    return [GRAMMAR.root(d) for d in names]


def _type_name(els: Iterable[Element]) -> str:
    """One complexType per grammar entry (`voice.Gather`), or per merged set (`voice.Redirect_messaging.Redirect`)."""
    return "_".join(f"{e.kind}.{e.cls}" for e in els)


def _doc_text(el: Element) -> str:
    return el.doc + (f"\n{DOCS}/{_doc_path(el)}" if _doc_path(el) else "")


def _doc_path(el: Element) -> str:
    return docs_url(el).removeprefix(DOCS + "/")


_CONNECT_NOUNS = frozenset({"VirtualAgent", "ConversationRelay", "Room", "Conversation", "Autopilot"})
_PAGE_OF = {"Parameter": "pay/twiml-voice-parameter", "Prompt": "pay/prompt", "Application": "dial/application"}


def docs_url(el: Element) -> str:
    """Twilio's page for an element: its own page, its verb's page (SSML, Connect nouns), or the kind's."""
    if el.xml == "Response":
        return f"{DOCS}/{el.kind}/twiml"
    if el.kind != "voice":
        return f"{DOCS}/{el.kind}/twiml/{el.xml.lower()}"
    if el.cls.startswith("Ssml"):
        return f"{DOCS}/voice/twiml/say/text-speech"
    if el.xml in _CONNECT_NOUNS:
        return f"{DOCS}/voice/twiml/connect/{el.xml.lower()}"
    return f"{DOCS}/voice/twiml/{_PAGE_OF.get(el.xml, el.xml.lower())}"


def attr_doc(a: Attr) -> str:
    """An attribute's documentation with its type and default, for annotations and hovers."""
    parts = [a.doc]
    if a.default is not None:
        parts.append(f"Default: {a.default}.")
    if a.required:
        parts.append("Required.")
    return " ".join(p for p in parts if p)


# ------------------------------------------------------------------------------------------------ XSD


class _Xsd:
    def __init__(self, kind: str) -> None:
        from lxml import etree

        self.etree = etree
        self.root = etree.Element(f"{{{XS}}}schema", nsmap={"xs": XS})
        self.root.set("elementFormDefault", "unqualified")
        self.done: set[str] = set()
        self.shared: dict[tuple[tuple[str, ...], bool], str] = {}
        self.kind = kind
        self.comment(
            f"TwiML ({kind if kind != 'all' else 'voice, messaging and fax'}), generated from the twiml "
            "toolkit's grammar by: twiml schema (format xsd); do not edit."
        )

    def comment(self, text: str) -> None:
        self.root.append(self.etree.Comment(f" {text} "))

    def sub(self, parent: Any, tag: str, **attrs: str) -> Any:
        return self.etree.SubElement(parent, f"{{{XS}}}{tag}", attrs)

    def annotate(self, parent: Any, text: str) -> None:
        if text:
            ann = self.sub(parent, "annotation")
            self.sub(ann, "documentation").text = text

    def build(self) -> bytes:
        roots = _roots(self.kind)
        response = self.sub(self.root, "element", name="Response", type=self.complex(roots))
        self.annotate(response, " ".join(r.doc for r in roots) if len(roots) == 1 else "Root of a TwiML document.")
        out: bytes = self.etree.tostring(self.root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
        return out

    def complex(self, els: list[Element]) -> str:
        """The complexType for one grammar entry, or for several merged (same name, several kinds)."""
        name = _type_name(els)
        if name in self.done:
            return name
        self.done.add(name)
        ct = self.sub(self.root, "complexType", name=name)
        if any(e.body is not None and e.body.kind != "none" for e in els):
            ct.set("mixed", "true")
        self.annotate(ct, "\n".join(_doc_text(e) for e in els))
        choice = self.sub(ct, "choice", minOccurs="0", maxOccurs="unbounded")
        by_name: dict[str, list[Element]] = {}
        for e in els:
            for kid in GRAMMAR.allowed_children(e):
                by_name.setdefault(kid.xml, []).append(kid)
        for xml_name, kids in by_name.items():
            kid_el = self.sub(choice, "element", name=xml_name)
            self.annotate(kid_el, kids[0].doc)
            kid_el.set("type", self.complex(kids))
        self.sub(choice, "any", namespace="##other", processContents="lax")
        attrs: dict[str, list[Attr]] = {}
        for e in els:
            for a in e.attrs:
                attrs.setdefault(a.xml, []).append(a)
        for xml_name, versions in attrs.items():
            if xml_name.startswith("xml:"):
                continue  # xml:lang: the XML namespace's own attribute, allowed below
            a = versions[0]
            node = self.sub(ct, "attribute", name=xml_name)
            if all(a.required for a in versions) and len(versions) == len(els):
                node.set("use", "required")
            self.annotate(node, attr_doc(a))
            if all(v == a for v in versions):
                self.simple(node, a)
        if any(a.startswith("xml:") for a in attrs):
            self.sub(ct, "anyAttribute", namespace=XML_NS, processContents="lax")
        return name

    def simple(self, node: Any, a: Attr) -> None:
        """The value type of an attribute: at most as strict as the validator's warning-level checks."""
        base, facets = "xs:string", list[tuple[str, str]]()
        if a.type == INT:
            base = "xs:integer"
        elif a.type == FLOAT:
            base = "xs:double"
        if a.type in (INT, FLOAT):
            if a.min is not None:
                facets.append(("minInclusive", _num(a.min)))
            if a.max is not None:
                facets.append(("maxInclusive", _num(a.max)))
        if a.pattern:
            facets.append(("pattern", a.pattern))
        if a.max_length is not None:
            facets.append(("maxLength", str(a.max_length)))
        values: tuple[str, ...] = ()
        if a.type == BOOL:
            values = ("true", "false")
        elif a.type == ENUM and a.values:
            values = a.values
        if a.type == LIST:
            if not (a.values or a.item_type == INT):
                return
            st = self.sub(node, "simpleType")
            lst = self.sub(st, "list")
            item = self.sub(lst, "simpleType")
            if a.item_type == INT:
                self.sub(item, "restriction", base="xs:integer")
            else:
                self.values(item, a.values, a.open)
            return
        if values and len(values) > 12 and not facets:  # voices, languages: one named type, shared
            key = (values, a.open)
            name = self.shared.get(key)
            if name is None:
                name = self.shared[key] = f"values.{len(self.shared) + 1}"
                self.values(self.sub(self.root, "simpleType", name=name), values, a.open)
            node.set("type", name)
        elif values:
            self.values(self.sub(node, "simpleType"), values, a.open, facets)
        elif base != "xs:string" or facets:
            r = self.sub(self.sub(node, "simpleType"), "restriction", base=base)
            for facet, value in facets:
                self.sub(r, facet, value=value)

    def values(self, st: Any, values: tuple[str, ...], open: bool, facets: Iterable[tuple[str, str]] = ()) -> None:
        """An enumeration; for an advisory table a union with any text (editors still offer the values)."""
        if open:
            union = self.sub(st, "union", memberTypes="xs:string")
            st = self.sub(union, "simpleType")
        r = self.sub(st, "restriction", base="xs:string")
        for v in values:
            self.sub(r, "enumeration", value=v)
        for facet, value in facets:
            if facet != "pattern":
                self.sub(r, facet, value=value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def xsd(kind: SchemaKind = "all", *, dialect: SchemaKind | None = None) -> str:
    """The XML Schema of TwiML documents of `kind` ("all": one <Response> for every kind)."""
    return _Xsd(_checked_kind(kind, dialect)).build().decode("utf-8")


def _checked_kind(kind: str, dialect: str | None) -> str:
    """`kind`, or the old keyword `dialect=` (deprecated for one release: "dialect" now means the
    vendor, `twiml.dialects`); ValueError for anything else."""
    if dialect is not None:
        warnings.warn("twiml.schema: dialect= is deprecated, use kind=", DeprecationWarning, stacklevel=3)
        kind = dialect
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    return kind


# ----------------------------------------------------------------------------------------- JSON Schema


def _json_value(a: Attr) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if a.doc:
        schema["description"] = attr_doc(a)
    if a.default is not None:
        schema["default"] = a.default
    if a.type == BOOL:
        schema["enum"] = ["true", "false"]
    elif a.type == ENUM and a.values:
        if a.open:
            schema["examples"] = list(a.values)
        else:
            schema["enum"] = list(a.values)
    elif a.type == INT:
        schema["pattern"] = r"^\s*[+-]?[0-9]+\s*$"
    elif a.type == LIST and a.values:
        schema["examples"] = list(a.values)
    if a.pattern:
        schema["pattern"] = f"^(?:{a.pattern})$"
    if a.max_length is not None:
        schema["maxLength"] = a.max_length
    return schema


def json_schema(kind: SchemaKind = "all", *, dialect: SchemaKind | None = None) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of TwiML documents in the JSON form `to_json` writes."""
    which = _checked_kind(kind, dialect)
    defs: dict[str, Any] = {}
    pending = list(_roots(which))
    while pending:
        el = pending.pop()
        key = _type_name([el])
        if key in defs:
            continue
        kids = GRAMMAR.allowed_children(el)
        pending.extend(kids)
        props: dict[str, Any] = {
            "element": {"const": el.xml},
            "attributes": {
                "type": "object",
                "properties": {a.xml: _json_value(a) for a in el.attrs},
                "required": [a.xml for a in el.attrs if a.required],
                "additionalProperties": False,
            },
        }
        if el.body is not None and el.body.kind != "none":
            props["text"] = {"type": "string", "description": el.body.meaning}
        props["children"] = {
            "type": "array",
            "items": {
                "anyOf": [*({"$ref": f"#/$defs/{_type_name([k])}"} for k in kids), {"$ref": "#/$defs/extension"}]
            },
        }
        defs[key] = {
            "type": "object",
            "description": _doc_text(el),
            "properties": props,
            "required": ["element"],
            "additionalProperties": False,
        }
    defs["extension"] = {
        "type": "object",
        "description": "A namespaced extension such as Polly's <amazon:effect>: passed to the voice provider.",
        "properties": {"element": {"type": "string", "pattern": ":"}},
        "required": ["element"],
    }
    roots = [{"$ref": f"#/$defs/{_type_name([r])}"} for r in _roots(which)]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://twiml-toolkit.invalid/schema/twiml-{which}.json",
        "title": "TwiML document (JSON form), generated by `twiml schema --format json-schema`",
        **({"anyOf": roots} if len(roots) > 1 else roots[0]),
        "$defs": dict(sorted(defs.items())),
    }


def to_json(node: TwiML) -> dict[str, Any]:
    """A parsed or built document in the JSON form `json_schema` describes (comments left out)."""
    from twiml.serialize import attr_text

    out: dict[str, Any] = {"element": node.name}
    if node.attrs:
        out["attributes"] = {
            k: v if isinstance(v, str) else attr_text(v) for k, v in node.attrs.items() if not k.startswith("xmlns")
        }
    text = "".join(v for v in node.verbs if isinstance(v, str))
    if isinstance(node.value, str):
        text = node.value + text
    if text.strip():
        out["text"] = text
    kids = [to_json(k) for k in node.verbs if not isinstance(k, str) and k.name[:1] != "#"]
    if kids:
        out["children"] = kids
    return out


def __getattr__(name: str) -> object:
    """`DIALECTS`, the old name of `KINDS`, for one release."""
    if name == "DIALECTS":
        warnings.warn("twiml.schema.DIALECTS is deprecated, use KINDS", DeprecationWarning, stacklevel=2)
        return KINDS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
