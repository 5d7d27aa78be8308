"""`dialect = "texml"` in flow.toml: `twiml map` and `twiml call FOLDER` run the flow as Telnyx
does (its verbs, its checks); `--dialect` on the command line wins; a bad value is a flow problem."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from twiml.cli import main
from twiml.flow.config import load_flow


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "flow.toml").write_text(
        'start = "/voice"\ndialect = "texml"\n\n[routes]\n"/voice" = "voice.xml"\n"/done" = "done.xml"\n',
        encoding="utf-8",
    )
    (tmp_path / "voice.xml").write_text(
        '<Response><AIGather action="/done"><Greeting>Hi</Greeting></AIGather></Response>', encoding="utf-8"
    )
    (tmp_path / "done.xml").write_text("<Response><Say>Bye</Say></Response>", encoding="utf-8")
    return tmp_path


def test_flow_toml_names_the_dialect(folder: Path) -> None:
    assert load_flow(folder).dialect == "texml"


def test_map_follows_texml_verbs_of_a_texml_flow(folder: Path) -> None:
    out = io.StringIO()
    assert main(["map", str(folder)], stdout=out, stderr=io.StringIO()) == 0
    assert "/done  done.xml" in out.getvalue() and "12200" not in out.getvalue()
    out = io.StringIO()
    main(["map", str(folder), "--dialect", "twilio"], stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "TeXML (Telnyx) only" in text and "/done  done.xml" not in text and "FLOW-UNREACHABLE done.xml" in text


def test_call_folder_uses_the_flow_dialect(folder: Path) -> None:
    out = io.StringIO()
    assert main(["call", str(folder), "--input", "hello"], stdout=out, stderr=io.StringIO()) == 0
    assert "CallSidLegacy=v2:" in out.getvalue() and "SpeechResult=Hello." in out.getvalue()


def test_an_unknown_dialect_in_flow_toml_is_a_problem_with_its_line(folder: Path) -> None:
    (folder / "flow.toml").write_text('start = "/voice"\ndialect = "plivo"\n\n[routes]\n"/voice" = "voice.xml"\n')
    flow = load_flow(folder)
    assert [(p.line, p.severity) for p in flow.problems if "dialect" in p.message] == [(2, "error")]
