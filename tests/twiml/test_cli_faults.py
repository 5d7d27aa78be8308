"""The `twiml` command under faults: every file's failure is one line (exit 2) and the other files
are still processed; output problems (ASCII-only terminals, `| head`, a full disk) never end in
a traceback. Real files, real processes, real pipes and /dev/full."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import twiml
from twiml.cli import main

ROOT = Path(__file__).resolve().parents[2]
VALID = "<Response><Say>Hello</Say></Response>\n"
UNFORMATTED = "<Response><Say>caf\u00e9 \u260e</Say></Response>"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def cli(
    *argv: str, env: dict[str, str] | None = None, stdout: Any = subprocess.PIPE
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "twiml", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        check=False,
    )


def in_child(job: Callable[[], int], *, user: int | None = None) -> tuple[int, str]:
    """Run `job` (returning an exit status) in a forked child, optionally as another user; its
    status and what it wrote to stderr."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        status = 99
        try:
            os.close(read_end)
            os.dup2(write_end, 2)
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115 (the forked child keeps it until it exits)
            if user is not None:
                os.setgid(user)
                os.setuid(user)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            status = job()
            sys.stderr.flush()
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        err = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), err


@pytest.fixture
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Files in a folder that user `nobody` can reach (pytest's own temp root is private to root)."""
    tmp_path = Path(tempfile.mkdtemp(prefix="twiml-cli-"))
    tmp_path.chmod(0o755)
    try:
        yield from _filled(tmp_path)
    finally:
        tmp_path.chmod(0o755)
        shutil.rmtree(tmp_path)


def _filled(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "a.xml").write_text(UNFORMATTED, encoding="utf-8")
    (tmp_path / "hex.xml").write_bytes(b'<?xml version="1.0" encoding="hex"?><Response/>')
    (tmp_path / "z.xml").write_text(UNFORMATTED, encoding="utf-8")
    yield tmp_path


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out == f"twiml {twiml.__version__}\n"


def test_version_constant_matches_pyproject() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["version"] == twiml.__version__


def test_bad_encodings_and_unreadable_inputs_do_not_stop_the_others(folder: Path) -> None:
    fifo = folder / "pipe.xml"
    os.mkfifo(fifo)  # nobody writes to it: must not block
    names = [str(folder / n) for n in ("a.xml", "hex.xml", "missing.xml", "pipe.xml", "z.xml")] + [str(folder)]
    code, out, err = run("validate", *names)
    assert code == 2
    assert err.splitlines() == [
        f"twiml: {folder / 'missing.xml'}: cannot read: No such file or directory",
    ]  # the folder stands for its regular .xml files, each checked once (the FIFO only when named)
    assert f"{folder / 'hex.xml'}:1:31: error 12100 unsupported encoding 'hex'" in out.splitlines()
    assert f"{folder / 'pipe.xml'}:1:1: error 12100 Document is empty" in out.splitlines()


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to act as another user")
def test_format_write_in_read_only_directory_reports_each_file(folder: Path) -> None:
    folder.chmod(0o555)
    for p in folder.iterdir():
        p.chmod(0o666)
    names = [str(folder / "a.xml"), str(folder / "hex.xml"), str(folder / "z.xml")]
    code, err = in_child(lambda: main(["format", "--write", *names]), user=65534)
    assert code == 2
    lines = err.splitlines()
    assert lines == [
        f"twiml: {names[0]}: cannot write: Permission denied",
        f"{names[1]}:1:31: error 12100 unsupported encoding 'hex'",
        f"twiml: {names[2]}: cannot write: Permission denied",
    ]
    assert (folder / "a.xml").read_text(encoding="utf-8") == UNFORMATTED


@pytest.mark.skipif(not hasattr(os, "fork") or os.geteuid() != 0, reason="needs root to act as another user")
def test_unreadable_file_is_one_line(folder: Path) -> None:
    (folder / "secret.xml").write_text(VALID)
    (folder / "secret.xml").chmod(0o600)
    folder.chmod(0o755)
    names = [str(folder / "secret.xml"), str(folder / "a.xml")]
    code, err = in_child(lambda: main(["validate", *names]), user=65534)
    assert code == 2
    assert err == f"twiml: {names[0]}: cannot read: Permission denied\n"


def test_format_write_on_a_full_file_system_keeps_going(folder: Path) -> None:
    """A real write failure (the process's file size limit, EFBIG, standing in for ENOSPC) on the
    first file; the second is still written and the first is untouched."""
    resource = pytest.importorskip("resource")
    big = folder / "a.xml"
    big.write_text("<Response>" + "<Say>x</Say>" * 200 + "</Response>", encoding="utf-8")
    small = folder / "z.xml"
    small.write_text("<Response><Say>x</Say></Response>", encoding="utf-8")
    before = big.read_bytes()

    def job() -> int:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
        return main(["format", "--write", str(big), str(small)])

    code, err = in_child(job)
    assert code == 2
    assert err == f"twiml: {big}: cannot write: File too large\n"
    assert big.read_bytes() == before
    assert small.read_text(encoding="utf-8").startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n')
    assert sorted(p.name for p in folder.iterdir()) == ["a.xml", "hex.xml", "z.xml"]


def test_read_only_file_is_not_replaced_by_format_write(folder: Path) -> None:
    target = folder / "a.xml"
    target.chmod(0o444)
    code, _, err = run("format", "--write", str(target), str(folder / "z.xml"))
    assert code == 2
    assert err == f"twiml: {target}: not written: the file is read-only\n"
    assert target.read_text(encoding="utf-8") == UNFORMATTED
    assert (folder / "z.xml").read_text(encoding="utf-8") != UNFORMATTED


def test_ascii_only_stdout_escapes_instead_of_crashing(folder: Path) -> None:
    result = cli("format", str(folder / "a.xml"), env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert b"<Say>caf\\xe9 \\u260e</Say>" in result.stdout
    result = cli("validate", str(folder / "a.xml"), "--format", "json", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and result.stderr == b""


def test_full_stdout_is_one_line_exit_2(folder: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "wb") as full:
        result = cli("format", str(folder / "a.xml"), stdout=full)
    assert result.returncode == 2
    assert result.stderr == b"twiml: cannot write the output: No space left on device\n"


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    many = tmp_path / "many.xml"
    many.write_text("<Response>" + "<Unknown/>" * 20_000 + "</Response>", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "twiml", "validate", str(many)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert b"many.xml:1:" in proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 141
    assert err == b""
