"""The `twiml` command line: validate (text, JSON, SARIF), format, to-python, exit codes."""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from twiml import __version__, parse
from twiml.cli import main

INVALID = "<Response><Start><Say>hi</Say></Start></Response>"
VALID = '<Response><Gather action="/menu" numDigits="1"><Say>Press 1</Say></Gather></Response>'
WARNING_ONLY = '<Response><Dial timeout="3">+15551234567</Dial></Response>'
INFO_ONLY = '<Response><Say voice="Polly.NotAVoiceYet">hi</Say></Response>'
BROKEN = "<Response>\n  <Say>unclosed\n</Response>"


def run(*argv: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, stdin=io.BytesIO(stdin) if stdin is not None else None)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {
        "invalid": INVALID,
        "valid": VALID,
        "warning": WARNING_ONLY,
        "info": INFO_ONLY,
        "broken": BROKEN,
        "foo": "<Foo/>",
    }.items():
        path = tmp_path / f"{name}.xml"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


# ------------------------------------------------------------------------------------------- validate


def test_validate_clean_file_exits_0(files: dict[str, Path]) -> None:
    assert run("validate", str(files["valid"])) == (0, "1 file, 0 problems\n", "")


def test_validate_reports_errors_as_file_line_col(files: dict[str, Path]) -> None:
    code, out, err = run("validate", str(files["invalid"]), str(files["valid"]))
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"{files['invalid']}:1:{INVALID.index('<Say>') + 1}: error 14300 ")
    assert "Say" in lines[0] and "Start" in lines[0]


