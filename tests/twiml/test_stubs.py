"""The typing stubs match the grammar, and the compiled methods match the stubs."""

from __future__ import annotations

import ast

import pytest

from twiml.grammar_types import MODULES
from twiml.stubgen import module_stub, stub_path


@pytest.mark.parametrize("kind", list(MODULES))
def test_stub_is_current(kind: str) -> None:
    assert stub_path(kind).read_text(encoding="utf-8") == module_stub(kind), (
        "run `python -m twiml.stubgen` after changing the grammar"
    )


@pytest.mark.parametrize("kind", list(MODULES))
def test_stub_parses_and_names_every_method(kind: str) -> None:
    import importlib

    mod = importlib.import_module(f"twiml.{MODULES[kind]}")
    tree = ast.parse(stub_path(kind).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            cls = getattr(mod, node.name)
            for fn in node.body:
                assert isinstance(fn, ast.FunctionDef)
                real = getattr(cls, fn.name)
                stub_params = [a.arg for a in fn.args.args] + ([fn.args.kwarg.arg] if fn.args.kwarg else [])
                assert stub_params == list(real.__code__.co_varnames[: len(stub_params)]), f"{node.name}.{fn.name}"
