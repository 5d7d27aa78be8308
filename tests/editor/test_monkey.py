"""Monkey test (issue 20): long random sequences of the editor's own keys and printable
characters, one at a time and in bursts with no pause (as one read of a terminal delivers a
paste or key repeat), to a single file and to a flow folder.

After each batch the app must still run, within a time limit (a hang fails), and its views must
agree with the document: the tree shows the document's nodes, the preview its XML, the problems
list its findings.  At the end every edit is undone and the document must be as opened, and
nothing was written to disk (the keys that save, open, replace or quit are left out).

`TWIML_MONKEY_KEYS` sets the keys per seed (default: a short run for the normal suite); the
slow test sends more than 2,000 keys across seeds.  A failure names its seed and keys; `shrink`
reduces them to a short list to keep as a regression test (tests/editor/test_no_loss_regressions.py).
"""

from __future__ import annotations

import asyncio
import os
import random
import string
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from app_helpers import burst, drain, settle
from textual.pilot import Pilot

from twiml.base import TwiML
from twiml_editor import recovery
from twiml_editor.app import EditorApp
from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.keymap import ACTIONS, FLOW_ACTIONS
from twiml_editor.screens.document_screen import DocumentScreen
from twiml_editor.widgets.problems import MAX_ROWS

SIZE = (120, 40)
BATCH = 25
"""Keys between two checks of the views."""
BATCH_SECONDS = 60.0
"""A batch that takes longer than this is a hang (normally well under a second)."""

LEFT_OUT = {
    "save",
    "save_as",
    "open",
    "new",
    "new_from_template",
    "export_python",
    "reformat",
    "quit",
    "command_palette",
    "switch_dialect",
}
"""Actions that write files, replace the document or end the app: the test checks the document
it opened, and that nothing reached the disk. The dialect switch (d) is left out so that the
seeds keep the key sequences they had; `test_monkey_seed_13_with_d` runs one seed with it."""

EDITOR_KEYS = sorted({a.key.split(",")[0] for a in ACTIONS if a.id not in LEFT_OUT})
FLOW_KEYS = sorted({a.key.split(",")[0] for a in FLOW_ACTIONS} | {"r", "c", "t", "d", "n", "x"})
MOVE_KEYS = ["up", "down", "left", "right", "enter", "tab", "shift+tab", "escape", "backspace", "home", "end", "space"]
PRINTABLE = string.ascii_letters + string.digits + " <>&\"'/[]=-_.:"


def random_keys(rng: random.Random, count: int, flow: bool, editor_keys: list[str] | None = None) -> list[list[str]]:
    """`count` keys in groups: a group of one is pressed and waited for, a longer group is a burst."""
    own = (EDITOR_KEYS if editor_keys is None else editor_keys) + (FLOW_KEYS if flow else [])
    groups: list[list[str]] = []
    sent = 0
    while sent < count:
        size = 1 if rng.random() < 0.6 else rng.randint(2, 12)
        group = []
        for _ in range(min(size, count - sent)):
            pick = rng.random()
            if pick < 0.35:
                group.append(rng.choice(own))
            elif pick < 0.7:
                group.append(rng.choice(MOVE_KEYS))
            else:
                group.append(rng.choice(PRINTABLE))
        groups.append(group)
        sent += len(group)
    return groups


def disk(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.endswith(recovery.SUFFIX)
    }


def check_views(app: EditorApp) -> None:
    """The tree, the preview and the problems list show the document as it is."""
    doc = app.doc
    stack: list[tuple[TwiML, object]] = [(doc.root, app.tree.root)]
    while stack:
        node, row = stack.pop()
        assert getattr(row, "data", None) is node, f"the tree shows another node than <{node.name}>"
        children = list(getattr(row, "children", ()))
        if children:
            kids = [v for v in node.verbs if isinstance(v, TwiML)]
            assert [c.data for c in children] == kids, f"the tree's children of <{node.name}> differ"
            stack.extend(zip(kids, children, strict=True))
    if not app.preview.partial:
        assert app.preview.xml_area.text == doc.to_xml(), "the preview is not the document's XML"
    shown = len(app.problems.diagnostics)
    assert shown == min(len(doc.diagnostics()), MAX_ROWS), "the problems list is not the document's findings"


async def settle_all(pilot: Pilot[None]) -> None:
    """Let queued keys run and the views refresh (screens on top of the editor are fine)."""
    app = pilot.app
    assert isinstance(app, EditorApp)
    await settle(pilot)
    if app.is_running and isinstance(app.screen, DocumentScreen):
        app.document_screen.refresh_views()  # what the debounce would show next: compare against it at once
        await drain(app)


