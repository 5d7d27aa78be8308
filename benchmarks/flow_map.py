"""Map a generated 200-document flow folder; compare with reading and checking its documents once.

Run: python benchmarks/flow_map.py [--documents N] [--repeat R]
The folder is a phone tree: each menu offers keys 1-3 to three sub-menus (or, at the leaves, a
goodbye), speech for the first option, and loops back to itself on no input. Prints, from one
run (best of R): the time `twiml map` needs to explore it against the 2 s target, and that time
relative to parsing and validating every document once (the floor the explorer cannot beat).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twiml import parse, validate
from twiml.flow import load_flow
from twiml.flow.explore import explore_flow
from twiml.voice_response import VoiceResponse

TARGET_SECONDS = 2.0


def write_folder(folder: Path, documents: int) -> None:
    """`documents` TwiML files and a flow.toml routing every key of every menu."""
    routes = ['start = "/m/0"', "", "[routes]"]
    for i in range(documents):
        children = [c for c in (3 * i + 1, 3 * i + 2, 3 * i + 3) if c < documents]
        r = VoiceResponse()
        if children:
            g = r.gather(input="dtmf speech", num_digits=1, action=f"/m/{i}/choice", method="POST", timeout=5)
            for k, child in enumerate(children, start=1):
                g.say(f"For menu {child}, press {k}.", voice="Polly.Joanna", language="en-US")
            r.say("We did not hear you.", voice="Polly.Joanna", language="en-US")
            r.redirect(f"/m/{i}", method="POST")
            cases = ", ".join(f'"{k}" = "menu_{c}.xml"' for k, c in enumerate(children, start=1))
            routes.append(f'"/m/{i}/choice" = {{ by = "Digits", cases = {{ {cases} }}, default = "/m/{i}/speech" }}')
            routes.append(
                f'"/m/{i}/speech" = {{ by = "SpeechResult", match = "contains", '
                f'cases = {{ "menu {children[0]}" = "menu_{children[0]}.xml" }}, default = "menu_{i}.xml" }}'
            )
        else:
            r.say(f"This is the end of branch {i}. Goodbye.", voice="Polly.Joanna", language="en-US")
            r.hangup()
        (folder / f"menu_{i}.xml").write_text(r.to_xml(pretty=True), encoding="utf-8")
        routes.append(f'"/m/{i}" = "menu_{i}.xml"')
    (folder / "flow.toml").write_text("\n".join(routes) + "\n", encoding="utf-8")


def best(func: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall-clock and best CPU time of `repeat` runs (CPU time is what other processes on a
    busy machine do not inflate)."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, args.documents)
        flow = load_flow(folder)
        assert not flow.problems, flow.problems
        files = sorted(folder.glob("*.xml"))

        def floor() -> None:
            for file in files:
                validate(parse(file.read_bytes()))

        result = explore_flow(load_flow(folder), max_states=10 * args.documents)
        assert not result.failed and not result.unreachable and not result.truncated
        mapped, mapped_cpu = best(lambda: explore_flow(load_flow(folder), max_states=10 * args.documents), args.repeat)
        checked, checked_cpu = best(floor, args.repeat)
    print(f"documents: {args.documents}, states: {len(result.states)}, edges: {len(result.edges)}")
    verdict = "OK" if mapped < TARGET_SECONDS else "SLOW"
    print("                                   wall         CPU")
    print(
        f"map (load flow.toml + explore):  {mapped * 1000:7.1f} ms  {mapped_cpu * 1000:7.1f} ms   target {TARGET_SECONDS:.0f} s (wall): {verdict}"
    )
    print(f"parse+validate every file once:  {checked * 1000:7.1f} ms  {checked_cpu * 1000:7.1f} ms")
    print(f"map / parse+validate:            {mapped / checked:7.2f}x     {mapped_cpu / checked_cpu:7.2f}x")


if __name__ == "__main__":
    main()
