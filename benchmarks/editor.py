"""Editor responsiveness, measured headless in one run (`python benchmarks/editor.py`).

1. Attribute edit -> updated preview and problems list on a 2,000-node document (target < 50 ms):
   the work the app does for one edit (apply to the Document, relabel the tree node, diff the
   preview text, validate, refresh the problems list and tree marks), timed around the calls;
   plus the wall time from typing a key in the form field to the refreshed views, which adds the
   event-loop hops and the REFRESH_DELAY debounce.
2. Opening a 10,000-node file: Document.open alone, and until the app shows it (tree, preview,
   problems) after start-up.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.pilot import Pilot
from textual.widgets import Input

from editor.app import REFRESH_DELAY, EditorApp
from editor.document import Document
from twiml.voice_response import VoiceResponse

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


async def edit_benchmark(path: Path, rounds: int = 30) -> dict[str, float]:
    app = EditorApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await _wait_idle(app, pilot)
        total = sum(1 for _ in app.doc.root.iter())
        middle = app.doc.root.children[len(app.doc.root.children) // 2 :]
        gather = next(node for node in middle if node.name == "Gather")
        app.select(gather)
        app.tree.focus()
        await _wait_idle(app, pilot)
        app.ensure_form()
        await _wait_idle(app, pilot)

        work: list[float] = []
        for i in range(rounds):
            start = time.perf_counter()
            change = app.doc.set_attr(gather, "timeout", str(10 + i % 20))
            app.after_change(change, refill_form=True)
            timer = app._refresh_timer
            assert timer is not None
            timer.stop()  # run the refresh now, not after the debounce
            app.refresh_views()
            work.append((time.perf_counter() - start) * 1000)
            assert app.preview.xml_area.text == app.doc.to_xml()
            await pilot.pause()

        typed: list[float] = []
        for i in range(rounds):
            before = app.refresh_count
            start = time.perf_counter()
            field = app.form.fields["numDigits"].input_widget
            assert isinstance(field, Input)
            field.value = str(2 + i % 2)  # differs each round
            deadline = time.perf_counter() + 10
            while (app.refresh_count == before or not app.idle) and time.perf_counter() < deadline:
                await asyncio.sleep(0.0005)
            assert app.refresh_count != before, "the edit never reached the views"
            typed.append((time.perf_counter() - start) * 1000)
            await pilot.pause()
        assert app.preview.xml_area.text == app.doc.to_xml()
    return {
        "nodes": total,
        "work_median": statistics.median(work),
        "work_p90": sorted(work)[int(len(work) * 0.9)],
        "typed_median": statistics.median(typed),
        "typed_p90": sorted(typed)[int(len(typed) * 0.9)],
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
    return {"nodes": total, "document_open": parse, "app_shows_it": shown}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "2000.xml"
        small.write_text(build(2000), encoding="utf-8")
        big = Path(tmp) / "10000.xml"
        big.write_text(build(10000), encoding="utf-8")
        edit = asyncio.run(edit_benchmark(small))
        opened = asyncio.run(open_benchmark(big))
    print(f"textual editor benchmark (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    print(f"attribute edit on a {edit['nodes']}-node document (target < 50 ms):")
    print(
        f"  edit -> preview + problems + tree refreshed (work): median {edit['work_median']:.1f} ms, "
        f"p90 {edit['work_p90']:.1f} ms"
    )
    print(
        f"  value typed in form field -> views refreshed (wall, incl. {REFRESH_DELAY * 1000:.0f} ms debounce): "
        f"median {edit['typed_median']:.1f} ms, p90 {edit['typed_p90']:.1f} ms"
    )
    print(
        f"open a {opened['nodes']}-node file: Document.open {opened['document_open']:.0f} ms, "
        f"app start until shown {opened['app_shows_it']:.0f} ms"
    )


if __name__ == "__main__":
    main()
