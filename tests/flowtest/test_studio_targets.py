"""A Twilio Studio flow (.json) as the target of `twiml test`, `twiml coverage`, `twiml diff` and
the pytest plugin: the same round as for a flow folder (three changes named, nothing cosmetic),
conversations (send-and-wait-for-reply) replayed, coverage of the tests' `Call`/`Text(studio=)`,
and the 30 real flows of ../shared/studio/flows/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.flowtest.helpers import SAMPLES, run, twiml
from tests.studio.helpers import FLOWS, REAL, REAL_FLOWS

OLD_PROMPT = "Press 1 for sales, 2 for support, or say operator."
NEW_PROMPT = "For sales press 1. For support press 2."


def _edit(path: Path, indent: int = 4, **changes: Any) -> None:
    """Rewrite a flow with other indentation and every widget moved on the canvas (form only),
    plus `changes`: widget name -> {property: value} or {"next:OLD": NEW} for a transition."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for state in data["states"]:
        state["properties"]["offset"] = {"x": 40, "y": 80}
        for key, value in changes.get(state["name"], {}).items():
            if key.startswith("next:"):
                for t in state["transitions"]:
                    if t.get("next") == key[5:]:
                        t["next"] = value
            else:
                state["properties"][key] = value
    path.write_text(json.dumps(data, indent=indent), encoding="utf-8")


def _three(path: Path) -> None:
    """The prompt of the menu, the route of key 1 (sales → voicemail), number_of_digits 1 → 2."""
    _edit(path, menu={"say": NEW_PROMPT, "number_of_digits": 2}, route={"next:sales": "voicemail"})


