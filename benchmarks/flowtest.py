"""Generate and replay the golden cases of a generated 200-document flow folder (`twiml test`).

Run: python benchmarks/flowtest.py [--documents N] [--repeat R]
The folder is the phone tree of benchmarks/flow_map.py (three keys per menu, speech for the first,
a loop on no input). Prints, best of R runs in process (the interpreter's start is not counted):
`twiml test --generate FOLDER` (map, play every path, write the file) and `twiml test FOLDER`
(read the file, map again for new paths, replay and compare every case) against the 5 s target,
side by side with mapping alone (what both commands do first).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.flow_map import best, write_folder
from twiml.cli import main as twiml
from twiml.flow import load_flow
from twiml.flow.explore import explore_flow
from twiml.flowtest.cases import load_cases

TARGET_SECONDS = 5.0


def run(*argv: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = twiml(list(argv), stdout=out, stderr=err)
    if status != 0:
        raise SystemExit(f"twiml {' '.join(argv)} exited {status}:\n{out.getvalue()}{err.getvalue()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_folder(folder, args.documents)
        states = str(10 * args.documents)
        generated, generated_cpu = best(lambda: run("test", "--generate", tmp, "--max-states", states), args.repeat)
        cases = load_cases(folder / "flow_tests.toml").cases
        size = (folder / "flow_tests.toml").stat().st_size
        replayed, replayed_cpu = best(lambda: run("test", tmp, "--max-states", states), args.repeat)
        mapped, mapped_cpu = best(lambda: explore_flow(load_flow(folder), max_states=10 * args.documents), args.repeat)
    steps = sum(len(c.steps) for c in cases)
    print(f"documents: {args.documents}, cases: {len(cases)}, steps replayed: {steps}, file: {size / 1024:.0f} KiB")
    print("                                          wall         CPU")
    for name, wall, cpu in (
        ("twiml test --generate (map+play+write)", generated, generated_cpu),
        ("twiml test (read+map+replay+compare)", replayed, replayed_cpu),
        ("twiml map alone (explore)", mapped, mapped_cpu),
    ):
        print(f"{name:<40} {wall * 1000:7.0f} ms  {cpu * 1000:7.0f} ms")
    total, total_cpu = generated + replayed, generated_cpu + replayed_cpu
    verdict = "OK" if total < TARGET_SECONDS else "SLOW (wall; compare CPU when the machine is busy)"
    print(f"{'generate + replay':<40} {total * 1000:7.0f} ms  {total_cpu * 1000:7.0f} ms  target 5 s: {verdict}")


if __name__ == "__main__":
    main()
