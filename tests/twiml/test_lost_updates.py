"""Lost updates (issue 19, case 11): a file another program changed is never replaced behind its
back, in-place writes of hard-linked files hold a lock our readers wait for, and a same-size
change with the modification time put back is still seen."""

from __future__ import annotations

import fcntl
import io
import os
import threading
from pathlib import Path

import pytest

import twiml.cli
import twiml.cli_io
from twiml import files
from twiml.cli import main
from twiml.files import ChangedOnDiskError, FileStamp, atomic_write, read_bytes

UGLY = b"<Response><Say>one</Say></Response>"
EXTERNAL = b"<Response><Say>two</Say></Response>"


def test_format_write_keeps_a_change_made_while_it_was_formatting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(UGLY)
    parse = twiml.cli_io.parse_document

    def parse_while_another_program_writes(data: bytes) -> object:
        path.write_bytes(EXTERNAL)  # the other program's write lands between our read and replace
        return parse(data)

    monkeypatch.setattr(twiml.cli, "parse_document", parse_while_another_program_writes)
    err = io.StringIO()
    status = main(["format", "--write", str(path)], stdout=io.StringIO(), stderr=err)
    assert status == 2 and "another program changed it" in err.getvalue()
    assert path.read_bytes() == EXTERNAL


@pytest.mark.parametrize("links", [1, 2])
def test_atomic_write_with_expected_refuses_a_changed_file(tmp_path: Path, links: int) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(EXTERNAL)
    if links == 2:
        os.link(path, tmp_path / "other.xml")
    with pytest.raises(ChangedOnDiskError, match="another program changed the file"):
        atomic_write(path, "new", expected=UGLY)
    assert path.read_bytes() == EXTERNAL
    atomic_write(path, "new", expected=EXTERNAL)
    assert path.read_bytes() == b"new"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".twiml-")]


def test_an_in_place_write_holds_an_exclusive_lock_for_its_whole_length(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(UGLY)
    os.link(path, tmp_path / "other.xml")
    attempts: list[bool] = []
    overwrite = files._overwrite

    def overwrite_and_probe(target: Path, blob: bytes) -> None:
        probe = os.open(target, os.O_RDONLY)
        try:
            fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)
            attempts.append(True)
        except BlockingIOError:
            attempts.append(False)
        finally:
            os.close(probe)
        overwrite(target, blob)

    monkeypatch.setattr(files, "_overwrite", overwrite_and_probe)
    atomic_write(path, "<Response/>")
    assert attempts == [False]  # a reader asking for the lock mid-write is kept waiting
    assert (tmp_path / "other.xml").read_bytes() == b"<Response/>"


def test_read_bytes_waits_for_a_writers_lock(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(UGLY)
    writer = os.open(path, os.O_RDWR)
    fcntl.flock(writer, fcntl.LOCK_EX)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(read_bytes(path)))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and not got  # still waiting for the half-written file
    os.pwrite(writer, EXTERNAL, 0)
    fcntl.flock(writer, fcntl.LOCK_UN)
    os.close(writer)
    reader.join()
    assert got == [EXTERNAL]


def test_a_same_size_change_with_the_old_mtime_is_still_a_change(tmp_path: Path) -> None:
    path = tmp_path / "doc.xml"
    path.write_bytes(UGLY)
    stamp = FileStamp.of(path, UGLY)
    assert stamp is not None and not stamp.changed(path)
    before = path.stat()
    path.write_bytes(EXTERNAL)  # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p / touch -r leave it
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    assert stamp.changed(path)
    os.utime(path)  # touched but identical to what we stamped: not a change
    stamp = FileStamp.of(path, EXTERNAL)
    os.utime(path, ns=(1, 1))
    assert stamp is not None and not stamp.changed(path)
