"""The node type every TwiML class shares: attributes, body text, children, and XML output."""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from typing import Any, Literal, TypeVar, overload

from twiml.errors import TwiMLException
from twiml.naming import KEY_CACHE, attribute_name, check_name, lower_camel
from twiml.serialize import to_string

__all__ = [
    "Comment",
    "GenericNode",
    "ProcessingInstruction",
    "TwiML",
    "TwiMLException",
    "format_language",
    "is_markup",
    "lower_camel",
]

_KEY_CACHE = KEY_CACHE

N = TypeVar("N", bound="TwiML")


_LANGUAGE = re.compile(r"^[a-zA-Z]{2}[_-][a-zA-Z]{2}$")


def format_language(language: str | None) -> str | None:
    """Normalise a two-part language tag such as ``en_us`` to ``en-US``.

    Kept for API parity with twilio; Twilio itself accepts many tags this rejects
    (``cmn-CN``, ``arb``), so the builder never calls it.
    """
    if not language:
        return language
    if not _LANGUAGE.match(language):
        raise TwiMLException("Invalid value for language parameter.")
    return language[0:2].lower() + "-" + language[3:5].upper()


def keyword_attrs(kwargs: dict[str, Any], element: str = "?") -> dict[str, Any]:
    """Attribute dict from builder keywords of `element`: None means 'not set' and is dropped."""
    get = _KEY_CACHE.get
    attrs: dict[str, Any] = {}
    for key, value in kwargs.items():
        if value is not None:
            attrs[get(key) or attribute_name(key, element)] = value
    return attrs


class TwiML:
    """A TwiML element: `name`, `attrs` (XML name -> value), body `value` and child `verbs`.

    Children are TwiML nodes or plain strings (mixed text); strings are written in place,
    so consecutive strings join rather than overwrite each other.
    """

    # Slots keep a node small (a parsed 50 MB document has about a million of them); `__dict__`
    # stays available, created only when something sets another attribute, as twilio allows.
    __slots__ = ("__dict__", "attrs", "source_column", "source_line", "value", "verbs")

    name: str = "TwiML"
    value: Any
    verbs: list[TwiML | str]
    attrs: dict[str, Any]
    source_line: int | None
    """Line of the element's start tag in the parsed text; unset on built nodes."""
    source_column: int | None
    prolog: Sequence[TwiML] = ()
    """Comments and processing instructions before the root element (parsed documents only;
    a list you may replace or edit). Written between the declaration and the root."""
    epilog: Sequence[TwiML] = ()
    """Comments and processing instructions after the root element."""

    def __init__(self, **kwargs: Any) -> None:
        self.value = None
        self.verbs = []
        self.attrs = keyword_attrs(kwargs, self.name) if kwargs else {}

    def __str__(self) -> str:
        return self.to_xml()

    def __repr__(self) -> str:
        try:
            xml = self.to_xml(xml_declaration=False)
        except (TwiMLException, RecursionError) as exc:  # a repr must not raise, e.g. in a traceback
            return f"<{type(self).__name__} name={self.name!r}, not writable: {exc}>"
        return f"<{type(self).__name__} {xml[:60]!r}>"

    def __enter__(self: N) -> N:
        return self

    def __exit__(self, exc_type: object, exc_value: object, traceback: object) -> Literal[False]:
        return False

    def to_xml(self, xml_declaration: bool = True, *, pretty: bool = False, indent: str = "  ") -> str:
        """The XML string; `pretty` indents elements without touching any text content."""
        return to_string(self, xml_declaration=xml_declaration, pretty=pretty, indent=indent)

    def xml(self) -> ET.Element:
        """The document as an ElementTree element (for code that post-processes twilio's tree)."""
        return ET.fromstring(self.to_xml(xml_declaration=False))

    def append(self: N, verb: TwiML | str) -> N:
        """Add a child (node or text) and return self, so calls chain."""
        self.nest(verb)
        return self

    @overload
    def nest(self, verb: str) -> str: ...
    @overload
    def nest(self, verb: N) -> N: ...

    def nest(self, verb: Any) -> Any:
        """Add a child (node or text) and return the child."""
        if not isinstance(verb, (TwiML, str)):
            raise TwiMLException("Only nesting of TwiML and strings are allowed")
        self.verbs.append(verb)
        return verb

    def add_child(self, name: str, value: Any = None, **kwargs: Any) -> GenericNode:
        """Add an element the builder has no method for; it renders as given."""
        return self.nest(GenericNode(name, value, **kwargs))

    def iter(self) -> Iterator[TwiML]:
        """This node and every node below it, depth first in document order."""
        stack: list[TwiML] = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(v for v in reversed(node.verbs) if isinstance(v, TwiML))

    @property
    def children(self) -> list[TwiML]:
        """Child nodes without the text pieces."""
        return [v for v in self.verbs if isinstance(v, TwiML)]

    def __deepcopy__(self: N, memo: dict[int, Any]) -> N:
        """A deep copy made without recursion per level (copy.deepcopy's own would need about six
        stack frames per level, so a document of `twiml.limits.MAX_DEPTH` levels could not be copied)."""
        import copy

        def shell(node: TwiML) -> TwiML:
            new = object.__new__(type(node))
            memo[id(node)] = new
            return new

        top = shell(self)
        pending: list[tuple[TwiML, TwiML]] = [(self, top)]
        setter = object.__setattr__
        while pending:
            node, new = pending.pop()
            for key, value in _fields(node):
                if key != "verbs":
                    setter(new, key, copy.deepcopy(value, memo))
                    continue
                verbs: list[TwiML | str] = []
                for verb in value:
                    if isinstance(verb, TwiML):
                        done = memo.get(id(verb))
                        if done is None:
                            done = shell(verb)
                            pending.append((verb, done))
                        verbs.append(done)
                    else:
                        verbs.append(verb)
                setter(new, key, verbs)
        return top  # type: ignore[return-value]  # shell() keeps the type: object.__new__(type(node))


