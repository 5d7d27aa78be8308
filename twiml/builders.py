"""Turns grammar entries into constructors and builder methods on the response classes.

Each method is compiled once from the table with an explicit signature (same keywords and
defaults as twilio), so calls are plain Python calls with no per-call name conversion.
"""

from __future__ import annotations

import keyword
from types import FunctionType
from typing import Any

from twiml.base import TwiML, keyword_attrs
from twiml.classes import register
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Element
from twiml.naming import attribute_name


def _check_name(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"grammar keyword {name!r} is not a Python identifier")
    return name


def _init_source(el: Element) -> str:
    param = el.text_param
    if param is None:
        return ""
    default = "" if el.body and el.body.param_required else "=None"
    return (
        f"def __init__(self, {_check_name(param)}{default}, **kwargs):\n"
        f"    self.value = {param}\n"
        "    self.verbs = []\n"
        f"    self.attrs = keyword_attrs(kwargs, {el.xml!r}) if kwargs else {{}}\n"
    )


def _method_source(method: str, kid: Element) -> str:
    params = ["self"]
    lines = []
    param = kid.text_param
    if param is not None:
        params.append(_check_name(param) + ("" if kid.body and kid.body.param_required else "=None"))
    for attr in kid.keyword_attrs:
        kw = _check_name(attr.kwarg)
        if attribute_name(kw) != attr.xml:
            raise ValueError(f"{kid.cls}.{kw} would render as {attribute_name(kw)!r}, table says {attr.xml!r}")
        params.append(f"{kw}=None")
        lines.append(f"    if {kw} is not None: a[{attr.xml!r}] = {kw}\n")
    params.append("**kwargs")
    return (
        f"def {_check_name(method)}({', '.join(params)}):\n"
        f"    node = _new(_{kid.cls})\n"
        f"    node.value = {param if param else 'None'}\n"
        "    node.verbs = []\n"
        "    a = {}\n" + "".join(lines) + f"    if kwargs: a.update(keyword_attrs(kwargs, {kid.xml!r}))\n"
        "    node.attrs = a\n"
        "    self.verbs.append(node)\n"
        "    return node\n"
    )


def install(namespace: dict[str, Any], kind: str) -> None:
    """Give each class of `kind` defined in `namespace` its XML name, constructor and methods.

    A builder method depends only on its name and the child it adds, and the same child is added
    from several parents (`say` on the response, Gather, Prompt...): each distinct method is
    compiled once, in one piece of source per kind (compiling is most of the import time), and
    each class gets its own function object over the shared code."""
    env: dict[str, Any] = {"keyword_attrs": keyword_attrs, "_new": object.__new__}
    elements = [el for el in GRAMMAR.elements if el.kind == kind]
    for el in elements:
        env[f"_{el.cls}"] = namespace[el.cls]
    sources: dict[str, str] = {}  # `Class.__init__` or `method Child` -> its function's source
    for el in elements:
        init = _init_source(el)
        if init:
            sources[f"{el.cls}.__init__"] = init.replace("def __init__(", f"def _init_{el.cls}(", 1)
        for method, kid_cls in el.methods:
            key = f"{method} {kid_cls}"
            if key not in sources:
                sources[key] = _method_source(method, GRAMMAR.get(kind, kid_cls)).replace(
                    f"def {method}(", f"def _{len(sources)}_{method}(", 1
                )
    code: dict[str, Any] = {}
    exec(compile("".join(sources.values()), f"<twiml builders {kind}>", "exec"), env, code)
    compiled = dict(zip(sources, code.values(), strict=True))
    for el in elements:
        cls = namespace[el.cls]
        cls.name = el.xml
        cls._element = el
        register(el, cls)
        constructor = compiled.get(f"{el.cls}.__init__")
        if constructor is not None:
            _attach(cls, "__init__", constructor, cls.__doc__)
        for method, kid_cls in el.methods:
            kid = GRAMMAR.get(kind, kid_cls)
            doc = f"Add a <{kid.xml}> and return it." + (
                f" Body: {kid.body.meaning}." if kid.body and kid.body.meaning else ""
            )
            _attach(cls, method, compiled[f"{method} {kid_cls}"], doc)


def _attach(cls: type, name: str, shared: FunctionType, doc: str | None) -> None:
    func = FunctionType(
        shared.__code__.replace(co_name=name, co_qualname=f"{cls.__name__}.{name}"),
        shared.__globals__,
        name,
        shared.__defaults__,
    )
    func.__module__ = cls.__module__
    func.__doc__ = doc
    setattr(cls, name, func)


def is_installed(cls: type[TwiML]) -> bool:
    return cls.name != TwiML.name