async def close_everything(pilot: Pilot[None]) -> None:
    """Back to the app's first screen (the document screen; the flow editor's map): dialogs, the
    Call panel and the document screen above the map closed."""
    app = pilot.app
    assert isinstance(app, EditorApp)
    for _ in range(20):
        if len(app.screen_stack) == 1:
            break
        screen = app.screen
        if screen.is_modal:
            screen.dismiss(None)
        else:
            app.pop_screen()
        await drain(app)
    if isinstance(app.screen, DocumentScreen):
        app.tree.focus()
    await settle(pilot)


async def run_keys(pilot: Pilot[None], groups: list[list[str]], on_batch: Callable[[], Awaitable[None]]) -> None:
    count = 0
    for group in groups:
        burst(pilot.app, group)  # one key, or a burst with no pause between the keys
        await drain(pilot.app)
        count += len(group)
        if count >= BATCH:
            count = 0
            await on_batch()
    await on_batch()


async def monkey(app: EditorApp, groups: list[list[str]], folder: Path) -> None:
    """Send `groups`, checking after each batch; then undo everything and compare."""
    before_disk = disk(folder)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot)
        opened = {id(d): (d, d.to_xml()) for d in app.open_documents()}

        async def check() -> None:
            await settle_all(pilot)
            assert app.is_running and app._exception is None, "the editor stopped"
            if isinstance(app.screen, DocumentScreen) and not app.preview.partial:
                check_views(app)

        async def run() -> None:
            await run_keys(pilot, groups, check)

        await asyncio.wait_for(run(), BATCH_SECONDS * (1 + len(groups) // BATCH))
        await close_everything(pilot)
        for doc, _ in opened.values():
            while doc.can_undo:
                doc.undo()
        for doc in app.open_documents():
            opened.setdefault(id(doc), (doc, doc.to_xml()))
        app.load_document(app.doc)
        await settle_all(pilot)
        check_views(app)
        for doc, xml in opened.values():
            assert doc.to_xml() == xml, f"undoing everything did not give back {doc.file_path}"
        assert app.is_running
    assert app._exception is None
    assert disk(folder) == before_disk, "keys that never save changed files on disk"


def keys_per_seed(default: int) -> int:
    return int(os.environ.get("TWIML_MONKEY_KEYS", default))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_monkey_single_file(folder: Path, seed: int) -> None:
    groups = random_keys(random.Random(seed), keys_per_seed(30), flow=False)
    await monkey(EditorApp(folder / "ivr_main_menu.xml"), groups, folder)


@pytest.mark.parametrize("seed", [4, 5])
async def test_monkey_flow_folder(folder: Path, seed: int) -> None:
    groups = random_keys(random.Random(seed), keys_per_seed(30), flow=True)
    await monkey(FlowEditorApp(folder), groups, folder)


@pytest.mark.slow
@pytest.mark.parametrize(("seed", "flow"), [(11, False), (12, False), (13, True), (14, True)])
async def test_monkey_long(folder: Path, seed: int, flow: bool) -> None:
    """More than 2,000 keys across the four seeds (600 each)."""
    groups = random_keys(random.Random(seed), keys_per_seed(600), flow=flow)
    app = FlowEditorApp(folder) if flow else EditorApp(folder / "ivr_main_menu.xml")
    await monkey(app, groups, folder)


def shrink(keys: list[str], fails: Callable[[list[str]], bool]) -> list[str]:
    """A shorter key list that still fails (delta debugging: drop chunks while it fails)."""
    chunk = max(1, len(keys) // 2)
    while chunk >= 1:
        start = 0
        while start < len(keys):
            candidate = keys[:start] + keys[start + chunk :]
            if candidate and fails(candidate):
                keys = candidate
            else:
                start += chunk
        chunk //= 2
    return keys


def test_shrink_finds_the_keys_that_matter() -> None:
    keys = [*"abcdefghij", "f5", "k", "f6", *"lmnop"]
    assert shrink(keys, lambda ks: "f5" in ks and "f6" in ks[ks.index("f5") :]) == ["f5", "f6"]


@pytest.mark.slow
async def test_monkey_seed_11_at_3000_keys_settles(folder: Path) -> None:
    """Found by a 3,000-keys run: a selection of a pasted `<Response>` whose row was not laid out
    yet stayed pending for good (the cursor landed elsewhere, and every other row's highlight is
    ignored while a selection is pending), so the editor never became idle again."""
    groups = random_keys(random.Random(11), 3000, flow=False)
    await monkey(EditorApp(folder / "ivr_main_menu.xml"), groups, folder)


@pytest.mark.slow
async def test_monkey_seed_13_with_d(folder: Path) -> None:
    """With the dialect key (d) among the keys, seed 13 (flow) ended on a document changed by the
    final undo-all behind its views, and the flow editor's `load_document` of the Document already
    shown kept the old views (one Redirect too many); shrunk in test_no_loss_regressions.py."""
    editor_keys = sorted({*EDITOR_KEYS, "d"})
    groups = random_keys(random.Random(13), keys_per_seed(600), flow=True, editor_keys=editor_keys)
    await monkey(FlowEditorApp(folder), groups, folder)
