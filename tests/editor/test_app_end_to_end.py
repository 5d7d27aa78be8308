"""Build a small IVR menu purely by key presses, save it, and read the file back."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import SIZE, settle
from textual.pilot import Pilot

import twiml
from twiml.voice_response import VoiceResponse
from twiml_editor.app import EditorApp


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[{" ": "space", "/": "slash", ".": "full_stop", ",": "comma"}.get(c, c) for c in text])


@pytest.mark.slow  # ~120 keys, each waited for as a user's would be
async def test_build_ivr_menu_by_keys(tmp_path: Path) -> None:
    target = tmp_path / "menu.xml"
    app = EditorApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # <Gather numDigits="1" action="/menu">
        await pilot.press("a")
        await type_text(pilot, "gather")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await type_text(pilot, "numdigits")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "1")
        await pilot.press("enter")  # back to the tree
        await pilot.press("e")
        await type_text(pilot, "action")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "/menu")
        await pilot.press("enter")
        # <Say> inside the Gather
        await pilot.press("a")
        await type_text(pilot, "say")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # edit the selected node: focus its text
        await settle(pilot)
        await type_text(pilot, "Press 1 for sales")
        await pilot.press("enter")
        # back to the Gather, then a Say and a Redirect after it
        await pilot.press("shift+left")
        await settle(pilot)
        await pilot.press("s")
        await type_text(pilot, "say")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "Goodbye")
        await pilot.press("enter")
        await pilot.press("s")
        await type_text(pilot, "redirect")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f7", "backspace")  # select the placeholder URL and clear it
        await type_text(pilot, "/main")
        await pilot.press("enter")
        # save: no file name yet, so the prompt asks for one
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, str(target))
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert not app.doc.dirty

    expected = VoiceResponse()
    gather = expected.gather(num_digits="1", action="/menu")
    gather.say("Press 1 for sales")
    expected.say("Goodbye")
    expected.redirect("/main")
    saved = twiml.parse(target.read_text(encoding="utf-8"))
    assert saved.to_xml() == expected.to_xml()
