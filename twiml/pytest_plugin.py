"""The `pytest11` entry point: twiml.flowtest's coverage plugin (`pytest --twiml-cov=TARGET`),
with Studio flows (.json) among its targets.

The hooks are twiml.flowtest.pytest_plugin's; this module only adds the Studio opener when
coverage is asked for. It lives above both packages because twiml.studio builds on
twiml.flowtest, so twiml.flowtest cannot import it (as twiml.cli joins them for the commands).
"""

from __future__ import annotations

import pytest

from twiml.flowtest import pytest_plugin as _flowtest
from twiml.flowtest.pytest_plugin import (
    pytest_addoption,
    pytest_runtest_teardown,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_teardown",
    "pytest_sessionfinish",
    "pytest_terminal_summary",
    "pytest_testnodedown",
]


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--twiml-cov", None):
        from twiml.studio.targets import register

        register()
    _flowtest.pytest_configure(config)
