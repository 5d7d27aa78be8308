"""Drift check: what an installed twilio package (Python) or a twilio-node ``VoiceResponse.d.ts``
has that the grammar (`twiml.grammar`) lacks or spells differently, so a new SDK release is
absorbed by adding its facts to the table.

    python -m twiml.drift                      # the installed twilio package
    python -m twiml.drift --node VoiceResponse.d.ts

Each line names a class, a builder method, an attribute (a keyword or a d.ts property) or an enum
value (a d.ts string union).  Exit status 0 when nothing is missing, 1 when something is, 2 when
the input cannot be read.  Reads the SDKs' public surface only (class and method names,
signatures, type declarations); it never runs their builders.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from twiml.grammar import GRAMMAR
from twiml.grammar_types import MODULES, Element
from twiml.naming import method_name

__all__ = ["Drift", "node_drift", "python_drift"]


@dataclass(frozen=True, order=True)
class Drift:
    """One thing an SDK has that the grammar lacks (`kind` says what) or spells differently."""

    where: str
    kind: str
    """class, method, attribute, value"""
    name: str
    note: str = "missing"

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} {self.name!r} {self.note}"


def _spelled(name: str, known: Sequence[str]) -> str:
    """'missing', or how the grammar spells a name that differs only in letter case or separators."""
    folded = name.replace("_", "").casefold()
    for k in known:
        if k.replace("_", "").casefold() == folded:
            return f"spelled {k!r} in the grammar"
    return "missing"


# -------------------------------------------------------------------------------------------- Python


def python_drift(package: str = "twilio.twiml") -> list[Drift]:
    """Classes, builder methods and keywords of the installed twilio package's response modules
    that the grammar lacks."""
    from twilio.twiml import TwiML as TwilioTwiML  # the oracle's base class: only for issubclass

    out: list[Drift] = []
    for kind, module_name in MODULES.items():
        try:
            module = importlib.import_module(f"{package}.{module_name}")
        except ImportError:
            continue
        classes = [c for c in vars(module).values() if inspect.isclass(c) and issubclass(c, TwilioTwiML)]
        names = [e.cls for e in GRAMMAR.elements if e.kind == kind]
        for cls in sorted((c for c in classes if c.__module__ == module.__name__), key=lambda c: c.__name__):
            el = GRAMMAR.find(kind, cls.__name__)
            where = f"{module_name}.{cls.__name__}"
            if el is None:
                out.append(Drift(module_name, "class", cls.__name__, _spelled(cls.__name__, names)))
                continue
            out.extend(_python_methods(kind, cls, el, where))
    return sorted(out)


def _python_methods(kind: str, cls: type, el: Element, where: str) -> Iterator[Drift]:
    methods = dict(el.methods)
    for name, func in vars(cls).items():
        if name.startswith("_") or not inspect.isfunction(func):
            continue
        child_cls = methods.get(name)
        if child_cls is None:
            yield Drift(where, "method", name, _spelled(name, list(methods)))
            continue
        child = GRAMMAR.get(kind, child_cls)
        body = child.body.param if child.body else None
        kwargs = [a.kwarg for a in child.attrs]
        for param in list(inspect.signature(func).parameters.values())[1:]:
            if param.kind in (param.VAR_KEYWORD, param.VAR_POSITIONAL) or param.name == body:
                continue
            if child.attr_by_kwarg(param.name) is None:
                yield Drift(f"{where}.{name}", "attribute", param.name, _spelled(param.name, kwargs))


# ---------------------------------------------------------------------------------------- twilio-node

_TYPE = re.compile(r"\btype\s+(\w+)\s*=\s*((?:\s*\|?\s*\"[^\"]*\")+)\s*;")
_VALUE = re.compile(r"\"([^\"]*)\"")
_INTERFACE = re.compile(r"\binterface\s+(\w+?)Attributes\s*\{(.*?)\}", re.DOTALL)
_PROPERTY = re.compile(r"^\s*\"?([\w:-]+)\"?\??\s*:\s*([\w.\[\]| ]+?)\s*;", re.MULTILINE)
_CLASS = re.compile(r"\bclass\s+(\w+)\s+extends\s+TwiML\b")
_METHOD = re.compile(r"^\s{2,}(\w+)\s*\([^;{]*?\)\s*:\s*(?:VoiceResponse\.)?(\w+)\s*[;{]", re.MULTILINE)


_GENERIC = frozenset(
    ("constructor", "toString", "toJSON", "comment", "commentAfter", "commentBefore", "addChild", "addText")
)
"""Methods of twilio-node's TwiML base class (`twiml.base.TwiML` has its own), not builder methods."""


