"""`twiml studio export sample_flows/`: the JSON validates, and calling it gives the folder's
transcripts on every path of the folder's map (a Dial noun's `url`, what the callee hears, has no
Studio widget: those call legs are not the caller's and are left out of the comparison)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.studio.helpers import ROOT, replay
from tests.studio.test_cli import run
from twiml.flow.config import load_flow as load_folder
from twiml.flow.explore import explore_flow, paths
from twiml.flow.folder import DEFAULT_BASE_URL
from twiml.flow.transport import FolderTransport
from twiml.studio.model import load_flow
from twiml.studio.runner import StudioTransport
from twiml.studio.validate import validate_flow
from twiml.testing import Text

SAMPLE = ROOT / "sample_flows"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("export") / "sample.json"
    status, _, err = run("studio", "export", str(SAMPLE), "-o", str(target))
    assert status == 0, err
    return target


def test_the_export_validates(exported: Path) -> None:
    findings = validate_flow(load_flow(exported))
    assert not [d.format(str(exported)) for d in findings if d.severity in ("error", "warning")]
    description = json.loads(exported.read_text())["description"]
    assert "<Number url>" in description and "faxes" in description  # what was left out is said


def _voice_paths() -> list[list[str]]:
    flow_map = explore_flow(load_folder(SAMPLE))
    out: list[list[str]] = []
    for path in paths(flow_map, "start"):
        labels: list[str] = []
        for edge in path:
            if edge.label.startswith("callee hears"):
                break
            labels.append(edge.label)
        out.append(labels)
    return out


VOICE_PATHS = _voice_paths()


@pytest.mark.parametrize("labels", VOICE_PATHS, ids=[" / ".join(p) or "start" for p in VOICE_PATHS])
def test_every_call_path_sounds_the_same(exported: Path, labels: list[str]) -> None:
    folder = FolderTransport(load_folder(SAMPLE))
    expected = replay(folder, folder.url("/voice/incoming"), labels)
    studio = StudioTransport(load_flow(exported), fallback=FolderTransport(load_folder(SAMPLE), DEFAULT_BASE_URL))
    got = replay(studio, studio.entry_url("incomingCall"), labels)
    assert got == expected
    assert expected  # the caller heard something on every path


@pytest.mark.parametrize("body", ["help", "STOP", "hours?", "hello"])
def test_every_text_gets_the_same_reply(exported: Path, body: str) -> None:
    folder = FolderTransport(load_folder(SAMPLE))
    expected = Text(transport=folder, url=folder.url("/sms/incoming"), body=body).reply
    assert Text(studio=exported, body=body).reply == expected != ""


def _said(out: str) -> str:
    """What the caller heard, as words (a Gather's several <Say>s are one prompt in Studio)."""
    import re

    heard = re.findall(r'^\s*Say(?: \[[^\]]*\])? "(.*)"$|^\s*Play (\S+)$', out, re.MULTILINE)
    return " ".join(" ".join(a or b for a, b in heard).split())


@pytest.mark.parametrize(
    "args", [["--input", "2", "--queue-result", "queue-full"], ["--input", "1", "--dial-status", "busy"]]
)
def test_twiml_call_on_the_json_says_what_the_folder_says(exported: Path, args: list[str]) -> None:
    status, folder_out, _ = run("call", str(SAMPLE), *args)
    assert status == 0
    status, json_out, _ = run("call", str(exported), *args, "--webhooks", str(SAMPLE))
    assert status == 0
    assert _said(json_out) == _said(folder_out) != ""
