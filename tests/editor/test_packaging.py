"""An installed (not editable) package ships the sample flows the template picker offers, and
`twiml-editor --version` answers (issue 10 items 10 and 11)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from twiml_editor.screens.templates import templates

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("twiml", "editor", "sample_flows", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def build_wheel(tmp_path: Path) -> Path:
    """A wheel built from a clean copy of the sources (no stale build/ from the checkout leaks in)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in SOURCES:
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
    return wheel


def test_wheel_ships_the_sample_flows_and_the_picker_finds_them(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    samples = sorted(p.relative_to(ROOT / "sample_flows").as_posix() for p in (ROOT / "sample_flows").rglob("*.xml"))
    assert samples
    assert {f"twiml_editor/sample_flows/{s}" for s in samples} <= names
    assert not any(n.startswith("editor/") for n in names)  # PyPI's `editor` owns that name
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "twiml-editor = twiml_editor.__main__:main" in scripts  # the start that pauses the collector

    installed = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(installed)
    script = (
        "import json; from twiml_editor.screens.templates import template_dir, templates;"
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
    assert Path(folder) == installed / "twiml_editor" / "sample_flows"
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
    out = subprocess.run([sys.executable, "-m", "twiml_editor", "--version"], cwd=ROOT, capture_output=True)
    assert out.returncode == 0
    assert out.stdout.decode().startswith("twiml-editor 0.")


@pytest.mark.slow
def test_installs_beside_pypis_editor_package(tmp_path: Path) -> None:
    """PyPI's `editor` (and `python-editor`) own the top-level module `editor`; ours installs as
    `twiml_editor`, so both work in one environment whichever was installed last."""
    wheel = build_wheel(tmp_path)
    env_dir = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, capture_output=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Our dependencies come from this test's environment, after the new venv's own packages.
    deps = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "outer.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    pip: list[str | Path] = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    theirs = subprocess.run([*pip, "editor"], capture_output=True, text=True)
    if theirs.returncode and ("connection" in theirs.stderr.lower() or "no matching" in theirs.stderr.lower()):
        pytest.skip(f"PyPI not reachable: {theirs.stderr.strip()[-200:]}")
    assert theirs.returncode == 0, theirs.stderr
    for step in ([*pip, "--no-deps", str(wheel)], [*pip, "--no-deps", "--force-reinstall", "editor"]):
        subprocess.run(step, check=True, capture_output=True)
        ours = subprocess.run(
            [env_dir / "bin" / "twiml-editor", "--version"], capture_output=True, text=True, cwd=tmp_path
        )
        assert ours.returncode == 0 and ours.stdout.startswith("twiml-editor 0."), ours.stderr
        check = "import editor, twiml_editor; assert callable(editor.editor); print(editor.__file__)"
        out = subprocess.run([python, "-c", check], capture_output=True, text=True, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        assert "site-packages" in out.stdout and "twiml_editor" not in out.stdout
