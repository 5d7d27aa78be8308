"""An installed (not editable) package ships the sample flows the template picker offers, and
`twiml-editor --version` answers (issue 10 items 10 and 11)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from editor.screens.templates import templates

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("twiml", "editor", "sample_flows", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def test_wheel_ships_the_sample_flows_and_the_picker_finds_them(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:  # a clean copy: no stale build/ from the checkout can leak into the wheel
        item = ROOT / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(item, source / name)
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    samples = sorted(p.relative_to(ROOT / "sample_flows").as_posix() for p in (ROOT / "sample_flows").rglob("*.xml"))
    assert samples
    assert {f"editor/sample_flows/{s}" for s in samples} <= names
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "twiml-editor = editor.__main__:main" in scripts  # the start that pauses the collector

    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    script = (
        "import json; from editor.screens.templates import template_dir, templates;"
        "print(json.dumps([str(template_dir()), [n for n, _, _ in templates()]]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed)},
        check=True,
        capture_output=True,
    )
    folder, found = json.loads(out.stdout)
    assert Path(folder) == installed / "editor" / "sample_flows"
    assert sorted(found) == sorted(s.removesuffix(".xml").replace("_", " ") for s in samples)


def test_templates_are_found_in_subfolders_and_described_in_whole_words(tmp_path: Path) -> None:
    (tmp_path / "support" / "routes").mkdir(parents=True)
    long = "Weekly team bridge: hold music until the moderator joins; recorded from the start, " * 2
    (tmp_path / "support" / "routes" / "main_menu.xml").write_text(f"<!-- {long} --><Response/>", encoding="utf-8")
    (tmp_path / "top.xml").write_text("<Response/>", encoding="utf-8")
    found = {name: doc for name, doc, _ in templates(tmp_path)}
    assert set(found) == {"support/routes/main menu", "top"}
    doc = found["support/routes/main menu"]
    assert doc.endswith(" …") and len(doc) <= 90
    assert long.startswith(doc.removesuffix(" …") + " ")  # cut between words


def test_editor_version_option() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "editor", "--version"], cwd=ROOT, env={"PYTHONPATH": str(ROOT)}, capture_output=True
    )
    assert out.returncode == 0
    assert out.stdout.decode().startswith("twiml-editor 0.")
