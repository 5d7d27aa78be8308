"""pytest plugin: coverage of a phone tree by the tests' calls. Its `pytest11` entry point is
twiml.pytest_plugin, these hooks plus Studio flows among the targets.

Off unless asked: `pytest --twiml-cov=sample_flows/` (a flow folder, a Studio flow .json, a URL, or with
`--twiml-cov-app=MODULE:ATTR` the path an app's calls start at) records every simulator Session the tests
make (`twiml.testing.Call`/`Text`, the CLI in process), writes the walks to `.twiml-coverage` in
the current folder, and prints what of TARGET's map they walked and what they did not;
`--twiml-cov-fail-under=PERCENT` fails the run below that. `twiml coverage TARGET` reports the
same data again (text, JSON, Mermaid).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

_KEY = pytest.StashKey["_Recorder"]()


class _Recorder:
    """The sessions of the run (turned into walks after each test) and the report at the end."""

    def __init__(self, target: str, app: str | None, fail_under: float | None, auth_token: str | None = None) -> None:
        from twiml.simulator.driver import watch_sessions

        self.target = target
        self.app = app
        self.auth_token = auth_token
        """Signs the requests that map an app or URL (as `twiml coverage --auth-token`)."""
        self.fail_under = fail_under
        self.sessions: list[Any] = []
        self.walks: list[dict[str, Any]] = []
        self.report = ""
        self.percent: float | None = None
        self.error = ""
        self.worker = False
        """An xdist worker: its walks go to the controller, which writes and reports them."""
        self.stop = watch_sessions(self.sessions.append)

    def collect(self) -> None:
        from twiml.flowtest.coverage import walk_of

        self.walks += [walk_of(s) for s in self.sessions]
        self.sessions.clear()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("twiml", "coverage of a TwiML flow by the tests' calls")
    group.addoption(
        "--twiml-cov",
        metavar="TARGET",
        default=None,
        help="record the calls the tests make and report coverage of TARGET's map (a flow folder, a Studio flow .json)",
    )
    group.addoption(
        "--twiml-cov-fail-under",
        metavar="PERCENT",
        type=float,
        default=None,
        help="fail the run when the flow coverage is below PERCENT",
    )
    group.addoption(
        "--twiml-cov-auth-token",
        metavar="TOKEN",
        default=None,
        help="sign the requests that map an app or URL target (default: $TWILIO_AUTH_TOKEN)",
    )
    group.addoption(
        "--twiml-cov-app",
        metavar="MODULE:ATTR",
        default=None,
        help="the target is this WSGI/ASGI app; --twiml-cov is then the path its calls start at",
    )


def pytest_configure(config: pytest.Config) -> None:
    target = config.getoption("--twiml-cov", None)
    if target:
        app = config.getoption("--twiml-cov-app", None)
        token = config.getoption("--twiml-cov-auth-token", None) or os.environ.get("TWILIO_AUTH_TOKEN")
        config.stash[_KEY] = _Recorder(target, app, config.getoption("--twiml-cov-fail-under", None), token)


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    recorder = item.config.stash.get(_KEY, None)
    if recorder is not None:
        recorder.collect()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: a worker's walks come back to the controller, which reports them all."""
    recorder = node.config.stash.get(_KEY, None)
    output = getattr(node, "workeroutput", None) or {}
    if recorder is not None:
        recorder.walks += output.get("twiml_walks", [])


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    recorder = session.config.stash.get(_KEY, None)
    if recorder is None:
        return
    recorder.collect()
    recorder.stop()
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller writes and reports
        workeroutput["twiml_walks"] = recorder.walks
        recorder.worker = True
        return
    from twiml.flowtest.coverage import DATA_FILE, dead_start, measure, render, save_walks
    from twiml.flowtest.targets import TargetError, open_test_target

    save_walks(recorder.walks, Path(DATA_FILE))
    try:
        target = open_test_target(recorder.target, recorder.app)
    except TargetError as exc:
        recorder.error = f"twiml coverage: {exc}"
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    target.auth_token = recorder.auth_token
    try:
        flow_map = target.explore()
    finally:
        target.close()
    dead = dead_start(flow_map)
    if dead is not None:
        recorder.error = f"twiml coverage: {target.label}: the start does not answer ({dead}); nothing to measure"
        session.exitstatus = pytest.ExitCode.USAGE_ERROR
        return
    routes = target.flow.routes if target.flow is not None else None
    coverage = measure(flow_map, recorder.walks, routes, target.map_namer)
    recorder.percent = coverage.percent
    recorder.report = render(coverage, "text", target.label)
    if recorder.fail_under is not None and coverage.percent < recorder.fail_under and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    recorder = config.stash.get(_KEY, None)
    if recorder is None:
        return
    if recorder.worker:
        return
    terminalreporter.section("twiml flow coverage")
    if recorder.error:
        terminalreporter.write_line(recorder.error)
        return
    terminalreporter.write(recorder.report)
    terminalreporter.write_line(f"coverage data written to {Path('.twiml-coverage').resolve()}")
    if recorder.fail_under is not None and recorder.percent is not None and recorder.percent < recorder.fail_under:
        terminalreporter.write_line(
            f"FAIL: flow coverage {recorder.percent:.1f}% is below --twiml-cov-fail-under={recorder.fail_under:g}"
        )
