"""Helpers shared by the editor's Pilot tests."""

from __future__ import annotations

from collections.abc import Callable
from time import monotonic

from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets.tree import TreeNode

from twiml.base import TwiML
from twiml_editor.app import EditorApp

SIZE = (120, 40)
"""Terminal size every Pilot and snapshot test runs at."""


SETTLE_TIMEOUT = 30.0
"""Seconds `settle` waits for its condition before the test fails (generous: a busy machine is
slow, never wrong; a state that is never reached fails the test all the same)."""


async def settle(pilot: Pilot[None], until: Callable[[], object] | None = None) -> None:
    """Wait until the app has applied pending messages and refreshed its views (no refresh or
    form timer pending) and, when given, `until()` holds; fail the test when that never happens.
    Tests wait for a condition this way, never for a fixed time."""
    app = pilot.app
    assert isinstance(app, EditorApp)
    deadline = monotonic() + SETTLE_TIMEOUT
    await pilot.pause()
    while not (app.idle and (until is None or until())):
        if monotonic() > deadline:
            raise AssertionError(f"the app never reached the expected state within {SETTLE_TIMEOUT:.0f} s")
        await pilot.pause(0.005)
    await pilot.pause()


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
