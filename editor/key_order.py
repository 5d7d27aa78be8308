"""Keys in the order they were typed, for the actions that decide on the document's state.

A key that also works in a text field (ctrl+q, ctrl+s, ctrl+z) is a priority binding: the app
acts on it as it arrives, while the keys typed just before it (one read of the terminal: Down,
Delete, ctrl+q) may still wait in the queues of the widgets the app forwarded them to. An
action that saves, quits, undoes or opens first lets those keys finish (`settle_keys`), so it
sees every edit they made.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.message_pump import MessagePump

__all__ = ["settle_keys"]

ROUNDS = 8
"""At most this many passes: a key goes app -> focused widget -> its parents -> screen, and
what it does may post more (a chosen document pushes its screen); a pass that finds every queue
empty ends early."""


async def _pump(target: MessagePump) -> None:
    """Wait until `target` has handled what was queued on it before now."""
    done = asyncio.Event()
    if target.call_later(done.set):
        await done.wait()


async def settle_keys(app: App[Any]) -> None:
    """Let the keys and messages queued before this call be handled first: the app's, then
    those of every widget of the screen on top, pass after pass until all are empty. Call it
    from a worker (an action that awaits it on a widget's own queue would wait for itself)."""
    for _ in range(ROUNDS):
        if not app.is_running:
            return
        await _pump(app)
        try:
            widgets = list(app.screen.walk_children(with_self=True))
        except Exception:  # no screen yet, or the app is stopping
            return
        busy = [w for w in widgets if not w._message_queue.empty()]
        if not busy and app._message_queue.empty():
            return
        for widget in busy:
            await _pump(widget)