def node_drift(text: str, kind: str = "voice") -> list[Drift]:
    """What a twilio-node `VoiceResponse.d.ts` (or its .ts source) declares that the grammar lacks:
    classes, builder methods, attribute properties and string-union values."""
    out: list[Drift] = []
    unions = {m.group(1): tuple(_VALUE.findall(m.group(2))) for m in _TYPE.finditer(text)}
    names = [e.cls for e in GRAMMAR.elements if e.kind == kind]
    classes = [m.group(1) for m in _CLASS.finditer(text)]
    for cls in dict.fromkeys(classes):
        if _element(kind, cls) is None:
            out.append(Drift("VoiceResponse.d.ts", "class", cls, _spelled(cls, names)))
    bodies = _class_bodies(text)
    for cls, body in bodies.items():
        el = _element(kind, cls)
        if el is None:
            continue
        methods = [m for m, _ in el.methods]
        for m in _METHOD.finditer(body):
            name, returns = m.group(1), m.group(2)
            if name in _GENERIC or returns in ("string", "void", "this", "any"):
                continue
            if method_name(name) not in methods:
                out.append(Drift(f"{cls}", "method", name, _spelled(method_name(name), methods)))
    seen: set[tuple[str, str]] = set()
    for m in _INTERFACE.finditer(text):
        el = _element(kind, m.group(1))
        if el is None:
            continue
        xmls = [a.xml for a in el.attrs]
        for prop in _PROPERTY.finditer(m.group(2)):
            name, type_name = prop.group(1), prop.group(2).strip().removesuffix("[]")
            if (el.cls, name) in seen:
                continue
            seen.add((el.cls, name))
            attr = el.attr(name)
            if attr is None:
                out.append(Drift(el.cls, "attribute", name, _spelled(name, xmls)))
                continue
            values = unions.get(type_name.split(".")[-1], ())
            if values and attr.values:
                for v in values:
                    if v not in attr.values and not (attr.prefixes and v.startswith(attr.prefixes)):
                        out.append(Drift(f"{el.cls}.{name}", "value", v, _spelled(v, attr.values)))
    return sorted(set(out))


def _element(kind: str, name: str) -> Element | None:
    el = GRAMMAR.find(kind, name)
    if el is None:
        found = GRAMMAR.by_xml(kind, name)
        el = found[0] if found else None
    return el


def _class_bodies(text: str) -> dict[str, str]:
    """Each TwiML class's text, from its declaration to the next class declaration."""
    starts = [(m.start(), m.group(1)) for m in _CLASS.finditer(text)]
    out: dict[str, str] = {}
    for i, (pos, cls) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
        out[cls] = out.get(cls, "") + text[pos:end]
    return out


# ------------------------------------------------------------------------------------------- command


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None, err: IO[str] | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m twiml.drift", description=__doc__.split("\n\n")[0])
    parser.add_argument("--node", metavar="FILE", help="a twilio-node VoiceResponse.d.ts (or .ts) to compare too")
    parser.add_argument("--no-python", action="store_true", help="skip the installed twilio package")
    args = parser.parse_args(argv)
    found: list[Drift] = []
    if not args.no_python:
        try:
            found += python_drift()
        except ImportError:
            print("python -m twiml.drift: the twilio package is not installed (pip install twilio)", file=err)
            return 2
    if args.node:
        try:
            text = Path(args.node).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"python -m twiml.drift: {args.node}: cannot read: {exc}", file=err)
            return 2
        found += node_drift(text)
    for d in found:
        print(d, file=out)
    print(f"{len(found)} missing or spelled differently", file=err)
    return 1 if found else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
