"""Import layering rules that follow naming conventions, and the same rules checked at run time.

Most layering rules are import-linter contracts in pyproject.toml (run by test_static_checks.py).
import-linter's wildcards stand only for whole module names, so the two rules below, which go by
naming conventions, are checked here on the same import graph (grimp, import-linter's engine):

- every `twiml/grammar*.py` module is a source module of the grammar contract in pyproject.toml;
- the editor's headless core imports no Textual or Rich, directly or through any chain of imports.
  The editor's UI (the folder editor/, installed as `twiml_editor`) is `twiml_editor.app`, any
  `twiml_editor.<name>_app`, `twiml_editor.__main__` and everything under `editor/screens/` and
  `editor/widgets/`; every other editor module is core (document, edits,
  keymap, flow models ...), so a new module is covered without being listed anywhere.

The run-time tests import the modules in a fresh interpreter and look at `sys.modules`, which also
catches Textual arriving through a third-party package or `importlib`, which static graphs miss.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_FRAMEWORKS = ("textual", "rich")


def is_editor_ui(module: str, package: str = "twiml_editor") -> bool:
    """True for the editor's UI modules (see the module docstring), False for its headless core."""
    parts = module.split(".")
    if parts[0] != package or len(parts) == 1:
        return False
    return parts[1] in ("app", "__main__", "screens", "widgets") or parts[1].endswith("_app")


def headless_core(graph: grimp.ImportGraph, package: str = "twiml_editor") -> list[str]:
    return sorted(m for m in graph.find_descendants(package) if not is_editor_ui(m, package))


def core_violations(graph: grimp.ImportGraph, package: str = "twiml_editor") -> list[str]:
    """One line per core module that reaches a UI framework, with the chain of imports."""
    found = []
    for module in headless_core(graph, package):
        for framework in UI_FRAMEWORKS:
            if framework in graph.modules:
                chain = graph.find_shortest_chain(importer=module, imported=framework)
                if chain:
                    found.append(" -> ".join(chain))
    return found


def _graph(*packages: str) -> grimp.ImportGraph:
    return grimp.build_graph(*packages, include_external_packages=True, cache_dir=None)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return _graph("twiml", "twiml_editor")


def test_editor_headless_core_imports_no_ui_framework(graph: grimp.ImportGraph) -> None:
    core = headless_core(graph)
    assert {"twiml_editor.document", "twiml_editor.edits", "twiml_editor.keymap"} <= set(core)
    assert not any(is_editor_ui(m) for m in core)
    assert core_violations(graph) == []


def test_every_grammar_module_is_a_source_of_the_grammar_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [grammar] = [c for c in contracts if c["name"].startswith("The grammar is data")]
    on_disk = {f"twiml.{p.stem}" for p in (ROOT / "twiml").glob("grammar*.py")}
    assert set(grammar["source_modules"]) == on_disk, "list every twiml/grammar*.py in the grammar contract"


def test_the_core_rule_bites(tmp_path: Path) -> None:
    """A core module that imports a widget (which imports Textual) is reported with its chain;
    the same import from an `*_app` module is UI and allowed."""
    pkg = tmp_path / "fakeeditor"
    (pkg / "widgets").mkdir(parents=True)
    for name, text in {
        "__init__.py": "",
        "document.py": "from fakeeditor.widgets import tree\n",
        "flow_app.py": "import textual\n",
        "widgets/__init__.py": "",
        "widgets/tree.py": "from textual.widgets import Tree\n",
    }.items():
        (pkg / name).write_text(text, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        found = core_violations(_graph("fakeeditor"), package="fakeeditor")
    finally:
        sys.path.remove(str(tmp_path))
    assert found == ["fakeeditor.document -> fakeeditor.widgets.tree -> textual"]


# --- at run time ------------------------------------------------------------------------------


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def test_no_ui_framework_loaded_at_run_time(graph: grimp.ImportGraph) -> None:
    """Webhooks import `twiml`: a UI framework would cost start-up time and memory there."""
    modules = sorted(graph.find_descendants("twiml") - {"twiml.__main__"}) + headless_core(graph)
    loaded = _loaded_after_import(modules)
    assert "twiml.parser" in loaded and "twiml_editor.document" in loaded
    frameworks = sorted(m for m in loaded if m.split(".")[0] in UI_FRAMEWORKS)
    assert frameworks == [], f"importing twiml and the editor core loads {frameworks[:5]}"


def test_run_time_check_notices_textual() -> None:
    assert "textual" in _loaded_after_import(["twiml", "textual"])


def test_editor_core_uses_the_document_api_without_textual() -> None:
    code = (
        "import sys\n"
        "from twiml_editor.document import Document\n"
        "doc = Document.new()\n"
        "doc.add_child(doc.root, doc.allowed_children(doc.root)[0])\n"
        "doc.undo(); doc.redo(); doc.to_xml()\n"
        "assert 'textual' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
