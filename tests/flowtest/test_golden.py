"""`twiml test`: golden cases of every path of sample_flows/, replayed; three changes named."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from tests.flowtest.helpers import NEW_PROMPT, OLD_PROMPT, SAMPLES, change_three, copy_samples, replace, run, twiml
from twiml.cli import main
from twiml.flowtest.cases import MAX_STEPS, SEED, Case, cases_from_map, load_cases, parse_input, play_all
from twiml.flowtest.targets import TestTarget, open_test_target
from twiml.grammar_types import Kind
from twiml.simulator.driver import Options, Session
from twiml.simulator.engine import DialOutcome, GatherInput, QueueOutcome, RecordOutcome
from twiml.simulator.events import Ask
from twiml.simulator.transport import Reply, Request, Transport


def _changes(result_stdout: str) -> list[dict[str, object]]:
    data = json.loads(result_stdout)
    changes: list[dict[str, object]] = data["changes"]
    return changes


def test_generate_then_test_passes_and_three_changes_are_named(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    made = twiml("test", "--generate", str(folder))
    assert made.returncode == 0, made.stderr
    cases_path = folder / "flow_tests.toml"
    first = cases_path.read_text(encoding="utf-8")
    again = run("test", "--generate", str(folder))
    assert again.returncode == 0
    assert cases_path.read_text(encoding="utf-8") == first  # stable: seeded SIDs, sorted paths
    names = [c.name for c in load_cases(cases_path).cases]
    assert "press 1, dial completed" in names and 'text "help"' in names
    assert "callee /operator/screen: press 1" in names
    ok = run("test", str(folder))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "24 cases replayed unchanged" in ok.stdout

    change_three(folder)
    text = twiml("test", str(folder))
    assert text.returncode == 1
    assert "FAILED: 3 changes" in text.stdout
    assert f"was: {OLD_PROMPT}" in text.stdout and f"now: {NEW_PROMPT}" in text.stdout
    result = run("test", str(folder), "--format", "json")
    assert result.returncode == 1
    changes = _changes(result.stdout)
    summary = {(c["kind"], c["where"], c["was"], c["now"]) for c in changes}
    assert summary == {
        ("prompt", "ivr_main_menu.xml", OLD_PROMPT, NEW_PROMPT),
        ("attribute", "ivr_main_menu.xml", "1", "2"),
        ("branch", "ivr_main_menu.xml", "support.xml", "voicemail.xml"),
    }
    branch = next(c for c in changes if c["kind"] == "branch")
    assert branch["summary"] == "press 2 at ivr_main_menu.xml now leads elsewhere (/menu)"
    assert branch["paths"] == [
        "press 2, queue bridged",
        "press 2, queue queue-full, recording 5 s",
        "press 2, queue queue-full, silence",
    ]
    prompt = next(c for c in changes if c["kind"] == "prompt")
    assert isinstance(prompt["paths"], list) and "press 1, dial completed" in prompt["paths"]
    assert not any(str(p).startswith(("text", "callee")) for p in prompt["paths"])
    assert "press 2, recording 5 s" in json.loads(result.stdout)["new_paths"]
    by_case = io.StringIO()
    assert main(["test", str(folder), "--by-case"], stdout=by_case) == 1
    assert (
        "case press 2, queue bridged:\n"
        "   prompt changed in ivr_main_menu.xml: For sales, press 1 or say sales. → For sales and new orders, press 1.\n"
        "   <Gather> numDigits changed in ivr_main_menu.xml: 1 → 2\n"
        "   press 2 at ivr_main_menu.xml now leads elsewhere (/menu): support.xml → voicemail.xml\n"
        "   ended hangup, now waits: record ('queue bridged' does not apply)\n"
    ) in by_case.getvalue()

    strict = run("test", str(folder), "--update")
    assert strict.returncode == 0 and "17 cases rewritten, 6 added" in strict.stdout
    assert run("test", str(folder), "--strict").returncode == 0


def test_new_paths_fail_only_with_strict_and_bad_files_name_the_place(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    cases = tmp_path / "cases.toml"
    assert run("test", "--generate", str(folder), "--cases", str(cases)).returncode == 0
    replace(folder / "flow.toml", '"3" = "billing.xml", ', '"3" = "billing.xml", "4" = "goodbye.xml", ')
    loose = run("test", str(folder), "--cases", str(cases))
    assert loose.returncode == 0 and "+ press 4" in loose.stdout
    assert run("test", str(folder), "--cases", str(cases), "--strict").returncode == 1
    replace(cases, 'inputs = ["press 1", "dial completed"]', 'inputs = ["press 1", "wiggle"]')
    bad = twiml("test", str(folder), "--cases", str(cases))
    assert bad.returncode == 2
    assert f"{cases}: case " in bad.stderr and "(press 1, dial completed): 'wiggle' is not an input" in bad.stderr
    down = run("test", "--generate", "http://127.0.0.1:9/voice", "--cases", str(tmp_path / "down.toml"))
    assert down.returncode == 1 and "the start does not answer (11205 cannot connect" in down.stderr
    assert not (tmp_path / "down.toml").exists()
    missing = run("test", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such folder" in missing.stderr


class _Done(Exception):
    """The oracle's inputs are used up where the call waits."""


