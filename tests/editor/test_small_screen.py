"""The document screen at 80x24: problems wrap into at least 4 rows, the code column fits the
longest code, toasts leave the problems visible, tree labels keep the action URL in view."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import settle
from textual.widgets._toast import Toast

from twiml_editor.app import EditorApp

SMALL = (80, 24)
BAD = """<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="/voicemail/recording-status-callback" numDigits="1" timeout="50" input="dtmf speech">
    <Say voice="Polly.Joanna-Neural" loop="-2">For sales, press 1 or say sales.</Say>
  </Gather>
  <Dial action="/dial-complete" timeout="900" record="maybe"><Number>+15557650001</Number></Dial>
  <Pause length="-1"/>
</Response>
"""


async def test_problems_wrap_and_stay_in_view_at_80x24(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(BAD, encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot, lambda: app.problems.diagnostics)
        table = app.problems
        await settle(pilot, lambda: table.row_count == len(table.diagnostics))
        assert table.scrollable_content_region.height >= 4  # rows, below the header
        widths = {key.value: column.get_render_width(table) - 2 for key, column in table.columns.items()}
        assert widths["code"] == max(len(str(d.code)) for d in table.diagnostics)
        assert sum(w + 2 for w in widths.values()) <= table.scrollable_content_region.width
        # the longest message wraps: every word of it is in its cell's lines
        longest = max(table.diagnostics, key=lambda d: len(d.message))
        index = table.diagnostics.index(longest)
        row = table.ordered_rows[index]
        assert row.height > 1
        lines = app.problems.render_lines(table.region.reset_offset)
        assert len(lines) == table.region.height
        # a toast leaves the problems visible
        app.notify("Saved bad.xml")
        await settle(pilot, lambda: app.screen.query(Toast))
        for toast in app.screen.query(Toast):
            assert not toast.region.overlaps(table.region)


async def test_tree_labels_keep_the_action_url_in_view(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(BAD, encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        gather = next(n for n in app.doc.root.children if n.name == "Gather")
        tree_node = app.tree.tree_node(gather)
        assert tree_node is not None
        label = str(tree_node.label)
        visible = app.tree.scrollable_content_region.width - 8  # the guides of a second-level row
        assert label.startswith("Gather → /voicemail/")  # before the attributes, which may be cut
        assert "→ /voicemail/" in label[:visible]


async def test_a_long_path_gives_way_in_the_middle_of_the_title(tmp_path: Path) -> None:
    """At 80 columns the header cut a long path at its end, where the file name is."""
    from app_helpers import screen_text

    folder = tmp_path / "corpus" / "some-deeply-nested-folder" / "another-level"
    folder.mkdir(parents=True)
    path = folder / "TwilioDevEd__api-snippets__gather-3.xml"
    path.write_text("<Response><Say>Hi</Say></Response>\n", encoding="utf-8")
    app = EditorApp(path)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot, until=lambda: "gather-3.xml" in screen_text(app).splitlines()[0], what="the file name")
        header = screen_text(app).splitlines()[0]
        assert "__gather-3.xml" in header and "…" in header
        await pilot.resize_terminal(200, 50)
        wide = f"{folder.parent.name}/anot"  # more of the path, still with the whole file name
        await settle(
            pilot,
            until=lambda: wide in (top := screen_text(app).splitlines()[0]) and path.name in top,
            what="more of the path",
        )


def test_fitted_path_is_relative_to_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from twiml_editor.widgets.literal import fitted_path

    (tmp_path / "flows").mkdir()
    monkeypatch.chdir(tmp_path)
    assert fitted_path(tmp_path / "flows" / "menu.xml", 80) == "flows/menu.xml"
    assert fitted_path("/elsewhere/a/b/c/menu.xml", 14) == "/els…/menu.xml"
    assert fitted_path("/elsewhere/a/b/c/menu.xml", 5) == "…b/c/menu.xml"
