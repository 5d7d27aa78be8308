"""The grammar table and the builder classes agree, in both directions."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from twiml import TwiML, fax_response, messaging_response, voice_response
from twiml.base import attribute_name
from twiml.grammar import ELEMENTS, GRAMMAR
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, LIST, STRING, URL, element_of

MODULES = {"voice": voice_response, "messaging": messaging_response, "fax": fax_response}
TYPES = {STRING, INT, BOOL, URL, ENUM, LIST, FLOAT}


def module_classes(dialect: str) -> dict[str, type[Any]]:
    """Builder classes by name; their constructors differ per class (see the .pyi stubs)."""
    mod = MODULES[dialect]
    return {
        n: c
        for n, c in vars(mod).items()
        if inspect.isclass(c) and issubclass(c, TwiML) and c.__module__ == mod.__name__
    }


@pytest.mark.parametrize("dialect", list(MODULES))
def test_every_class_has_exactly_one_entry_and_back(dialect: str) -> None:
    classes = module_classes(dialect)
    entries = {e.cls: e for e in ELEMENTS if e.dialect == dialect}
    assert set(classes) == set(entries)
    assert set(MODULES[dialect].__all__) == set(classes)
    for name, cls in classes.items():
        body = entries[name].body
        node = cls("x") if body is not None and body.param_required else cls()
        assert element_of(node) is entries[name]
        assert cls.name == entries[name].xml


@pytest.mark.parametrize("dialect", list(MODULES))
def test_builder_methods_match_table(dialect: str) -> None:
    for name, cls in module_classes(dialect).items():
        el = GRAMMAR.get(dialect, name)
        own = {n for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")}
        assert own == {m for m, _ in el.methods}, name
        for method, kid_cls in el.methods:
            kid = GRAMMAR.get(dialect, kid_cls)
            sig = list(inspect.signature(getattr(cls, method)).parameters)
            expected = ["self"] + ([kid.body.param] if kid.body and kid.body.param else [])
            expected += [a.kwarg for a in kid.keyword_attrs] + ["kwargs"]
            assert sig == expected, f"{name}.{method}"
            args = ["x"] if kid.body and kid.body.param_required else []
            parent = cls("x") if el.body and el.body.param_required else cls()
            child = getattr(parent, method)(*args)
            assert type(child) is getattr(MODULES[dialect], kid_cls)


def test_extension_marks_name_real_methods() -> None:
    for el in ELEMENTS:
        assert set(el.not_in_twilio) <= {m for m, _ in el.methods}, el.cls


def test_attributes_are_well_formed() -> None:
    for el in ELEMENTS:
        seen_xml: set[str] = set()
        for a in el.attrs:
            assert a.type in TYPES, (el.cls, a.xml)
            assert a.xml not in seen_xml, (el.cls, a.xml)
            seen_xml.add(a.xml)
            if a.keyword:
                assert attribute_name(a.kwarg) == a.xml, (el.cls, a.kwarg)
            if a.type == ENUM:
                assert a.values, (el.cls, a.xml)
            if a.default is not None and a.type == ENUM and not a.open:
                assert a.default in a.values or " " in a.default or "(" in a.default, (el.cls, a.xml, a.default)
            if a.min is not None and a.max is not None:
                assert a.min <= a.max


def test_children_refer_to_known_classes_and_every_element_is_reachable() -> None:
    for el in ELEMENTS:
        for kid in el.children:
            assert GRAMMAR.find(el.dialect, kid) is not None, (el.cls, kid)
    for dialect in MODULES:
        root = GRAMMAR.root(dialect)
        seen = {root.cls}
        todo = [root]
        while todo:
            el = todo.pop()
            for kid in (*el.children, *(c for _, c in el.methods)):
                if kid not in seen:
                    seen.add(kid)
                    todo.append(GRAMMAR.get(dialect, kid))
        assert seen == {e.cls for e in ELEMENTS if e.dialect == dialect}


def test_resolve_uses_parent_context() -> None:
    dial = GRAMMAR.get("voice", "Dial")
    refer = GRAMMAR.get("voice", "Refer")
    resolved = [
        GRAMMAR.resolve("voice", dial, "Sip"),
        GRAMMAR.resolve("voice", refer, "Sip"),
        GRAMMAR.resolve("voice", None, "say-as"),
        GRAMMAR.resolve("messaging", None, "Redirect"),
    ]
    assert [(e.dialect, e.cls) if e else None for e in resolved] == [
        ("voice", "Sip"),
        ("voice", "ReferSip"),
        ("voice", "SsmlSayAs"),
        ("messaging", "Redirect"),
    ]
    assert GRAMMAR.resolve("voice", None, "Nope") is None
