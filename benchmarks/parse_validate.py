"""Parse and validate a generated 10,000-verb TwiML document; compare parsing with plain lxml.

Run: python benchmarks/parse_validate.py [--verbs N] [--repeat R]
Prints, from one run (best of R): parse time, validate time, parse+validate against the 0.2 s
target, and parse time relative to `lxml.etree.fromstring` of the same bytes.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

from twiml import parse
from twiml.voice_response import VoiceResponse

TARGET_SECONDS = 0.2


def document(verbs: int) -> bytes:
    """An indented voice document with exactly `verbs` elements below <Response>, IVR-shaped."""
    r = VoiceResponse()
    count = 0
    i = 0
    while count < verbs:
        i += 1
        left = verbs - count
        if left >= 4:
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
    data = r.to_xml(pretty=True).encode("utf-8")
    assert sum(1 for _ in r.iter()) == verbs + 1
    return data


def best(func: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--verbs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args(argv)

    data = document(args.verbs)
    doc = parse(data)
    assert parse(doc.to_xml()).to_xml() == doc.to_xml()
    print(f"document: {args.verbs} verbs, {len(data):,} bytes (indented)")

    t_lxml = best(lambda: etree.fromstring(data), args.repeat)
    t_parse = best(lambda: parse(data), args.repeat)
    print(f"lxml.etree.fromstring:  {t_lxml * 1000:8.1f} ms")
    print(f"twiml.parse:            {t_parse * 1000:8.1f} ms   ({t_parse / t_lxml:.1f}x lxml alone)")

    try:
        from twiml.validator import validate
    except ImportError:
        print("twiml.validator is not available yet: parse only")
        ok = t_parse < TARGET_SECONDS
        print(f"parse vs target {TARGET_SECONDS:.1f} s: {'OK' if ok else 'OVER'}")
        return

    diagnostics = validate(doc)
    errors = [d for d in diagnostics if d.severity == "error"]
    t_validate = best(lambda: validate(doc), args.repeat)
    t_total = best(lambda: validate(parse(data)), args.repeat)
    print(
        f"twiml.validate:         {t_validate * 1000:8.1f} ms   ({len(diagnostics)} diagnostics, {len(errors)} errors)"
    )
    verdict = "OK, under" if t_total < TARGET_SECONDS else "OVER"
    print(f"parse + validate:       {t_total * 1000:8.1f} ms   ({verdict} the {TARGET_SECONDS * 1000:.0f} ms target)")


if __name__ == "__main__":
    main()
