"""Packaging hook: ships sample_flows/ inside the editor package (as editor/sample_flows) so an
installed editor finds its templates.  Everything else about the package is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SAMPLES = Path(__file__).resolve().parent / "sample_flows"


class BuildWithSamples(build_py):  # type: ignore[misc]
    """build_py plus a copy of sample_flows/ (every file, subfolders too) into editor/."""

    def run(self) -> None:
        super().run()
        if SAMPLES.is_dir():
            target = Path(self.build_lib) / "editor" / "sample_flows"
            shutil.copytree(SAMPLES, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithSamples})
