"""Mistakes a user makes with `twiml test`, `twiml coverage` and `twiml diff` get one clear line
and exit 2 (or a note), never a made-up result with exit 0."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.flowtest.helpers import copy_samples, run


def test_diff_names_the_missing_path_not_the_revision(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    for items in (("HEAD", "--", "nosuch/"), ("HEAD~1", "HEAD", "--", "nosuch/")):
        result = run("diff", *items, cwd=tmp_path)
        assert result.returncode == 2
        assert result.stderr.startswith("twiml diff: nosuch/: no such file or folder; "), result.stderr


def test_coverage_notes_walks_recorded_for_another_target(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    recorded = run("test", "--generate", str(folder), cwd=tmp_path)
    assert recorded.returncode == 0, recorded.stderr
    walks = {"version": 1, "walks": [{"channel": "voice", "items": [{"fetch": "http://elsewhere/x", "status": 200}]}]}
    (tmp_path / ".twiml-coverage").write_text(json.dumps(walks))
    result = run("coverage", str(folder), cwd=tmp_path)
    assert result.returncode == 0
    assert "note: none of the 1 walks in .twiml-coverage reached a state of" in result.stderr


def test_coverage_signs_requests_to_an_app_that_checks_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """examples/flask_ivr.py answers 403 to unsigned requests while TWILIO_AUTH_TOKEN is set:
    `twiml coverage` takes --auth-token as `twiml test` and `twiml map` do, and a start that does
    not answer is an error, not 100% of an empty map."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    data = tmp_path / "walks.json"
    data.write_text(json.dumps({"version": 1, "walks": []}))
    app = ("--app", "examples.flask_ivr:app", "/voice/incoming", "--data", str(data))
    signed = run("coverage", *app, "--auth-token", "secret", "--format", "json")
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["counts"]["states"]["total"] > 3
    wrong = run("coverage", *app, "--auth-token", "wrong", "--fail-under", "80")
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert "the start does not answer (11200 HTTP 403" in wrong.stderr


SIGNED_TESTS = """
from twiml.testing import Call


def test_sales():
    Call(app="examples.flask_ivr:app", url="/voice/incoming", auth_token="secret").press("1")
"""


def test_the_plugin_signs_the_map_of_an_app_and_refuses_a_dead_start(tmp_path: Path) -> None:
    import os
    import sys

    from tests.flowtest.helpers import ROOT

    (tmp_path / "test_signed.py").write_text(SIGNED_TESTS, encoding="utf-8")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "TWILIO_AUTH_TOKEN": "secret", "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "twiml", "-p", "no:cacheprovider", "test_signed.py"]
    command += ["--twiml-cov-app=examples.flask_ivr:app", "--twiml-cov=/voice/incoming", "--twiml-cov-fail-under=5"]

    def pytest_run(*more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*command, *more], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)

    signed = pytest_run()
    assert signed.returncode == 0, signed.stdout + signed.stderr
    states = next(line for line in signed.stdout.splitlines() if line.strip().startswith("states"))
    assert "/0 " not in states and not states.strip().startswith("states          0/")
    wrong = pytest_run("--twiml-cov-auth-token=wrong")
    assert wrong.returncode == pytest.ExitCode.USAGE_ERROR, wrong.stdout
    assert "the start does not answer (11200 HTTP 403" in wrong.stdout


def test_files_that_cannot_be_written_or_read_are_named(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    missing = tmp_path / "no" / "such"
    cases = run("test", "--generate", str(folder), "--cases", str(missing / "cases.toml"))
    assert (
        cases.returncode == 2
        and cases.stderr == f"twiml test: {missing}/cases.toml: cannot write: No such file or directory\n"
    )
    assert run("test", "--generate", str(folder)).returncode == 0
    record = run("test", str(folder), "--record", str(missing / "replies.toml"))
    assert record.returncode == 2
    assert record.stderr == f"twiml test: --record {missing}/replies.toml: cannot write: No such file or directory\n"
    replay = run("test", str(folder), "--replay", str(missing / "replies.toml"))
    assert replay.returncode == 2 and replay.stderr.endswith("cannot read: No such file or directory\n")
    assert "Errno" not in replay.stderr
    both = run("test", str(folder), "--generate", "--update")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_a_change_on_many_paths_lists_a_few_and_counts_the_rest(tmp_path: Path) -> None:
    from tests.flowtest.helpers import NEW_PROMPT, OLD_PROMPT, replace

    folder = copy_samples(tmp_path)
    assert run("test", "--generate", str(folder)).returncode == 0
    replace(folder / "ivr_main_menu.xml", OLD_PROMPT, NEW_PROMPT)  # heard on 17 of the 24 paths
    result = run("test", str(folder))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "   17 paths:" in lines
    assert sum(line.startswith("     - ") for line in lines) == 12
    assert "     ... and 5 more (`--by-case` or `--format json` lists every one)" in lines
    listed = json.loads(run("test", str(folder), "--format", "json").stdout)["changes"][0]["paths"]
    assert len(listed) == 17
