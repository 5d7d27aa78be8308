"""Pickers for File > New: document kind, or a template from sample_flows/."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from twiml_editor.document import Kind
from twiml_editor.screens.picker import PickerScreen

KINDS: list[tuple[str, str, Kind]] = [
    ("Voice", "a call flow: <Response> with Say, Gather, Dial…", "voice"),
    ("Messaging", "an SMS/MMS reply: <Response> with Message", "messaging"),
    ("Fax", "a fax reply: <Response> with Receive or Reject", "fax"),
]


DESCRIPTION_WIDTH = 90
"""Characters of a template's description shown in the picker (cut at a word)."""


def template_dir() -> Path:
    """The sample flows: inside the package when installed (setup.py copies sample_flows/ to
    editor/sample_flows), else sample_flows/ of the source checkout (editable installs)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "sample_flows", package.parent / "sample_flows"):
        if candidate.is_dir():
            return candidate
    return package.parent / "sample_flows"


def _describe(path: Path) -> str:
    """The first XML comment of a template, if any, as its description."""
    try:
        head = path.read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return ""
    found = re.search(r"<!--(.*?)-->", head, re.S)
    return textwrap.shorten(found.group(1), DESCRIPTION_WIDTH, placeholder=" …") if found else ""


def templates(folder: Path | None = None) -> list[tuple[str, str, Path]]:
    """(name, description, path) of every .xml file under `folder`, subfolders included (a flow
    folder keeps its documents in folders); the name is the path inside `folder`."""
    folder = folder or template_dir()
    found = []
    for path in sorted(folder.rglob("*.xml")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
            continue
        found.append((relative.with_suffix("").as_posix().replace("_", " "), _describe(path), path))
    return found


class KindPicker(PickerScreen[Kind]):
    def __init__(self) -> None:
        super().__init__("New document", list(KINDS), dialog_id="kind-picker")


class TemplatePicker(PickerScreen[Path]):
    def __init__(self, folder: Path | None = None) -> None:
        items = templates(folder)
        super().__init__(
            "New from template",
            items,
            hint="" if items else f"No templates in {folder or template_dir()}",
            dialog_id="template-picker",
        )
