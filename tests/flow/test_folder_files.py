"""Which files a folder holds: one rule (`twiml.files.files_under`) for `Flow.documents()`, so for
`twiml map`, and for `twiml validate FOLDER`: hidden folders and installed packages are left out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from twiml.files import files_under
from twiml.flow import load_flow

DOC = '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Say>{}</Say></Response>\n'
BAD = "<Response><Nope/></Response>\n"  # 12200 wherever it is checked


def twiml(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "twiml", *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_flow_documents_map_and_validate_leave_out_hidden_and_package_folders(tmp_path: Path) -> None:
    (tmp_path / "flow.toml").write_text('start = "/a"\n[routes]\n"/a" = "a.xml"\n"/b" = "sub/b.xml"\n')
    (tmp_path / "a.xml").write_text(DOC.format("a"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.xml").write_text(DOC.format("b"))
    for hidden in (".git", ".venv/lib", "node_modules/pkg", "sub/__pycache__", "lib/site-packages"):
        (tmp_path / hidden).mkdir(parents=True)
        (tmp_path / hidden / "stray.xml").write_text(BAD)
    (tmp_path / ".hidden.xml").write_text(DOC.format("a hidden file, not a hidden folder"))

    kept = [".hidden.xml", "a.xml", "sub/b.xml"]
    assert [p.relative_to(tmp_path).as_posix() for p in files_under(tmp_path, (".xml",))] == kept
    assert load_flow(tmp_path).documents() == kept

    proc = twiml("map", str(tmp_path))
    assert "stray.xml" not in proc.stdout + proc.stderr
    unreachable = [x.split(": ", 1)[0] for x in proc.stdout.splitlines() if "FLOW-UNREACHABLE" in x]
    assert unreachable == [str(tmp_path / ".hidden.xml"), str(tmp_path / "sub" / "b.xml")]

    proc = twiml("validate", str(tmp_path))
    assert "stray.xml" not in proc.stdout + proc.stderr
    assert [x.split(": ", 1)[0] for x in proc.stdout.splitlines() if "FLOW-UNREACHABLE" in x] == unreachable
