"""`twiml call FOLDER` / `twiml text FOLDER`: the simulator routed through flow.toml."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from twiml.cli import main

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_call_follows_routes_by_keys_and_speech() -> None:
    status, out, _ = run("call", str(SAMPLES), "--input", "1")
    assert status == 0
    assert "[" + str(SAMPLES / "sales.xml") + "]" in out and "Connecting you to sales." in out
    assert out.rstrip().endswith("== ended: hangup (<Hangup>)")
    status, out, _ = run("call", str(SAMPLES), "--input", "I need billing", "--dial-status", "busy")
    assert status == 0
    assert "Connecting you to billing." in out and "You have reached Acme support after hours." in out
    assert "Thank you. Your message has been saved" in out  # Record with a recording -> /voicemail/complete


def test_call_json_names_each_document() -> None:
    status, out, _ = run("call", str(SAMPLES), "--input", "0", "--format", "json", "--seed", "s")
    assert status == 0
    sources = [Path(r["source"]).name for r in json.loads(out)["requests"]]
    assert sources == ["ivr_main_menu.xml", "operator.xml", "goodbye.xml"]


def test_text_starts_at_sms_start() -> None:
    status, out, _ = run("text", str(SAMPLES), "--body", "STOP")
    assert status == 0 and "You are unsubscribed from Acme Support messages." in out


def test_unrouted_url_is_error_11200_naming_the_url_and_the_line_that_sent_it(tmp_path: Path) -> None:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    sales = folder / "sales.xml"
    sales.write_text(sales.read_text(encoding="utf-8").replace("/dial-complete", "/sales/done"), encoding="utf-8")
    status, out, _ = run("call", str(folder), "--input", "1", "--format", "json")
    assert status == 1
    data = json.loads(out)
    problem = data["ended"]
    assert problem["reason"] == "error"
    text = json.dumps(data)
    assert "11200" in text and "http://localhost/sales/done" in text
    assert "sales.xml:5" in text and "no route for /sales/done" in text


def test_folder_without_flow_toml_or_entry_is_a_clear_error(tmp_path: Path) -> None:
    status, _, err = run("call", str(tmp_path))
    assert status == 2 and "without flow.toml" in err
    (tmp_path / "flow.toml").write_text('sms_start = "/s"\n[routes]\n"/s" = "s.xml"\n', encoding="utf-8")
    (tmp_path / "s.xml").write_text("<Response><Message>hi</Message></Response>", encoding="utf-8")
    status, _, err = run("call", str(tmp_path))
    assert status == 2 and "no start to call" in err
    (tmp_path / "flow.toml").write_text("start = [\n", encoding="utf-8")
    status, _, err = run("call", str(tmp_path))
    assert status == 2 and "flow.toml:" in err
