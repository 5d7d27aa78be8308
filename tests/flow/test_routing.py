"""flow.toml: reading, checking (errors name the line) and routing with every split kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from twiml.flow import Flow, FlowError, load_flow, normalize, parse_flow
from twiml.flow.folder import FolderApp

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"
DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say>{}</Say></Response>\n'


def make(folder: Path, toml: str, *files: str) -> Flow:
    for name in files:
        (folder / name).write_text(DOC.format(name), encoding="utf-8")
    (folder / "flow.toml").write_text(toml, encoding="utf-8")
    return load_flow(folder)


def messages(flow: Flow) -> list[str]:
    return [p.format("flow.toml") for p in flow.problems]


# --- routing ---------------------------------------------------------------------------------


def test_plain_route_and_missing_route(tmp_path: Path) -> None:
    flow = make(tmp_path, 'start = "/a"\n[routes]\n"/a" = "a.xml"\n', "a.xml")
    assert flow.problems == []
    assert flow.resolve("/a").document == "a.xml"
    missing = flow.resolve("/nope")
    assert missing.document is None and missing.reason == "no route for /nope"


def test_digits_split_exact_with_default(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/m"\n[routes]\n"/m" = { by = "Digits", cases = { "1" = "one.xml", "*" = "star.xml" }, default = "d.xml" }\n',
        "one.xml",
        "star.xml",
        "d.xml",
    )
    assert flow.resolve("/m", {"Digits": "1"}).document == "one.xml"
    assert flow.resolve("/m", {"Digits": "*"}).document == "star.xml"
    other = flow.resolve("/m", {"Digits": "7"})
    assert other.document == "d.xml" and other.fell_to_default and other.hops == (("/m", "default"),)
    assert flow.resolve("/m", {}).document == "d.xml"


def test_speech_exact_and_contains_ignore_case_and_punctuation(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/e"\n[routes]\n'
        '"/e" = { by = "SpeechResult", cases = { "sales" = "s.xml" }, default = "d.xml" }\n'
        '"/c" = { by = "SpeechResult", match = "contains", cases = { "tech support" = "t.xml", "sales" = "s.xml" }, default = "d.xml" }\n',
        "s.xml",
        "t.xml",
        "d.xml",
    )
    assert flow.resolve("/e", {"SpeechResult": "Sales."}).document == "s.xml"
    assert flow.resolve("/e", {"SpeechResult": "sales please"}).document == "d.xml"
    assert flow.resolve("/c", {"SpeechResult": "I want Tech Support, please!"}).document == "t.xml"
    assert flow.resolve("/c", {"SpeechResult": "Salesforce"}).document == "d.xml"  # whole words only
    assert flow.resolve("/c", {"SpeechResult": "SALES?"}).document == "s.xml"


def test_dial_status_recording_presence_from_and_any_parameter(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/d"\n[routes]\n'
        '"/d" = { by = "DialCallStatus", cases = { "completed" = "ok.xml", "no-answer" = "vm.xml" }, default = "d.xml" }\n'
        '"/r" = { by = "RecordingDuration", match = "present", then = "ok.xml", default = "d.xml" }\n'
        '"/f" = { by = "From", cases = { "+15550001111" = "vip.xml" }, default = "d.xml" }\n'
        '"/b" = { by = "Body", cases = { "help" = "ok.xml" }, default = "d.xml" }\n',
        "ok.xml",
        "vm.xml",
        "vip.xml",
        "d.xml",
    )
    assert flow.problems == []
    assert flow.resolve("/d", {"DialCallStatus": "no-answer"}).document == "vm.xml"
    assert flow.resolve("/d", {"DialCallStatus": "busy"}).document == "d.xml"
    assert flow.resolve("/r", {"RecordingDuration": "12"}).document == "ok.xml"
    assert flow.resolve("/r", {"RecordingDuration": "0"}).document == "d.xml"
    assert flow.resolve("/r", {}).document == "d.xml"
    assert flow.resolve("/f", {"From": "+15550001111"}).document == "vip.xml"
    assert flow.resolve("/f", {"From": "+15550001112"}).document == "d.xml"
    assert flow.resolve("/b", {"Body": " Help! "}).document == "ok.xml"


def test_forward_to_another_route_and_split_without_default(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/m"\n[routes]\n'
        '"/m" = { by = "Digits", cases = { "1" = "one.xml" }, default = "/s" }\n'
        '"/s" = { by = "SpeechResult", cases = { "one" = "one.xml" } }\n',
        "one.xml",
    )
    said = flow.resolve("/m", {"SpeechResult": "One."})
    assert said.document == "one.xml" and said.hops == (("/m", "default"), ("/s", "one"))
    nothing = flow.resolve("/m", {"SpeechResult": "two"})
    assert nothing.document is None
    assert nothing.reason == "route /s: SpeechResult 'two' matches no case and there is no default"


def test_normalize() -> None:
    assert normalize("  Sales, please!  ") == "sales please"
    assert normalize("no-answer") == "no-answer"
    assert normalize("+1 (555) 010") == "+1 555 010"
    assert normalize("*#") == "*#"


# --- errors name flow.toml and the line --------------------------------------------------------


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "flow.toml").write_text('start = "/a"\n[routes\n', encoding="utf-8")
    with pytest.raises(FlowError) as info:
        load_flow(tmp_path)
    assert info.value.problem.line == 2
    assert str(info.value).startswith(f"{tmp_path / 'flow.toml'}:2:")


def test_missing_flow_toml(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match=r"no flow\.toml"):
        load_flow(tmp_path)


def test_missing_file_unknown_keys_and_bad_match(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/voice"\nfoo = 1\n[routes]\n"/voice" = "main.xml"\n'
        '"/menu" = { by = "Digits", cases = { "1" = "sales.xml" }, default = "main.xml", extra = 1 }\n'
        '"/x" = { by = "Digits", match = "fuzzy", cases = { "1" = "main.xml" } }\n'
        '"/y" = "/nowhere"\n'
        '"/z" = "notes.txt"\n'
        '"/w" = "../outside.xml"\n',
        "main.xml",
    )
    assert messages(flow) == [
        "flow.toml:2:0: error FLOW-CONFIG unknown key 'foo' (expected one of start, sms_start, fax_start, routes, dialect)",
        "flow.toml:5:0: error FLOW-CONFIG route \"/menu\": unknown key 'extra' (expected one of by, match, cases, then, default)",
        "flow.toml:6:0: error FLOW-CONFIG route \"/x\": match must be one of exact, contains, present (got 'fuzzy')",
        'flow.toml:5:0: error FLOW-TARGET route "/menu": case "1" names missing file sales.xml',
        'flow.toml:7:0: error FLOW-TARGET route "/y" forwards to /nowhere, which has no route',
        'flow.toml:8:0: error FLOW-TARGET route "/z" names notes.txt, which is neither a .xml file nor a /route',
        'flow.toml:9:0: error FLOW-TARGET route "/w" names ../outside.xml, which is outside the flow folder',
    ]


def test_case_on_its_own_line_is_reported_there(tmp_path: Path) -> None:
    flow = make(
        tmp_path,
        'start = "/menu"\n\n[routes."/menu"]\nby = "Digits"\ndefault = "main.xml"\n\n[routes."/menu".cases]\n"1" = "main.xml"\n"4" = "gone.xml"\n',
        "main.xml",
    )
    assert messages(flow) == ['flow.toml:9:0: error FLOW-TARGET route "/menu": case "4" names missing file gone.xml']


def test_start_without_route_and_no_entry_point(tmp_path: Path) -> None:
    flow = make(tmp_path, 'start = "/voice"\n[routes]\n')
    assert messages(flow) == ["flow.toml:1:0: error FLOW-TARGET start /voice has no route"]
    flow = make(tmp_path, "[routes]\n")
    assert messages(flow) == [
        "flow.toml:1:0: error FLOW-CONFIG no entry point: set start (voice), sms_start or fax_start"
    ]


def test_redirect_cycle_through_documents_and_forwards(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text("<Response><Say>A</Say><Redirect>/b</Redirect></Response>", encoding="utf-8")
    (tmp_path / "b.xml").write_text("<Response><Pause/><Redirect>/c</Redirect></Response>", encoding="utf-8")
    (tmp_path / "menu.xml").write_text(
        '<Response><Gather action="/m"/><Redirect>/menu</Redirect></Response>', encoding="utf-8"
    )
    flow = make(
        tmp_path,
        'start = "/menu"\n[routes]\n"/menu" = "menu.xml"\n"/a" = "a.xml"\n"/b" = "b.xml"\n'
        '"/c" = { by = "Digits", cases = { "1" = "menu.xml" }, default = "/a" }\n',
    )
    # the Gather waits for the caller, so /menu -> /menu is no cycle; /a -> /b -> /c -> /a is
    assert messages(flow) == [
        "flow.toml:4:0: error FLOW-CYCLE redirect cycle with no caller input: /a -> /b -> /c -> /a"
    ]


def test_sample_flow_is_clean_and_routes_every_document() -> None:
    flow = load_flow(SAMPLES)
    assert flow.problems == []
    assert flow.entries() == [
        ("start", "/voice/incoming"),
        ("sms_start", "/sms/incoming"),
        ("fax_start", "/fax/incoming"),
    ]
    assert set(flow.documents()) == flow.routed_documents()
    assert flow.resolve("/menu", {"Digits": "1"}).document == "sales.xml"
    assert flow.resolve("/menu", {"SpeechResult": "Billing, please."}).document == "billing.xml"
    assert flow.resolve("/sms/incoming", {"Body": "STOP"}).document == "sms_stop.xml"


def test_parse_flow_checks_text_against_a_folder() -> None:
    flow = parse_flow('start = "/voice/incoming"\n[routes]\n"/voice/incoming" = "ivr_main_menu.xml"\n', SAMPLES)
    assert flow.problems == []


# --- the folder as a webhook server ----------------------------------------------------------------


def test_folder_app_answers_routed_documents_and_404s() -> None:
    app = FolderApp(SAMPLES)
    reply = app.answer("POST", "http://localhost/menu", {"Digits": "2"})
    assert (reply.status, reply.source) == (200, "support.xml")
    assert reply.content_type.startswith("text/xml")
    assert reply.body == (SAMPLES / "support.xml").read_bytes()
    missing = app.answer("POST", "http://localhost/nope", {})
    assert missing.status == 404 and missing.source is None
    assert b"no route for /nope" in missing.body
    elsewhere = app.answer("GET", "https://assets.example.com/menu", {})
    assert elsewhere.status == 404 and b"outside the flow" in elsewhere.body
