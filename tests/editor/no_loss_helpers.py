"""Helpers for the no-crash, no-hang, no-loss tests (issue 20): waiting for a condition, sending
a burst of keys the way a terminal delivers one read, and reading the screen as text."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Iterable

from textual import events
from textual._wait import wait_for_idle
from textual.app import App
from textual.pilot import Pilot

from twiml_editor.app import EditorApp

WAIT_STEPS = 400
"""Polls of 20 ms before a wait gives up (8 s: generous for a loaded 2-core machine)."""


async def drain(app: App[None]) -> None:
    """Wait until the app and every widget of its screen have handled what was queued.

    Pilot's own pause waits for each widget of the screen to run a callback, and waits 30 s for
    a widget that a queued key removed in the meantime (a burst that opens and closes a
    dialog): here the queues are polled instead."""
    for _ in range(WAIT_STEPS):
        done = asyncio.Event()
        if not app.call_later(done.set):
            return  # the app has stopped
        await asyncio.wait_for(done.wait(), 30)
        await wait_for_idle(0)
        try:
            widgets = [app, *app.screen.walk_children(with_self=True)]
        except Exception:
            return
        if all(w._message_queue.empty() for w in widgets):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the app never finished its queued messages")


async def wait_until(pilot: Pilot[None], predicate: Callable[[], object], what: str = "the expected state") -> None:
    """Wait until `predicate()` holds; fail naming `what` when it never does."""
    for _ in range(WAIT_STEPS):
        if predicate():
            return
        await drain(pilot.app)
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the app never reached {what}")


async def idle(pilot: Pilot[None]) -> None:
    """Wait until the editor has applied pending messages and refreshed its views."""
    app = pilot.app
    await drain(app)
    if isinstance(app, EditorApp):
        await wait_until(pilot, lambda: app.idle or not app.is_running, "an idle editor")
    await drain(app)


def key_event(key: str) -> events.Key:
    """The Key event a terminal produces for `key` (a name such as "enter", or a character)."""
    char: str | None
    if len(key) == 1:
        char = key
        name = key if key.isalnum() else _character_name(key)
    else:
        name = key
        try:
            char = unicodedata.lookup(key.upper().replace("_", " "))
        except KeyError:
            char = {"enter": "\r", "tab": "\t", "escape": "\x1b", "backspace": "\x7f", "space": " "}.get(key)
    return events.Key(name, char)


def _character_name(char: str) -> str:
    from textual.keys import _character_to_key

    return _character_to_key(char)


def burst(app: App[None], keys: Iterable[str]) -> None:
    """Queue every key at once, with no pause between them (one read of the terminal)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        driver.send_message(event)


async def burst_and_wait(pilot: Pilot[None], keys: Iterable[str]) -> None:
    burst(pilot.app, keys)
    await idle(pilot)


def screen_text(app: App[None]) -> str:
    """What the terminal shows now, line by line (the top screen and what shows through)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)
