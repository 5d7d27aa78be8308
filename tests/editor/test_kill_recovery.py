"""The promise of recovery files, end to end (issue 20): `twiml-editor` in a real terminal
(a pseudo-terminal, 80x24), an unsaved edit, the periodic recovery write, SIGKILL (no handler
runs, nothing is flushed), then a new `twiml-editor` on the same file offers the edit back,
and accepting it restores it (saved, the file holds it and the recovery file is gone)."""

from __future__ import annotations

import fcntl
import os
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from twiml_editor import recovery

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")]

DEADLINE = 60.0
"""Seconds to wait for a state of the real editor (start-up on a loaded 2-core machine is slow)."""
_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)")

DOWN, DUPLICATE, ENTER, SAVE, QUIT = "\x1b[B", "\x04", "\r", "\x13", "\x11"


class Terminal:
    """A process on a pseudo-terminal of a fixed size; what it writes is kept as text."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str], size: tuple[int, int] = (80, 24)) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
        )
        os.close(slave)
        self.master = master
        self.output = bytearray()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.output += chunk

    def text(self) -> str:
        """Everything written so far, escape sequences removed."""
        return _ESCAPES.sub(b"", bytes(self.output)).decode("utf-8", "replace")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(DEADLINE)
        self.reader.join(DEADLINE)
        os.close(self.master)


def wait_for(condition: Callable[[], object], what: str, terminal: Terminal) -> None:
    """Poll `condition` until it holds; fail naming `what` and showing the screen's text."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what}; the terminal showed:\n{terminal.text()[-2000:]}")
        if terminal.process.poll() is not None and not condition():
            raise AssertionError(
                f"the editor exited ({terminal.process.returncode}) before {what}:\n{terminal.text()[-2000:]}"
            )
        time.sleep(0.05)


def test_sigkill_after_an_unsaved_edit_then_the_next_start_offers_it_back(tmp_path: Path) -> None:
    path = tmp_path / "call.xml"
    original = "<Response>\n  <Say>Hello from the kill test</Say>\n</Response>\n"
    path.write_text(original, encoding="utf-8")
    beside, _ = recovery.recovery_paths(path)
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    env.pop("TWIML_EDITOR_CONFIG", None)
    args = [sys.executable, "-m", "twiml_editor", str(path)]

    first = Terminal(args, tmp_path, env)
    try:
        wait_for(lambda: "Problems (" in first.text(), "the editor ready (its problems panel)", first)
        first.send(DOWN)
        wait_for(lambda: "Speaks text with" in first.text(), "the <Say> selected (its form)", first)
        first.send(DUPLICATE)  # an edit that is not saved
        wait_for(lambda: "— ● " in first.text(), "the edit (the title marks it unsaved)", first)
        edited = time.monotonic()
        wait_for(beside.exists, "the recovery file (written every few seconds)", first)
        print(f"recovery file written {time.monotonic() - edited:.1f} s after the edit was shown")
        assert recovery.AUTOSAVE_SECONDS <= 5  # the promise: at most 5 s are lost
        os.kill(first.process.pid, signal.SIGKILL)
        assert first.process.wait(DEADLINE) == -signal.SIGKILL
    finally:
        first.close()
    assert path.read_text(encoding="utf-8") == original  # nothing saved
    assert beside.read_text(encoding="utf-8").count("Hello from the kill test") == 2

    second = Terminal(args, tmp_path, env)
    try:
        wait_for(lambda: "Recovered edits" in second.text(), "the offer to restore the edits", second)
        second.send(ENTER)  # Restore has the focus
        wait_for(lambda: "— ● " in second.text(), "the restored edit (the title marks it unsaved)", second)
        second.send(SAVE)
        wait_for(lambda: path.read_text(encoding="utf-8") != original, "the restored edit saved", second)
        wait_for(lambda: not beside.exists(), "the recovery file removed after the save", second)
        second.send(QUIT)
        wait_for(lambda: second.process.poll() is not None, "the editor quit", second)
        assert second.process.returncode == 0
    finally:
        second.close()
    assert path.read_text(encoding="utf-8").count("Hello from the kill test") == 2
