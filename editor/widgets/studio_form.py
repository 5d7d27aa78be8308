"""The form of one Studio widget: a field per property its type's schema names (and any other
property the file carries), values shown as written (Liquid untouched; numbers, booleans and
objects as JSON). Enter or leaving a changed field posts `StudioForm.Edited`; the screen applies it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Input, Label

from twiml.studio.widgets import WIDGETS
from twiml.textsafe import printable
from twiml_editor.widgets.literal import VisibleInput

__all__ = ["StudioForm", "field_value", "parse_field"]


def field_value(value: Any) -> str:
    """What a field shows: a string as written, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def parse_field(text: str, old: Any, schema: dict[str, Any]) -> Any:
    """The value a field's text stands for: JSON where the property holds a non-string now (or its
    schema admits no string), else the text itself. Raises ValueError naming line and column."""
    types = schema.get("type")
    admits_string = types is None or types == "string" or (isinstance(types, list) and "string" in types)
    if (old is not None and not isinstance(old, str)) or (old is None and not admits_string):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    return text


class StudioForm(VerticalScroll):
    """Fields of the widget shown; rebuilt by `show`."""

    DEFAULT_CSS = """
    StudioForm {
        height: 3fr;
        border: round $primary 40%;
        padding: 0 1;
    }
    StudioForm:focus-within {
        border: round $accent;
    }
    StudioForm .studio-label {
        color: $text-muted;
    }
    """

    class Edited(Message):
        """A field's text changed and was confirmed."""

        def __init__(self, form: StudioForm, widget: str, key: str, text: str) -> None:
            super().__init__()
            self.form = form
            self.widget = widget
            self.key = key
            self.text = text

        @property
        def control(self) -> StudioForm:
            """The form that posted it."""
            return self.form

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget_name: str | None = None
        self.keys: list[str] = []
        self.shown: dict[str, str] = {}
        self._lock = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield Label("Highlight a widget on the map.", markup=False)

    def field_keys(self, type_: str, properties: dict[str, Any]) -> list[str]:
        spec = WIDGETS.get(type_)
        keys = [k for k in properties if k != "offset"]
        keys += [k for k in (spec.properties if spec else {}) if k not in properties]
        return keys

    async def show(self, name: str, type_: str, properties: dict[str, Any]) -> None:
        """Show the fields of widget `name` (its properties as they are in the file now); calls
        are serialised, so two rebuilds never mount fields of the same id."""
        async with self._lock:
            await self._show(name, type_, properties)

    async def _show(self, name: str, type_: str, properties: dict[str, Any]) -> None:
        keys = self.field_keys(type_, properties)
        shown = {k: field_value(properties[k]) if k in properties else "" for k in keys}
        if (name, keys, shown) == (self.widget_name, self.keys, self.shown):
            return  # the fields already say this (a field being typed in keeps focus and cursor)
        self.widget_name, self.keys, self.shown = name, keys, shown
        self.border_title = printable(f"{name} ({type_})")
        await self.remove_children()
        widgets: list[Label | Input] = []
        if not self.keys:
            widgets.append(Label("No properties.", markup=False))
        for i, key in enumerate(self.keys):
            widgets.append(Label(printable(key), markup=False, classes="studio-label"))
            placeholder = "(not set)" if key not in properties else ""
            widgets.append(
                VisibleInput(
                    self.shown[key], placeholder=placeholder, id=f"prop-{i}", classes="studio-field", compact=True
                )
            )
        await self.mount_all(widgets)

    def input_for(self, key: str) -> Input:
        return self.query_one(f"#prop-{self.keys.index(key)}", Input)

    def confirm(self, field: Input) -> None:
        """Post the field's text when it differs from what was shown."""
        if self.widget_name is None or not field.id or not field.id.startswith("prop-"):
            return
        key = self.keys[int(field.id[5:])]
        if field.value != self.shown.get(key, ""):
            self.shown[key] = field.value
            self.post_message(self.Edited(self, self.widget_name, key, field.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.confirm(event.input)

    def on_input_blurred(self, event: Input.Blurred) -> None:
        self.confirm(event.input)
