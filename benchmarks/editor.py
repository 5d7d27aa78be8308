"""Editor responsiveness, measured headless in one run (`python benchmarks/editor.py`).

1. Attribute edit -> updated preview and problems list on 2,000, 10,000 and 50,000-node
   documents (target at 50,000: median < 50 ms, p90 < 100 ms): the work the app does for one
   edit (apply to the Document, relabel the tree node, update the preview text, validate, refresh
   the problems list and tree marks), timed around the calls; plus the wall time from typing a key
   in the form field to the refreshed views, which adds the event-loop hops and the REFRESH_DELAY
   debounce, and the longest the event loop went without answering while typing (target < 100 ms).
2. Opening a 10,000-node file (target < 0.5 s): Document.open alone; in a running editor as
   ctrl+o does, until the screen's first redraw (the top of the tree and the preview; the rest of
   a long tree is added right after) and until everything is shown (whole tree, problems); and
   from the app's start until it shows everything (Textual's own start-up included).
3. `twiml-editor FILE` from the command line, until the first screen shows the document, in new
   processes (headless), side by side with an empty Textual app (Header, Tree, TextArea, Footer)
   until its first screen: the difference is what opening the file costs beyond starting Python
   and Textual. Median of several starts of each, interleaved.

Pass sizes as arguments (`python benchmarks/editor.py 2000 10000`) to run fewer.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot
from textual.widgets import Input

from twiml.voice_response import VoiceResponse
from twiml_editor.app import EditorApp
from twiml_editor.document import Document
from twiml_editor.screens.document_screen import REFRESH_DELAY

SIZE = (160, 50)


def build(nodes: int) -> str:
    """A voice document of `nodes` elements: menus of Gather > Say x3, then a fallback Say
    (a Gather with no input falls through), and one Redirect at the end."""
    r = VoiceResponse()
    count = 2
    menu = 0
    while count + 5 <= nodes:
        g = r.gather(num_digits=1, action=f"/menu/{menu}", timeout=5)
        for i in range(3):
            g.say(f"For option {i} of menu {menu}, press {i}.", voice="Polly.Joanna-Neural")
        r.say(f"No input for menu {menu}.")
        count += 5
        menu += 1
    while count < nodes:
        r.pause(length=1)
        count += 1
    r.redirect("/start")
    return r.to_xml(pretty=True)


async def _wait_idle(app: EditorApp, pilot: Pilot[None]) -> None:
    await pilot.pause()
    while not app.idle:
        await pilot.pause(0.002)
    await pilot.pause()


class _CallbackClock:
    """CPU time of each event-loop callback (thread time, so other processes on a loaded machine
    do not count): the longest is the longest our own code kept the screen from being redrawn."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._run = asyncio.events.Handle._run

    def __enter__(self) -> _CallbackClock:
        clock = self
        run = self._run

        def timed(handle: asyncio.events.Handle) -> None:
            start = time.thread_time()
            try:
                run(handle)
            finally:
                clock.longest = max(clock.longest, (time.thread_time() - start) * 1000)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign,assignment]  # measuring only
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._run  # type: ignore[method-assign]


async def _watch_loop(stalls: list[float], stop: asyncio.Event) -> None:
    """Record the gaps between wake-ups of a task that asks to run every millisecond: the
    longest gap is the longest the screen could not be redrawn nor a key handled."""
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        stalls.append((now - last) * 1000)
        last = now


async def edit_benchmark(path: Path, rounds: int = 30) -> dict[str, float]:
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_idle(app, pilot)
        total = sum(1 for _ in app.doc.root.iter())
        middle = app.doc.root.children[len(app.doc.root.children) // 2 :]
        gather = next(node for node in middle if node.name == "Gather")
        app.document_screen.select(gather)
        app.tree.focus()
        await _wait_idle(app, pilot)
        app.document_screen.ensure_form()
        await _wait_idle(app, pilot)

        work: list[float] = []
        for i in range(rounds):
            start = time.perf_counter()
            change = app.doc.set_attr(gather, "timeout", str(10 + i % 20))
            app.document_screen.after_change(change, refill_form=True)
            timer = app.document_screen._refresh_timer
            assert timer is not None
            timer.stop()  # run the refresh now, not after the debounce
            app.document_screen.refresh_views()
            work.append((time.perf_counter() - start) * 1000)
            assert app.preview.xml_area.text == app.doc.to_xml()
            await pilot.pause()

        typed: list[float] = []
        stalls: list[float] = []
        stop = asyncio.Event()
        watcher = asyncio.create_task(_watch_loop(stalls, stop))
        with _CallbackClock() as clock:
            for i in range(rounds):
                before = app.document_screen.refresh_count
                start = time.perf_counter()
                field = app.form.fields["numDigits"].input_widget
                assert isinstance(field, Input)
                field.value = str(2 + i % 2)  # differs each round
                deadline = time.perf_counter() + 10
                while (app.document_screen.refresh_count == before or not app.idle) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.0005)
                assert app.document_screen.refresh_count != before, "the edit never reached the views"
                typed.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
            stop.set()
            await watcher
        assert app.preview.xml_area.text == app.doc.to_xml()
    return {
        "nodes": total,
        "work_median": statistics.median(work),
        "work_p90": sorted(work)[int(len(work) * 0.9)],
        "typed_median": statistics.median(typed),
        "typed_p90": sorted(typed)[int(len(typed) * 0.9)],
        "longest_stall": max(stalls),
        "longest_callback": clock.longest,
    }


