"""Map a generated 1,000-state Studio flow (`twiml map flow.json`) against the 2 s target.

Run: python benchmarks/studio_map.py [--states N] [--repeat R]
The flow is a phone tree: each menu is a gather whose keypress goes to a split on its Digits
(keys 1-3 to three sub-menus through a say-play each, noMatch to a retry say-play that returns
to the menu), its speech to a split with a `contains` condition, and its timeout back to itself;
the leaves say goodbye. About a third of the states are gathers, a third splits and a third
say-play. Prints the best of R runs of loading the JSON and exploring it (wall and CPU time),
and the load alone.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from twiml.studio.explore import explore_studio
from twiml.studio.model import load_flow

TARGET_SECONDS = 2.0


def _state(name: str, type_: str, transitions: list[dict[str, Any]], **props: Any) -> dict[str, Any]:
    return {
        "name": name,
        "type": type_,
        "transitions": transitions,
        "properties": {**props, "offset": {"x": 0, "y": 0}},
    }


def generate(states: int) -> dict[str, Any]:
    """A flow of at least `states` widgets (a menu is a gather, 2 splits, a retry and a say-play per
    child; a leaf is one say-play: about 3 widgets per menu)."""
    menus = max(1, states // 3)
    while True:
        flow = _tree(menus)
        if len(flow["states"]) >= states:
            return flow
        menus += 1


def _tree(menus: int) -> dict[str, Any]:
    out = [_state("Trigger", "trigger", [{"event": "incomingCall", "next": "menu_0"}, {"event": "incomingMessage"}])]
    for i in range(menus):
        children = [c for c in (3 * i + 1, 3 * i + 2, 3 * i + 3) if c < menus]
        if not children:
            out.append(
                _state(f"menu_{i}", "say-play", [{"event": "audioComplete"}], say=f"End of branch {i}. Goodbye.")
            )
            continue
        prompt = " ".join(f"For menu {c}, press {k}." for k, c in enumerate(children, start=1))
        out.append(
            _state(
                f"menu_{i}",
                "gather-input-on-call",
                [
                    {"event": "keypress", "next": f"keys_{i}"},
                    {"event": "speech", "next": f"words_{i}"},
                    {"event": "timeout", "next": f"menu_{i}"},
                ],
                say=prompt,
                voice="Polly.Joanna",
                language="en-US",
                number_of_digits=1,
                timeout=5,
                speech_timeout="auto",
            )
        )
        matches = [
            {
                "event": "match",
                "next": f"to_{c}",
                "conditions": [
                    {
                        "friendly_name": str(k),
                        "arguments": [f"{{{{widgets.menu_{i}.Digits}}}}"],
                        "type": "equal_to",
                        "value": str(k),
                    }
                ],
            }
            for k, c in enumerate(children, start=1)
        ]
        out.append(
            _state(
                f"keys_{i}",
                "split-based-on",
                [{"event": "noMatch", "next": f"retry_{i}"}, *matches],
                input=f"{{{{widgets.menu_{i}.Digits}}}}",
            )
        )
        spoken = {
            "event": "match",
            "next": f"to_{children[0]}",
            "conditions": [
                {
                    "friendly_name": "first",
                    "arguments": [f"{{{{widgets.menu_{i}.SpeechResult}}}}"],
                    "type": "contains",
                    "value": f"menu {children[0]}",
                }
            ],
        }
        out.append(
            _state(
                f"words_{i}",
                "split-based-on",
                [{"event": "noMatch", "next": f"retry_{i}"}, spoken],
                input=f"{{{{widgets.menu_{i}.SpeechResult | downcase}}}}",
            )
        )
        out.append(
            _state(f"retry_{i}", "say-play", [{"event": "audioComplete", "next": f"menu_{i}"}], say="Sorry, again.")
        )
        for c in children:
            out.append(
                _state(f"to_{c}", "say-play", [{"event": "audioComplete", "next": f"menu_{c}"}], say=f"Menu {c}.")
            )
    return {"description": "generated", "states": out, "initial_state": "Trigger", "flags": {}}


def best(func: Callable[[], Any], repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        func()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "flow.json"
        path.write_text(json.dumps(generate(args.states), indent=2), encoding="utf-8")
        flow = load_flow(path, positions=False)
        result = explore_studio(flow)
        assert not result.failed and not result.truncated
        mapped, mapped_cpu = best(lambda: explore_studio(load_flow(path, positions=False)), args.repeat)
        loaded, loaded_cpu = best(lambda: load_flow(path, positions=False), args.repeat)
    print(f"widgets: {len(flow.states)}, map states: {len(result.states)}, edges: {len(result.edges)}")
    verdict = "OK" if mapped < TARGET_SECONDS else "SLOW"
    print("                          wall         CPU")
    print(
        f"load + map:            {mapped * 1000:7.1f} ms  {mapped_cpu * 1000:7.1f} ms   "
        f"target {TARGET_SECONDS:.0f} s (wall): {verdict}"
    )
    print(f"load the JSON alone:   {loaded * 1000:7.1f} ms  {loaded_cpu * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
