"""A Studio flow's config file (`<flow>.studio.toml` beside it, or `--config`): [fixtures] and [subflows],
so a CI run is the same offline every time; its errors name the file, the line and the key."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.studio.helpers import FLOWS, ROOT
from twiml.cli import main
from twiml.testing import Call

SID = "FW00000000000000000000000000000c01"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO())
    return status, out.getvalue(), err.getvalue()


def twiml(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command line in its own process, as CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "twiml", *argv], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def pair(tmp_path: Path) -> Path:
    """The parent and child test flows copied into a folder of their own; returns the parent."""
    shutil.copy(FLOWS / "subflow_parent.json", tmp_path / "parent.json")
    shutil.copy(FLOWS / "subflow_child.json", tmp_path / "child.json")
    return tmp_path / "parent.json"


def test_the_config_beside_the_flow_gives_its_subflow(pair: Path) -> None:
    pair.with_suffix(".studio.toml").write_text(f'[subflows]\n{SID} = "child.json"\n')
    done = twiml("call", "parent.json", "--input", "1", cwd=pair.parent)
    assert done.returncode == 0, done.stderr
    assert 'Say "Hello +15555550100."' in done.stdout
    assert 'Say "You chose 1."' in done.stdout
    assert "collect: completed (returns choice='1')" in done.stdout


def test_fixtures_from_a_config_file_make_the_run_the_same_every_time(tmp_path: Path) -> None:
    (tmp_path / "replies").mkdir()
    (tmp_path / "replies" / "code.json").write_text('{"code": "42"}')
    (tmp_path / "ci.toml").write_text('[fixtures]\nlookup = "replies/code.json"\n')
    argv = ("text", str(FLOWS / "sms.json"), "--config", "ci.toml", "--body", "hi", "--body", "Ada", "--body", "YES")
    first, second = twiml(*argv, cwd=tmp_path), twiml(*argv, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert '"You are confirmed, Ada! Code 42."' in first.stdout
    assert "lookup: run-function replied from its fixture -> success" in first.stdout
    assert first.stdout == second.stdout


def test_inline_fixtures_and_options_over_the_config(pair: Path, tmp_path: Path) -> None:
    """An inline [fixtures] value is the reply itself; --fixture on the command line wins over it."""
    reply = tmp_path / "override.json"
    reply.write_text('{"choice": "from the option"}')
    pair.with_suffix(".studio.toml").write_text('[fixtures]\ncollect = { choice = "from the config" }\n')
    status, out, _ = run("call", str(pair))
    assert status == 0 and 'Say "You chose from the config."' in out
    status, out, _ = run("call", str(pair), "--fixture", f"collect={reply}")
    assert status == 0 and 'Say "You chose from the option."' in out


def test_map_reads_the_config_and_maps_into_the_subflow(pair: Path) -> None:
    pair.with_suffix(".studio.toml").write_text(f'[subflows]\n{SID} = "child.json"\n')
    done = twiml("map", "parent.json", "--format", "json", cwd=pair.parent)
    assert done.returncode == 0, done.stderr
    urls = {s["url"] for s in json.loads(done.stdout)["states"]}
    assert {"http://studio.local/collect/ask", "http://studio.local/collect/lost", "http://studio.local/thanks"} <= urls


@pytest.mark.parametrize(
    ("toml", "files", "expected"),
    [
        ("[fixture]\nx = 1\n", {}, "parent.studio.toml:1: unknown key 'fixture'"),
        ("[fixtures]\n\nnope = {}\n", {}, "parent.studio.toml:3: [fixtures] nope: parent has no widget of that name"),
        ("[fixtures]\ngreet = {}\n", {}, "parent.studio.toml:2: [fixtures] greet: a say-play widget takes no fixture"),
        ('[fixtures]\ncollect = "missing.json"\n', {}, "parent.studio.toml:2: [fixtures] collect: "),
        ('[fixtures]\ncollect = "bad.json"\n', {"bad.json": "{\n  nope"}, "bad.json:2:3: not JSON"),
        (
            '[subflows]\nFWnope = "child.json"\n',
            {},
            f"parent.studio.toml:2: [subflows] FWnope: no run-subflow widget of parent has this flow_sid or name (it has {SID} (collect))",
        ),
        (
            f"[subflows]\n{SID} = 3\n",
            {},
            f"parent.studio.toml:2: [subflows] {SID}: expected the subflow's Flow JSON file",
        ),
        (
            f'[subflows]\n{SID} = "broken.json"\n',
            {"broken.json": '{"states": [\n  {"name": }]}'},
            "broken.json:2:12: not JSON",
        ),
        ("[fixtures\n", {}, "parent.studio.toml:1:10: not valid TOML"),
        ('fixtures = "x"\n', {}, "parent.studio.toml:1: fixtures must be a table"),
    ],
)
def test_config_errors_name_file_line_and_key(pair: Path, toml: str, files: dict[str, str], expected: str) -> None:
    pair.with_suffix(".studio.toml").write_text(toml)
    for name, text in files.items():
        (pair.parent / name).write_text(text)
    status, _, err = run("call", str(pair))
    assert status == 2, err
    assert expected in err and "Traceback" not in err
    assert str(pair.parent / "parent.studio.toml") in err


def test_a_config_error_in_a_subprocess_exits_2_with_the_place(pair: Path) -> None:
    pair.with_suffix(".studio.toml").write_text('[fixtures]\n"collect/nope" = {}\n')
    done = twiml("call", "parent.json", cwd=pair.parent)
    assert done.returncode == 2
    assert "parent.studio.toml:2: [fixtures] collect/nope: parent has no widget of that name" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_subflow_sid_on_the_command_line_names_the_widgets(pair: Path) -> None:
    status, _, err = run("call", str(pair), "--subflow", f"FWnope={pair.parent / 'child.json'}")
    assert status == 2
    assert f"--subflow FWnope: no run-subflow widget of parent has this flow_sid or name (collect ({SID}))" in err


def test_a_missing_named_config_is_an_error_and_a_twiml_target_refuses_it(pair: Path, tmp_path: Path) -> None:
    status, _, err = run("call", str(pair), "--config", str(tmp_path / "none.toml"))
    assert status == 2 and "none.toml: cannot read" in err
    doc = tmp_path / "a.xml"
    doc.write_text("<Response><Say>Hi</Say></Response>")
    status, _, err = run("call", str(doc), "--config", str(tmp_path / "none.toml"))
    assert status == 2 and "apply to Studio flows" in err
    status, _, err = run("map", str(ROOT / "sample_flows"), "--subflow", "x=y.json")
    assert status == 2 and "apply to Studio flows" in err


def test_the_python_api_reads_the_config_and_reports_its_errors(pair: Path) -> None:
    pair.with_suffix(".studio.toml").write_text(f'[subflows]\n{SID} = "child.json"\n')
    call = Call(studio=pair)
    call.press("2")
    assert call.heard().endswith("You chose 2.")
    bad = pair.parent / "bad.toml"
    bad.write_text("[fixtures]\nnope = 1\n")
    with pytest.raises(ValueError, match=r"bad\.toml:2: \[fixtures\] nope: parent has no widget"):
        Call(studio=pair, config=bad)


def test_validate_reports_a_run_subflow_the_config_gives_no_subflow(pair: Path) -> None:
    config = pair.with_suffix(".studio.toml")
    config.write_text("[fixtures]\n")
    status, out, _ = run("validate", str(pair))
    flow_sid_line = next(n for n, line in enumerate(pair.read_text().splitlines(), 1) if '"flow_sid"' in line)
    assert status == 1
    assert f"parent.json:{flow_sid_line}:" in out
    assert (
        f"warning STUDIO-SUBFLOW run-subflow collect: flow_sid {SID} has no subflow file in parent.studio.toml" in out
    )
    config.write_text(f'[subflows]\n{SID} = "child.json"\n')
    status, out, _ = run("validate", str(pair))
    assert status == 0 and "STUDIO-SUBFLOW" not in out
    config.write_text('[subflows]\nFWnope = "child.json"\n')
    status, out, _ = run("validate", str(pair))
    assert status == 1
    assert "error STUDIO-CONFIG" in out and "parent.studio.toml:2: [subflows] FWnope: no run-subflow widget" in out


def test_the_studio_target_has_the_config_beside_the_flow_as_soon_as_it_is_opened(pair: Path) -> None:
    """Commands that open the target without the call's options (twiml test ...) still get the config."""
    from twiml.studio.commands import open_studio_target
    from twiml.studio.runner import StudioTransport

    pair.with_suffix(".studio.toml").write_text(f'[subflows]\n{SID} = "child.json"\n[fixtures]\ncollect = {{}}\n')
    target = open_studio_target(pair, "voice", fixtures={"collect": {"choice": "given"}})
    assert isinstance(target.transport, StudioTransport)
    assert SID in target.transport.subflows
    assert target.transport.fixtures == {"collect": {"choice": "given"}}  # given fixtures over the config's