async def open_benchmark(path: Path) -> dict[str, float]:
    start = time.perf_counter()
    doc = Document.open(path)
    parse = (time.perf_counter() - start) * 1000
    total = sum(1 for _ in doc.root.iter())
    start = time.perf_counter()
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_idle(app, pilot)
        shown = (time.perf_counter() - start) * 1000
        assert all(id(child) in app.tree.node_map for child in app.doc.root.children)
        assert app.preview.xml_area.text == app.doc.to_xml()
    empty = path.with_name("empty.xml")
    empty.write_text("<Response/>\n", encoding="utf-8")
    app = EditorApp(empty)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_idle(app, pilot)
        screen = app.screen
        paint = screen._compositor_refresh
        painted_at: list[float] = []

        def painting() -> None:  # the screen's own redraw, timed
            paint()
            painted_at.append(time.perf_counter())

        screen._compositor_refresh = painting  # type: ignore[method-assign]  # measuring only
        start = time.perf_counter()
        assert app.open_path(path)  # what ctrl+o does once a file is chosen
        await _wait_idle(app, pilot)  # everything: the whole tree and the problems list
        reopened = (time.perf_counter() - start) * 1000
        screen._compositor_refresh = paint  # type: ignore[method-assign]
        assert painted_at, "the screen was never redrawn"
        painted = (painted_at[0] - start) * 1000  # the first redraw: tree (its top) and preview
        assert app.preview.xml_area.text == app.doc.to_xml()
    return {
        "nodes": total,
        "document_open": parse,
        "app_shows_it": shown,
        "open_painted": painted,
        "open_complete": reopened,
    }


_FIRST_SCREEN = r"""
import gc, os, sys, time
mode, path = sys.argv[1], sys.argv[2]
if mode == "editor":
    gc.disable()  # as twiml_editor.__main__ does first; importing the hooks below must not be timed with it on
from textual.app import App
from textual.screen import Screen

painted = Screen._compositor_refresh


def first_paint(screen):
    painted(screen)
    if not getattr(first_paint, "done", False):
        first_paint.done = True
        shown = time.time()
        app = screen.app
        if mode == "editor":  # the first screen shows the document: top of the tree, the preview
            assert app.tree.root.children and app.preview.xml_area.text.startswith("<?xml")
        print(repr(shown))
        app.call_later(app.exit)


Screen._compositor_refresh = first_paint
run = App.run
App.run = lambda app, **options: run(app, headless=True, size=(160, 50))
if mode == "editor":
    import runpy

    sys.argv = ["twiml-editor", path]
    runpy.run_module("editor", run_name="__main__")
else:
    from textual.widgets import Footer, Header, TextArea, Tree

    class Empty(App[None]):
        def compose(self):
            yield Header()
            yield Tree("Response")
            yield TextArea("")
            yield Footer()

    Empty().run()
"""


def command_line_start(path: Path, runs: int = 7) -> dict[str, float]:
    """Milliseconds from spawning a process to its first screen, median of `runs`: the editor
    opening `path`, and an empty Textual app."""
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    times: dict[str, list[float]] = {"editor": [], "empty": []}
    for _ in range(runs):
        for mode in times:
            start = time.time()
            out = subprocess.run(
                [sys.executable, "-c", _FIRST_SCREEN, mode, str(path)],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            )
            times[mode].append((float(out.stdout.strip().splitlines()[-1]) - start) * 1000)
    return {mode: statistics.median(values) for mode, values in times.items()}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [2000, 10000, 50000]
    edits = []
    with tempfile.TemporaryDirectory() as tmp:
        for nodes in sizes:
            path = Path(tmp) / f"{nodes}.xml"
            path.write_text(build(nodes), encoding="utf-8")
            edits.append(asyncio.run(edit_benchmark(path, rounds=30 if nodes <= 10000 else 20)))
        big = Path(tmp) / "open-10000.xml"
        big.write_text(build(10000), encoding="utf-8")
        opened = asyncio.run(open_benchmark(big))
        started = command_line_start(big)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"textual editor benchmark (python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load})")
    print(
        "attribute edit -> preview + problems + tree refreshed (target at 50,000 nodes: median < 50 ms, p90 < 100 ms)"
    )
    print(
        f"  {'nodes':>7} | {'work median':>11} | {'work p90':>8} | {'typed median':>12} | {'typed p90':>9} | "
        f"{'longest stall':>13} | {'longest callback':>16}"
    )
    for edit in edits:
        print(
            f"  {edit['nodes']:>7} | {edit['work_median']:>8.1f} ms | {edit['work_p90']:>5.1f} ms | "
            f"{edit['typed_median']:>9.1f} ms | {edit['typed_p90']:>6.1f} ms | {edit['longest_stall']:>10.1f} ms | "
            f"{edit['longest_callback']:>13.1f} ms"
        )
    print(
        f"  (work: the refresh alone; typed: a value typed in the form field until the views show it, "
        f"incl. the {REFRESH_DELAY * 1000:.0f} ms debounce; stall: longest event-loop gap while typing, target < 100 ms, "
        f"wall time, so it includes waits for the CPU on a loaded machine; callback: the CPU time of the longest "
        f"event-loop callback while typing, our own share of that gap)"
    )
    print(
        f"open a {opened['nodes']}-node file (target < 500 ms): Document.open {opened['document_open']:.0f} ms; "
        f"in a running editor (ctrl+o) first redraw with tree and preview {opened['open_painted']:.0f} ms, whole tree "
        f"and problems {opened['open_complete']:.0f} ms; app start until shown {opened['app_shows_it']:.0f} ms "
        f"(includes Textual's own start-up)"
    )
    print(
        f"twiml-editor FILE (10000 nodes) from the command line until its first screen shows the document: "
        f"{started['editor']:.0f} ms; an empty Textual app until its first screen: {started['empty']:.0f} ms; "
        f"opening the file costs {started['editor'] - started['empty']:.0f} ms beyond starting Python and Textual "
        f"(medians of 7 new processes each, interleaved)"
    )


if __name__ == "__main__":
    main()
