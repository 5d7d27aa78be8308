"""`twiml test` and `twiml coverage` on the 30 real Studio flows of ../shared/studio/flows/.

Run: python benchmarks/flowtest_studio.py [--repeat R] [--flows DIR]
Each flow is copied to a temporary folder; prints per flow whether `twiml test --generate`,
`twiml test` (the replay, unchanged) and `twiml coverage` (no walks) succeed, the cases generated and
the map's states, and the best of R runs in process (wall and CPU; the interpreter's start and the
first import are not counted: one warm-up run first), then the totals.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
from contextlib import chdir
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.flow_map import best
from twiml.cli import main as twiml
from twiml.flowtest.cases import load_cases

FLOWS = Path(__file__).resolve().parents[2] / "shared" / "studio" / "flows"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = twiml(list(argv), stdout=out, stderr=err)
    return status, out.getvalue() + err.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flows", type=Path, default=FLOWS)
    args = parser.parse_args()
    flows = sorted(args.flows.glob("*.json"))
    if not flows:
        raise SystemExit(f"{args.flows}: no Studio flows (the real ones are in ../shared/studio/flows/)")
    handled = {"generate": 0, "test": 0, "coverage": 0}
    cases_total = 0
    times = {"generate": [0.0, 0.0], "test": [0.0, 0.0]}
    with tempfile.TemporaryDirectory() as tmp, chdir(tmp):
        Path(".twiml-coverage").write_text('{"version": 1, "walks": []}', encoding="utf-8")
        print(f"{'flow':<36} {'cases':>5} {'states':>6}  generate (wall/CPU ms)  test (wall/CPU ms)  coverage")
        for source in flows:
            flow = Path(tmp) / source.name
            shutil.copy(source, flow)
            run("test", "--generate", str(flow))  # warm-up (imports, Liquid environment)
            generated = best(partial(run, "test", "--generate", str(flow)), args.repeat)
            status, _ = run("test", "--generate", str(flow))
            handled["generate"] += status == 0
            cases = len(load_cases(flow.with_name(f"{flow.stem}_tests.toml")).cases) if status == 0 else 0
            cases_total += cases
            replayed = best(partial(run, "test", str(flow)), args.repeat)
            tested, _ = run("test", str(flow), "--strict")
            handled["test"] += tested == 0
            covered, report = run("coverage", str(flow), "--format", "json")
            handled["coverage"] += covered == 0
            states = json.loads(report)["counts"]["states"]["total"] if covered == 0 else 0
            for name, (wall, cpu) in (("generate", generated), ("test", replayed)):
                times[name][0] += wall
                times[name][1] += cpu
            print(
                f"{source.name[:36]:<36} {cases:>5} {states:>6}  {generated[0] * 1000:8.0f} {generated[1] * 1000:8.0f}"
                f"       {replayed[0] * 1000:7.0f} {replayed[1] * 1000:7.0f}     exit {status}/{tested}/{covered}"
            )
    n = len(flows)
    print(
        f"handled: generate {handled['generate']}/{n}, test (replay unchanged, --strict) {handled['test']}/{n}, "
        f"coverage {handled['coverage']}/{n}; {cases_total} cases"
    )
    for name, (wall, cpu) in times.items():
        print(
            f"all {n} flows, twiml test{' --generate' if name == 'generate' else ''}: {wall:.2f} s wall, {cpu:.2f} s CPU"
        )


if __name__ == "__main__":
    main()
