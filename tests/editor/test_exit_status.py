"""A crash of the editor is never exit status 0: the shell, a script or CI must see it failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CRASH = """
import sys
from twiml_editor import app as editor_app
from twiml_editor.__main__ import run

def crash(self):
    raise RuntimeError("deliberate crash")

editor_app.EditorApp.on_mount = crash  # the flow app starts through it too
run(sys.argv[1:])
"""


@pytest.mark.parametrize("target", ["sample_flows/ivr_main_menu.xml", "sample_flows"])
def test_an_unhandled_exception_exits_1_after_the_traceback(target: str) -> None:
    env = {**os.environ, "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"}
    out = subprocess.run(
        [sys.executable, "-c", CRASH, target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1, out.stdout[-2000:] + out.stderr[-2000:]
    assert "deliberate crash" in out.stdout + out.stderr


def test_a_normal_exit_is_status_0() -> None:
    out = subprocess.run([sys.executable, "-m", "twiml_editor", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