def test_fixtures_may_name_widgets_of_a_subflow_given_as_a_fixture(tmp_path: Path) -> None:
    """A run-subflow's fixture that is a Flow JSON is its subflow; a fixture for one of its widgets
    (`run_widget/name`) is checked against it and used."""
    shutil.copy(FLOWS / "sms.json", tmp_path / "child.json")
    child = json.loads((tmp_path / "child.json").read_text())
    trigger = child["states"][0]
    for t in trigger["transitions"]:
        t.pop("next", None)
        if t["event"] == "incomingParent":
            t["next"] = "ask_name"
    (tmp_path / "child.json").write_text(json.dumps(child))
    parent = {
        "description": "runs the sms flow as a subflow",
        "initial_state": "Trigger",
        "flags": {"allow_concurrent_calls": True},
        "states": [
            {
                "name": "Trigger",
                "type": "trigger",
                "properties": {},
                "transitions": [{"event": "incomingMessage", "next": "sub"}],
            },
            {
                "name": "sub",
                "type": "run-subflow",
                "properties": {"flow_sid": "FWx", "parameters": []},
                "transitions": [{"event": "completed"}, {"event": "failed"}],
            },
        ],
    }
    (tmp_path / "parent.json").write_text(json.dumps(parent))
    (tmp_path / "parent.studio.toml").write_text('[fixtures]\n"sub/lookup" = { code = "7" }\nsub = "child.json"\n')
    status, out, err = run("text", str(tmp_path / "parent.json"), "--body", "hi", "--body", "Ada", "--body", "yes")
    assert status == 0, err
    assert '"You are confirmed, Ada! Code 7."' in out
    assert "sub/lookup: run-function replied from its fixture -> success" in out
