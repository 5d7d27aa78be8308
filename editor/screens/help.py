"""F1 help: every action with its current key, read from the app's keymap.

The rows are a Rich table whose description column wraps between words, so every word shows
whole at any width; where that column would get too narrow for whole words (under about 70
columns) each description goes under its key and action instead. The rows scroll inside the
dialog (arrow keys, page keys, the wheel).
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Label, Static

from twiml_editor.screens.dialog import Dialog

KEY_WIDTH = 14
"""The key column's widest (a longer key wraps between keys)."""
MIN_DOES = 30
"""The narrowest description column the table keeps; narrower, descriptions go under their keys."""


class HelpRows:
    """The help rows as a Rich renderable laid out for the width it is drawn at: the table when
    its description column gets `MIN_DOES` columns, else each description under its key."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        self.rows = rows

    def _widths(self) -> tuple[int, int]:
        keys = max((cell_len(key) for key, _, _ in self.rows), default=3)
        actions = max((cell_len(action) for _, action, _ in self.rows), default=6)
        return min(max(keys, 3), KEY_WIDTH), max(actions, 6)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        keys, actions = self._widths()
        if options.max_width - keys - actions - 2 >= MIN_DOES:  # two one-cell gaps between columns
            yield self.table()
        else:
            yield self.stacked()

    def table(self) -> Table:
        """The action id never wraps (a config file names it); keys wrap between keys, the
        description between words."""
        table = Table(expand=True, box=None, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", max_width=KEY_WIDTH, overflow="fold")
        table.add_column("Action", style="dim", no_wrap=True)
        table.add_column("Does", ratio=1, overflow="fold")
        for key, action, text in self.rows:
            table.add_row(Text(key), Text(action), Text(text))
        return table

    def stacked(self) -> Group:
        """Narrow: the key and the action on a line, the description wrapped below them."""
        parts: list[Text | Padding] = [Text.assemble(("Key", "bold"), "  ", ("Action", "dim"), "  Does")]
        for key, action, text in self.rows:
            parts.append(Text.assemble((key, "bold"), "  ", (action, "dim"), overflow="fold"))
            parts.append(Padding(Text(text, overflow="fold"), (0, 0, 0, 2)))
        return Group(*parts)


class HelpScreen(Dialog[None]):
    """Lists (key, action, description) rows; any of escape / F1 / q closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,q", "dismiss", "Close", show=False)]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help-dialog"):
            yield Label("twiml-editor keys", classes="dialog-title")
            yield Static(
                'Keys are remappable in ~/.config/twiml-editor/config.toml, e.g. [keys] save = "ctrl+w". '
                "Every action is also in the command palette (ctrl+p). Keys typed into a text field go "
                "to the field: press escape or tab back to the tree first.",
                classes="dialog-text",
                markup=False,
            )
            with VerticalScroll(id="help-table", can_focus=True):
                yield Static(HelpRows(self.rows), id="help-rows")
            yield Button("Close", id="help-close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#help-table").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None)