def test_validate_warnings_fail_by_default_and_info_does_not(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", str(files["warning"]))
    assert code == 1
    assert out.startswith(f"{files['warning']}:1:") and ": warning 13212 " in out
    code, out, _ = run("validate", str(files["info"]))
    assert code == 0 and ": info 13511 " in out


def test_validate_malformed_file_is_error_12100(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", str(files["broken"]))
    assert code == 1
    line = out.strip()
    assert line.startswith(f"{files['broken']}:") and " error 12100 " in line
    file_line_col = line.split(" ")[0]
    assert file_line_col.count(":") == 3 and file_line_col.split(":")[1].isdigit()


def test_validate_wrong_root_is_12102(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", str(files["foo"]))
    assert code == 1 and f"{files['foo']}:1:1: error 12102 " in out


def test_validate_missing_file_exits_2_but_checks_the_rest(files: dict[str, Path], tmp_path: Path) -> None:
    code, out, err = run("validate", str(tmp_path / "nope.xml"), str(files["invalid"]))
    assert code == 2
    assert "nope.xml" in err and "cannot read" in err
    assert " error " in out  # the readable file was still checked


def test_validate_directory_is_unreadable(tmp_path: Path) -> None:
    assert run("validate", str(tmp_path))[0] == 2


def test_validate_stdin() -> None:
    code, out, _ = run("validate", "-", stdin=INVALID.encode())
    assert code == 1 and out.startswith("<stdin>:1:")


def test_validate_json(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", "--format", "json", str(files["invalid"]), str(files["broken"]), str(files["valid"]))
    assert code == 1
    data = json.loads(out)
    assert [d["file"] for d in data] == [str(files["invalid"]), str(files["broken"])]
    first = data[0]
    assert first["severity"] == "error" and first["line"] == 1 and first["path"].startswith("Response/Start")
    assert set(first) == {
        "file",
        "line",
        "column",
        "level",
        "severity",
        "code",
        "twilio_message",
        "message",
        "hint",
        "effect",
        "path",
        "source",
    }
    assert first["level"] == "error" and first["twilio_message"] == "Start: Invalid nested noun value"
    assert data[1]["code"] == 12100


def test_validate_json_empty_list_when_clean(files: dict[str, Path]) -> None:
    code, out, _ = run("validate", "--format", "json", str(files["valid"]))
    assert code == 0 and json.loads(out) == []


def test_validate_sarif(files: dict[str, Path]) -> None:
    code, out, _ = run(
        "validate", "--format", "sarif", str(files["invalid"]), str(files["warning"]), str(files["broken"])
    )
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    (run_,) = sarif["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "twiml" and driver["version"] == __version__
    rule_ids = [r["id"] for r in driver["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) and "12100" in rule_ids
    assert all(r["shortDescription"]["text"] for r in driver["rules"])
    assert run_["invocations"] == [{"executionSuccessful": True}]
    results = run_["results"]
    assert {r["level"] for r in results} == {"error", "warning"}
    timeout = next(r for r in results if r["ruleId"] == "13212")
    assert timeout["properties"]["level"] == "warning"
    assert timeout["properties"]["twilioMessage"] == "Dial: Invalid timeout value"
    assert timeout["properties"]["effect"] == "default used (30)"
    for r in results:
        assert isinstance(r["ruleId"], str) and r["message"]["text"]
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith(".xml")
        assert loc["region"]["startLine"] >= 1
    twilio_rule = next(r for r in driver["rules"] if r["id"] == "12100")
    assert twilio_rule["helpUri"].endswith("/12100")


def test_validate_sarif_records_unreadable_inputs(tmp_path: Path) -> None:
    code, out, _ = run("validate", "--format", "sarif", str(tmp_path / "gone.xml"))
    assert code == 2
    inv = json.loads(out)["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    assert "gone.xml" in inv["toolExecutionNotifications"][0]["message"]["text"]


# --------------------------------------------------------------------------------------------- format


def test_format_prints_pretty_by_default(files: dict[str, Path]) -> None:
    code, out, _ = run("format", str(files["valid"]))
    assert code == 0
    assert out == parse(VALID).to_xml(pretty=True)
    assert "\n  <Gather" in out


def test_format_compact_and_options(files: dict[str, Path]) -> None:
    code, out, _ = run("format", "--compact", str(files["valid"]))
    assert code == 0 and out == parse(VALID).to_xml() + "\n"
    code, out, _ = run("format", "--no-declaration", "--indent", "4", str(files["valid"]))
    assert out.startswith("<Response>\n    <Gather")


def test_format_write_replaces_atomically_and_keeps_mode(files: dict[str, Path]) -> None:
    path = files["valid"]
    os.chmod(path, 0o640)
    code, out, err = run("format", "--write", str(path))
    assert (code, out, err) == (0, "", "")
    assert path.read_text(encoding="utf-8") == parse(VALID).to_xml(pretty=True)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".twiml-")] == []
    # already formatted: --check is happy, a second --write changes nothing
    before = path.stat().st_mtime_ns
    assert run("format", "--check", str(path))[0] == 0
    assert run("format", "--write", str(path))[0] == 0
    assert path.stat().st_mtime_ns == before


def test_format_check_reports_unformatted(files: dict[str, Path]) -> None:
    code, _, err = run("format", "--check", str(files["valid"]))
    assert code == 1 and "would reformat" in err
    assert files["valid"].read_text(encoding="utf-8") == VALID


def test_format_never_writes_broken_files(files: dict[str, Path]) -> None:
    path = files["broken"]
    code, out, err = run("format", "--write", str(path))
    assert code == 1 and out == ""
    assert " error 12100 " in err
    assert path.read_text(encoding="utf-8") == BROKEN


def test_format_missing_file_and_usage(tmp_path: Path, files: dict[str, Path]) -> None:
    assert run("format", str(tmp_path / "none.xml"))[0] == 2
    assert run("format", str(files["valid"]), str(files["invalid"]))[0] == 2  # several files need --write
    assert run("format", "--write", "-", stdin=b"<Response/>")[0] == 2


def test_format_stdin() -> None:
    code, out, _ = run("format", "--compact", "-", stdin=b"<Response>\n  <Hangup/>\n</Response>")
    assert code == 0 and out.endswith("<Response><Hangup /></Response>\n")


# ------------------------------------------------------------------------------------------ to-python


def test_to_python_prints_code_that_rebuilds(files: dict[str, Path]) -> None:
    code, out, _ = run("to-python", str(files["valid"]))
    assert code == 0
    assert out.startswith("from twiml.voice_response import VoiceResponse\n")
    namespace: dict[str, object] = {}
    import contextlib

    with contextlib.redirect_stdout(io.StringIO()):
        exec(out, namespace)
    assert str(namespace["response"]) == parse(VALID).to_xml()


def test_to_python_twilio_root(files: dict[str, Path]) -> None:
    code, out, _ = run("to-python", "--import-root", "twilio.twiml", str(files["valid"]))
    assert code == 0 and out.startswith("from twilio.twiml.voice_response import VoiceResponse\n")


def test_to_python_errors(files: dict[str, Path], tmp_path: Path) -> None:
    code, out, err = run("to-python", str(files["broken"]))
    assert code == 1 and out == "" and " error 12100 " in err
    assert run("to-python", str(tmp_path / "x.xml"))[0] == 2


# ------------------------------------------------------------------------------------------- plumbing


def test_usage_errors_exit_2() -> None:
    assert run()[0] == 2
    assert run("frobnicate")[0] == 2
    assert run("validate", "--format", "xml", "a.xml")[0] == 2


def test_python_dash_m_and_console_script(files: dict[str, Path]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "twiml", "validate", str(files["invalid"])], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1 and " error " in proc.stdout
    script = Path(sys.executable).with_name("twiml")
    if script.exists():
        proc = subprocess.run(
            [str(script), "validate", str(files["valid"])], capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0 and proc.stdout == "1 file, 0 problems\n"


def test_format_keeps_comments_around_the_root(tmp_path: Path) -> None:
    path = tmp_path / "header.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!-- Copyright Acme -->\n<!-- flow: main -->\n'
        "<Response><Say>hi</Say><!-- inner --></Response>\n<!-- end -->\n",
        encoding="utf-8",
    )
    assert run("format", "--write", str(path))[0] == 0
    assert path.read_text(encoding="utf-8") == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- Copyright Acme -->\n<!-- flow: main -->\n'
        "<Response>\n  <Say>hi</Say>\n  <!-- inner -->\n</Response>\n<!-- end -->\n"
    )
    assert run("format", "--check", str(path))[0] == 0
    _code, out, _ = run("format", "--compact", "--no-declaration", str(path))
    assert (
        out
        == "<!-- Copyright Acme --><!-- flow: main --><Response><Say>hi</Say><!-- inner --></Response><!-- end -->\n"
    )


def test_sarif_uris(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = tmp_path / "my flows"
    sub.mkdir()
    (sub / "a b.xml").write_text(INVALID, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run("validate", "--format", "sarif", "my flows/a b.xml", str(sub / "a b.xml"))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]
    ]
    assert uris == ["my%20flows/a%20b.xml", (sub / "a b.xml").as_uri()]


# ------------------------------------------------------------------ validate: levels, settings, suppression

TIMEOUT_AND_TYPO = """<Response>
  <Dial timeout="3">+15551234567</Dial>
  <Sayy>typo</Sayy>
</Response>
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("fail_on", "doc", "status"),
    [
        ("error", "warning", 0),
        ("error", "invalid", 1),
        ("warning", "warning", 1),
        ("warning", "info", 0),
        ("info", "info", 1),
        ("never", "invalid", 0),
    ],
)
def test_fail_on_sets_the_level_that_fails(files: dict[str, Path], fail_on: str, doc: str, status: int) -> None:
    code, out, _ = run("validate", "--fail-on", fail_on, str(files[doc]))
    assert code == status and out  # the findings are printed whatever the exit status


def test_fail_on_rejects_unknown_levels(files: dict[str, Path]) -> None:
    code, _, err = run("validate", "--fail-on", "fatal", str(files["valid"]))
    assert code == 2 and "fail-on" in err


def test_ignore_and_select_take_comma_lists_and_repeat(tmp_path: Path) -> None:
    path = write(tmp_path, "t.xml", TIMEOUT_AND_TYPO)
    code, out, _ = run("validate", "--ignore", "13212", str(path))
    assert code == 1 and "13212" not in out and "12200" in out
    code, out, _ = run("validate", "--ignore", "13212,12200", str(path))
    assert (code, out) == (0, "1 file, 0 problems\n")
    code, out, _ = run("validate", "--ignore", "13212", "--ignore", "12200", str(path))
    assert (code, out) == (0, "1 file, 0 problems\n")
    code, out, _ = run("validate", "--select", "13212", str(path))
    assert code == 1 and out.count("\n") == 1 and " 13212 " in out


def test_hints_appear_in_text_and_json(tmp_path: Path) -> None:
    path = write(tmp_path, "t.xml", TIMEOUT_AND_TYPO)
    _, out, _ = run("validate", str(path))
    assert "unknown element <Sayy> (did you mean <Say>?)" in out
    _, out, _ = run("validate", "--format", "json", str(path))
    typo = next(d for d in json.loads(out) if d["code"] == 12200)
    assert typo["hint"] == "did you mean <Say>?" and typo["effect"] == "element ignored"
    assert typo["twilio_message"] == "Schema validation warning" and typo["level"] == "warning"


def test_pyproject_settings_are_found_from_the_files_folder_upwards(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.twiml]\nfail-on = "error"\nignore = ["12200"]\n', encoding="utf-8"
    )
    path = write(tmp_path / "flows" / "deep", "t.xml", TIMEOUT_AND_TYPO)
    code, out, _ = run("validate", str(path))
    assert code == 0 and " 13212 " in out and "12200" not in out
    # the command line wins over the file, and adds to its ignore list
    code, out, _ = run("validate", "--fail-on", "warning", "--ignore", "13212", str(path))
    assert (code, out) == (0, "1 file, 0 problems\n")
    code, _, _ = run("validate", "--fail-on", "warning", str(path))
    assert code == 1


def test_pyproject_nearest_file_wins_and_select_comes_from_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\nfail-on = "never"\n', encoding="utf-8")
    inner = tmp_path / "inner"
    write(inner, "pyproject.toml", "[tool.twiml]\nselect = [12200]\n")
    path = write(inner, "t.xml", TIMEOUT_AND_TYPO)
    code, out, _ = run("validate", str(path))
    assert code == 1 and "12200" in out and "13212" not in out


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('fail-on = "loud"', "fail-on must be one of"),
        ('ignore = "13212"', "ignore must be a list"),
        ("colour = 1", "unknown key(s) colour"),
    ],
)
def test_bad_pyproject_settings_exit_2_naming_the_file(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.twiml]\n{table}\n", encoding="utf-8")
    path = write(tmp_path, "t.xml", VALID)
    code, _, err = run("validate", str(path))
    assert code == 2 and message in err and str(tmp_path / "pyproject.toml") in err


def test_inline_comment_suppresses_the_next_elements_codes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.xml",
        """<Response>
  <!-- twiml: ignore[13212] -->
  <Dial timeout="3">+15551234567</Dial>
  <Dial timeout="4">+15551234567</Dial>
  <!-- twiml: ignore -->
  <Sayy>typo</Sayy>
  <!-- twiml: ignore[13511] -->
  <Play loop="x">https://e.com/a.mp3</Play>
</Response>
""",
    )
    code, out, _ = run("validate", str(path))
    lines = out.splitlines()
    assert code == 1 and len(lines) == 2
    assert lines[0].startswith(f"{path}:4:9: warning 13212 ")  # only the second <Dial>, at its timeout
    assert ":8:9: warning 13410 " in lines[1]  # a comment names the codes it silences (at the attribute)
    _, out, _ = run("validate", "--format", "sarif", str(path))
    results = json.loads(out)["runs"][0]["results"]
    suppressed = [r for r in results if r.get("suppressions")]
    assert {r["ruleId"] for r in suppressed} == {"13212", "12200"}
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    _, out, _ = run("validate", "--format", "json", str(path))
    assert {d["code"] for d in json.loads(out)} == {13212, 13410}
