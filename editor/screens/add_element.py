"""The add-element menu: only the children the grammar allows at that place, with their docs."""

from __future__ import annotations

from twiml.grammar_types import Element
from twiml_editor.screens.picker import PickerScreen


def element_doc(element: Element) -> str:
    doc = element.doc or (element.body.meaning if element.body is not None else "") or element.notes
    return doc.split(" | ")[0][:90]


class AddElementScreen(PickerScreen[Element]):
    """Dismisses with the chosen Element (or None)."""

    no_match = "Nothing allowed here matches {text!r}; the grammar does not accept it at this place."

    def __init__(self, where: str, elements: list[Element], dialect: str = "") -> None:
        """`elements` come from the document's dialect (`Document.allowed_children`); `dialect`
        names it in the title and messages ("Telnyx TeXML")."""
        items = [(e.xml + ("" if e.xml == e.cls else f" ({e.cls})"), element_doc(e), e) for e in elements]
        grammar = dialect or "the grammar"
        self.no_match = f"Nothing allowed here matches {{text!r}}; {grammar} does not accept it at this place."
        super().__init__(
            f"Add {where}" + (f" ({dialect})" if dialect else ""),
            items,
            hint="" if elements else f"{grammar[:1].upper()}{grammar[1:]} allows no elements here.",
            dialog_id="add-element",
        )
