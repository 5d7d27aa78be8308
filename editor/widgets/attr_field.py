"""One row of the attribute form: a label, an input fitted to the attribute's type, an error line.

A field never edits the document: it posts `AttrField.Edited`, and only when the value really
differs from the one it last showed (so programmatic fills never echo back as edits).
"""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from twiml.base import TwiML
from twiml.grammar_types import Attr
from twiml_editor.widgets.literal import TypingEntry, VisibleInput, literal, shown
from twiml_editor.widgets.value_check import describe, problem

UNSET_LABEL = "(unset)"


def _text(value: object) -> str | None:
    """The stored attribute value as the text a field shows (lists space-separated)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    return str(value)


class FieldSelect(Select[str]):
    """A Select that may be removed before its Mount event is handled.

    A burst of keys can build a form and replace it in one go (the cursor moves on, an undo
    changes the unknown attributes): the form's old container is pruned, which removes the
    Select's overlay before the Select's own queued Mount runs, and Textual's Select looks the
    overlay up there unconditionally (NoMatches). A Select on its way out has nothing to set up."""

    def _on_mount(self, event: events.Mount) -> None:
        # Textual runs the handler of every class in the MRO: prevent_default skips Select's.
        if self._pruning or self._closing or not self.is_attached or not self.query("SelectOverlay"):
            event.prevent_default()


class AttrField(Vertical):
    """A form row for attribute `xml_name` of `node`; `attr` is None for unknown attributes."""

    class Edited(Message):
        """The user set (or, with value None, removed) attribute `xml_name` of `node`."""

        def __init__(self, field: AttrField, node: TwiML, xml_name: str, value: str | None, entry: int = 0) -> None:
            super().__init__()
            self.field = field
            self.node = node
            self.xml_name = xml_name
            self.value = value
            self.entry = entry
            """The typing entry it came from (`TypingEntry`); 0 for a one-off edit."""

        @property
        def control(self) -> AttrField:
            """The field that posted it."""
            return self.field

    class Done(Message):
        """Enter in the field: the user is done with it (focus goes back to the tree)."""

        def __init__(self, field: AttrField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> AttrField:
            """The field that posted it."""
            return self.field

    def __init__(self, node: TwiML, xml_name: str, attr: Attr | None) -> None:
        super().__init__(classes="attr-field")
        self.node = node
        self.xml_name = xml_name
        self.attr = attr
        self.shown: str | None = _text(node.attrs.get(xml_name))
        self.input_widget = self._make_input(self.shown)
        self._message: str | None = None

    # -- construction ---------------------------------------------------------------------
    def _select_options(self, values: tuple[str, ...], current: str | None) -> list[tuple[Text, str]]:
        options = [(literal(v), v) for v in values]
        if current not in (None, "") and current not in values:
            options.insert(0, (literal(f"{current}  ⚠ not allowed"), current))
        return options

    def _make_input(self, current: str | None) -> Widget:
        attr = self.attr
        if attr is not None and (attr.type == "bool" or (attr.type == "enum" and not attr.open and attr.values)):
            values = ("true", "false") if attr.type == "bool" else attr.values
            return FieldSelect(
                self._select_options(values, current),
                prompt=UNSET_LABEL,
                allow_blank=True,
                value=current if current not in (None, "") else Select.NULL,
                compact=True,
            )
        suggester = None
        if attr is not None and attr.values:
            suggester = SuggestFromList(attr.values, case_sensitive=False)
        placeholder = describe(attr) if attr is not None else "unknown attribute"
        return VisibleInput(value=current or "", placeholder=placeholder, suggester=suggester, compact=True)

    def compose(self) -> ComposeResult:
        # The label sits above its field, or beside it on very wide screens (app.tcss); its
        # tooltip repeats the full name with the attribute's documentation.
        with Horizontal(classes="attr-row"):
            label = Label(
                shown(self.xml_name) + ("*" if self.attr is not None and self.attr.required else ""),
                classes="attr-name" + (" unknown" if self.attr is None else ""),
                markup=False,
            )
            doc = self.attr.doc if self.attr is not None else "not in the grammar"
            label.tooltip = f"{self.xml_name}: {doc}" if doc else self.xml_name
            yield label
            with Horizontal(classes="attr-input"):
                yield self.input_widget
                if self.attr is None:
                    yield Button("✕", classes="remove-attr", compact=True, tooltip="Remove this attribute")
        yield Static(shown(self._problem(self.shown) or ""), classes="attr-error", markup=False)

    def on_mount(self) -> None:
        if self._pruning or not self.is_attached:
            return  # removed before it mounted (see FieldSelect): its error line may be gone
        self._show_problem(self.shown, force=True)

    # -- values ---------------------------------------------------------------------------
    def current(self) -> str | None:
        widget = self.input_widget
        if isinstance(widget, Select):
            value = widget.value
            return None if value is Select.NULL or value is None else str(value)
        assert isinstance(widget, Input)
        return widget.value if widget.value != "" else None

    def _problem(self, text: str | None) -> str | None:
        return problem(self.attr, text)

    def _show_problem(self, text: str | None, force: bool = False) -> None:
        message = self._problem(text)
        if message == self._message and not force:
            return  # updating the label would re-run layout on every keystroke
        errors = list(self.query(".attr-error").results(Static))
        if not errors:
            return  # the row is being removed (its error line went first)
        self._message = message
        error = errors[0]
        error.update(shown(f"⚠ {message}") if message else "")
        error.display = bool(message)
        self.set_class(bool(message), "-invalid")

    def fill(self, value: object) -> None:
        """Show `value` (after undo/redo) without posting an edit."""
        text = _text(value)
        if text == self.shown and text == self.current():
            return
        self.shown = text
        widget = self.input_widget
        with self.prevent(Input.Changed, Select.Changed):
            if isinstance(widget, Select):
                values = (
                    ("true", "false")
                    if self.attr is not None and self.attr.type == "bool"
                    else (self.attr.values if self.attr is not None else ())
                )
                try:
                    widget.set_options(self._select_options(values, text))
                except NoMatches:
                    # A field mounted this frame has not composed its menu yet (two fixes in a
                    # row add and refill rows at once): fill it again once it has.
                    if widget.is_attached:
                        self.call_after_refresh(self.fill, value)
                    return
                widget.value = text if text not in (None, "") else Select.NULL
            elif isinstance(widget, Input) and widget.value != (text or ""):
                widget.value = text or ""
        self._show_problem(text)

    def _changed(self) -> None:
        value = self.current()
        self._show_problem(value)
        if value != self.shown:
            self.shown = value
            widget = self.input_widget
            entry = widget.entry if isinstance(widget, TypingEntry) else 0
            self.post_message(self.Edited(self, self.node, self.xml_name, value, entry))

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.input is self.input_widget:
            self._changed()

    @on(Input.Submitted)
    def _input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._changed()
        self.post_message(self.Done(self))

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._changed()

    @on(Button.Pressed, ".remove-attr")
    def _remove(self, event: Button.Pressed) -> None:
        event.stop()
        self.shown = None
        self.post_message(self.Edited(self, self.node, self.xml_name, None))
