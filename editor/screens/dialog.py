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
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.message import Message
from textual.screen import ModalScreen

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
