"""A 20-step scripted call against an in-process Flask app: the simulator's cost per step.

Run: python benchmarks/call.py [--steps N] [--repeat R]
Prints, from one run (best of R): time per step of the whole simulated call, the app's own
time per step (measured inside the WSGI call), the simulator's overhead per step (the rest)
against the 2 ms target, and, side by side, the same requests sent with a bare
`httpx.Client(transport=WSGITransport(app))` loop (what a hand-written test would cost).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from flask import Flask, Response, request

from twiml.testing import Call
from twiml.voice_response import VoiceResponse

TARGET_MS = 2.0


def make_app(steps: int) -> Flask:
    """Each step is a menu like a real IVR's: a Gather with prompts whose action is the next step."""
    app = Flask("bench")

    @app.post("/step/<int:n>")
    def step(n: int) -> Response:
        r = VoiceResponse()
        if n >= steps:
            r.say("Goodbye.")
            r.hangup()
        else:
            g = r.gather(action=f"/step/{n + 1}", num_digits=1, input="dtmf speech", timeout=5)
            g.say(f"Step {n}. You pressed {request.form.get('Digits', 'nothing')}.", voice="Polly.Joanna")
            g.say("For the next step, press 1. For help, press 0.", voice="Polly.Joanna")
            g.pause(length=1)
            r.say("We did not get that.")
            r.redirect(f"/step/{n}")
        return Response(str(r), mimetype="text/xml")

    return app


class Timed:
    """WSGI middleware adding up the time spent inside the app (the app's own time)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.seconds = 0.0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.perf_counter()
        body = list(self.app(environ, start_response))
        self.seconds += time.perf_counter() - started
        return body


def simulated(app: Timed, steps: int) -> float:
    app.seconds = 0.0
    started = time.perf_counter()
    call = Call(app, "/step/1", auth_token="bench-token")
    while call.waiting is not None:
        call.press("1")
    elapsed = time.perf_counter() - started
    assert call.ended == "hangup" and len(call.requests) == steps, (call.ended, len(call.requests))
    call.close()
    return elapsed


def bare(app: Timed, steps: int) -> float:
    app.seconds = 0.0
    started = time.perf_counter()
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://localhost") as client:
        for n in range(1, steps + 1):
            reply = client.post(f"/step/{n}", data={"CallSid": "CA" + "0" * 32, "Digits": "1"})
            assert reply.status_code == 200
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    app = Timed(make_app(args.steps))
    simulated(app, args.steps)  # warm up imports and caches
    best_sim = best_sim_app = best_bare = best_bare_app = float("inf")
    for _ in range(args.repeat):
        total = simulated(app, args.steps)
        if total < best_sim:
            best_sim, best_sim_app = total, app.seconds
        total = bare(app, args.steps)
        if total < best_bare:
            best_bare, best_bare_app = total, app.seconds
    n = args.steps
    per_step = best_sim / n * 1000
    app_ms = best_sim_app / n * 1000
    overhead = per_step - app_ms
    bare_ms = best_bare / n * 1000
    bare_overhead = bare_ms - best_bare_app / n * 1000
    print(f"{n}-step scripted call against an in-process Flask app (best of {args.repeat})")
    print(f"  simulated call   : {per_step:6.3f} ms/step  (app's own time {app_ms:.3f} ms/step)")
    print(
        f"  simulator overhead: {overhead:6.3f} ms/step  target < {TARGET_MS} ms  -> {'ok' if overhead < TARGET_MS else 'MISSED'}"
    )
    print(f"  bare httpx loop  : {bare_ms:6.3f} ms/step  (overhead besides the app {bare_overhead:.3f} ms/step)")
    print(f"  simulated / bare : {per_step / bare_ms:5.2f}x")


if __name__ == "__main__":
    main()
