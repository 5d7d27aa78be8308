"""Helpers shared by the editor's Pilot tests: waiting for a condition (`settle`, `drain`),
sending a burst of keys the way a terminal delivers one read (`burst`), reading the screen as
text (`screen_text`), and finding the tree's rows and the form's fields."""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Iterable
from time import monotonic
from typing import Any

from textual import events
from textual._wait import wait_for_idle
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets.tree import TreeNode

from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.screens.key_order import keys_pending

SIZE = (120, 40)
"""Terminal size every Pilot and snapshot test runs at."""


SETTLE_TIMEOUT = 30.0
"""Seconds `settle` waits for its condition before the test fails (generous: a busy machine is
slow, never wrong; a state that is never reached fails the test all the same)."""


async def drain(app: App[Any]) -> None:
    """Wait until the app and every widget of its screen have handled what was queued, and the
    app's key router holds no key back (a burst goes to the app one key at a time).

    Pilot's own pause waits for each widget of the screen to run a callback, and waits 30 s for
    a widget that a queued key removed in the meantime (a burst that opens and closes a
    dialog): here the queues are polled instead."""
    deadline = monotonic() + SETTLE_TIMEOUT
    while True:
        done = asyncio.Event()
        if not app.call_later(done.set):
            return  # the app has stopped
        await asyncio.wait_for(done.wait(), SETTLE_TIMEOUT)
        await wait_for_idle(0)
        try:
            widgets = [app, *app.screen.walk_children(with_self=True)]
        except Exception:
            return
        if all(w._message_queue.empty() for w in widgets) and not keys_pending(app):
            return
        if monotonic() > deadline:
            raise AssertionError("the app never finished its queued messages")
        await asyncio.sleep(0.01)


async def settle(
    pilot: Pilot[Any], until: Callable[[], object] | None = None, what: str = "the expected state"
) -> None:
    """Wait until the app has handled what was queued, the editor has refreshed its views (no
    refresh or form timer pending) and, when given, `until()` holds; fail naming `what` when that
    never happens.  Tests wait for a condition this way, never for a fixed time."""
    app = pilot.app
    deadline = monotonic() + SETTLE_TIMEOUT

    def reached() -> bool:
        idle = not isinstance(app, EditorApp) or app.idle
        if not idle:
            return False
        if until is not None and app.is_running:
            # `until` may read the screen: repaint first.  Textual skips a scheduled repaint that
            # falls inside a batch update and waits for the next refresh, which a test that only
            # reads may never cause (the fixable-marker test timed out so under load).
            app.screen._on_timer_update()
        return until is None or bool(until())

    await drain(app)
    while not reached():
        if not app.is_running:
            if until is not None and until():
                return
            raise AssertionError(f"the app stopped before it reached {what}")
        if monotonic() > deadline:
            shown = screen_text(app) if app.is_running else "(the app stopped)"
            raise AssertionError(f"the app never reached {what} within {SETTLE_TIMEOUT:.0f} s; the screen:\n{shown}")
        await asyncio.sleep(0.005)
        await drain(app)
    await drain(app)
    if app.is_running:
        app.screen._on_timer_update()  # repaint now: what the test reads next is on the screen


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


def screen_text(app: App[None]) -> str:
    """What the terminal shows now, line by line (the top screen and what shows through)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def select(app: EditorApp, pilot: Pilot[None], node: TwiML) -> None:
    """Select `node` with the tree focused, as clicking it would, and wait for the cursor."""
    app.tree.focus()
    app.document_screen.select(node)
    await settle(pilot)
    assert app.tree.cursor_node is not None and app.tree.cursor_node.data is node


def row(app: EditorApp, node: TwiML) -> TreeNode[TwiML]:
    """The tree row showing `node`; the test fails when there is none."""
    found = app.tree.tree_node(node)
    assert found is not None, f"<{node.name}> has no row in the tree"
    return found


def field_input(app: EditorApp, attr: str) -> Input:
    """The text input of the form's field for `attr` (enum fields use a Select instead)."""
    widget = app.form.fields[attr].input_widget
    assert isinstance(widget, Input)
    return widget
