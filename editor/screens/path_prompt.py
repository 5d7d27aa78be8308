"""Asks for a file path (open, save as, export Python)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static


class PathSuggester(Suggester):
    """Completes the last path component from the file system (right arrow accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        path = Path(value).expanduser()
        folder, stem = (path, "") if value.endswith("/") else (path.parent, path.name)
        try:
            names = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir())
        except OSError:
            return None
        for name in names:
            if name.startswith(stem) and name != stem and not name.startswith("."):
                return value + name[len(stem) :]
        return None


class PathPrompt(ModalScreen[Path | None]):
    """Dismisses with the entered path, or None on escape/cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]

    def __init__(self, title: str, initial: str = "", hint: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.initial = initial
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="path-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            if self.hint:
                yield Static(self.hint, classes="dialog-text", markup=False)
            yield Input(self.initial, id="path-input", suggester=PathSuggester(), placeholder="path/to/file")
            yield Static("", id="path-error", classes="attr-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="path-ok", variant="primary")
                yield Button("Cancel", id="path-cancel")

    def on_mount(self) -> None:
        self.query_one("#path-input", Input).focus()

    def _submit(self) -> None:
        text = self.query_one("#path-input", Input).value.strip()
        if not text:
            self.query_one("#path-error", Static).update("Enter a file path.")
            return
        self.dismiss(Path(text).expanduser())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "path-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
