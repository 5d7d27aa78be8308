"""Pilot tests of the Call panel (F5) at 80x24: outcomes of Dial, Record and Enqueue chosen as
`twiml call` asks for them, a phone's keypad, the Gather prompt shown once, a transcript that
scrolls to what just happened."""

from __future__ import annotations

from pathlib import Path

from app_helpers import settle
from rich.cells import cell_len
from textual.widgets import Button, OptionList, RichLog, Static

from twiml_editor.flow_app import FlowEditorApp
from twiml_editor.screens.call_screen import CallScreen
from twiml_editor.widgets.transcript import hanging_indent, hanging_wrap

SMALL = (80, 24)


def _waits(screen: CallScreen) -> str | None:
    session = screen.session
    if session is None or session.ended is not None or session.waiting is None:
        return None
    return session.waiting.kind


async def test_the_busy_branch_of_sales_walks_to_voicemail(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await pilot.click("#key-1")
        await settle(pilot, lambda: _waits(screen) == "dial")
        outcomes = screen.query_one("#call-outcomes", OptionList)
        assert outcomes.display and not screen.query_one("#call-pad").display
        keys = [outcomes.get_option_at_index(i).id for i in range(outcomes.option_count)]
        assert keys[:5] == ["completed", "answered", "busy", "no-answer", "failed"]
        assert "Dial Number +15557650001" in str(screen.query_one("#call-prompt", Static).render())
        await pilot.press("down", "down", "enter")  # busy
        await settle(pilot, lambda: _waits(screen) == "record")
        assert screen.document_name == "voicemail.xml"
        assert screen.highlighted is not None and screen.highlighted.name == "Record"
        await pilot.press("enter")  # the caller speaks 5 s: /voicemail/complete has a recording
        await settle(pilot, lambda: screen.session is not None and screen.session.ended is not None)
        text = "\n".join(screen.transcript)
        assert "outcome: busy" in text and "DialCallStatus=busy" in text
        assert "voicemail_saved.xml" in text
        log = screen.query_one("#call-log", RichLog)
        assert log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y  # scrolled to the end
        # and the silent branch: with nothing recorded Twilio goes on in the document
        await pilot.press("f5")
        await settle(pilot, lambda: _waits(screen) == "gather")
        await pilot.click("#key-1")
        await settle(pilot, lambda: _waits(screen) == "dial")
        screen.choose("no-answer")
        await settle(pilot, lambda: _waits(screen) == "record")
        screen.choose("0")
        await settle(pilot, lambda: screen.session is not None and screen.session.ended is not None)
        text = "\n".join(screen.transcript)
        assert "DialCallStatus=no-answer" in text and "We did not receive a message." in text


async def test_keypad_is_a_phone_and_the_gather_prompt_shows_once(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await settle(pilot, lambda: _waits(screen) == "gather")
        place = {str(b.label): b.region for b in screen.query("#call-keypad Button").results(Button)}
        rows = [[place[k].y for k in "123"], [place[k].y for k in "456"], [place[k].y for k in "789"]]
        rows.append([place[k].y for k in "*0#"])
        assert all(len(set(row)) == 1 for row in rows)  # 3 across ...
        assert [row[0] for row in rows] == sorted({row[0] for row in rows})  # ... 4 down, in order
        assert [place[k].x for k in "147*"] == [place["1"].x] * 4
        for widget in (*place.values(), screen.query_one("#call-hangup").region):
            assert widget.right <= SMALL[0] and widget.bottom <= SMALL[1] - 1  # on screen, above the footer
        prompt = str(screen.query_one("#call-prompt", Static).render())
        assert "press 1 key" in prompt
        assert not any("press 1 key" in line for line in screen.transcript)  # once: above the entry only
        assert screen.query_one("#call-prompt").region.height >= 2  # wrapped, not cut


async def test_enqueue_outcomes_are_chosen_too(folder: Path) -> None:
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await pilot.click("#key-2")
        await settle(pilot, lambda: _waits(screen) == "queue")
        screen.choose("queue-full")
        await settle(pilot, lambda: _waits(screen) == "record")
        assert screen.document_name == "voicemail.xml"
        screen.choose("nonsense")
        assert _waits(screen) == "record"


async def test_a_wrapped_transcript_line_continues_under_its_text(folder: Path) -> None:
    """At 80x24 requests and prompts wrap: every part after the first starts under the text
    after the line's prefix (`-> `, `   Say `, `     . `), never back under the prefix."""
    app = FlowEditorApp(folder)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await settle(pilot, lambda: isinstance(app.screen, CallScreen))
        screen = app.screen
        assert isinstance(screen, CallScreen)
        await pilot.click("#key-1")
        await settle(pilot, lambda: _waits(screen) == "dial")
        log = screen.log_view
        width = log.scrollable_content_region.width
        rows = [strip.text.rstrip() for strip in log.lines]
        assert all(cell_len(row) <= width for row in rows)
        at, wrapped = 0, 0
        for line in screen.transcript:
            for part in line.split("\n"):
                words, got = "".join(part.split()), "".join(rows[at].split())  # a long word may be cut
                assert rows[at] == part[: len(rows[at])], (rows[at], part)  # the line's own start
                at += 1
                indent = " " * hanging_indent(part, width)
                while len(got) < len(words):  # its wrapped parts, each under the text
                    assert rows[at].startswith(indent) and rows[at][len(indent)] != " ", (part, rows[at])
                    got += "".join(rows[at].split())
                    at += 1
                    wrapped += 1
                assert got == words
        assert at == len(rows) and wrapped >= 5
        assert any(row.startswith("-> POST") for row in rows)
        say = rows.index(next(r for r in rows if r.startswith("   Say [Polly.Joanna-Neural, en-US]")))
        assert rows[say + 1] == '       "Connecting you to sales."'  # under the voice, not under "Say"


def test_hanging_indent_is_under_the_text_after_the_prefix() -> None:
    assert hanging_indent("-> GET http://h/a", 40) == 3
    assert hanging_indent('   Say "Hi there"', 40) == 8  # under the spoken text, after the quote
    assert hanging_indent("     . then POST /menu", 40) == 7
    assert hanging_indent("plain", 40) == 0
    assert hanging_indent("   Sayyyyyyyyyyy x", 20) == 3  # a prefix over half the width: its spaces only


def test_hanging_wrap_counts_cells_and_cuts_only_words_wider_than_a_row() -> None:
    assert hanging_wrap("-> GET http://h/a  Digits=1", 80) == ["-> GET http://h/a  Digits=1"]
    assert hanging_wrap("-> GET http://h/a  Digits=1", 19) == ["-> GET http://h/a", "   Digits=1"]
    assert hanging_wrap('   Say "aaaa bbbb cccc"', 18) == ['   Say "aaaa bbbb', '        cccc"']
    assert hanging_wrap(" x " + "y" * 20, 12) == [" x yyyyyyyyy", "   yyyyyyyyy", "   yy"]
    # wide characters count two cells each: no row is wider than 16 cells
    rows = hanging_wrap('   Say "こんにちは 世界です"', 16)
    assert rows == ['   Say "こんにち', "        は 世界", '        です"']
    assert max(cell_len(row) for row in rows) == 16
