"""Shared set-up for the editor's Pilot and snapshot tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "sample_flows"


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own key configuration."""
    monkeypatch.delenv("TWIML_EDITOR_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture(autouse=True, scope="session")
def _short_idle_windows() -> None:
    """Pilot's `press` waits after every key until the process looks idle: windows of
    `SLEEP_GRANULARITY` (20 ms) until one passes with under 1 ms of CPU. Windows of 5 ms keep that
    rule (the CPU threshold is unchanged) at a quarter of the wait per key."""
    import textual._wait

    textual._wait.SLEEP_GRANULARITY = 0.005


@pytest.fixture
def flow(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The test module's `XML` written to a file of its own (each Pilot test module has one)."""
    path = tmp_path / "flow.xml"
    path.write_text(request.module.XML, encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A copy of sample_flows/ (a flow folder) that a test may change."""
    target = tmp_path / "flow"
    shutil.copytree(SAMPLES, target)
    return target
