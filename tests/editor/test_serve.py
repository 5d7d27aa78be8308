"""`twiml-editor --serve`: a real server on 127.0.0.1, its token, and the editor in a real browser.

The browser test drives the system's Chromium with Playwright (``executable_path``: Playwright's
own browser download is never used) and skips with the reason when no Chromium is installed;
`.ci/run` installs Debian's `chromium` first so CI runs it.
"""

from __future__ import annotations

import argparse
import difflib
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from twiml_editor import serve
from twiml_editor.__main__ import run as run_editor

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_FLOWS = ROOT / "sample_flows"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SCREENSHOT_ENV = "TWIML_EDITOR_SCREENSHOT"
"""When set, the browser test also copies its screenshot there (README's image is made this way)."""
ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]")
TIMEOUT = 60.0


def find_browser() -> str | None:
    """The system Chromium, or $TWIML_TEST_BROWSER."""
    explicit = os.environ.get("TWIML_TEST_BROWSER")
    if explicit:
        return explicit
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


# ------------------------------------------------------------------------------ headless parts


def test_editor_command_opens_the_same_target_by_absolute_path(tmp_path: Path) -> None:
    command = serve.editor_command("sample_flows", tmp_path / "keys.toml", python="/usr/bin/python3")
    assert command == (
        f"/usr/bin/python3 -m twiml_editor --config {tmp_path / 'keys.toml'} {Path('sample_flows').resolve()}"
    )
    # a path with spaces and quotes survives the shell textual-serve runs the command with
    odd = tmp_path / "it's a flow"
    echo = tmp_path / "print args"
    echo.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    echo.chmod(0o755)
    argv = subprocess.run(
        ["sh", "-c", serve.editor_command(str(odd), python=str(echo))], capture_output=True, text=True
    ).stdout.splitlines()
    assert argv == ["-m", "twiml_editor", str(odd)]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.5", False),
        ("example.org", False),
    ],
)
def test_only_loopback_addresses_go_without_a_warning(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback
    warning = serve.exposure_warning(host, 8000)
    assert (warning is None) is loopback
    if warning:
        assert f"{host}:8000" in warning and "anyone who can reach" in warning


def test_token_comparison() -> None:
    assert serve.token_matches("abc", "abc")
    assert not serve.token_matches("abd", "abc")
    assert not serve.token_matches("", "abc")
    assert not serve.token_matches(None, "abc")


def test_url_printed_at_start() -> None:
    assert serve.served_url("127.0.0.1", 8123, "t0k") == "http://127.0.0.1:8123/?token=t0k"
    assert serve.served_url("0.0.0.0", 80, None) == "http://127.0.0.1:80/"
    assert serve.served_url("::1", 9000, "a b") == "http://[::1]:9000/?token=a%20b"


def _run_main(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, list[tuple[Any, ...]]]:
    """`twiml-editor ARGV` in process, with the listening part recorded instead of run."""
    calls: list[tuple[Any, ...]] = []

    async def fake_serve(*args: Any) -> None:
        calls.append(args)

    monkeypatch.setattr(serve, "_serve", fake_serve)
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    with pytest.raises(SystemExit) as exit_info:
        run_editor(argv)
    code = exit_info.value.code
    return code if isinstance(code, int) else 1, err.getvalue(), calls


def test_any_other_host_prints_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command itself, not just the helper, warns (nothing listens: the server is recorded)."""
    code, err, calls = _run_main(["--serve", str(SAMPLE_FLOWS), "--host", "0.0.0.0", "--port", "8001"], monkeypatch)
    assert code == 0
    assert "warning: listening on 0.0.0.0:8001: anyone who can reach this port can open, edit and save" in err
    (command, host, port, token, _target, _out) = calls[0]
    assert (host, port) == ("0.0.0.0", 8001)
    assert token and len(token) >= 24
    assert command.endswith(f"-m twiml_editor {SAMPLE_FLOWS}")


def test_loopback_is_the_default_and_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    code, err, calls = _run_main(["--serve", str(SAMPLE_FLOWS)], monkeypatch)
    assert code == 0 and err == ""
    assert calls[0][1:3] == ("127.0.0.1", 8000)


def test_serving_options_need_serve(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_editor(["--port", "9000", str(SAMPLE_FLOWS)])
    assert exit_info.value.code == 2
    assert "go with --serve" in capsys.readouterr().err


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails as if not installed
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    err = io.StringIO()
    args = argparse.Namespace(file=None, host=None, port=None, no_token=False, config=None)
    assert serve.run_from_args(args, err=err) == 2
    assert "pip install 'twiml-toolkit[serve]'" in err.getvalue()


# ------------------------------------------------------------------------------ a real server


class Served:
    """`twiml-editor --serve FOLDER --port 0` in a subprocess; `url` is the one it printed."""

    def __init__(self, target: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "twiml_editor", "--serve", str(target), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.url = ""
        found = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                match = re.search(r"http://\S+", line)
                if match and not self.url:
                    self.url = match.group(0)
                    found.set()

        threading.Thread(target=read, daemon=True).start()
        if not found.wait(TIMEOUT):
            self.stop()
            raise AssertionError(f"the server printed no URL: {self.stderr()}")
        self.base = self.url.split("?")[0]
        self.token = self.url.split("token=")[1]

    def stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr and self.process.poll() is not None else ""

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture
def served(folder: Path) -> Iterator[Served]:
    """The server on `folder` (conftest's copy of sample_flows/)."""
    pytest.importorskip("textual_serve", reason="the 'serve' extra is not installed")
    server = Served(folder)
    yield server
    assert server.stop() == 0, "the server did not stop cleanly on SIGTERM"


def test_without_the_token_the_server_answers_403(served: Served) -> None:
    assert served.url.startswith("http://127.0.0.1:")
    with httpx.Client() as client:
        for path in ("/", "/ws", "/static/js/textual.js", "/download/x"):
            assert client.get(served.base.rstrip("/") + path).status_code == 403, path
            assert client.get(served.base.rstrip("/") + path, params={"token": "wrong"}).status_code == 403, path
        page = client.get(served.url)
        assert page.status_code == 200
        assert "/ws" in page.text and served.token not in page.text  # the page never shows the token
        # the cookie set by that answer stands for the token (the page's script and websocket)
        assert client.get(served.base + "static/js/textual.js").status_code == 200
    with httpx.Client() as client:  # a page of another site cannot open the websocket
        headers = {"Origin": "http://evil.example", "Upgrade": "websocket", "Connection": "Upgrade"}
        answer = client.get(served.base + "ws", params={"token": served.token}, headers=headers)
        assert answer.status_code == 403


# ------------------------------------------------------------------------------ a real browser


class Screen:
    """What the served editor drew: the websocket's output frames (terminal text with its control
    sequences), read by the text drawn and by the colour of a panel's title (which panel has focus)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.frames.append(payload)

    def mark(self) -> int:
        return len(self.frames)

    def drawn(self, since: int, *, plain: bool = True) -> bytes:
        output = b"".join(self.frames[since:])
        return ANSI.sub(b"", output) if plain else output

    def wait_for(self, text: str, since: int = 0) -> None:
        """Wait until `text` was drawn after frame `since` (polling the browser's event loop)."""
        self._wait(lambda: text.encode() in self.drawn(since), repr(text), since)

    def title_colour(self, title: str, since: int = 0) -> bytes:
        """The foreground colour (SGR `38;2;r;g;b`) panel title `title` is drawn in, once drawn."""
        pattern = re.compile(rb"\x1b\[[0-9;]*?(38;2;\d+;\d+;\d+)[0-9;]*m " + re.escape(title.encode()) + b" ")
        self._wait(lambda: pattern.search(self.drawn(since, plain=False)) is not None, f"title {title!r}", since)
        return bytes(pattern.findall(self.drawn(since, plain=False))[-1])

    def wait_for_title(self, title: str, colour: bytes, since: int) -> None:
        """Wait until panel title `title` is drawn in `colour` (e.g. the focused panel's)."""
        pattern = re.compile(rb"\x1b\[[0-9;]*?" + re.escape(colour) + rb"[0-9;]*m " + re.escape(title.encode()) + b" ")
        self._wait(
            lambda: pattern.search(self.drawn(since, plain=False)) is not None, f"{title!r} in {colour!r}", since
        )

    def _wait(self, condition: Callable[[], bool], what: str, since: int) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} was not drawn in {TIMEOUT} s; last output: {self.drawn(since)[-400:]!r}")
            self.page.wait_for_timeout(25)

    def press(self, *keys: str, then: str | None = None) -> None:
        """Press keys; with `then`, wait until the editor has drawn that text in answer."""
        since = self.mark()
        for key in keys:
            self.page.keyboard.press(key)
        if then is not None:
            self.wait_for(then, since)


def wait_until(condition: Callable[[], bool], what: str, page: Any) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        page.wait_for_timeout(25)


def snapshot(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.slow
def test_edit_and_save_in_a_real_browser(served: Served, folder: Path, tmp_path: Path) -> None:
    """Open the served flow folder in headless Chromium, edit one attribute by keys, save: the
    file on the server's disk differs by exactly that line."""
    browser_path = find_browser()
    if browser_path is None:
        pytest.skip("no Chromium installed (Debian: apt-get install chromium; .ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (the test extra)")
    before = snapshot(folder)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_path)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            # only this server: the page's web-font link and anything else stay unreached
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(served.base) else route.abort("blockedbyclient")
                ),
            )
            screen = Screen(page)
            started = time.monotonic()
            page.goto(served.url)
            screen.wait_for("Routes (flow.toml)")  # the Flow view of the folder is drawn
            print(f"first render in the browser: {time.monotonic() - started:.2f} s")
            page.locator(".xterm-helper-textarea").focus()  # keys to the terminal, no click on the map
            # F6 (the flow map key) reaches the editor: back to the entry document, the tree focused
            since = screen.mark()
            screen.press("F6", then="Python")
            focused = screen.title_colour("Document", since)
            # the last node, <Redirect>: its form is drawn (its description) before it is edited
            screen.press("End", then="Leaves this document")
            # enter edits the node's fields: wait until the form's title has the focused colour
            since = screen.mark()
            screen.press("Enter")
            screen.wait_for_title("Attributes", focused, since)
            since = screen.mark()
            page.keyboard.type("/main-menu")  # the focused field's text is selected: typing replaces it
            screen.press("Enter")  # done: back to the tree
            screen.wait_for('Redirect "/main-menu"', since)  # the whole edit is in the document (the tree shows it)
            since = screen.mark()
            screen.press("Control+s")
            wait_until(lambda: snapshot(folder) != before, "the save to reach the disk", page)
            screen.wait_for("Saved", since)
            shot = tmp_path / "served-editor.png"
            page.screenshot(path=str(shot))
        finally:  # what the browser showed last, for a failure's diagnosis
            page.screenshot(path=str(tmp_path / "last-screen.png"))
            browser.close()
    after = snapshot(folder)
    changed = [name for name in before if before[name] != after[name]]
    assert len(changed) == 1, changed
    old, new = before[changed[0]].splitlines(), after[changed[0]].splitlines()
    diff = [line for line in difflib.unified_diff(old, new, lineterm="", n=0) if line[:1] in "+-"][2:]
    assert len(diff) == 2, diff  # one line out, one line in
    assert diff[0][1:].replace("/voice/incoming</Redirect>", "/main-menu</Redirect>") == diff[1][1:], diff
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copyfile(shot, os.environ[SCREENSHOT_ENV])