class _Seen:
    """Keeps every request a transport answers (URL and parameters, SIDs included)."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.requests: set[tuple[str, tuple[tuple[str, str], ...]]] = set()

    def fetch(self, request: Request) -> Reply:
        self.requests.add((request.url, request.params))
        return self.inner.fetch(request)


def _one_session(target: TestTarget, case: Case, transport: Transport) -> tuple[list[str], list[str], str]:
    """The oracle: one fresh Session per case, inputs given one at a time (as `twiml call` does)."""
    queue = [parse_input(label) for label in case.inputs]

    def decide(ask: Ask) -> DialOutcome | RecordOutcome | QueueOutcome:
        if not queue or queue[0][0] != ask.kind:
            raise _Done
        got = queue.pop(0)[1]
        assert not isinstance(got, GatherInput)
        return got

    options = Options(seed=SEED, max_steps=MAX_STEPS)
    kind: Kind = "messaging" if case.channel == "messaging" else "voice"
    session = Session(transport, target.absolute(case.start), options, kind=kind)
    session.decide = decide
    with contextlib.suppress(_Done):
        session.start(case.body or "")
        while session.waiting is not None and queue and queue[0][0] == "gather":
            got = queue.pop(0)[1]
            assert isinstance(got, GatherInput)
            session.answer(got)
    requests = [f"{f.request.method} {target.relative(f.request.url)}" for f in session.requests]
    heard = [
        ("♪ " if v.name == "Play" else "") + " ".join(v.text.split())
        for v in session.verbs
        if v.name in ("Say", "Play")
    ]
    return requests, heard, session.ended.reason if session.ended else "waits"


def test_shared_prefix_replay_gives_what_one_session_per_case_gives() -> None:
    target = open_test_target(str(SAMPLES))
    cases = cases_from_map(target.explore(), target)
    shared, single = _Seen(target.transport), _Seen(target.transport)
    played = play_all(target, cases, shared)
    for case, got in zip(cases, played, strict=True):
        requests, heard, end = _one_session(target, case, single)
        assert [s.request for s in got.steps] == requests, case.name
        assert [line for s in got.steps for line in s.heard] == heard, case.name
        assert got.end == end or (end == "waits" and got.end.startswith("waits: ")), case.name
    assert shared.requests == single.requests  # the same requests, the same seeded SIDs


def test_the_number_a_dial_rings_is_part_of_the_case(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    assert run("test", "--generate", str(folder)).returncode == 0
    replace(folder / "sales.xml", "+15557650001", "+15557650009")
    result = run("test", str(folder), "--format", "json")
    assert result.returncode == 1
    [change] = json.loads(result.stdout)["changes"]
    assert (change["summary"], change["was"], change["now"]) == (
        "<Number> target changed in sales.xml",
        "+15557650001",
        "+15557650009",
    )
    assert change["paths"] == [
        "press 1, dial busy, recording 5 s",
        "press 1, dial busy, silence",
        "press 1, dial completed",
        'say "sales"',
    ]


def test_a_prompt_added_inside_a_gather_is_one_change(tmp_path: Path) -> None:
    folder = copy_samples(tmp_path)
    assert run("test", "--generate", str(folder)).returncode == 0
    text = (folder / "flow_tests.toml").read_text(encoding="utf-8")
    assert '"Gather/Say language=en-US voice=Polly.Joanna-Neural (×5)",' in text  # equal lines in a row, once
    said = '<Say language="en-US" voice="Polly.Joanna-Neural">To speak with an operator, press 0.</Say>'
    replace(folder / "ivr_main_menu.xml", said, said + "<Say>For French, press 9.</Say>")
    result = run("test", str(folder), "--format", "json")
    assert [(c["summary"], c["was"], c["now"]) for c in json.loads(result.stdout)["changes"]] == [
        ("prompt added in ivr_main_menu.xml", "", "For French, press 9.")
    ]