def _fields(node: TwiML) -> list[tuple[str, Any]]:
    """The node's own state: its set slots, then anything in its `__dict__`."""
    get = object.__getattribute__
    fields: list[tuple[str, Any]] = []
    cls = type(node)
    slots = _SLOT_NAMES.get(cls)
    if slots is None:  # every class's own slots (GenericNode adds `name`), once per class
        slots = _SLOT_NAMES[cls] = tuple(
            name
            for klass in cls.__mro__
            for name in getattr(klass, "__slots__", ())
            if name not in ("__dict__", "__weakref__")
        )
    for key in slots:
        with contextlib.suppress(AttributeError):  # an unset slot
            fields.append((key, get(node, key)))
    extra = get(node, "__dict__")
    if extra:
        fields.extend(extra.items())
    return fields


_SLOT_NAMES: dict[type, tuple[str, ...]] = {}


class Comment(TwiML):
    """An XML comment kept from a parsed document, so comments survive a round trip."""

    name = "#comment"

    def __init__(self, text: str) -> None:
        super().__init__()
        self.value = text


class ProcessingInstruction(TwiML):
    """An XML processing instruction such as ``<?xml-stylesheet href="s.xsl"?>``: `target` and
    its data in `value`. Twilio ignores them; parsed documents keep them so nothing is lost."""

    name = "#pi"
    target: str

    def __init__(self, target: str, data: str = "") -> None:
        super().__init__()
        self.target = target
        self.value = data


def is_markup(node: object) -> bool:
    """True for comments and processing instructions: nodes that are not elements."""
    name = getattr(node, "name", None)
    return isinstance(name, str) and name[:1] == "#"


class GenericNode(TwiML):
    """An element by name: unknown verbs, vendor extensions, anything the grammar lacks."""

    __slots__ = ("name",)

    def __init__(self, name: str, value: Any, **kwargs: Any) -> None:
        check_name(name, name)  # an element name twilio would write as given, e.g. `< />`
        self.name = name
        super().__init__(**kwargs)
        self.value = value
