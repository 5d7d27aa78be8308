"""The grammar table and the builder classes agree, in both directions."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from twiml import TwiML, fax_response, messaging_response, voice_response
from twiml.grammar import ELEMENTS, GRAMMAR
from twiml.grammar_types import BOOL, ENUM, FLOAT, INT, LIST, STRING, URL, element_of
from twiml.naming import attribute_name

MODULES = {"voice": voice_response, "messaging": messaging_response, "fax": fax_response}
TYPES = {STRING, INT, BOOL, URL, ENUM, LIST, FLOAT}


def module_classes(kind: str) -> dict[str, type[Any]]:
    """Builder classes by name; their constructors differ per class (see the .pyi stubs)."""
    mod = MODULES[kind]
    return {
        n: c
        for n, c in vars(mod).items()
        if inspect.isclass(c) and issubclass(c, TwiML) and c.__module__ == mod.__name__
    }


@pytest.mark.parametrize("kind", list(MODULES))
def test_every_class_has_exactly_one_entry_and_back(kind: str) -> None:
    classes = module_classes(kind)
    entries = {e.cls: e for e in ELEMENTS if e.kind == kind}
    assert set(classes) == set(entries)
    assert set(MODULES[kind].__all__) == set(classes)
    for name, cls in classes.items():
        body = entries[name].body
        node = cls("x") if body is not None and body.param_required else cls()
        assert element_of(node) is entries[name]
        assert cls.name == entries[name].xml


@pytest.mark.parametrize("kind", list(MODULES))
def test_builder_methods_match_table(kind: str) -> None:
    for name, cls in module_classes(kind).items():
        el = GRAMMAR.get(kind, name)
        own = {n for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")}
        assert own == {m for m, _ in el.methods}, name
        for method, kid_cls in el.methods:
            kid = GRAMMAR.get(kind, kid_cls)
            sig = list(inspect.signature(getattr(cls, method)).parameters)
            expected = ["self"] + ([kid.body.param] if kid.body and kid.body.param else [])
            expected += [a.kwarg for a in kid.keyword_attrs] + ["kwargs"]
            assert sig == expected, f"{name}.{method}"
            args = ["x"] if kid.body and kid.body.param_required else []
            parent = cls("x") if el.body and el.body.param_required else cls()
            child = getattr(parent, method)(*args)
            assert type(child) is getattr(MODULES[kind], kid_cls)


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
            assert GRAMMAR.find(el.kind, kid) is not None, (el.cls, kid)
    for kind in MODULES:
        root = GRAMMAR.root(kind)
        seen = {root.cls}
        todo = [root]
        while todo:
            el = todo.pop()
            for kid in (*el.children, *(c for _, c in el.methods)):
                if kid not in seen:
                    seen.add(kid)
                    todo.append(GRAMMAR.get(kind, kid))
        assert seen == {e.cls for e in ELEMENTS if e.kind == kind}


def test_resolve_uses_parent_context() -> None:
    dial = GRAMMAR.get("voice", "Dial")
    refer = GRAMMAR.get("voice", "Refer")
    resolved = [
        GRAMMAR.resolve("voice", dial, "Sip"),
        GRAMMAR.resolve("voice", refer, "Sip"),
        GRAMMAR.resolve("voice", None, "say-as"),
        GRAMMAR.resolve("messaging", None, "Redirect"),
    ]
    assert [(e.kind, e.cls) if e else None for e in resolved] == [
        ("voice", "Sip"),
        ("voice", "ReferSip"),
        ("voice", "SsmlSayAs"),
        ("messaging", "Redirect"),
    ]
    assert GRAMMAR.resolve("voice", None, "Nope") is None


def test_names_follow_the_naming_rules_with_few_exceptions() -> None:
    from twiml.naming import element_name, method_name

    xml_exceptions = {(e.cls, e.xml) for e in ELEMENTS if element_name(e.cls) != e.xml}
    assert {x for _, x in xml_exceptions} <= {"Response", "Sip", "Uri"}
    method_exceptions = {(m, c) for e in ELEMENTS for m, c in e.methods if method_name(GRAMMAR.get(e.kind, c).xml) != m}
    assert method_exceptions == set()  # even ReferSip/SipUri: sip, uri follow from <Sip>, <Uri>
    for e in ELEMENTS:
        for a in e.attrs:
            assert a.xml == attribute_name(a.kwarg)


def test_every_code_named_by_an_element_has_a_level_and_text() -> None:
    from twiml.codes import CODES

    for e in ELEMENTS:
        for code in e.codes:
            assert code in CODES and CODES[code].text, (e.cls, code)
        assert e.errors == {c: f"{CODES[c].level.upper()}: {CODES[c].text}" for c in e.codes}


def test_shared_attribute_groups_are_stated_once() -> None:
    from twiml import grammar

    number, sip = GRAMMAR.get("voice", "Number"), GRAMMAR.get("voice", "Sip")
    for a in grammar.MACHINE_DETECTION_SETTINGS:
        assert number.attr(a.xml) is a and sip.attr(a.xml) is a
    users = [e.cls for e in ELEMENTS if any(a is grammar.STATUS_CALLBACK for a in e.attrs)]
    assert len(users) >= 5
    http = [a for e in ELEMENTS for a in e.attrs if a.xml.endswith(("method", "Method")) and a.xml != "paymentMethod"]
    assert http and all(a.values is grammar.HTTP for a in http)  # GET/POST named once


def test_confirmed_facts_name_their_source() -> None:
    receive = GRAMMAR.get("fax", "Receive")
    for name in ("mediaType", "pageSize"):
        a = receive.attr(name)
        assert a is not None and a.verified and a.source.startswith("https://www.twilio.com/docs/")
    assert receive.attr("mediaType").values == ("application/pdf", "image/tiff")  # type: ignore[union-attr]
    assert receive.attr("mediaType").default == "application/pdf"  # type: ignore[union-attr]


def test_ascii_name_shortcut_agrees_with_the_whole_production() -> None:
    """`is_xml_name` matches ASCII names without the Unicode pattern; both must agree."""
    import itertools
    import re

    from twiml.naming import NAME_PART, is_xml_name

    whole = {True: re.compile(f"{NAME_PART}(?::{NAME_PART})?"), False: re.compile(NAME_PART)}
    alphabet = ["a", "Z", "_", "-", ".", "0", ":", " ", "<", "\u00b7", "\u00e9", "\u0300", "\U00010000", "\u2040"]
    for size in range(1, 4):
        for chars in itertools.product(alphabet, repeat=size):
            name = "".join(chars)
            for colon in (True, False):
                assert is_xml_name(name, colon) == bool(whole[colon].fullmatch(name)), (name, colon)
    for name in ("xml:lang", "amazon:effect", "say-as", "a:b:c", ":a", "a:", "élan", "名前", "x\u00b7y"):
        for colon in (True, False):
            assert is_xml_name(name, colon) == bool(whole[colon].fullmatch(name)), (name, colon)
