"""A filterable list in a modal: type to narrow, up/down to move, enter to choose."""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.lists import PagedOptionList
from twiml_editor.widgets.literal import VisibleInput, literal, shown

T = TypeVar("T")


class PickerScreen(Dialog["T | None"], Generic[T]):
    """Dismisses with the chosen item's value, or None on escape."""

    no_match = "Nothing here matches {text!r}."

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
    ]

    def __init__(
        self, title: str, items: list[tuple[str, str, T]], hint: str = "", *, dialog_id: str = "picker"
    ) -> None:
        """`items` are (name, description, value); the filter matches name and description."""
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.items = items
        self.hint = hint
        self.dialog_id = dialog_id
        self.shown_items: list[int] = list(range(len(items)))
        self._filtered_by = ""  # the filter text `shown_items` reflects

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide picker", id=self.dialog_id):
            yield Label(shown(self.title_text), classes="dialog-title", markup=False)
            if self.hint:
                yield Static(shown(self.hint), classes="dialog-text", markup=False)
            yield VisibleInput(placeholder="type to filter", id="picker-filter")
            yield Static("", id="picker-empty", markup=False)
            yield PagedOptionList(*self._options(), id="picker-list")

    def _options(self) -> list[Option]:
        options = []
        for index in self.shown_items:
            name, doc, _ = self.items[index]
            prompt = literal(name, style="bold")
            if doc:
                prompt.append("  " + shown(doc), style="dim")
            options.append(Option(prompt, id=str(index)))
        return options

    def on_mount(self) -> None:
        self.query_one("#picker-filter", Input).focus()
        option_list = self.query_one("#picker-list", OptionList)
        if self.shown_items:
            option_list.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._apply_filter(event.value)

    def _apply_filter(self, value: str) -> None:
        """Narrow the list to `value`; the same text again keeps the highlight (Enter re-applies
        the filter, and must not undo a Down typed after the last letter)."""
        if value == self._filtered_by:
            return
        self._filtered_by = value
        words = value.lower().split()
        # Names that start with the text come first, so "say" + enter picks <Say>.
        ranked = []
        for index, (name, doc, _) in enumerate(self.items):
            haystack = f"{name} {doc}".lower()
            if all(w in haystack for w in words):
                ranked.append((0 if words and name.lower().startswith(words[0]) else 1, index))
        self.shown_items = [index for _, index in sorted(ranked)]
        self.query_one("#picker-empty", Static).update(
            shown(self.no_match.format(text=value.strip())) if self.items and not self.shown_items else ""
        )
        option_list = self.query_one("#picker-list", OptionList)
        option_list.clear_options()
        option_list.add_options(self._options())
        if self.shown_items:
            option_list.highlighted = 0

    def action_move(self, delta: int) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        if not self.shown_items:
            return
        current = option_list.highlighted or 0
        option_list.highlighted = max(0, min(len(self.shown_items) - 1, current + delta))

    @on(Input.Submitted, "#picker-filter")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_filter(event.value)  # the last Changed may still be queued behind a fast Enter
        self._choose_highlighted()

    def _choose_highlighted(self) -> None:
        option_list = self.query_one("#picker-list", OptionList)
        if option_list.highlighted is not None and self.shown_items:
            self._choose(option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None:
            self.dismiss(self.items[int(option_id)][2])

    def action_cancel(self) -> None:
        self.dismiss(None)
