"""`twiml validate FOLDER`: every TwiML file under it and each flow.toml (checked as `twiml map`
checks it), a summary line when nothing is found, findings about an attribute at the attribute,
and `--fix` (`--fix --diff`) through the format-preserving writer. Run as users run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"

TYPOS = """<?xml version="1.0" encoding="UTF-8"?>
<!-- keep me -->
<Response>
  <Gather  numDigitz="1" input="dtmf"
      method='PSOT' action="/menu">
    <Say>Hi</Say>
  </Gather>
</Response>
"""


def twiml(*argv: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twiml", *argv], capture_output=True, text=True, check=False, cwd=cwd)


def test_the_sample_folder_is_clean_and_says_so_in_one_line() -> None:
    proc = twiml("validate", str(SAMPLES))
    xml = len(list(SAMPLES.glob("*.xml")))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"{xml + 1} files, 0 problems\n", "")


def test_a_folder_brings_its_files_below_and_its_flow_toml_checked_as_map_checks_it(tmp_path: Path) -> None:
    folder = tmp_path / "flows" / "acme"
    shutil.copytree(SAMPLES, folder)
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "typo.xml").write_text(TYPOS, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "ignored.xml").write_text("<Response><Nope/></Response>", encoding="utf-8")
    toml = (folder / "flow.toml").read_text(encoding="utf-8")
    toml = toml.replace('"/voicemail/transcription" = { status = 204 }\n', "")  # a callback with no route
    (folder / "flow.toml").write_text(toml + '"/extra" = "gone.xml"\n', encoding="utf-8")
    proc = twiml("validate", str(tmp_path))
    assert proc.returncode == 1 and proc.stderr == ""
    lines = proc.stdout.splitlines()
    missing = f'{folder / "flow.toml"}:{toml.count(chr(10)) + 1}:0: error FLOW-TARGET route "/extra" names missing file gone.xml'
    assert missing in lines
    assert not any("ignored.xml" in x for x in lines)
    assert any(x.startswith(f"{tmp_path / 'more' / 'typo.xml'}:") for x in lines)
    # the map is not run over a flow.toml with errors; fixed, its callback finding shows
    (folder / "flow.toml").write_text(toml, encoding="utf-8")
    proc = twiml("validate", str(folder), "--ignore", "12200,13312")
    assert proc.returncode == 1
    assert [x.split(": warning ")[1][:5] for x in proc.stdout.splitlines()] == ["11200"]
    assert proc.stdout.startswith(f"{folder / 'voicemail.xml'}:5:")


def test_findings_about_an_attribute_point_at_the_attribute(tmp_path: Path) -> None:
    (tmp_path / "typo.xml").write_text(TYPOS, encoding="utf-8")
    proc = twiml("validate", "typo.xml", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "typo.xml:5:7: warning 13312 <Gather> method='PSOT' is not one of 'GET', 'POST' (did you mean 'POST'?)",
        "typo.xml:4:12: warning 12200 <Gather> has no attribute 'numDigitz' (did you mean 'numDigits'?)",
    ]


def test_fix_applies_every_did_you_mean_in_place_and_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "typo.xml"
    path.write_text(TYPOS, encoding="utf-8")
    proc = twiml("validate", "--fix", "--diff", "typo.xml", cwd=tmp_path)
    assert proc.returncode == 1 and path.read_text(encoding="utf-8") == TYPOS  # --diff writes nothing
    assert proc.stderr == "typo.xml: would fix 2 problems\n"
    assert [x for x in proc.stdout.splitlines() if x[:1] in "+-"] == [
        "--- a/typo.xml",
        "+++ b/typo.xml",
        '-  <Gather  numDigitz="1" input="dtmf"',
        "-      method='PSOT' action=\"/menu\">",
        '+  <Gather  numDigits="1" input="dtmf"',
        "+      method='POST' action=\"/menu\">",
    ]
    proc = twiml("validate", "--fix", "typo.xml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "1 file, 0 problems\n", "typo.xml: fixed 2 problems\n")
    fixed = TYPOS.replace("numDigitz", "numDigits").replace("PSOT", "POST")
    assert path.read_text(encoding="utf-8") == fixed  # the comment, quotes and line breaks stay
    proc = twiml("validate", "--fix", "--diff", "typo.xml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "")  # nothing left to fix


def test_fix_renames_a_misspelled_element_as_the_grammar_class_of_its_place(tmp_path: Path) -> None:
    path = tmp_path / "dial.xml"
    path.write_text("<Response>\n  <Dial>\n    <Numbr>+15551234567</Numbr>\n  </Dial>\n</Response>\n", encoding="utf-8")
    proc = twiml("validate", "--fix", str(path))
    assert proc.returncode == 0, proc.stdout
    assert path.read_text(encoding="utf-8") == (
        "<Response>\n  <Dial>\n    <Number>+15551234567</Number>\n  </Dial>\n</Response>\n"
    )


RENAMES = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    "<Response>\n"
    "  <Dial><Numbr>+15550100</Numbr></Dial>\n"
    '  <Gathr  numDigits="1"\taction="/x"><Say voice="alice">hi &amp; bye</Say>\n'
    "      <Pause   length='1'/><!-- keep --></Gathr >\n"
    "  <Dial><Numbr >+15550101</Numbr  ></Dial><Sayy>bye</Sayy>\n"
    "</Response>\n"
)


def test_fix_renaming_an_element_changes_only_the_name_in_its_tags(tmp_path: Path) -> None:
    """Inline parents stay inline, children, comments, spacing and quotes stay byte for byte."""
    path = tmp_path / "renames.xml"
    path.write_bytes(RENAMES.replace("\n", "\r\n").encode("utf-8"))
    proc = twiml("validate", "--fix", str(path))
    assert (proc.returncode, proc.stderr) == (0, f"{path}: fixed 4 problems\n"), proc.stdout
    fixed = RENAMES.replace("Numbr", "Number").replace("Gathr", "Gather").replace("Sayy>", "Say>").replace("\n", "\r\n")
    assert path.read_bytes() == fixed.encode("utf-8")


def test_a_renamed_element_is_the_grammar_class_of_its_place_and_keeps_its_text_in_the_library() -> None:
    from twiml.base import TwiML
    from twiml.fixes import apply_fixes
    from twiml.source import loads
    from twiml.validator import validate
    from twiml.voice_response import Gather, Number, Say

    doc = loads(RENAMES)
    assert len(apply_fixes(doc.root, [d for d in validate(doc.root) if d.fix], doc)) == 4
    dial, gather = doc.root.verbs[0], doc.root.verbs[1]
    assert isinstance(dial, TwiML) and isinstance(dial.verbs[0], Number) and isinstance(gather, Gather)
    assert isinstance(gather.verbs[0], Say) and isinstance(doc.root.verbs[3], Say)
    text = doc.dumps()
    assert text == RENAMES.replace("Numbr", "Number").replace("Gathr", "Gather").replace("Sayy>", "Say>")
    gather.verbs[0].attrs["voice"] = "man"  # the adopted children are still the writer's: one value changes
    assert doc.dumps() == text.replace('voice="alice"', 'voice="man"')


def test_diff_alone_is_a_usage_error_and_an_empty_folder_is_named(tmp_path: Path) -> None:
    proc = twiml("validate", "--diff", str(SAMPLES))
    assert proc.returncode == 2 and "--diff shows what --fix would change" in proc.stderr
    proc = twiml("validate", str(tmp_path))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == f"twiml: {tmp_path}: a folder with no TwiML (.xml), Studio flow (.json) or flow.toml in it\n"


def test_flow_findings_are_the_one_record_in_json_and_sarif(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    shutil.copytree(SAMPLES, folder)
    with open(folder / "flow.toml", "a", encoding="utf-8") as fh:
        fh.write('"/lost" = "lost.xml"\n')
    data = json.loads(twiml("validate", "--format", "json", str(folder)).stdout)
    (found,) = data
    assert (found["file"], found["code"], found["level"]) == (str(folder / "flow.toml"), "FLOW-TARGET", "error")
    assert found["message"] == 'route "/lost" names missing file lost.xml' and found["line"] > 1
    log = json.loads(twiml("validate", "--format", "sarif", str(folder)).stdout)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "FLOW-TARGET" and result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": found["line"]
    }


TEXML = '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <AIGather action="/done" />\n</Response>\n'
CXML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n'
    '  <Say voice="gcloud.en-US-Standard-A">Hi</Say>\n  <Denoise>on</Denoise>\n</Response>\n'
)


def test_dialect_auto_checks_each_file_in_the_dialect_it_uses_else_the_configured_one(tmp_path: Path) -> None:
    """`twiml.dialects.detect`, as the editor opens a file: an <AIGather> is TeXML, a <Denoise> or
    a gcloud voice cXML; a file that tells nothing is checked in [tool.twiml]'s dialect."""
    (tmp_path / "texml.xml").write_text(TEXML, encoding="utf-8")
    (tmp_path / "cxml.xml").write_text(CXML, encoding="utf-8")
    files = ("texml.xml", "cxml.xml")
    proc = twiml("validate", "--dialect", "twilio", *files, cwd=tmp_path)
    assert proc.returncode == 1
    assert [x.split(" ", 3)[:3] for x in proc.stdout.splitlines()] == [
        ["texml.xml:3:3:", "warning", "12200"],
        ["cxml.xml:3:8:", "warning", "12200"],
        ["cxml.xml:4:3:", "warning", "12200"],
    ]
    proc = twiml("validate", "--dialect", "auto", *files, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "2 files, 0 problems\n")
    (tmp_path / "pyproject.toml").write_text('[tool.twiml]\ndialect = "texml"\n', encoding="utf-8")
    (tmp_path / "rec.xml").write_text('<Response><Record transcribe="true"/></Response>\n', encoding="utf-8")
    proc = twiml("validate", "--dialect", "auto", "rec.xml", *files, cwd=tmp_path)
    assert proc.returncode == 1
    assert [x.split(" ", 3)[:3] for x in proc.stdout.splitlines()] == [["rec.xml:1:19:", "warning", "DIALECT-RENAMED"]]
    assert "'transcribe' is spelled 'transcription' in TeXML" in proc.stdout
    proc = twiml("validate", "--dialect", "auto", "--fix", "rec.xml", "cxml.xml", cwd=tmp_path)
    assert proc.returncode == 0 and (tmp_path / "cxml.xml").read_text(encoding="utf-8") == CXML  # gcloud stays
    assert '<Record transcription="true"/>' in (tmp_path / "rec.xml").read_text(encoding="utf-8")
