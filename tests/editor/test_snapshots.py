"""Snapshot screens (pytest-textual-snapshot): the main screen on a sample flow, and the
problems panel showing an error. Update with `pytest --snapshot-update` after a deliberate change."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual.pilot import Pilot

ROOT = Path(__file__).resolve().parents[2]


def test_main_screen_with_sample_flow(snap_compare: Callable[..., bool], monkeypatch: pytest.MonkeyPatch) -> None:
    from editor.app import EditorApp

    monkeypatch.chdir(ROOT)  # the title shows the path as given: keep it the same in every checkout
    app = EditorApp(Path("sample_flows") / "ivr_main_menu.xml")

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        gather = app.doc.root.children[1]
        app.select(gather)
        await settle(pilot)
        app.ensure_form()
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_problems_panel_shows_an_error(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    from editor.app import EditorApp

    path = tmp_path / "bad_menu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather numDigits="one" action="/menu">\n'
        "    <Dial>+15550100</Dial>\n  </Gather>\n</Response>\n",
        encoding="utf-8",
    )
    app = EditorApp(path)

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        app.problems.focus()
        await pilot.press("enter")
        await settle(pilot)
        app.ensure_form()
        await settle(pilot)
        app.sub_title = "bad_menu.xml"  # the temporary directory differs per run

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
