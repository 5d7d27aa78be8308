"""Snapshot screens (pytest-textual-snapshot): the main screen on a sample flow, and the
problems panel showing an error, at 120x40, plus the layouts at 80x24 and 160x48 (issue 10).
Update with `pytest --snapshot-update` after a deliberate change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from app_helpers import SIZE
from app_helpers import settle as settle_app
from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Input, TextArea


async def settle(pilot: Pilot[None]) -> None:
    """Settle, with cursors that do not blink: a loaded machine would otherwise catch a focused
    field's cursor in either phase of its blink, and the screen would differ between runs."""
    await settle_app(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        if isinstance(widget, Input | TextArea):
            widget.cursor_blink = False
    await settle_app(pilot)


ROOT = Path(__file__).resolve().parents[2]


def test_main_screen_with_sample_flow(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch) -> None:
    from twiml_editor.app import EditorApp

    monkeypatch.chdir(ROOT)  # the title shows the path as given: keep it the same in every checkout
    app = EditorApp(Path("sample_flows") / "ivr_main_menu.xml")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        gather = app.doc.root.children[1]
        app.document_screen.select(gather)
        await settle(pilot)
        app.document_screen.ensure_form()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_problems_panel_shows_an_error(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    from twiml_editor.app import EditorApp

    path = tmp_path / "bad_menu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather numDigits="one" action="/menu">\n'
        "    <Dial>+15550100</Dial>\n  </Gather>\n  <Enqueue/>\n</Response>\n",
        encoding="utf-8",
    )
    app = EditorApp(path)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app.problems.focus()
        await pilot.press("enter")
        await settle(pilot)
        app.document_screen.ensure_form()
        await settle(pilot)
        app.document_screen.sub_title = "bad_menu.xml"  # the temporary directory differs per run

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def _conference_form(app, size: tuple[int, int]):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        conference = app.doc.root.children[1].children[0]
        app.document_screen.select(conference)
        await settle(pilot)
        await pilot.press("enter")  # edit its fields
        await settle(pilot)

    return run_before


CONFERENCE = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Joanna-Neural">Welcome to the weekly sync.</Say>
  <Dial action="/conference/after" timeLimit="7200">
    <Conference beep="onEnter" maxParticipants="25" record="record-from-start" recordingStatusCallback="https://api.example.com/conference/recording" recordingStatusCallbackEvent="completed" statusCallback="https://api.example.com/conference/events" statusCallbackEvent="start end join leave" waitUrl="https://api.example.com/twiml/conference-hold">team-weekly-sync</Conference>
  </Dial>
</Response>
"""


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_form_of_a_conference(  # type: ignore[no-untyped-def]
    snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """Long attribute names (recordingStatusCallbackEvent) in full, fields as wide as the form."""
    from twiml_editor.app import EditorApp

    monkeypatch.chdir(tmp_path)  # the title shows the path as given: the same in every run
    Path("conference.xml").write_text(CONFERENCE, encoding="utf-8")
    app = EditorApp(Path("conference.xml"))
    assert snap_compare(app, terminal_size=size, run_before=_conference_form(app, size))


def test_preview_beside_the_tree_at_80x24(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from twiml_editor.app import EditorApp

    monkeypatch.chdir(ROOT)
    app = EditorApp(Path("sample_flows") / "ivr_main_menu.xml")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("down", "f3", "f4")  # preview instead of the form, wrapped
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_open_dialog_at_80x24(snap_compare, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from twiml_editor.app import EditorApp

    monkeypatch.chdir(ROOT)
    app = EditorApp(Path("sample_flows") / "ivr_main_menu.xml")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        app.screen.query_one("#path-input", Input).value = "sample_flows/c"
        await settle(pilot)
        tree = app.screen.query_one("#path-tree", DirectoryTree)
        folder = (ROOT / "sample_flows").resolve()

        def filtered() -> bool:  # the tree loads in a worker: sample_flows/, only the names starting with c
            kids = tree.root.children
            return (
                Path(tree.path).resolve() == folder
                and bool(kids)
                and all(k.data is not None and k.data.path.name.startswith("c") for k in kids)
            )

        await settle_app(pilot, until=filtered)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
