"""The shapes of the grammar table (`twiml.grammar`): elements, attributes, body text.

Kept apart from the table so the table file is nothing but data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

AttrType = Literal["string", "int", "bool", "url", "enum", "list", "float"]
STRING: AttrType = "string"
INT: AttrType = "int"
BOOL: AttrType = "bool"
URL: AttrType = "url"
ENUM: AttrType = "enum"
LIST: AttrType = "list"
FLOAT: AttrType = "float"

BodyKind = Literal["none", "optional", "required"]

MODULES: dict[str, str] = {"voice": "voice_response", "messaging": "messaging_response", "fax": "fax_response"}
"""The module of `twiml` (and of `twilio.twiml`) that holds each dialect's classes."""


@dataclass(frozen=True)
class Attr:
    """One XML attribute of an element and the Python keyword that writes it."""

    kwarg: str
    xml: str
    type: AttrType
    values: tuple[str, ...] = ()
    """Allowed values (enum) or allowed tokens (list); empty when free."""
    open: bool = False
    """True when `values` is advisory (voices, languages): Twilio adds values often."""
    default: str | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
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
    doc: str = ""


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
class Element:
    """One TwiML element as one builder class of one dialect."""

    dialect: Literal["voice", "messaging", "fax"]
    cls: str
    xml: str
    body: Body | None = None
    attrs: tuple[Attr, ...] = ()
    children: tuple[str, ...] = ()
    """Classes Twilio accepts directly inside this element (documented nesting)."""
    methods: tuple[tuple[str, str], ...] = ()
    """Builder methods on this class: (method name, class of the child it creates)."""
    in_twilio: bool = True
    """False for classes twilio 9.13 does not have (code exported for twilio avoids them)."""
    not_in_twilio: tuple[str, ...] = ()
    """Names among `methods` that twilio 9.13 lacks (our extensions)."""
    errors: dict[int, str] = field(default_factory=dict)
    notes: str = ""
    doc: str = ""
    _by_xml: dict[str, Attr] = field(init=False, repr=False, compare=False)
    _by_kwarg: dict[str, Attr] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_xml", {a.xml: a for a in self.attrs})
        object.__setattr__(self, "_by_kwarg", {a.kwarg: a for a in self.attrs})

    @property
    def key(self) -> tuple[str, str]:
        return (self.dialect, self.cls)

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
            self._by_xml.setdefault((e.dialect, e.xml), []).append(e)
        self._child: dict[tuple[str, str, str], Element] = {}
        for e in elements:
            for cls in dict.fromkeys((*e.children, *(c for _, c in e.methods))):
                kid = self._by_key[(e.dialect, cls)]
                self._child.setdefault((e.dialect, e.cls, kid.xml), kid)

    def get(self, dialect: str, cls: str) -> Element:
        return self._by_key[(dialect, cls)]

    def find(self, dialect: str, cls: str) -> Element | None:
        return self._by_key.get((dialect, cls))

    def by_xml(self, dialect: str, xml: str) -> list[Element]:
        """Every class of the dialect that renders as this XML name (Sip has two)."""
        return self._by_xml.get((dialect, xml), [])

    def child(self, parent: Element, xml: str) -> Element | None:
        """The class an XML child of `parent` stands for: documented nesting or a builder method."""
        return self._child.get((parent.dialect, parent.cls, xml))

    def resolve(self, dialect: str, parent: Element | None, xml: str) -> Element | None:
        """Best class for `xml` found under `parent`, falling back to any class with that name."""
        if parent is not None:
            kid = self.child(parent, xml)
            if kid is not None:
                return kid
        found = self.by_xml(dialect, xml)
        return found[0] if found else None

    def root(self, dialect: str) -> Element:
        return self.by_xml(dialect, "Response")[0]

    def allowed_children(self, parent: Element) -> tuple[Element, ...]:
        """Elements Twilio accepts inside `parent`, in table order (for add-menus)."""
        return tuple(self._by_key[(parent.dialect, c)] for c in parent.children)


def element_of(node: object) -> Element | None:
    """The grammar entry of a builder node; None for GenericNode, comments and foreign objects."""
    return getattr(type(node), "_element", None)
