"""A 20-step scripted call against an in-process Flask app: the simulator's cost per step.

Run: python benchmarks/call.py [--steps N] [--repeat R]
Prints, from one run (medians of R interleaved runs): time per step of the whole simulated call,
the app's own time per step (measured inside the WSGI call), the simulator's overhead per step
(the difference; split into httpx's transport and the engine and driver alone, measured by
replaying the app's recorded replies)
against the 2 ms target, and, side by side, the same requests sent with a bare
`httpx.Client(transport=WSGITransport(app))` loop (what a hand-written test would cost).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from flask import Flask, Response, request

from twiml.simulator import Reply, Request
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


def simulated(app: Timed, steps: int) -> tuple[float, float]:
    """Total seconds of the call and seconds spent inside the transport (app included)."""
    app.seconds = 0.0
    started = time.perf_counter()
    call = Call(app, "/step/1", auth_token="bench-token")
    while call.waiting is not None:
        call.press("1")
    elapsed = time.perf_counter() - started
    assert call.ended == "hangup" and len(call.requests) == steps, (call.ended, len(call.requests))
    call.close()
    return elapsed, sum(f.elapsed for f in call.fetched)


def bare(app: Timed, steps: int) -> float:
    app.seconds = 0.0
    started = time.perf_counter()
    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://localhost") as client:
        for n in range(1, steps + 1):
            reply = client.post(f"/step/{n}", data={"CallSid": "CA" + "0" * 32, "Digits": "1"})
            assert reply.status_code == 200
    return time.perf_counter() - started


class Canned:
    """Replies recorded from the app, served without it: what the engine and driver cost alone."""

    def __init__(self, app: Flask, steps: int) -> None:
        client = app.test_client()
        self.bodies = {
            f"http://localhost/step/{n}": client.post(f"/step/{n}", data={"Digits": "1"}).data
            for n in range(1, steps + 1)
        }

    def fetch(self, request: Request) -> Reply:
        return Reply(200, "text/xml", self.bodies[request.url], request.url, None)


def engine_only(canned: Canned, steps: int) -> float:
    started = time.perf_counter()
    call = Call(transport=canned, url="http://localhost/step/1", auth_token="bench-token")
    while call.waiting is not None:
        call.press("1")
    assert call.ended == "hangup" and len(call.requests) == steps
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    flask_app = make_app(args.steps)
    app = Timed(flask_app)
    canned = Canned(flask_app, args.steps)
    simulated(app, args.steps)  # warm up imports and caches
    totals: list[float] = []
    apps: list[float] = []
    transports: list[float] = []
    bares: list[float] = []
    bare_apps: list[float] = []
    engines: list[float] = []
    for _ in range(args.repeat):  # interleaved, so load changes hit every measurement alike
        total, in_transport = simulated(app, args.steps)
        totals.append(total)
        apps.append(app.seconds)
        transports.append(in_transport)
        bares.append(bare(app, args.steps))
        bare_apps.append(app.seconds)
        engines.append(engine_only(canned, args.steps))
    n = args.steps / 1000  # seconds per call -> ms per step

    def show(values: list[float]) -> str:
        """Median and best of a quantity, in ms per step (the best is the least disturbed run)."""
        return f"{median(values) / n:6.3f} ms/step (best {min(values) / n:.3f})"

    overhead = [t - a for t, a in zip(totals, apps, strict=True)]
    verdict = "ok" if median(overhead) / n < TARGET_MS else "MISSED"
    print(f"{args.steps}-step scripted call against an in-process Flask app, {args.repeat} interleaved runs")
    print(f"  simulated call          : {show(totals)}")
    print(f"  the app's own time      : {show(apps)}")
    print(f"  overhead besides the app: {show(overhead)}  target < {TARGET_MS} ms (median) -> {verdict}")
    print(f"    httpx's WSGI transport: {show([t - a for t, a in zip(transports, apps, strict=True)])}")
    print(f"    engine and driver     : {show(engines)}  (parse, validate, run, sign; replayed replies)")
    print(f"  bare httpx.Client loop  : {show(bares)}")
    print(f"    besides the app       : {show([t - a for t, a in zip(bares, bare_apps, strict=True)])}")
    print(f"  simulated / bare        : {median(totals) / median(bares):5.2f}x")


if __name__ == "__main__":
    main()
