"""The base of every modal dialog: it closes once, only while it is the screen on top, and once
it has answered none of its own handlers run.

`Screen.dismiss` pops whatever screen is on top.  Keys a terminal delivers in one read (`e`
Enter Enter, a paste, key repeat) can reach a dialog after it already chose: a second dismiss
would then pop the screen under it (the editor itself: ScreenStackError) or a dialog the first
choice opened.  A dialog that has closed, or is not on top, ignores further dismissals.

A dialog can also answer before it has composed (pushed and dismissed in the same burst), or get
a message from one of its widgets after it closed (an Input's Changed queued behind the Enter
that chose).  Its handlers then query children that are gone (`NoMatches '#delete-cancel'`, found
by the monkey test).  So once a dialog has answered, or has left the app, the handlers its
classes define (`on_mount`, `on_key`, `@on(...)` and the rest) are skipped for every message;
Textual's own handlers still run, and a key still bubbles on to the app's bindings, which act on
the screen now on top, as if it had been typed after the dialog closed.

`ChoiceDialog` is the shape every confirmation shares (title, text, buttons that answer values).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static
from textual.widgets.button import ButtonVariant

from twiml_editor.widgets.literal import shown

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A modal screen whose `dismiss` acts once, and only when it is the active screen."""

    _answered = False

    @property
    def answered(self) -> bool:
        """True once the dialog has chosen (or was taken off the app some other way)."""
        return self._answered or not self.is_attached

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        if self._answered or not self.is_current:
            return AwaitComplete()  # nothing to wait for
        self._answered = True
        return super().dismiss(result)

    def _get_dispatch_methods(
        self, method_name: str, message: Message
    ) -> Iterable[tuple[type, Callable[[Message], Awaitable[None]]]]:
        for cls, method in super()._get_dispatch_methods(method_name, message):
            if issubclass(cls, Dialog) and self.answered:
                continue  # the dialog's own handler, after it chose: its widgets may be gone
            yield cls, method


@dataclass(frozen=True)
class Option(Generic[R]):
    """One button of a `ChoiceDialog`: its label, its widget id, the value it answers, its look."""

    label: str
    id: str
    value: R
    variant: ButtonVariant = "default"


class ChoiceDialog(Dialog[R]):
    """The one shape of the editor's confirmations: a title, a text, a row of buttons, each
    answering its value; escape answers `cancel`. No letter keys: these dialogs open while the
    user may be typing (a file name, a burst of keys), and a typed letter must never save,
    discard or overwrite. The `focused` button has focus (Cancel where a stray Enter would lose
    something); arrows move between the buttons, Enter or a click chooses."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("left,up", "app.focus_previous", "Previous", show=False),
        Binding("right,down", "app.focus_next", "Next", show=False),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        options: list[Option[R]],
        *,
        cancel: R,
        focused: str,
        dialog_id: str,
        wide: bool = False,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.text = text
        self.options = options
        self.cancel_value = cancel
        self.focused_id = focused
        self.dialog_id = dialog_id
        self.wide = wide

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide" if self.wide else "dialog", id=self.dialog_id):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(shown(self.text), classes="dialog-text", markup=False)
            with Horizontal(classes="dialog-buttons"):
                for option in self.options:
                    yield Button(option.label, id=option.id, variant=option.variant)

    def on_mount(self) -> None:
        self.query_one(f"#{self.focused_id}", Button).focus()

    def action_choose(self, button_id: str) -> None:
        """Answer the value of the button `button_id` (a key binding of a subclass)."""
        self.dismiss(next((o.value for o in self.options if o.id == button_id), self.cancel_value))

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_choose(event.button.id or "")
