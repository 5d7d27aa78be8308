"""The static checks run as part of the test command: ruff (lint and format), mypy --strict and
import-linter's contracts, each over the whole repository with the configuration in pyproject.toml.

Each checker is also run over a small bad sample, to show that it fails when it should.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # cwd decides what is checked
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0:
        pytest.fail(f"{' '.join(result.args[1:])} failed:\n{result.stdout}{result.stderr}", pytrace=False)


# --- the repository is clean ------------------------------------------------------------------


def test_ruff_check() -> None:
    assert_clean(run("-m", "ruff", "check", "."))


def test_ruff_format() -> None:
    assert_clean(run("-m", "ruff", "format", "--check", "."))


def test_mypy_strict() -> None:
    assert_clean(run("-m", "mypy"))  # files and strictness from pyproject.toml; cache in .mypy_cache/


def test_import_contracts() -> None:
    assert_clean(run("-c", LINT_IMPORTS))


# --- and each checker bites -------------------------------------------------------------------


def test_ruff_check_fails_on_a_lint_error(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text("import os\n\n\ndef f(x: int) -> int:\n    return x\n", encoding="utf-8")
    result = run("-m", "ruff", "check", "--no-cache", "--config", str(CONFIG), "sample.py", cwd=tmp_path)
    assert result.returncode == 1 and "F401" in result.stdout, result.stdout + result.stderr


def test_ruff_format_fails_on_unformatted_code(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text("x = {  'a':1 }\n", encoding="utf-8")
    result = run("-m", "ruff", "format", "--check", "--no-cache", "--config", str(CONFIG), "sample.py", cwd=tmp_path)
    assert result.returncode == 1 and "sample.py" in result.stdout, result.stdout + result.stderr


def test_mypy_fails_on_a_type_error_and_an_untyped_function(tmp_path: Path) -> None:
    (tmp_path / "sample.py").write_text(
        "def name(n: int) -> str:\n    return n\n\n\ndef untyped(x):\n    return x\n", encoding="utf-8"
    )
    result = run(
        "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", str(tmp_path / ".mypy_cache"), "sample.py",
        cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[return-value]" in result.stdout and "[no-untyped-def]" in result.stdout, result.stdout


BAD_IMPORTS = {
    "The library imports neither the editor nor Textual": ("twiml/base.py", "import textual"),
    "No import cycles among the modules and subpackages of twiml": (
        "twiml/serialize.py",
        "from twiml import validator",
    ),
    "The grammar is data": ("twiml/grammar_values.py", "from twiml import serialize"),
    "Dialect profiles (TeXML, cXML) are data": ("twiml/dialects/texml.py", "from twiml import builders"),
    "Widgets are independent": ("twiml_editor/widgets/problems.py", "from twiml_editor.widgets import verb_tree"),
}


@pytest.mark.parametrize("contract", list(BAD_IMPORTS))
def test_each_import_contract_fails_on_a_forbidden_import(contract: str, tmp_path: Path) -> None:
    """A copy of the project with one forbidden import added breaks exactly that contract."""
    for folder, package in (("twiml", "twiml"), ("editor", "twiml_editor")):  # the installed names
        shutil.copytree(ROOT / folder, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CONFIG, tmp_path / "pyproject.toml")
    path, line = BAD_IMPORTS[contract]
    with (tmp_path / path).open("a", encoding="utf-8") as fh:
        fh.write(f"\n{line}\n")
    result = run("-c", LINT_IMPORTS, "--no-cache", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    report = " ".join(result.stdout.split())  # long contract names wrap over lines
    assert "0 kept" not in report and ", 1 broken." in report, result.stdout
    after = report[report.index(contract) :]
    assert after.index(" BROKEN") < after.index(" KEPT") if " KEPT" in after else " BROKEN" in after, result.stdout
