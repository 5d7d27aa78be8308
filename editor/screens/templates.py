"""Pickers for File > New: document kind, or a template from sample_flows/."""

from __future__ import annotations

import re
from pathlib import Path

from editor.document import Kind
from editor.screens.picker import PickerScreen

KINDS: list[tuple[str, str, Kind]] = [
    ("Voice", "a call flow: <Response> with Say, Gather, Dial…", "voice"),
    ("Messaging", "an SMS/MMS reply: <Response> with Message", "messaging"),
    ("Fax", "a fax reply: <Response> with Receive or Reject", "fax"),
]


def template_dir() -> Path:
    """sample_flows/ next to the package (a source checkout or an editable install)."""
    return Path(__file__).resolve().parent.parent.parent / "sample_flows"


def _describe(path: Path) -> str:
    """The first XML comment of a template, if any, as its description."""
    try:
        head = path.read_text(encoding="utf-8")[:2000]
    except OSError:
        return ""
    found = re.search(r"<!--(.*?)-->", head, re.S)
    return " ".join(found.group(1).split())[:90] if found else ""


def templates(folder: Path | None = None) -> list[tuple[str, str, Path]]:
    folder = folder or template_dir()
    return [(p.stem.replace("_", " "), _describe(p), p) for p in sorted(folder.glob("*.xml"))]


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
