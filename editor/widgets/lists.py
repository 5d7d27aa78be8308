"""Lists that a key may page before they have a size.

A screen that opens and a PageUp/PageDown in the same terminal read (`ctrl+p PageDown`, a
paste, key repeat) reach Textual's `OptionList` before its first layout: its line index is
still empty and paging raises `KeyError: 0`. Paging a list nobody has seen yet is a no-op."""

from __future__ import annotations

from textual.command import CommandList, CommandPalette
from textual.widgets import OptionList


def laid_out(option_list: OptionList) -> bool:
    """True once the list has an area to page through (its lines are indexed then)."""
    return bool(option_list.scrollable_content_region)


class PagedOptionList(OptionList):
    """An `OptionList` whose PageUp/PageDown wait for the list to have a size."""

    def action_page_up(self) -> None:
        if laid_out(self):
            super().action_page_up()  # type: ignore[no-untyped-call]  # Textual's is untyped

    def action_page_down(self) -> None:
        if laid_out(self):
            super().action_page_down()  # type: ignore[no-untyped-call]  # Textual's is untyped


class EditorCommandPalette(CommandPalette):
    """Textual's command palette, with paging before its list has a size a no-op."""

    ID = "--command-palette"
    """The id Textual's `CommandPalette.is_open` looks for."""

    def _action_command_list(self, action: str) -> None:
        if action in ("page_up", "page_down"):
            commands = self.query(CommandList)
            if not commands or not laid_out(commands.first()):
                return
        super()._action_command_list(action)
