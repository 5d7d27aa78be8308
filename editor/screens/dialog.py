"""The base of every modal dialog: it closes once, and only while it is the screen on top.

`Screen.dismiss` pops whatever screen is on top.  Keys a terminal delivers in one read (`e`
Enter Enter, a paste, key repeat) can reach a dialog after it already chose: a second dismiss
would then pop the screen under it (the editor itself: ScreenStackError) or a dialog the first
choice opened.  A dialog that has closed, or is not on top, ignores further dismissals.
"""

from __future__ import annotations

from typing import TypeVar

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A modal screen whose `dismiss` acts once, and only when it is the active screen."""

    _answered = False

    def dismiss(self, result: R | None = None) -> AwaitComplete:
        if self._answered or not self.is_current:
            return AwaitComplete()  # nothing to wait for
        self._answered = True
        return super().dismiss(result)
