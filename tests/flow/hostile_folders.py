"""Hostile flow folders for the export-app tests: names and keys from the whole of Unicode,
quotes, backslashes and line separators, written as real folders, plus a checker that imports
every export in a fresh interpreter and calls each route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import tomlkit
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]

PAYLOADS = (
    '"""; open("PWNED", "w"); """',
    "'''; open('PWNED', 'w'); '''",
    '\\"; open("PWNED", "w"); \\"',
    "\\N",
    "\\x",
    "\\u",
    "\x00",
    "\u2028import os\u2029",
    "\r\nopen('PWNED', 'w')\n",
    "# -*- coding: latin-1 -*-",
    "\u202e\u2066",
    "\x9b31m\x1b]0;x\x07",
    "½",
    "ﬁ",
    "str",
    "dict",
    "abort",
    "validate_signature",
    "request",
    "app",
    "xml_response",
    "__import__",
    "a-",
    "a_",
    "3",
    "{x}",
    "<x>",
)

_ANY = st.characters(exclude_categories=["Cs"])  # TOML and file names carry no lone surrogates
_NAME_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="/\x00")


def _text(chars: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(PAYLOADS), st.text(chars, min_size=1, max_size=max_size))
    return st.lists(piece, min_size=1, max_size=3).map("".join)


def _file_name(text: str) -> str:
    name = text.replace("/", "_").replace("\x00", "_")
    name = name.encode("utf-8")[:200].decode("utf-8", "ignore") or "x"
    return name + ".xml"


@dataclass
class Folder:
    name: str
    documents: list[str]
    routes: dict[str, object]
    start: str


@st.composite
def folders(draw: st.DrawFn) -> Folder:
    """A flow folder whose every name and key is hostile (but whose flow.toml is valid)."""
    name = draw(_text(_NAME_CHARS, 12)).replace("/", "_").replace("\x00", "_")
    if name in (".", ".."):
        name += "_"
    name = name.encode("utf-8")[:200].decode("utf-8", "ignore") or "f"
    documents = sorted({_file_name(draw(_text(_NAME_CHARS, 10))) for _ in range(draw(st.integers(1, 3)))})
    paths = draw(st.lists(_text(_ANY, 10).map(lambda t: "/" + t), min_size=1, max_size=5, unique=True))
    routes: dict[str, object] = {}
    for path in paths:
        if draw(st.booleans()):
            routes[path] = draw(st.sampled_from(documents))
        else:
            keys = draw(st.lists(_text(_ANY, 6), min_size=1, max_size=3, unique=True))
            split: dict[str, object] = {
                "by": draw(st.one_of(st.sampled_from(["Digits", "SpeechResult", "Body"]), _text(_ANY, 8))),
                "cases": {k: draw(st.sampled_from(documents)) for k in keys},
            }
            if draw(st.booleans()):
                split["match"] = "contains"
            if draw(st.booleans()):
                split["default"] = draw(st.sampled_from(documents + [p for p in paths if p != path]))
            routes[path] = split
    return Folder(name, documents, routes, paths[0])


def write_folder(parent: Path, folder: Folder) -> Path:
    """Create the folder with its documents (each says its own file name) and flow.toml."""
    root = parent / folder.name
    root.mkdir()
    for document in folder.documents:
        say = document.replace("&", "&amp;").replace("<", "&lt;").replace("\x00", "")
        say = "".join(c for c in say if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff"))
        xml = f"<Response><!-- {say.replace('--', '- -')} --><Say>{say}</Say></Response>"
        (root / document).write_text(xml, encoding="utf-8")
    doc = tomlkit.document()
    doc["start"] = folder.start
    doc["routes"] = folder.routes
    (root / "flow.toml").write_text(tomlkit.dumps(doc), encoding="utf-8")
    return root


CHECKER = "import json, sys; from tests.flow.export_checker import check_exports; " + (
    "print(json.dumps(check_exports(json.loads(sys.stdin.read()))))"
)


def import_all(exports: list[tuple[Path, str, list[str]]], cwd: Path) -> list[str]:
    """`check_exports` in one fresh interpreter run in `cwd` (where injected code would write)."""
    payload = json.dumps([(str(p), fw, routes) for p, fw, routes in exports])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", CHECKER], input=payload, cwd=cwd, capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return out
