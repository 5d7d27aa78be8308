"""Parse and validate generated TwiML of 1k, 10k and 100k verbs, indented and compact, against lxml.

Run: python benchmarks/parse_validate.py [--sizes 1000 10000 100000] [--repeat R] [--big-mb 50 | --big-mb 0]

Times are CPU time of this process (time.process_time), so other processes on a shared machine do
not count. For each size and layout, the best of R rounds that each run `lxml.etree.fromstring`
alone, `twiml.parse` and `parse + validate` one after the other, with their ratios to lxml
alone; then the memory a parsed document keeps, in bytes per node, measured with tracemalloc
(Python allocations, which is where the nodes live).
Last, the peak resident set size (RSS, from getrusage in a fresh subprocess, interpreter included)
of parsing and validating an indented document of about --big-mb megabytes.
Targets: parse linear in size for both layouts; 100k compact parse within 8x of lxml alone;
parse + validate within 10x of lxml alone at 10k and 100k, both layouts; the big document under
1 GB peak.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

from lxml import etree

from twiml import parse, validate
from twiml.voice_response import VoiceResponse

PARSE_TARGET = 8.0  # 100k compact
TOTAL_TARGET = 10.0  # 10k and 100k, both layouts
PEAK_TARGET_MB = 1024


def response(verbs: int) -> VoiceResponse:
    """A voice document with exactly `verbs` elements below <Response>, IVR-shaped."""
    r = VoiceResponse()
    count = 0
    i = 0
    while count < verbs:
        i += 1
        if verbs - count >= 4:
            g = r.gather(input="dtmf speech", num_digits=1, action=f"/menu/{i}", method="POST", timeout=5)
            s = g.say(f"For option {i}, press 1. ", voice="Polly.Joanna", language="en-US")
            s.break_(time="300ms")
            g.pause(length=1)
            count += 4
        if verbs - count >= 2:
            d = r.dial(caller_id="+15551230000", timeout=20, record="record-from-answer")
            d.number(
                "+15557654321",
                status_callback="https://example.com/status",
                status_callback_event="initiated answered completed",
            )
            count += 2
        if verbs - count >= 1:
            r.play("https://example.com/audio/hold.mp3", loop=2)
            count += 1
        if verbs - count >= 2:
            r.say(f"Still there? This is message {i}.", voice="alice", loop=1)
            count += 1
        elif verbs - count == 1:
            r.redirect("/voice/incoming", method="POST")  # last verb: nothing after it is unreachable
            count += 1
    return r


def document(verbs: int, indented: bool = True) -> bytes:
    r = response(verbs)
    data = r.to_xml(pretty=indented).encode("utf-8")
    assert sum(1 for _ in r.iter()) == verbs + 1
    return data


def best(funcs: list[Callable[[], Any]], repeat: int) -> list[float]:
    """The best CPU time of each function over `repeat` rounds that run them one after the other,
    so a slow spell of the machine (frequency, a neighbour's cache use) hits all of them alike."""
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeat):
        for func, spent in zip(funcs, times, strict=True):
            gc.collect()
            start = time.process_time()
            func()
            spent.append(time.process_time() - start)
    return [min(spent) for spent in times]


def bytes_per_node(data: bytes) -> tuple[float, float]:
    """Memory kept by the parsed document, and the peak while parsing, per node (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    doc = parse(data)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    nodes = sum(1 for _ in doc.iter())
    return (kept - base) / nodes, (peak - base) / nodes


_CHILD = """
import resource, sys, time
from twiml import parse, validate
start = time.perf_counter()
doc = parse(sys.argv[1])
found = validate(doc)
elapsed = time.perf_counter() - start
nodes = sum(1 for _ in doc.iter())
print(nodes, len(found), elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def big_peak(megabytes: int) -> None:
    """Peak RSS of a fresh process that parses and validates an indented document of that size."""
    per_verb = len(document(1000)) / 1000
    verbs = int(megabytes * 1_000_000 / per_verb)
    data = document(verbs)
    with tempfile.NamedTemporaryFile(suffix=".xml", delete=False) as fh:
        fh.write(data)
    del data
    gc.collect()
    try:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, fh.name], capture_output=True, text=True, check=True, env=env
        ).stdout.split()
    finally:
        os.unlink(fh.name)
    nodes, found, elapsed, peak_kb = int(out[0]), int(out[1]), float(out[2]), int(out[3])
    peak_mb = peak_kb / 1024
    verdict = "under" if peak_mb < PEAK_TARGET_MB else "OVER"
    size_mb = os.path.getsize(fh.name) / 1e6 if os.path.exists(fh.name) else verbs * per_verb / 1e6
    print(
        f"big document: {size_mb:.0f} MB indented, {nodes:,} nodes, parse + validate {elapsed:.1f} s "
        f"({found} diagnostics); peak RSS {peak_mb:,.0f} MB ({verdict} the {PEAK_TARGET_MB} MB target; "
        "getrusage ru_maxrss of a fresh process, interpreter included)"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--big-mb", type=int, default=50, help="size of the peak-memory document; 0 skips it")
    args = ap.parse_args(argv)

    print(
        f"{'verbs':>7} {'layout':<8} {'bytes':>11} {'lxml ms':>9} {'parse ms':>9} {'x lxml':>7} "
        f"{'p+v ms':>9} {'x lxml':>7} {'kept B/node':>12} {'peak B/node':>12}"
    )
    verdicts = []
    for verbs in args.sizes:
        repeat = max(3, args.repeat if verbs <= 10_000 else args.repeat // 2)
        for indented in (True, False):
            data = document(verbs, indented)
            doc = parse(data)
            assert parse(doc.to_xml()).to_xml() == doc.to_xml()
            t_lxml, t_parse, t_total = best(
                [lambda: etree.fromstring(data), lambda: parse(data), lambda: validate(parse(data))],  # noqa: B023  # called before `data` changes
                repeat,
            )
            kept, peak = bytes_per_node(data)
            layout = "indented" if indented else "compact"
            print(
                f"{verbs:>7} {layout:<8} {len(data):>11,} {t_lxml * 1e3:>9.1f} {t_parse * 1e3:>9.1f} "
                f"{t_parse / t_lxml:>6.1f}x {t_total * 1e3:>9.1f} {t_total / t_lxml:>6.1f}x {kept:>12,.0f} {peak:>12,.0f}"
            )
            if verbs >= 10_000:
                verdicts.append((f"{verbs} {layout} parse+validate", t_total / t_lxml, TOTAL_TARGET))
            if verbs >= 100_000 and not indented:
                verdicts.append((f"{verbs} compact parse", t_parse / t_lxml, PARSE_TARGET))
    for label, ratio, target in verdicts:
        print(f"{label}: {ratio:.1f}x lxml alone ({'meets' if ratio <= target else 'MISSES'} the {target:.0f}x target)")
    print("bytes per node: tracemalloc (Python allocations) of the parsed document, kept and peak during parse")
    if args.big_mb:
        big_peak(args.big_mb)


if __name__ == "__main__":
    main()
