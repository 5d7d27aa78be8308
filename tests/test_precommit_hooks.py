"""`.pre-commit-hooks.yaml`: pre-commit itself runs the three hooks on a temporary git repository.

The hooks run as `repo: local` with the manifest's own entries, args and file filters, and
`language: system` (this environment's `twiml`): a `language: python` hook from a clone would
have pip fetch the project's dependencies, and the suite stays off the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")  # pre-commit's own dependency
pytest.importorskip("pre_commit")

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _config() -> str:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["twiml-validate", "twiml-format", "twiml-map"]
    local = []
    for h in hooks:
        assert h["language"] == "python"
        local.append({**h, "language": "system"})
    text: str = yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]})
    return text


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def _run(repo: Path, home: Path) -> tuple[int, str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("VIRTUAL_ENV", None)
    done = subprocess.run(
        [str(BIN / "pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.slow  # four pre-commit runs, each starting the three hooks: ~9 s
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_runs_the_three_hooks(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "sample_flows", repo / "flows")
    (repo / "calls").mkdir()
    (repo / "calls" / "menu.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather numdigits="1"/>\n</Response>\n'
    )
    (repo / ".pre-commit-config.yaml").write_text(_config())
    # a route to a file that is not there: a broken link for twiml map
    with open(repo / "flows" / "flow.toml", "a", encoding="utf-8") as fh:
        fh.write('"/lost" = "lost.xml"\n')
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    status, out = _run(repo, tmp_path / "home")
    assert status == 1, out
    assert "calls/menu.xml:3:11: warning 12200 <Gather> has no attribute 'numdigits'" in out
    assert "lost.xml" in out and "twiml map" in out
    for hook in ("twiml validate", "twiml format", "twiml map"):
        assert any(line.startswith(hook) for line in out.splitlines()), out

    (repo / "calls" / "menu.xml").write_text("<Response><Gather numDigits='1'/></Response>")
    lines = (repo / "flows" / "flow.toml").read_text(encoding="utf-8").splitlines()
    (repo / "flows" / "flow.toml").write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    _git(repo, "add", "-A")
    status, out = _run(repo, tmp_path / "home")
    assert status == 1 and "would reformat calls/menu.xml" in out, out
    assert "Passed" in out  # validate and map pass now

    # the same hook writes with `args: [--write]`
    config = (repo / ".pre-commit-config.yaml").read_text().replace("- --check", "- --write")
    (repo / ".pre-commit-config.yaml").write_text(config)
    _git(repo, "add", "-A")
    status, out = _run(repo, tmp_path / "home")
    assert status == 1 and "files were modified by this hook" in out, out
    assert (repo / "calls" / "menu.xml").read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n')
    _git(repo, "add", "-A")
    status, out = _run(repo, tmp_path / "home")
    assert status == 0, out
