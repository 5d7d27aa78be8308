"""The shapes of the grammar table (`twiml.grammar`): elements, attributes, body text.

Kept apart from the table so the table file is nothing but data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

from twiml.codes import CODES, MISSING_CONTENT, SCHEMA
from twiml.naming import attribute_name, element_name, method_name

AttrType = Literal["string", "int", "bool", "url", "enum", "list", "float"]
STRING: AttrType = "string"
INT: AttrType = "int"
BOOL: AttrType = "bool"
URL: AttrType = "url"
ENUM: AttrType = "enum"
LIST: AttrType = "list"
FLOAT: AttrType = "float"

BodyKind = Literal["none", "optional", "required"]
Kind = Literal["voice", "messaging", "fax"]
"""The document kind, one per response class (`Element.kind`): a call's, a text's or a fax's TwiML.
The one name for it everywhere; "dialect" means the vendor running the document (`twiml.dialects`)."""

MODULES: dict[str, str] = {"voice": "voice_response", "messaging": "messaging_response", "fax": "fax_response"}
"""The module of `twiml` (and of `twilio.twiml`) that holds each kind's classes."""


@dataclass(frozen=True)
class Attr:
    """One XML attribute of an element and the Python keyword that writes it.

    The XML name follows from the keyword by twilio's rule (`twiml.naming.attribute_name`)."""

    kwarg: str
    type: AttrType
    values: tuple[str, ...] = ()
    """Allowed values (enum) or allowed tokens (list); empty when free."""
    open: bool = False
    """True when `values` is advisory (voices, languages): Twilio adds values often."""
    prefixes: tuple[str, ...] = ()
    """Value families accepted whole (a vendor's voices: ``Polly.``, ``Azure.``); checked before `values`."""
    default: str | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    """Regular expression the *whole* value must match (`re.fullmatch`)."""
    max_length: int | None = None
    item_type: AttrType | None = None
    required: bool = False
    code: int | None = None
    """Twilio error code reported for an invalid value, where one exists."""
    verified: bool = True
    """False where no Twilio source confirms the type or range: checks then only warn."""
    keyword: bool = True
    """False when Twilio documents the attribute but twilio 9.13's builder has no keyword for it
    (it is still reachable through ``**kwargs``)."""
    schemes: tuple[str, ...] = ()
    """URL schemes an absolute URL must use (WebSockets: ``wss://``); empty for any."""
    empty_ok: bool = False
    """An empty URL means something here (e.g. no hold music) rather than a mistake."""
    source: str = ""
    """Twilio page that confirms the values, where one was checked."""
    doc: str = ""
    xml_name: str = ""
    """The XML name where twilio's rule cannot make it (a vendor's ``webHookURL``, ``voice_speed``)."""
    xml: str = field(init=False, default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xml", self.xml_name or attribute_name(self.kwarg))


@dataclass(frozen=True)
class Body:
    """What the text content of an element means and how the builder takes it."""

    kind: BodyKind
    param: str | None = None
    """Name of the constructor's / builder method's first positional parameter."""
    param_required: bool = False
    meaning: str = ""
    example: str = ""
    """A working starting value for a freshly added element (editor) or a form placeholder."""


@dataclass(frozen=True)
class Content:
    """An element that must say *something*: body text, or one of these children or attributes."""

    message: str
    children: tuple[str, ...] = ()
    """XML names of children that count as content; ("*",) means any element child."""
    attrs: tuple[str, ...] = ()
    code: int | str = MISSING_CONTENT


@dataclass(frozen=True)
class ChildAttr:
    """An attribute of a child that this parent restricts: forbidden, or limited to `values`."""

    child: str
    """Class of the child."""
    attr: str
    values: tuple[str, ...]
    """Allowed values; empty means the attribute is not allowed there at all."""
    code: int
    reason: str


@dataclass(frozen=True)
class Element:
    """One TwiML element as one builder class of one kind, with the rules Twilio applies to it."""

    kind: Kind
    cls: str
    xml: str = ""
    """XML name; derived from the class name (`twiml.naming.element_name`) unless written."""
    body: Body | None = None
    attrs: tuple[Attr, ...] = ()
    children: tuple[str, ...] = ()
    """Classes Twilio accepts directly inside this element (documented nesting)."""
    methods: tuple[tuple[str, str], ...] = ()
    """Builder methods on this class: (method name, class of the child it creates); see `builds`.
    Derived from `children` (one method per child class) unless written."""
    in_twilio: bool = True
    """False for classes twilio 9.13 does not have (code exported for twilio avoids them)."""
    not_in_twilio: tuple[str, ...] = ()
    """Names among `methods` that twilio 9.13 lacks (our extensions)."""
    codes: tuple[int, ...] = ()
    """Twilio codes tied to this element; their texts and levels are in `twiml.codes.CODES`."""
    nesting_code: int = SCHEMA
    """Code reported for a child this element does not accept."""
    content: Content | None = None
    """What the element must contain, where a plain required body does not say it."""
    text_limit: tuple[int, int] | None = None
    """(most characters of the body text, code reported beyond it)."""
    json_code: int | None = None
    """The body must be JSON; code reported when it is not."""
    child_attr_codes: tuple[tuple[str, str, int], ...] = ()
    """(child XML name, attribute, code): the code a child's bad value gets inside this element."""
    child_attrs: tuple[ChildAttr, ...] = ()
    ends: bool = False
    """Nothing after this verb at the top level runs (Hangup, Redirect, ...)."""
    hands_off: tuple[str, str | None] | None = None
    """(attribute, value): the verb hands the call to a URL when the attribute is set (to the value,
    if given), so verbs after it run only when that request fails."""
    checks: tuple[str, ...] = ()
    """Named checks that cannot be data (`twiml.validator` registers them under these names)."""
    notes: str = ""
    doc: str = ""
    _by_xml: dict[str, Attr] = field(init=False, repr=False, compare=False)
    _by_kwarg: dict[str, Attr] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.xml:
            object.__setattr__(self, "xml", element_name(self.cls))
        if not self.methods and self.children:
            object.__setattr__(self, "methods", builds(*self.children))
        object.__setattr__(self, "_by_xml", {a.xml: a for a in self.attrs})
        object.__setattr__(self, "_by_kwarg", {a.kwarg: a for a in self.attrs})

    @property
    def errors(self) -> dict[int, str]:
        """Twilio's level and message for each of this element's codes, as Twilio's debugger shows them."""
        return {c: f"{CODES[c].level.upper()}: {CODES[c].text}" for c in self.codes}

    @property
    def dialect(self) -> Kind:
        """Deprecated name of `kind`, kept for one release: "dialect" now means the vendor."""
        warnings.warn(
            "Element.dialect is deprecated: use Element.kind (dialect now means the vendor: twiml.dialects)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.kind

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.cls)

    @property
    def text_param(self) -> str | None:
        return self.body.param if self.body else None

    def attr(self, xml_name: str) -> Attr | None:
        """The attribute with this XML name, or None when the grammar does not know it."""
        return self._by_xml.get(xml_name)

    def attr_by_kwarg(self, kwarg: str) -> Attr | None:
        return self._by_kwarg.get(kwarg)

    @property
    def keyword_attrs(self) -> tuple[Attr, ...]:
        """Attributes in builder-signature order (the ones twilio has keywords for)."""
        return tuple(a for a in self.attrs if a.keyword)


class Grammar:
    """Lookups over the element table; built once at import."""

    def __init__(self, elements: tuple[Element, ...]) -> None:
        self.elements = elements
        self._by_key: dict[tuple[str, str], Element] = {e.key: e for e in elements}
        self._by_xml: dict[tuple[str, str], list[Element]] = {}
        for e in elements:
            self._by_xml.setdefault((e.kind, e.xml), []).append(e)
        self._child: dict[tuple[str, str, str], Element] = {}
        for e in elements:
            for cls in dict.fromkeys((*e.children, *(c for _, c in e.methods))):
                kid = self._by_key[(e.kind, cls)]
                self._child.setdefault((e.kind, e.cls, kid.xml), kid)

    def get(self, kind: str, cls: str) -> Element:
        return self._by_key[(kind, cls)]

    def find(self, kind: str, cls: str) -> Element | None:
        return self._by_key.get((kind, cls))

    def by_xml(self, kind: str, xml: str) -> list[Element]:
        """Every class of the kind that renders as this XML name (Sip has two)."""
        return self._by_xml.get((kind, xml), [])

    def child(self, parent: Element, xml: str) -> Element | None:
        """The class an XML child of `parent` stands for: documented nesting or a builder method."""
        return self._child.get((parent.kind, parent.cls, xml))

    def resolve(self, kind: str, parent: Element | None, xml: str) -> Element | None:
        """Best class for `xml` found under `parent`, falling back to any class with that name."""
        if parent is not None:
            kid = self.child(parent, xml)
            if kid is not None:
                return kid
        found = self.by_xml(kind, xml)
        return found[0] if found else None

    def root(self, kind: str) -> Element:
        return self.by_xml(kind, "Response")[0]

    def allowed_children(self, parent: Element) -> tuple[Element, ...]:
        """Elements Twilio accepts inside `parent`, in table order (for add-menus)."""
        return tuple(self._by_key[(parent.kind, c)] for c in parent.children)


def builds(*children: str | tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """Builder methods from child classes: the method name follows from the child's XML name
    (`twiml.naming.method_name`); a (method, class) pair is an exception written out."""
    return tuple(c if isinstance(c, tuple) else (method_name(element_name(c)), c) for c in children)


def element_of(node: object) -> Element | None:
    """The grammar entry of a builder node; None for GenericNode, comments and foreign objects."""
    return getattr(type(node), "_element", None)
