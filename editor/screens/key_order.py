"""Keys in the order they were typed, for the actions that decide on the document's state.

A key that also works in a text field (ctrl+q, ctrl+s, ctrl+z) is a priority binding: the app
acts on it as it takes it from its queue, while the keys typed just before it (one read of the terminal: Down,
Delete, ctrl+q) may still wait in the queues of the widgets the app forwarded them to. An
action that saves, quits, undoes or opens first lets those keys finish (`settle_keys`), so it
sees every edit they made.

Only actions that act on the document before any dialog use it (save, quit, undo, redo): an
action that opens a prompt first (open, save as, new) must not, since the app has already
forwarded the rest of the burst (the name typed for the prompt) to the tree by the time the
action's worker runs, and settling would let the tree act on those keys.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump

__all__ = ["settle_keys"]

ROUNDS = 8
"""At most this many passes: a key goes app -> focused widget -> its parents -> screen -> app
(the bindings that are not priority ones), and what it does may post more; a pass that finds
every queue empty ends early."""


async def _pump(target: MessagePump) -> None:
    """Wait until `target` has handled what was queued on it before now."""
    done = asyncio.Event()
    if target.call_later(done.set):
        await done.wait()


def _busy(app: App[Any]) -> list[MessagePump] | None:
    """The widgets of the screen on top with something queued (None: no screen)."""
    try:
        widgets = list(app.screen.walk_children(with_self=True))
    except Exception:  # no screen yet, or the app is stopping
        return None
    return [w for w in widgets if not w._message_queue.empty()]


async def settle_keys(app: App[Any]) -> None:
    """Let the keys typed before this one be handled first: while a widget of the screen on top
    has something queued, the app, then each such widget, handle what they have, pass after
    pass. With no widget busy this returns at once, without giving the app a turn. Call it
    from a worker (an
    action that awaits it on a widget's own queue would wait for itself)."""
    for _ in range(ROUNDS):
        if not app.is_running:
            return
        busy = _busy(app)
        if not busy:
            return
        await _pump(app)
        for widget in busy:
            await _pump(widget)
        await _pump(app)  # keys the widgets left to the app's bindings
