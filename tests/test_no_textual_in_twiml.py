"""The library and the editor's document model must not pull in Textual.

`twiml` runs inside webhooks, where importing a UI framework would cost start-up time and
memory; the editor's model is kept headless so it can be tested and reused without a terminal.
Each check runs in a fresh interpreter, because this test process may already have Textual.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

TWIML_MODULES = [
    "twiml",
    "twiml.base",
    "twiml.grammar",
    "twiml.voice_response",
    "twiml.messaging_response",
    "twiml.fax_response",
    "twiml.serialize",
    "twiml.parser",
    "twiml.validator",
    "twiml.exporter",
    "twiml.cli",
]
EDITOR_CORE_MODULES = ["editor", "editor.document", "editor.edits", "editor.keymap"]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ModuleNotFoundError as exc:\n"
        "        if exc.name != name:\n"  # a module that exists but imports something missing
        "            raise\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


@pytest.mark.parametrize(("label", "modules"), [("twiml", TWIML_MODULES), ("editor core", EDITOR_CORE_MODULES)])
def test_no_textual_imported(label: str, modules: list[str]) -> None:
    loaded = _loaded_after_import(modules)
    assert "twiml" in loaded
    textual = sorted(m for m in loaded if m == "textual" or m.startswith("textual."))
    assert textual == [], f"{label} imports Textual: {textual[:5]}"


def test_editor_core_uses_the_document_api_without_textual() -> None:
    code = (
        "import sys\n"
        "from editor.document import Document\n"
        "doc = Document.new()\n"
        "doc.add_child(doc.root, doc.allowed_children(doc.root)[0])\n"
        "doc.undo(); doc.redo(); doc.to_xml()\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_check_notices_textual() -> None:
    """The check itself can fail: importing Textual shows up in the module list."""
    pytest.importorskip("textual")
    assert "textual" in _loaded_after_import(["twiml", "textual"])
