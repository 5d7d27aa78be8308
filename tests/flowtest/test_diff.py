"""`twiml diff`: two flow folders, two documents, git revisions; the three changes and nothing cosmetic."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.flowtest.helpers import NEW_PROMPT, OLD_PROMPT, SAMPLES, change_three, copy_samples, replace, run, twiml

THREE = [
    ("route", "/menu", 'route /menu: case "2" retargeted', "support.xml", "voicemail.xml"),
    ("attribute", "ivr_main_menu.xml", "<Gather> numDigits changed in ivr_main_menu.xml:4", "1", "2"),
    ("prompt", "ivr_main_menu.xml", "prompt changed in ivr_main_menu.xml:6", OLD_PROMPT, NEW_PROMPT),
]


def _changes(stdout: str) -> list[tuple[str, str, str, str, str]]:
    return [(c["kind"], c["where"], c["summary"], c["was"], c["now"]) for c in json.loads(stdout)["changes"]]


def test_two_folders_three_changes_nothing_cosmetic_and_the_paths(tmp_path: Path) -> None:
    new = copy_samples(tmp_path)
    change_three(new)
    result = twiml("diff", str(SAMPLES), str(new), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert _changes(result.stdout) == THREE
    assert data["cosmetic_only"] == ["goodbye.xml", "sales.xml"]
    assert [p["path"] for p in data["paths"]] == [
        "press 2, queue bridged",
        "press 2, queue queue-full, recording 5 s",
        "press 2, queue queue-full, silence",
        "press 2, recording 5 s",  # the map shows these under press 2 now: the same caller path
        "press 2, silence",
    ]
    assert data["new_paths"] == []
    assert data["paths"][0]["was"].startswith("ivr_main_menu.xml → support.xml")
    assert data["paths"][0]["now"].startswith("ivr_main_menu.xml → voicemail.xml")
    markdown = run("diff", str(SAMPLES), str(new), "--format", "markdown", "--no-paths", "--exit-code")
    assert markdown.returncode == 1  # --exit-code: behaviour changed
    assert "**3 changes in behaviour**" in markdown.stdout
    assert (
        "| &lt;Gather&gt; numDigits changed in ivr_main_menu.xml:4 | `ivr_main_menu.xml` | 1 | 2 |" in markdown.stdout
    )
    mermaid = run("diff", str(SAMPLES), str(new), "--format", "mermaid")
    assert mermaid.returncode == 0
    lines = mermaid.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert any(line.startswith("    linkStyle") and "#2a7d2a" in line for line in lines)  # added
    assert any(line.startswith("    linkStyle") and "#d98200" in line for line in lines)  # retargeted
    assert any(line.startswith("    linkStyle") and "stroke-dasharray" in line for line in lines)  # removed
    assert "    class s1 changed" in lines


def test_git_revisions(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    flows = copy_samples(tmp_path)

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "flows")
    change_three(flows)
    working = twiml("diff", "--format", "json", "--no-paths", "HEAD", "--", "flows/", cwd=tmp_path)
    assert working.returncode == 0, working.stderr
    assert _changes(working.stdout) == THREE
    git("commit", "-qam", "three changes")
    revisions = run("diff", "--format=json", "HEAD~1", "HEAD", "--", "flows", cwd=tmp_path)
    assert revisions.returncode == 0, revisions.stderr
    assert _changes(revisions.stdout) == THREE
    assert len(json.loads(revisions.stdout)["paths"]) == 5
    bad = run("diff", "nosuchrev", "--", "flows", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("twiml diff: git archive") and "nosuchrev" in bad.stderr


def test_two_documents(tmp_path: Path) -> None:
    old, new = tmp_path / "old.xml", tmp_path / "new.xml"
    old.write_text('<Response><Gather numDigits="1" timeout="5" action="/a"><Say>Press 1.</Say></Gather></Response>')
    new.write_text(
        '<?xml version="1.0"?>\n<Response>\n  <!-- reworded -->\n  <Gather action="/a"  timeout="5" numDigits="1">\n'
        "    <Say>\n      Press 1.\n    </Say>\n  </Gather>\n</Response>\n"
    )
    cosmetic = twiml("diff", str(old), str(new), "--exit-code")
    assert cosmetic.returncode == 0
    assert cosmetic.stdout == (
        "no change in behaviour\nformatting, attribute order or comments only (not behaviour): new.xml\n"
    )
    new.write_text(
        '<Response><Gather numDigits="1" timeout="8" action="/a"><Say>Press one.</Say></Gather><Hangup/></Response>'
    )
    changed = run("diff", str(old), str(new), "--format", "json")
    assert [(c["kind"], c["was"], c["now"]) for c in json.loads(changed.stdout)["changes"]] == [
        ("attribute", "5", "8"),
        ("prompt", "Press 1.", "Press one."),
        ("verb", "", "<Hangup>"),
    ]
    new.write_text("<Response><Say>unclosed</Response>")
    broken = run("diff", str(old), str(new))
    assert broken.returncode == 2 and f"twiml diff: {new}:1:" in broken.stderr and "not well-formed" in broken.stderr
    mixed = run("diff", str(old), str(tmp_path))
    assert mixed.returncode == 2 and "compare two folders or two documents" in mixed.stderr


def test_a_retargeted_route_changes_paths_it_does_not_add_them(tmp_path: Path) -> None:
    """Key 2 now leads to voicemail: the caller's "press 2" paths end otherwise (changed), and
    saying "support" walks what pressing 2 used to (the map shows it there now; nothing new for
    the caller). Before, both came out as new paths."""
    new = copy_samples(tmp_path)
    replace(new / "flow.toml", '"2" = "support.xml"', '"2" = "voicemail.xml"')
    result = twiml("diff", str(SAMPLES), str(new), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["new_paths"] == []
    changed = {p["path"]: p for p in data["paths"]}
    assert sorted(changed) == [
        "press 2, queue bridged",
        "press 2, queue queue-full, recording 5 s",
        "press 2, queue queue-full, silence",
        "press 2, recording 5 s",
        "press 2, silence",
    ]
    recorded = changed["press 2, recording 5 s"]
    assert recorded["was"].startswith("ivr_main_menu.xml → support.xml")
    assert recorded["now"] == "ivr_main_menu.xml → voicemail.xml → voicemail_saved.xml (hangup)"
    text = run("diff", str(SAMPLES), str(new))
    assert "new paths" not in text.stdout and "paths whose outcome changed (5):" in text.stdout