def test_round_of_a_studio_flow(tmp_path: Path) -> None:
    flow = tmp_path / "ivr.json"
    shutil.copy(FLOWS / "ivr.json", flow)
    made = twiml("test", "--generate", str(flow), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    cases = tmp_path / "ivr_tests.toml"  # beside the flow, named after it
    text = cases.read_text(encoding="utf-8")
    assert 'start = "/incomingCall"' in text and 'document = "menu"' in text and f'"{OLD_PROMPT}"' in text
    assert "ctx=" not in text and "studio.local" not in text  # execution numbers and the host are not cases'
    assert run("test", str(flow), cwd=tmp_path).returncode == 0
    assert run("test", "--generate", str(flow), cwd=tmp_path).returncode == 0
    assert cases.read_text(encoding="utf-8") == text  # stable: the file diffs cleanly in review

    _edit(flow, indent=2)  # form only
    assert run("test", str(flow)).returncode == 0
    old = tmp_path / "old.json"
    shutil.copy(FLOWS / "ivr.json", old)
    cosmetic = run("diff", str(old), str(flow), "--exit-code")
    assert cosmetic.returncode == 0, cosmetic.stderr
    assert cosmetic.stdout == (
        "no change in behaviour\nformatting, attribute order or comments only (not behaviour): ivr.json\n"
    )

    _three(flow)
    result = run("test", str(flow), "--format", "json")
    assert result.returncode == 1, result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert {(c["kind"], c["summary"], c["was"], c["now"]) for c in changes} == {
        ("prompt", "prompt changed in menu", OLD_PROMPT, NEW_PROMPT),
        ("attribute", "<Gather> numDigits changed in menu", "1", "2"),
        ("branch", "press 1 at menu now leads elsewhere (/menu/input)", "sales", "voicemail"),
    }
    branch = next(c for c in changes if c["kind"] == "branch")
    assert branch["paths"] == [
        "press 1, dial busy, recording 5 s",
        "press 1, dial busy, silence",
        "press 1, dial completed",
    ]

    diff = run("diff", str(old), str(flow), "--format", "json")
    assert diff.returncode == 0, diff.stderr
    data = json.loads(diff.stdout)
    assert [(c["kind"], c["where"], c["summary"], c["was"], c["now"]) for c in data["changes"]] == [
        ("prompt", "menu", "prompt changed in menu", OLD_PROMPT, NEW_PROMPT),
        ("attribute", "menu", "menu: number_of_digits changed", "1", "2"),
        ("route", "route", 'split route: case "1" retargeted', "sales", "voicemail"),
    ]
    assert data["cosmetic_only"] == [] and data["new_paths"] == []
    paths = {p["path"]: p for p in data["paths"]}
    assert paths["press 1, dial completed"]["was"] == "menu → sales → dial_sales → goodbye (hangup)"
    assert paths["press 1, recording 5 s"]["now"] == "menu → voicemail → thanks (hangup)"
    assert run("diff", str(old), str(flow), "--exit-code", "--no-paths").returncode == 1
    mermaid = run("diff", str(old), str(flow), "--format", "mermaid")
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart TD")
    assert "    class s1 changed" in mermaid.stdout.splitlines()  # the menu: its prompt and digits


def test_conversations_are_replayed_reply_by_reply(tmp_path: Path) -> None:
    flow = tmp_path / "sms.json"
    shutil.copy(FLOWS / "sms.json", flow)
    assert run("test", "--generate", str(flow)).returncode == 0
    text = (tmp_path / "sms_tests.toml").read_text(encoding="utf-8")
    assert 'inputs = ["reply \\"hello\\"", "reply \\"yes\\""]' in text
    assert 'input = "no reply (timeout)"' in text and '"We did not hear back."' in text
    _edit(flow, ask_ok={"body": "Thanks {{flow.variables.name}}. Reply YES to book."})
    result = run("test", str(flow), "--format", "json")
    assert result.returncode == 1, result.stderr
    (change,) = json.loads(result.stdout)["changes"]
    assert (change["kind"], change["was"], change["now"]) == (
        "message",
        "Thanks hello. Reply YES to confirm.",
        "Thanks hello. Reply YES to book.",
    )
    assert all(", reply " in name for name in change["paths"]) and len(change["paths"]) == 3


USER_TESTS = """
from twiml.testing import Call, Text


def test_sales_busy():
    Call(studio="ivr.json", dial_status="busy").press("1").expect_heard("connecting you to sales")


def test_a_conversation_that_times_out():
    text = Text(studio="sms.json", body="hello")
    text.expect_sent("what is your name")
    text.send("Ann")
    text.expect_sent("thanks ann")
    text.timeout()
"""


def test_plugin_and_coverage_of_a_studio_flow(tmp_path: Path) -> None:
    for name in ("ivr.json", "sms.json"):
        shutil.copy(FLOWS / name, tmp_path / name)
    (tmp_path / "test_user.py").write_text(USER_TESTS, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "twiml", "-p", "no:cacheprovider", "test_user.py"]
    done = subprocess.run(
        [*command, "--twiml-cov=sms.json", "--twiml-cov-fail-under=90"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert "2 passed" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1  # below 90%
    assert "twiml coverage of sms.json: 2 calls and texts walked" in done.stdout
    assert 'edge  [s2] /ask_ok send-and-wait-for-reply: reply "yes" → [s4] send-message' in done.stdout
    walked = 'edge  [s1] /ask_name send-and-wait-for-reply: reply "hello"'  # "Ann" is a reply too
    assert walked not in done.stdout
    report = run("coverage", "sms.json", "--format", "json", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["counts"]["states"] == {"walked": 3, "total": 5}
    assert data["counts"]["timeouts"] == {"walked": 1, "total": 2}  # ask_ok timed out, ask_name did not
    ivr = run("coverage", "ivr.json", "--fail-under", "30", cwd=tmp_path)  # the same data, the other flow
    assert ivr.returncode == 0, ivr.stderr
    assert "state [s2] /sales" not in ivr.stdout and "state [s6] /goodbye_timeout say-play" in ivr.stdout
    assert run("coverage", "ivr.json", "--fail-under", "50", cwd=tmp_path).returncode == 1


def test_a_flow_that_is_not_json_or_has_no_entry_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"states": [\n  {"name": "Trigger",,}\n]}', encoding="utf-8")
    (tmp_path / ".twiml-coverage").write_text('{"version": 1, "walks": []}', encoding="utf-8")
    for command in (("test", "--generate"), ("test",), ("coverage",)):
        result = run(*command, str(bad), cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.startswith(f"twiml {command[0]}: {bad}:2:"), result.stderr
    shutil.copy(FLOWS / "ivr.json", tmp_path / "ivr.json")
    diff = run("diff", str(tmp_path / "ivr.json"), str(bad))
    assert diff.returncode == 2 and diff.stderr.startswith(f"twiml diff: {bad}:2:"), diff.stderr
    mixed = run("diff", str(tmp_path / "ivr.json"), str(SAMPLES / "goodbye.xml"))
    assert mixed.returncode == 2 and "compare two Studio flows (.json) or two documents" in mixed.stderr
    idle = tmp_path / "idle.json"
    idle.write_text(
        json.dumps({"states": [{"name": "Trigger", "type": "trigger", "transitions": [], "properties": {}}]}),
        encoding="utf-8",
    )
    texml = run("test", "--generate", str(tmp_path / "ivr.json"), "--dialect", "texml")
    assert texml.returncode == 2 and "a studio target runs as twilio; --dialect texml does not apply" in texml.stderr
    result = run("test", "--generate", str(idle))
    assert result.returncode == 2 and "the trigger has no transition to a widget: nothing to test" in result.stderr
    assert not (tmp_path / "idle_tests.toml").exists()


# ------------------------------------------------------------------------ the 30 real flows

_ABSENT = f"{REAL} is absent: the real Studio flows are read from ../shared/studio/flows/ (CI has it)"
_REAL = [pytest.param(p, id=p.name) for p in REAL_FLOWS] or [
    pytest.param(None, marks=pytest.mark.skip(reason=_ABSENT), id="shared-studio-absent")
]


@pytest.mark.slow  # 30 flows generated, replayed and measured: about 10 s in all
@pytest.mark.parametrize("real", _REAL)
def test_real_flows_generate_replay_and_measure(real: Path, tmp_path: Path) -> None:
    flow = tmp_path / real.name
    shutil.copy(real, flow)
    made = run("test", "--generate", str(flow), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    cases = tmp_path / f"{flow.stem}_tests.toml"
    assert "[[case]]" in cases.read_text(encoding="utf-8")
    replay = run("test", str(flow), "--strict", cwd=tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    (tmp_path / ".twiml-coverage").write_text('{"version": 1, "walks": []}', encoding="utf-8")
    coverage = run("coverage", str(flow), "--format", "json", cwd=tmp_path)
    assert coverage.returncode == 0, coverage.stderr
    assert json.loads(coverage.stdout)["counts"]["states"]["total"] >= 1


@pytest.mark.skipif(not REAL_FLOWS, reason=_ABSENT)
def test_diff_of_a_real_sms_survey_names_the_question_and_its_paths(tmp_path: Path) -> None:
    """../shared/studio/flows/17: one send-and-wait-for-reply question reworded."""
    real = REAL / "17_vaccine_standby_sms.json"
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    shutil.copy(real, old)
    shutil.copy(real, new)
    data = json.loads(new.read_text(encoding="utf-8"))
    asks = [s for s in data["states"] if s["type"] == "send-and-wait-for-reply"]
    question = asks[1]
    before = " ".join(question["properties"]["body"].split())
    question["properties"]["body"] = "A reworded question?"
    new.write_text(json.dumps(data), encoding="utf-8")
    result = run("diff", str(old), str(new), "--format", "json")
    assert result.returncode == 0, result.stderr
    diff = json.loads(result.stdout)
    assert [(c["kind"], c["where"], c["was"], c["now"]) for c in diff["changes"]] == [
        ("message", question["name"], before, "A reworded question?")
    ]
    assert diff["paths"] == [] and diff["new_paths"] == []  # words changed; every path goes where it went
    shutil.copy(real, tmp_path / "flow.json")
    assert run("test", "--generate", str(tmp_path / "flow.json")).returncode == 0
    shutil.copy(new, tmp_path / "flow.json")
    replay = run("test", str(tmp_path / "flow.json"), "--format", "json")
    assert replay.returncode == 1
    (change,) = json.loads(replay.stdout)["changes"]
    assert (change["kind"], change["now"]) == ("message", "A reworded question?")
    assert change["paths"]  # the paths that ask it


def test_git_revisions_of_a_studio_flow(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    flow = tmp_path / "ivr.json"
    shutil.copy(FLOWS / "ivr.json", flow)
    for args in (("init", "-q"), ("add", "."), ("commit", "-qm", "flow")):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=tmp_path, check=True)
    _edit(flow, sales={"say": "Connecting you to our sales team."})
    result = run("diff", "--format", "json", "HEAD", "--", "ivr.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(c["kind"], c["where"], c["was"], c["now"]) for c in data["changes"]] == [
        ("prompt", "sales", "Connecting you to sales.", "Connecting you to our sales team.")
    ]
    assert data["old"] == "HEAD:ivr.json" and data["paths"] == []


def test_the_flows_studio_toml_answers_its_http_widgets(tmp_path: Path) -> None:
    """As for `twiml call` and `twiml map`: `ivr.studio.toml` beside the flow gives the operator
    lookup's reply, so saying "operator" reaches the agent instead of the lookup's failure."""
    flow = tmp_path / "ivr.json"
    shutil.copy(FLOWS / "ivr.json", flow)
    assert run("test", "--generate", str(flow)).returncode == 0
    assert '"Your agent is Ada."' not in (tmp_path / "ivr_tests.toml").read_text(encoding="utf-8")
    (tmp_path / "ivr.studio.toml").write_text('[fixtures]\noperator = { agent = { name = "Ada" } }\n', encoding="utf-8")
    changed = run("test", str(flow), "--format", "json")
    assert changed.returncode == 1
    branch = next(c for c in json.loads(changed.stdout)["changes"] if c["kind"] == "branch")
    assert (branch["was"], branch["now"], branch["paths"]) == ("goodbye", "say_agent", ['say "operator"'])
    assert run("test", "--generate", str(flow)).returncode == 0
    assert '"Your agent is Ada."' in (tmp_path / "ivr_tests.toml").read_text(encoding="utf-8")


def test_a_subflow_of_the_studio_toml_is_cased_and_covered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The subflow's widgets (`collect/ask`) are documents of the cases and states of the coverage
    (a walk reaches them at /collect%2Fask, the map shows /collect/ask)."""
    from twiml.flowtest.coverage import measure, render, walk_of
    from twiml.flowtest.targets import open_test_target
    from twiml.simulator.driver import watch_sessions
    from twiml.studio.targets import register
    from twiml.testing import Call

    for name in ("subflow_parent.json", "subflow_child.json"):
        shutil.copy(FLOWS / name, tmp_path / name)
    parent = tmp_path / "subflow_parent.json"
    (tmp_path / "subflow_parent.studio.toml").write_text(
        '[subflows]\ncollect = "subflow_child.json"\n', encoding="utf-8"
    )
    assert run("test", "--generate", str(parent)).returncode == 0
    assert 'document = "collect/ask"' in (tmp_path / "subflow_parent_tests.toml").read_text(encoding="utf-8")
    assert run("test", str(parent), "--strict").returncode == 0
    monkeypatch.chdir(tmp_path)
    sessions: list[Any] = []
    stop = watch_sessions(sessions.append)
    try:
        Call(studio="subflow_parent.json").press("9").expect_heard("you chose 9")
    finally:
        stop()
    register()
    target = open_test_target("subflow_parent.json")
    coverage = measure(target.explore(), [walk_of(s) for s in sessions], None, target.map_namer)
    report = render(coverage, "text", "subflow_parent.json")
    assert "state [s3] /collect/ask" not in report  # walked, inside the subflow
    assert "edge  [s3] /collect/ask gather-input-on-call: press 9 → [s4] say-play" not in report
    assert "state [s5] /collect/lost say-play" in report  # the no-input path was not


def test_config_and_subflow_options_name_the_files(tmp_path: Path) -> None:
    """`--config` reads fixtures from a file that is not beside the flow, and `--subflow` gives a
    run-subflow widget its flow, as for `twiml call` and `twiml map`."""
    flow = tmp_path / "ivr.json"
    shutil.copy(FLOWS / "ivr.json", flow)
    settings = tmp_path / "settings" / "lookup.toml"
    settings.parent.mkdir()
    settings.write_text('[fixtures]\noperator = { agent = { name = "Ada" } }\n', encoding="utf-8")
    assert run("test", "--generate", str(flow), "--config", str(settings)).returncode == 0
    assert '"Your agent is Ada."' in (tmp_path / "ivr_tests.toml").read_text(encoding="utf-8")
    assert run("test", str(flow), "--config", str(settings)).returncode == 0
    assert run("test", str(flow)).returncode == 1  # without it, the lookup fails again: a change

    for name in ("subflow_parent.json", "subflow_child.json"):
        shutil.copy(FLOWS / name, tmp_path / name)
    parent = tmp_path / "subflow_parent.json"
    assert (
        run("test", "--generate", str(parent), "--subflow", f"collect={tmp_path / 'subflow_child.json'}").returncode
        == 0
    )
    assert 'document = "collect/ask"' in (tmp_path / "subflow_parent_tests.toml").read_text(encoding="utf-8")


def test_config_and_subflow_options_refuse_other_targets(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "flow")
    data = tmp_path / "walks.json"
    data.write_text('{"walks": []}', encoding="utf-8")
    for command in ("test", "coverage"):
        more = ("--data", str(data)) if command == "coverage" else ()
        done = run(command, str(tmp_path / "flow"), "--config", "x.toml", "--subflow", "a=b.json", *more)
        assert done.returncode == 2, done.stderr
        assert "--subflow and --config apply to Studio flows (a .json target) only" in done.stderr
    shutil.copy(FLOWS / "ivr.json", tmp_path / "ivr.json")
    missing = run("test", str(tmp_path / "ivr.json"), "--config", str(tmp_path / "nowhere.toml"))
    assert missing.returncode == 2 and "nowhere.toml" in missing.stderr, missing.stderr
