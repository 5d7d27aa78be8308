"""A large document in the app: a burst of typed keys all land, and the views show the result
(preview text, problems with the exact served size) without a full re-render."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import SIZE, field_input, settle

from twiml.voice_response import VoiceResponse
from twiml_editor.app import EditorApp

MENUS = 1000  # 5,002 nodes


def _document(path: Path) -> Path:
    r = VoiceResponse()
    for menu in range(MENUS):
        g = r.gather(num_digits=1, action=f"/menu/{menu}", timeout=5)
        for i in range(3):
            g.say(f"For option {i} of menu {menu}, press {i}.")
        r.say(f"No input for menu {menu}.")
    path.write_text(r.to_xml(pretty=True), encoding="utf-8")
    return path


@pytest.mark.slow  # a large document typed into key by key; .ci/run runs it in its slow step
async def test_a_burst_of_typed_keys_all_land_in_a_large_document(tmp_path: Path) -> None:
    path = _document(tmp_path / "large.xml")
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gather = app.doc.root.children[MENUS]  # the middle of the document
        app.document_screen.select(gather)
        await settle(pilot)
        app.document_screen.ensure_form()
        await settle(pilot)
        field = field_input(app, "action")
        field.focus()
        await settle(pilot)
        typed = "/typed/fast/0123456789"
        await pilot.press(*typed)  # one burst: no pause between the keys
        await settle(pilot)
        assert gather.attrs["action"] == typed
        assert app.preview.xml_area.text == app.doc.to_xml() == app.doc.root.to_xml(pretty=True)
        assert f'<Gather action="{typed}"' in app.preview.xml_area.text
        served = [d for d in app.problems.diagnostics if d.code == 11750]
        size = len(app.doc.file_text().encode("utf-8"))
        assert served and f"is {size} bytes" in served[0].message
        assert size == path.stat().st_size + len(typed) - len(f"/menu/{MENUS // 2}")


async def test_opening_from_the_command_line_resumes_the_collector_after_the_first_paint(tmp_path: Path) -> None:
    """`twiml-editor` pauses garbage collection for its start-up (twiml_editor.__main__); the app turns
    it back on once the document is shown, with the whole tree added and the text aligned."""
    import gc

    path = _document(tmp_path / "large.xml")
    gc.disable()
    try:
        app = EditorApp(path)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert gc.isenabled()
            assert len(app.tree.root.children) == len(app.doc.root.children)
            assert app.doc.source.preserving  # aligned, so saves keep the file's own formatting
    finally:
        gc.enable()


async def test_a_flow_folder_opened_from_the_command_line_resumes_the_collector_too() -> None:
    import gc

    from twiml_editor.flow_app import FlowEditorApp

    gc.disable()
    try:
        app = FlowEditorApp(Path(__file__).resolve().parents[2] / "sample_flows")
        async with app.run_test(size=SIZE) as pilot:
            # after the first paint, which can come after the app's queues ran dry (loaded machine)
            await settle(pilot, until=gc.isenabled, what="the collector running again")
    finally:
        gc.enable()
