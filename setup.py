"""Packaging hook: the editor's folder `editor/` installs as the package `twiml_editor` (PyPI's
`editor` and `python-editor` own the top-level name `editor`), and sample_flows/ ships inside it
(as twiml_editor/sample_flows) so an installed editor finds its templates.  Everything else about
the package is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SAMPLES = ROOT / "sample_flows"
EDITOR = "twiml_editor"


class BuildWithSamples(build_py):  # type: ignore[misc]
    """build_py plus a copy of sample_flows/ (every file, subfolders too) into twiml_editor/."""

    def run(self) -> None:
        super().run()
        if SAMPLES.is_dir():
            target = Path(self.build_lib) / EDITOR / "sample_flows"
            shutil.copytree(SAMPLES, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(
    packages=find_packages(include=["twiml", "twiml.*"])
    + [EDITOR + name[len("editor") :] for name in find_packages(include=["editor", "editor.*"])],
    package_dir={EDITOR: "editor"},
    cmdclass={"build_py": BuildWithSamples},
)
