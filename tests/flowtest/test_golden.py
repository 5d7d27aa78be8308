"""`twiml test`: golden cases of every path of sample_flows/, replayed; three changes named."""

from __future__ import annotations

import json
from pathlib import Path

from tests.flowtest.helpers import NEW_PROMPT, OLD_PROMPT, change_three, copy_samples, replace, twiml
from twiml.flowtest.cases import load_cases


def _changes(result_stdout: str) -> list[dict[str, object]]:
    data = json.loads(result_stdout)
    changes: list[dict[str, object]] = data["changes"]
    return changes


def test_generate_then_test_passes_and_three_changes_are_named(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    made = twiml("test", "--generate", str(folder))
    assert made.returncode == 0, made.stderr
    cases_path = folder / "flow_tests.toml"
    first = cases_path.read_text(encoding="utf-8")
    again = twiml("test", "--generate", str(folder))
    assert again.returncode == 0
    assert cases_path.read_text(encoding="utf-8") == first  # stable: seeded SIDs, sorted paths
    names = [c.name for c in load_cases(cases_path).cases]
    assert "press 1, dial completed" in names and 'text "help"' in names
    assert "callee /operator/screen: press 1" in names
    ok = twiml("test", str(folder))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "24 cases replayed unchanged" in ok.stdout

    change_three(folder)
    text = twiml("test", str(folder))
    assert text.returncode == 1
    assert "FAILED: 3 changes" in text.stdout
    assert f"was: {OLD_PROMPT}" in text.stdout and f"now: {NEW_PROMPT}" in text.stdout
    result = twiml("test", str(folder), "--format", "json")
    assert result.returncode == 1
    changes = _changes(result.stdout)
    summary = {(c["kind"], c["where"], c["was"], c["now"]) for c in changes}
    assert summary == {
        ("prompt", "ivr_main_menu.xml", OLD_PROMPT, NEW_PROMPT),
        ("attribute", "ivr_main_menu.xml", "1", "2"),
        ("branch", "ivr_main_menu.xml", "support.xml", "voicemail.xml"),
    }
    branch = next(c for c in changes if c["kind"] == "branch")
    assert branch["summary"] == "press 2 at ivr_main_menu.xml now leads elsewhere (/menu)"
    assert branch["paths"] == [
        "press 2, queue bridged",
        "press 2, queue queue-full, recording 5 s",
        "press 2, queue queue-full, silence",
    ]
    prompt = next(c for c in changes if c["kind"] == "prompt")
    assert isinstance(prompt["paths"], list) and "press 1, dial completed" in prompt["paths"]
    assert not any(str(p).startswith(("text", "callee")) for p in prompt["paths"])
    assert "press 2, recording 5 s" in json.loads(result.stdout)["new_paths"]

    strict = twiml("test", str(folder), "--update")
    assert strict.returncode == 0 and "17 cases rewritten, 6 added" in strict.stdout
    assert twiml("test", str(folder), "--strict").returncode == 0


def test_new_paths_fail_only_with_strict_and_bad_files_name_the_place(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    cases = tmp_path / "cases.toml"
    assert twiml("test", "--generate", str(folder), "--cases", str(cases)).returncode == 0
    replace(folder / "flow.toml", '"3" = "billing.xml", ', '"3" = "billing.xml", "4" = "goodbye.xml", ')
    loose = twiml("test", str(folder), "--cases", str(cases))
    assert loose.returncode == 0 and "+ press 4" in loose.stdout
    assert twiml("test", str(folder), "--cases", str(cases), "--strict").returncode == 1
    replace(cases, 'inputs = ["press 1", "dial completed"]', 'inputs = ["press 1", "wiggle"]')
    bad = twiml("test", str(folder), "--cases", str(cases))
    assert bad.returncode == 2
    assert f"{cases}: case " in bad.stderr and "(press 1, dial completed): 'wiggle' is not an input" in bad.stderr
    missing = twiml("test", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr
