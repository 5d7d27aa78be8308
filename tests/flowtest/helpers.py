"""Shared by the flow-testing tests: the CLI in a subprocess, and a sample flow copy with the
three changes every round makes (one prompt's words, one route's target, one Gather's numDigits)
plus cosmetic edits that must not count."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_flows"

OLD_PROMPT = "For sales, press 1 or say sales."
NEW_PROMPT = "For sales and new orders, press 1."


def twiml(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`twiml ARGS` as a user runs it (a new process; the installed entry point's module)."""
    return subprocess.run(
        [sys.executable, "-m", "twiml", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=60
    )


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`twiml ARGS` in this process (faster; the tests also run each command once as a user does)."""
    import contextlib
    import io

    from twiml.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or ROOT):
        status = main(list(args), stdout=out, stderr=err)
    return subprocess.CompletedProcess(["twiml", *args], status, out.getvalue(), err.getvalue())


def copy_samples(where: Path) -> Path:
    folder = where / "flows"
    shutil.copytree(SAMPLES, folder)
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def change_three(folder: Path) -> None:
    """The prompt, the route of key 2 (support queue → voicemail), numDigits 1 → 2; and cosmetic
    edits: attributes reordered, comments and whitespace changed."""
    menu = folder / "ivr_main_menu.xml"
    replace(menu, OLD_PROMPT, NEW_PROMPT)
    replace(menu, 'numDigits="1" speechTimeout', 'numDigits="2" speechTimeout')
    replace(folder / "flow.toml", '"2" = "support.xml"', '"2" = "voicemail.xml"')
    # cosmetic only
    replace(menu, "<!-- Main menu:", "<!-- Reworded comment. Main menu:")
    replace(
        folder / "goodbye.xml",
        '<Say language="en-US" voice="Polly.Joanna-Neural">',
        '<Say   voice="Polly.Joanna-Neural"\n       language="en-US">',
    )
    replace(folder / "sales.xml", "<Dial ", "<!-- a new comment -->\n  <Dial ")
