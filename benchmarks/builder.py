"""Build and serialize a typical IVR response with twiml and with twilio 9.13, side by side.

Run: python benchmarks/builder.py   (needs the test extra for twilio)
Prints per-response times for both libraries from the same run and their ratio.
"""

from __future__ import annotations

import timeit
from typing import Any

from twilio.twiml import voice_response as theirs

from twiml import voice_response as ours


def build(vr: Any) -> str:
    r = vr.VoiceResponse()
    g = r.gather(
        input="dtmf speech",
        num_digits=1,
        action="/menu",
        method="POST",
        timeout=5,
        hints="sales, support, billing",
        speech_timeout="auto",
    )
    g.say("Welcome to Example Corp. For sales press 1 or say sales.", voice="Polly.Joanna", language="en-US")
    g.pause(length=1)
    g.play("https://example.com/audio/options.mp3", loop=1)
    r.say("We did not receive any input. Connecting you to an agent.")
    d = r.dial(caller_id="+15551230000", timeout=20, action="/dial-status", record="record-from-answer")
    d.number(
        "+15557654321",
        status_callback="https://example.com/status",
        status_callback_event="initiated ringing answered completed",
        status_callback_method="POST",
    )
    r.redirect("/main-menu", method="POST")
    xml: str = r.to_xml()  # twilio is untyped
    return xml


def best(func: Any, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(func, number=number, repeat=repeat)) / number


def main() -> None:
    a, b = build(ours), build(theirs)
    assert a == b, "outputs differ"
    print(f"output identical: {len(a)} bytes")
    n = 2000
    t_ours = best(lambda: build(ours), n)
    t_theirs = best(lambda: build(theirs), n)
    print(f"twiml   build+serialize: {t_ours * 1e6:8.1f} us/response")
    print(f"twilio  build+serialize: {t_theirs * 1e6:8.1f} us/response")
    print(f"speed-up: {t_theirs / t_ours:.1f}x (target >= 5x)")
    # serialization alone, on prebuilt trees
    r_ours = ours.VoiceResponse()
    r_ours.say("x" * 50)
    tree_o = r_ours
    r_theirs = theirs.VoiceResponse()
    r_theirs.say("x" * 50)
    tree_t = r_theirs
    s_o = best(tree_o.to_xml, n)
    s_t = best(tree_t.to_xml, n)
    print(f"serialize-only small doc: twiml {s_o * 1e6:.1f} us, twilio {s_t * 1e6:.1f} us, {s_t / s_o:.1f}x")


if __name__ == "__main__":
    main()
