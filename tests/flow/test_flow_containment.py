"""Flow folders stay in their folder and cannot hang or exhaust memory (issue 19, cases 2, 3, 12)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from twiml.cli import main
from twiml.flow import FlowError, load_flow
from twiml.flow.folder import FolderApp

SAY = "<Response><Say>{}</Say></Response>"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def flow(tmp_path: Path, target: str, extra: str = "") -> Path:
    folder = tmp_path / "flow"
    folder.mkdir()
    (folder / "a.xml").write_text(SAY.format("inside"), encoding="utf-8")
    (folder / "flow.toml").write_text(
        f'start = "/voice/incoming"\n\n[routes]\n"/voice/incoming" = "{target}"\n{extra}', encoding="utf-8"
    )
    return folder


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.xml"
    path.write_text(SAY.format("the secret"), encoding="utf-8")
    return path


def test_a_target_outside_the_folder_is_refused_by_call_and_map(tmp_path: Path, secret: Path) -> None:
    folder = flow(tmp_path, "../secret.xml")
    status, out, err = run("call", str(folder))
    assert status == 2 and "the secret" not in out
    assert "flow.toml:4" in err and "outside the flow folder" in err
    status, out, err = run("map", str(folder))
    assert status == 1 and "the secret" not in out
    assert "outside the flow folder" in err


def test_a_symlink_leading_outside_is_refused_and_the_folder_app_answers_404(tmp_path: Path, secret: Path) -> None:
    folder = flow(tmp_path, "link.xml")
    (folder / "link.xml").symlink_to(secret)
    status, out, err = run("call", str(folder))
    assert status == 2 and "the secret" not in out and "outside the flow folder" in err
    app = FolderApp(load_flow(folder))
    reply = app.answer("POST", app.url("/voice/incoming"), {})
    assert reply.status == 404 and b"the secret" not in reply.body
    assert b"outside the flow folder" in reply.body


def test_system_files_are_never_opened(tmp_path: Path) -> None:
    folder = flow(tmp_path, "../../../../etc/passwd")
    (folder / "passwd.xml").symlink_to("/etc/passwd")
    app = FolderApp(load_flow(folder))
    assert b"root:" not in app.answer("POST", app.url("/voice/incoming"), {}).body
    with pytest.raises(OSError, match="outside the flow folder"):
        app.flow.read_document("passwd.xml")


def test_a_symlink_inside_the_folder_is_served(tmp_path: Path) -> None:
    folder = flow(tmp_path, "alias.xml")
    (folder / "alias.xml").symlink_to("a.xml")
    status, out, _ = run("call", str(folder))
    assert status == 0 and "inside" in out


_RUNNER = """
import io, json, sys
from twiml.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    err = io.StringIO()
    results.append((main(argv, stdout=io.StringIO(), stderr=err), err.getvalue()))
print(json.dumps(results))
"""


def _cli(*commands: list[str]) -> list[tuple[int, str]]:
    """The commands in one process of their own, so a regression that blocks (a FIFO) or reads
    without end (/dev/zero) fails on the timeout instead of hanging or filling this process."""
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(commands)], capture_output=True, text=True, timeout=60, check=True
    )
    return [(status, err) for status, err in json.loads(result.stdout)]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_fifo_or_dev_zero_document_is_a_line_numbered_error_without_blocking(tmp_path: Path, kind: str) -> None:
    folder = flow(tmp_path, "doc.xml")
    if kind == "fifo":
        os.mkfifo(folder / "doc.xml")
    else:
        (folder / "doc.xml").symlink_to("/dev/zero")
    for status, err in _cli(["map", str(folder)], ["call", str(folder)], ["export-app", str(folder)]):
        assert status in (1, 2), err
        assert "flow.toml:4" in err and "Traceback" not in err
        assert "FIFO" in err or "outside the flow folder" in err


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_fifo_or_dev_zero_flow_toml_is_refused_without_blocking(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "flow"
    folder.mkdir()
    if kind == "fifo":
        os.mkfifo(folder / "flow.toml")
    else:
        (folder / "flow.toml").symlink_to("/dev/zero")
    with pytest.raises(FlowError, match="not a regular file"):
        load_flow(folder)
    ((status, err),) = _cli(["call", str(folder)])
    assert status == 2 and "not a regular file" in err


def test_a_nul_in_a_target_is_a_line_numbered_error(tmp_path: Path) -> None:
    folder = flow(tmp_path, "a\\u0000.xml")
    problems = [p.format("flow.toml") for p in load_flow(folder).problems]
    assert any(p.startswith("flow.toml:4:0: error") and "NUL" in p for p in problems), problems
    status, _, err = run("map", str(folder))
    assert status == 1 and "NUL" in err


def test_keys_written_with_escapes_are_reported_on_their_own_line(tmp_path: Path) -> None:
    folder = flow(tmp_path, "a.xml", '"/caf\\u00e9" = "missing.xml"\n\'/lit\' = { by = "Digits", cases = {} }\n')
    problems = {p.message.split(":")[0]: p.line for p in load_flow(folder).problems}
    assert problems['route "/café" names missing file missing.xml'] == 5
    assert problems['route "/lit"'] == 6


def test_a_flow_toml_that_is_not_utf8_is_reported_by_line_and_column(tmp_path: Path) -> None:
    folder = flow(tmp_path, "a.xml", '"/x" = "caf\xe9.xml"\n')
    (folder / "flow.toml").write_bytes((folder / "flow.toml").read_text(encoding="utf-8").encode("latin-1"))
    with pytest.raises(FlowError) as caught:
        load_flow(folder)
    assert caught.value.problem.line == 5 and caught.value.problem.column == 12
    assert "0xe9 is not valid UTF-8" in str(caught.value)


def test_ten_thousand_routes_get_their_own_lines(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "a.xml").write_text(SAY.format("x"), encoding="utf-8")
    lines = ['start = "/r0"', "[routes]", *(f'"/r{i}" = "a.xml"' for i in range(10_000))]
    (folder / "flow.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_flow(folder)
    assert not loaded.problems and loaded.routes["/r9999"].line == 10_002


def test_each_document_is_read_once_however_many_routes_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading 10,000 routes was quadratic (11.9 s); each target and document is now checked once."""
    import twiml.flow.config as config

    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "a.xml").write_text(SAY.format("x"), encoding="utf-8")
    (folder / "b.xml").write_text(SAY.format("y"), encoding="utf-8")
    lines = ['start = "/r0"', "[routes]", *(f'"/r{i}" = "{"ab"[i % 2]}.xml"' for i in range(2_000))]
    (folder / "flow.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reads: list[str] = []
    original = config.read_document

    def counted(folder: Path, document: str) -> bytes:
        reads.append(document)
        return original(folder, document)

    monkeypatch.setattr(config, "read_document", counted)
    assert not load_flow(folder).problems
    assert sorted(reads) == ["a.xml", "b.xml"]
