"""The dialect picker: which vendor's XML the document is checked and edited as."""

from __future__ import annotations

from twiml.dialects import PROFILES
from twiml_editor.screens.picker import PickerScreen

TRAITS = {
    "twilio": "Twilio's own verbs and attributes",
    "texml": "<AIGather>, <HttpRequest>, <Suppression>; no <Pay>; Record transcription=…",
    "cxml": "<Denoise>, <Connect><AI>, <Dial><Verto>; gcloud.* voices",
}
"""What sets each dialect apart, shown beside its name."""


class DialectPicker(PickerScreen[str]):
    """Dismisses with the chosen dialect's name (`twiml.dialects`), or None; the current one is marked."""

    def __init__(self, current: str) -> None:
        items = [
            (f"{p.vendor} {p.title}" + (" (current)" if p.name == current else ""), TRAITS.get(p.name, p.name), p.name)
            for p in PROFILES.values()
        ]
        super().__init__(
            "Dialect of this document",
            items,
            hint="The add-menus, the forms and the problems follow it; the file is not changed.",
            dialog_id="dialect-picker",
        )
