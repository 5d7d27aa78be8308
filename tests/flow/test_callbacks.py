"""`twiml map` counts the callback URLs of a folder's documents (statusCallback, recording and
transcription callbacks, a Conference's waitUrl: URL attributes of the grammar that the walk does
not follow) and reports each one no route answers as a warning 11200 at the attribute."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from twiml.flow import load_flow
from twiml.flow.explore import explore_flow

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


def twiml(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twiml", *argv], capture_output=True, text=True, check=False)


def test_the_sample_flow_routes_its_callbacks_and_the_summary_counts_them() -> None:
    proc = twiml("map", str(SAMPLES))
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout.splitlines()[-1]
    assert summary == "20 states, 44 edges, 0 broken links, 0 unreachable documents, 4 callbacks (0 without a route)"
    assert " 11200 " not in proc.stdout and " warning " not in proc.stdout
    flow_map = explore_flow(load_flow(SAMPLES))
    assert sorted((c.attr, c.value) for c in flow_map.callbacks) == [
        ("recordingStatusCallback", "/operator/recording-status"),
        ("recordingStatusCallback", "/voicemail/recording-status"),
        ("statusCallback", "/operator/number-status"),
        ("transcribeCallback", "/voicemail/transcription"),
    ]
    assert all(c.routed for c in flow_map.callbacks)


def test_a_callback_without_a_route_is_a_warning_at_its_attribute(tmp_path: Path) -> None:
    folder = tmp_path / "flow"
    shutil.copytree(SAMPLES, folder)
    toml = (folder / "flow.toml").read_text(encoding="utf-8")
    (folder / "flow.toml").write_text(toml.replace('"/voicemail/transcription" = { status = 204 }\n', ""))
    proc = twiml("map", str(folder))
    assert proc.returncode == 0  # Twilio logs the failed callback; the call goes on
    line = next(x for x in proc.stdout.splitlines() if " 11200 " in x)
    # voicemail.xml line 5: the Record tag; the column is where transcribeCallback starts
    column = (folder / "voicemail.xml").read_text(encoding="utf-8").splitlines()[4].index("transcribeCallback") + 1
    assert line == (
        f'{folder / "voicemail.xml"}:5:{column}: warning 11200 <Record> transcribeCallback="/voicemail/transcription" '
        "has no route in flow.toml (Twilio logs 11200; the call goes on)"
    )
    assert proc.stdout.splitlines()[-1].endswith(", 4 callbacks (1 without a route)")
    data = json.loads(twiml("map", str(folder), "--format", "json").stdout)
    assert [c["attribute"] for c in data["callbacks"] if not c["routed"]] == ["transcribeCallback"]
    assert [f["code"] for f in data["findings"] if f["level"] == "warning"] == [11200]


def test_url_attributes_come_from_the_grammar_and_followed_ones_are_no_callbacks(tmp_path: Path) -> None:
    """A Conference waitUrl is not followed by the walk (a callback here), an Enqueue waitUrl is
    (it is on the map), a Stream's wss:// url is no route, a URL on another host is not ours."""
    (tmp_path / "flow.toml").write_text('start = "/v"\n[routes]\n"/v" = "v.xml"\n"/hold" = "hold.xml"\n')
    (tmp_path / "hold.xml").write_text("<Response><Play>https://example.com/m.mp3</Play></Response>")
    (tmp_path / "v.xml").write_text(
        "<Response>\n"
        '<Start><Stream url="wss://example.com/s" statusCallback="/stream-status"/></Start>\n'
        '<Dial><Conference waitUrl="/conf-wait" statusCallback="https://crm.example.com/x">room</Conference></Dial>\n'
        '<Enqueue waitUrl="/hold">q</Enqueue>\n'
        "</Response>\n"
    )
    flow_map = explore_flow(load_flow(tmp_path))
    assert sorted((c.element, c.attr, c.routed) for c in flow_map.callbacks) == [
        ("Conference", "waitUrl", False),
        ("Stream", "statusCallback", False),
    ]
    assert flow_map.unreachable == [] and not flow_map.broken


def test_a_callback_route_reaches_its_document_only_from_a_reached_document(tmp_path: Path) -> None:
    (tmp_path / "flow.toml").write_text(
        'start = "/v"\n[routes]\n"/v" = "v.xml"\n"/cb" = "ack.xml"\n"/old" = "old.xml"\n'
    )
    (tmp_path / "ack.xml").write_text("<Response/>")
    (tmp_path / "v.xml").write_text('<Response><Record recordingStatusCallback="/cb"/></Response>')
    (tmp_path / "old.xml").write_text('<Response><Record transcribeCallback="/old-cb" transcribe="true"/></Response>')
    flow_map = explore_flow(load_flow(tmp_path))
    assert flow_map.unreachable == ["old.xml"]  # ack.xml answers v.xml's callback
    assert [(c.value, c.routed) for c in flow_map.unrouted] == [("/old-cb", False)]
