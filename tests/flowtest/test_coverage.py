"""Coverage of sample_flows/ by hand-written Call/Text tests: the pytest plugin (through its
pytest11 entry point, in a real pytest run), the data file, and `twiml coverage`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from tests.flowtest.helpers import SAMPLES, twiml
from twiml.cli import main
from twiml.flowtest.coverage import measure, render, walk_of
from twiml.flowtest.targets import open_test_target
from twiml.simulator.driver import Session, watch_sessions
from twiml.testing import Call, Text

USER_TESTS = f"""
from twiml.testing import Call, Text

FLOW = {str(SAMPLES)!r}


def test_sales_then_goodbye():
    Call(folder=FLOW).press("1").expect_heard("connecting you to sales").expect_ended("hangup")


def test_billing_busy_leaves_a_message():
    call = Call(folder=FLOW, dial_status="busy").say("billing please")
    call.expect_heard("thank you your message has been saved").expect_ended("hangup")


def test_help_by_text():
    Text(folder=FLOW, body="HELP").expect_sent("acme support call +1 555 123 4567")
"""


def test_the_plugin_is_registered_under_pytest11() -> None:
    """twiml.pytest_plugin: twiml.flowtest's hooks with Studio flows among the targets."""
    assert any(ep.value == "twiml.pytest_plugin" for ep in entry_points(group="pytest11"))


def test_plugin_reports_unwalked_cases_and_fail_under_sets_the_status(tmp_path: Path) -> None:
    (tmp_path / "test_acme.py").write_text(USER_TESTS, encoding="utf-8")
    # only our plugin, loaded by its entry point name (the others are slow to import on a busy machine)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "twiml", "-p", "no:cacheprovider", "test_acme.py"]
    run = subprocess.run(
        [*command, f"--twiml-cov={SAMPLES}", "--twiml-cov-fail-under=90"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert "3 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == 1  # the tests pass; the coverage gate does not
    report = run.stdout
    assert "twiml flow coverage" in report and "FAIL: flow coverage" in report
    assert 'split route /menu: case "3" → billing.xml' in report
    assert "split route /menu/speech: default → menu_retry.xml" in report
    assert 'split route /menu/speech: case "billing"' not in report  # walked by "billing please"
    assert "edge  [s1] /voice/incoming ivr_main_menu.xml: press 2 → [s3] support.xml" in report
    assert "edge  [s1] /voice/incoming ivr_main_menu.xml: press 1 →" not in report
    assert "edge  [s10] /operator/screen call_screening_whisper.xml: no input → ■ hangup" in report
    data = tmp_path / ".twiml-coverage"
    assert len(json.loads(data.read_text(encoding="utf-8"))["walks"]) == 3

    low = twiml("coverage", str(SAMPLES), "--fail-under", "10", cwd=tmp_path)
    assert low.returncode == 0, low.stderr
    assert low.stdout.splitlines()[0] == f"twiml coverage of {SAMPLES}: 3 calls and texts walked"
    out, err = io.StringIO(), io.StringIO()
    assert main(["coverage", str(SAMPLES), "--data", str(data), "--fail-under", "90"], stdout=out, stderr=err) == 1
    assert "is below --fail-under 90" in err.getvalue()
    out = io.StringIO()
    assert main(["coverage", str(SAMPLES), "--data", str(data), "--format", "json"], stdout=out) == 0
    counts = json.loads(out.getvalue())["counts"]
    assert counts["split cases"]["walked"] >= 5 and counts["split cases"]["total"] == 22
    out = io.StringIO()
    assert main(["coverage", str(SAMPLES), "--data", str(data), "--format", "mermaid"], stdout=out) == 0
    mermaid = out.getvalue()
    assert "stroke:#2a7d2a" in mermaid and "stroke-dasharray:4 3" in mermaid and "class s3" in mermaid
    missing = io.StringIO()
    assert main(["coverage", str(SAMPLES), "--data", str(tmp_path / "none")], stdout=out, stderr=missing) == 2
    assert "no coverage data" in missing.getvalue()


def test_coverage_matches_walks_to_edges_by_kind_of_input() -> None:
    sessions: list[Session] = []
    stop = watch_sessions(sessions.append)
    try:
        Call(folder=SAMPLES, dial_status="no-answer", recording_duration=0).press("1")  # busy's edge: any failed dial
        Call(folder=SAMPLES).press("7")  # "other keys"
        Call(folder=SAMPLES, url="/operator/screen").silence()  # the callee's leg
        Text(folder=SAMPLES, body="stop")
    finally:
        stop()
    target = open_test_target(str(SAMPLES))
    assert target.flow is not None
    coverage = measure(target.explore(), [walk_of(s) for s in sessions], target.flow.routes)
    walked = {(e.src, e.label) for e, w in coverage.edges if w}
    assert {("s2", "dial busy"), ("s8", "silence"), ("s1", "other keys (9)"), ("s10", "no input")} <= walked
    assert ("s1", 'say "something else"') not in walked
    assert ("s5", "callee hears (Number url)") in walked
    cases = {(r, c) for r, c, _, w in coverage.cases if w}
    assert {
        ("/dial-complete", "default"),
        ("/menu", "default"),
        ("/menu/speech", "default"),
        ("/sms/incoming", "stop"),
    } <= cases


@pytest.mark.slow  # starts two pytest-xdist workers: about 3 s
def test_walks_of_xdist_workers_come_back_to_the_controller(tmp_path: Path) -> None:
    (tmp_path / "test_acme.py").write_text(USER_TESTS, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [sys.executable, "-m", "pytest", "-p", "twiml", "-p", "xdist", "-n", "2", "-p", "no:cacheprovider"]
    run = subprocess.run(
        [*command, "test_acme.py", f"--twiml-cov={SAMPLES}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("twiml flow coverage") == 1
    assert f"twiml coverage of {SAMPLES}: 3 calls and texts walked" in run.stdout
    assert len(json.loads((tmp_path / ".twiml-coverage").read_text(encoding="utf-8"))["walks"]) == 3


def test_coverage_of_an_app_tells_replies_of_one_url_apart_by_their_first_prompt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from twiml.flow.config import load_flow
    from twiml.flow.export_app import export_app

    module = f"cov_app_{tmp_path.name}"
    (tmp_path / f"{module}.py").write_text(export_app(load_flow(SAMPLES), "flask"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    sessions: list[Session] = []
    stop = watch_sessions(sessions.append)
    try:
        target = open_test_target("/voice/incoming", f"{module}:app")
        with Call(transport=target.transport, url=target.start) as call:
            call.press("2")
    finally:
        stop()
        sys.modules.pop(module, None)
    coverage = measure(target.explore(), [walk_of(s) for s in sessions[-1:]])
    target.close()
    walked = {(e.label, e.dst) for e, w in coverage.edges if w}
    support = next(e.dst for e, _ in coverage.edges if e.label == "press 2")
    assert support is not None
    assert ("press 2", support) in walked and not any(label == "press 1" for label, _ in walked)
    assert coverage.flow_map.states[support].heard.startswith("All of our support agents")
    text = render(coverage, "text", "app")
    assert (
        'edge  [s1] /voice/incoming "Thank you for calling Acme Corporation.": press 1 → [s3] "Connecting you to sales."'
        in text
    )
