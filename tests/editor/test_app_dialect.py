"""Pilot tests: the editor shows a document's vendor dialect (Twilio TwiML, Telnyx TeXML, SignalWire
cXML), switches it by key and palette, and its add-menus, forms and problems follow it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_helpers import SIZE, row, select, settle
from rich.text import Text
from shared_data import CORPUS, needs_corpus
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot

from twiml.base import TwiML
from twiml_editor.app import EditorApp
from twiml_editor.screens.add_element import AddElementScreen
from twiml_editor.screens.dialect import DialectPicker

ROOT = Path(__file__).resolve().parents[2]
TEXML = ROOT / "tests" / "corpus" / "telnyx_texml_support.xml"


@pytest.fixture
def texml(tmp_path: Path) -> Path:
    path = tmp_path / "support.xml"
    shutil.copy(TEXML, path)
    return path


def _child(app: EditorApp, name: str) -> TwiML:
    return next(v for v in app.doc.root.verbs if isinstance(v, TwiML) and v.name == name)


async def _offered(app: EditorApp, pilot: Pilot[None], node: TwiML) -> set[str]:
    """What the add-child menu offers inside `node` (opened with `a`, closed with escape)."""
    await select(app, pilot, node)
    await pilot.press("a")
    await settle(pilot, until=lambda: isinstance(app.screen, AddElementScreen))
    picker = app.screen
    assert isinstance(picker, AddElementScreen)
    offered = {item[2].xml for item in picker.items}
    await pilot.press("escape")
    await settle(pilot, until=lambda: not isinstance(app.screen, AddElementScreen))
    return offered


async def _form_fields(app: EditorApp, pilot: Pilot[None], node: TwiML) -> set[str]:
    await select(app, pilot, node)
    app.document_screen.ensure_form()
    await settle(pilot, until=lambda: app.form.node is node)
    return set(app.form.fields)


def _name_style(app: EditorApp, node: TwiML) -> str:
    """The style of the element's name in its tree row (magenta: the dialect does not know it)."""
    label = row(app, node).label
    assert isinstance(label, Text)
    return next(str(span.style) for span in label.spans if label.plain[span.start : span.end] == node.name)


def _problems(app: EditorApp) -> list[str]:
    return [f"{d.severity} {d.message}" for d in app.problems.diagnostics if d.severity != "info"]


async def test_texml_document_shows_telnyx_and_offers_only_texml(texml: Path) -> None:
    before = texml.read_bytes()
    app = EditorApp(texml)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (app.document_screen.sub_title or "").startswith("Telnyx TeXML · ")
        top = await _offered(app, pilot, app.doc.root)
        assert "AIGather" in top and "Suppression" in top  # only Telnyx has them
        assert "Pay" not in top  # Telnyx lacks it
        dial = _child(app, "Dial")
        fields = await _form_fields(app, pilot, dial)
        assert "timeout" in fields and "answerOnBridge" not in fields  # TeXML's Dial has no answerOnBridge
        assert _problems(app) == []
        assert _name_style(app, _child(app, "AIGather")) == "bold"

        await select(app, pilot, app.doc.root)
        await pilot.press("d")
        await settle(pilot, until=lambda: isinstance(app.screen, DialectPicker))
        await pilot.press(*"twilio", "enter")
        await settle(pilot, until=lambda: app.doc.dialect == "twilio" and bool(_problems(app)))
        assert (app.document_screen.sub_title or "").startswith("Twilio TwiML · ")
        top = await _offered(app, pilot, app.doc.root)
        assert "Pay" in top and "AIGather" not in top and "Suppression" not in top
        assert "answerOnBridge" in await _form_fields(app, pilot, dial)
        assert _name_style(app, _child(app, "AIGather")) == "bold magenta"
        problems = _problems(app)
        assert any("<AIGather> is TeXML (Telnyx) only" in p for p in problems)
        assert any("'transcription' is TeXML (Telnyx)'s spelling" in p for p in problems)
        assert not app.doc.dirty
    assert texml.read_bytes() == before


async def test_palette_switches_the_dialect_and_the_form_follows(texml: Path) -> None:
    app = EditorApp(texml)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dial = _child(app, "Dial")
        assert "answerOnBridge" not in await _form_fields(app, pilot, dial)
        titles = [title for title, _, _ in app.palette_commands()]
        assert "Dialect: Twilio TwiML" in titles and "Dialect: SignalWire cXML" in titles
        assert "Dialect: Telnyx TeXML" not in titles  # the current one
        await pilot.press("ctrl+p")
        await settle(pilot, until=lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"dialect signalwire")
        commands = app.screen.query_one(CommandList)  # the search runs in a worker
        await settle(pilot, until=lambda: commands.highlighted is not None and not app.screen.workers)
        await pilot.press("enter")
        await settle(pilot, until=lambda: app.doc.dialect == "cxml")
        assert (app.document_screen.sub_title or "").startswith("SignalWire cXML · ")
        # the open form was rebuilt with cXML's <Dial>, which has answerOnBridge again
        await settle(pilot, until=lambda: "answerOnBridge" in app.form.fields)
        assert app.form.node is dial
        await settle(pilot, until=lambda: any("TeXML (Telnyx) only" in d.message for d in app.problems.diagnostics))


async def test_added_vendor_element_is_edited_with_its_form_and_saved_as_written(texml: Path) -> None:
    before = texml.read_text(encoding="utf-8")
    app = EditorApp(texml)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await select(app, pilot, app.doc.root)
        await pilot.press("a")
        await settle(pilot, until=lambda: isinstance(app.screen, AddElementScreen))
        await pilot.press(*"suppression", "enter")
        await settle(pilot, until=lambda: app.current is not None and app.current.name == "Suppression")
        node = app.current
        assert node is not None
        assert {"direction", "noiseSuppressionEngine"} <= await _form_fields(app, pilot, node)
        await pilot.press("ctrl+s")
        await settle(pilot, until=lambda: not app.doc.dirty)
        assert _problems(app) == []
    after = texml.read_text(encoding="utf-8")
    assert after == before.replace("    </Connect>\n", "    </Connect>\n    <Suppression />\n")


@needs_corpus
async def test_real_texml_document_opens_as_telnyx() -> None:
    app = EditorApp(CORPUS / "texml" / "Vijaypepakayala__ai__aigather.xml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert (app.document_screen.sub_title or "").startswith("Telnyx TeXML · ")
        aigather = _child(app, "AIGather")
        assert {"Greeting", "Parameters", "Voice"} <= await _offered(app, pilot, aigather)
        assert [p for p in _problems(app) if p.startswith("error")] == []
