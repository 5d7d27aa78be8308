"""Atomic save and guarded reads."""

from __future__ import annotations

import errno
import os
import signal
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from twiml import files
from twiml.errors import TwiMLParseError
from twiml.files import ReadOnlyFileError, atomic_write, read_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no fcntl module on Windows


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "flow.xml"
    atomic_write(target, "<Response />\n")
    assert target.read_text(encoding="utf-8") == "<Response />\n"
    atomic_write(target, "<Response><Say>é ☎</Say></Response>")
    assert target.read_bytes() == "<Response><Say>é ☎</Say></Response>".encode()
    assert leftovers(tmp_path) == []


def test_atomic_write_keeps_newlines_verbatim(tmp_path: Path) -> None:
    target = tmp_path / "f.xml"
    atomic_write(target, "a\nb\r\nc")
    assert target.read_bytes() == b"a\nb\r\nc"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "f.xml"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_file_gets_umask_mode_not_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "n.xml", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.xml").stat().st_mode) == 0o644


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_atomic_write_through_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_text("old")
    link = tmp_path / "link.xml"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink()
    assert real.read_text() == "new"


def test_failed_write_leaves_original_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "flow.xml"
    target.write_text("original")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)  # the module twiml.files calls
    with pytest.raises(OSError, match="No space"):
        atomic_write(target, "new content")
    assert target.read_text() == "original"
    assert leftovers(tmp_path) == []


def test_unencodable_text_fails_before_touching_disk(tmp_path: Path) -> None:
    target = tmp_path / "flow.xml"
    target.write_text("original")
    with pytest.raises(UnicodeEncodeError):
        atomic_write(target, "lone \ud800 surrogate")
    assert target.read_text() == "original"
    assert leftovers(tmp_path) == []


def test_write_into_missing_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        atomic_write(tmp_path / "nope" / "f.xml", "x")


def test_read_text_utf8_and_bom(tmp_path: Path) -> None:
    p = tmp_path / "a.xml"
    p.write_bytes(b"\xef\xbb\xbf<Response>\xc3\xa9</Response>")
    assert read_text(p) == "<Response>é</Response>"


def test_read_text_missing_file_message_names_file(tmp_path: Path) -> None:
    p = tmp_path / "missing.xml"
    with pytest.raises(FileNotFoundError) as info:
        read_text(p)
    assert "missing.xml" in str(info.value)
    assert "cannot read" in str(info.value)


def test_read_text_directory(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError, match="directory"):
        read_text(tmp_path)


def test_read_text_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.xml"
    p.write_text("<Response/>" * 10)
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 50)
    with pytest.raises(OSError, match="refusing"):
        read_text(p)


def test_read_text_invalid_utf8_is_a_parse_error_with_position(tmp_path: Path) -> None:
    p = tmp_path / "latin.xml"
    p.write_bytes(b"<Response>\n  <Say>caf\xe9</Say>\n</Response>")
    with pytest.raises(TwiMLParseError) as info:
        read_text(p)
    err = info.value
    assert (err.line, err.column) == (2, 11)
    assert err.filename == str(p)
    assert "UTF-8" in err.message


# --- read-only files, hard links, ownership, temp names (issue 8 item 5) ---------------------------


def test_read_only_file_is_not_replaced_without_consent(tmp_path: Path) -> None:
    target = tmp_path / "locked.xml"
    target.write_text("original")
    target.chmod(0o444)
    with pytest.raises(ReadOnlyFileError) as info:
        atomic_write(target, "new")
    assert isinstance(info.value, PermissionError)
    assert info.value.filename == str(target)
    assert "locked.xml" in str(info.value) and "read-only" in str(info.value)
    assert target.read_text() == "original"
    atomic_write(target, "new", replace_read_only=True)
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # still read-only afterwards
    assert leftovers(tmp_path) == []


def test_bytes_are_written_as_given(tmp_path: Path) -> None:
    target = tmp_path / "latin.xml"
    data = '<?xml version="1.0" encoding="ISO-8859-1"?><Response><Say>caf\xe9</Say></Response>'.encode("latin-1")
    atomic_write(target, data)
    assert target.read_bytes() == data


def test_hard_links_stay_linked(tmp_path: Path) -> None:
    target = tmp_path / "flow.xml"
    target.write_text("old content that is longer than the new one")
    other = tmp_path / "other-name.xml"
    os.link(target, other)
    inode = target.stat().st_ino
    atomic_write(target, "new")
    assert target.stat().st_ino == inode
    assert other.read_text() == "new" and target.stat().st_nlink == 2
    atomic_write(other, "a longer text than before, through the second name")
    assert target.read_text() == "a longer text than before, through the second name"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.xml", "other-name.xml"]  # no backup left


def test_hard_linked_write_that_fails_restores_the_old_content(tmp_path: Path) -> None:
    """A real failure in the middle of writing in place (the file's size limit, RLIMIT_FSIZE, a
    stand-in for a full disk) puts the old bytes back and leaves no backup behind."""
    resource = pytest.importorskip("resource")
    target = tmp_path / "flow.xml"
    target.write_text("old")
    os.link(target, tmp_path / "link.xml")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:
            os.close(read_end)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
            resource.setrlimit(resource.RLIMIT_FSIZE, (1000, 1000))
            try:
                atomic_write(target, "x" * 5000)
            except OSError as exc:
                os.write(write_end, f"{exc.errno} {exc.filename}".encode())
                code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        reported = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert reported == f"{errno.EFBIG} {target}"
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flow.xml", "link.xml"]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give files away")
def test_owner_and_group_are_kept_when_run_as_root(tmp_path: Path) -> None:
    target = tmp_path / "theirs.xml"
    target.write_text("old")
    os.chown(target, 65534, 65534)
    target.chmod(0o640)
    atomic_write(target, "new")
    st = target.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o640)
    assert target.read_text() == "new"


def test_longest_file_name_works(tmp_path: Path) -> None:
    target = tmp_path / ("f" * 251 + ".xml")  # 255 bytes, the usual limit for one name
    atomic_write(target, "<Response/>")
    atomic_write(target, "<Response></Response>")
    assert target.read_text() == "<Response></Response>"
    assert leftovers(tmp_path) == []


def test_temp_names_are_short_and_ours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(os.path.basename(src))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write(tmp_path / ("g" * 200 + ".xml"), "x")
    assert len(seen) == 1 and seen[0].startswith(files.TEMP_PREFIX) and len(seen[0]) < 30


def age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_stale_temps_of_ours_are_cleaned_on_the_next_save(tmp_path: Path) -> None:
    (tmp_path / "flow.xml").write_text("x")
    stale = tmp_path / ".twiml-abcd1234.tmp"
    old_style = tmp_path / ".flow.xml.k3j4h5g6.tmp"  # earlier versions named temps after the target
    fresh = tmp_path / ".twiml-fresh123.tmp"  # maybe a save under way right now
    unrelated = tmp_path / ".someone-else.tmp"
    backup = tmp_path / ".twiml-bak12345.bak"  # a failed in-place write's backup: the user's data
    for p in (stale, old_style, fresh, unrelated, backup):
        p.write_text("leftover")
    for p in (stale, old_style, unrelated, backup):
        age(p, files.STALE_TEMP_SECONDS + 60)
    atomic_write(tmp_path / "flow.xml", "new")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["flow.xml", fresh.name, unrelated.name, backup.name])


@pytest.mark.skipif(fcntl is None, reason="POSIX locks")
def test_stale_temp_in_use_by_another_save_is_kept(tmp_path: Path) -> None:
    busy = tmp_path / ".twiml-busy1234.tmp"
    busy.write_text("being written")
    age(busy, files.STALE_TEMP_SECONDS + 60)
    with open(busy, "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        # flock locks belong to the open file description: a second open in this process conflicts too
        atomic_write(tmp_path / "flow.xml", "x")
        assert busy.exists()
    atomic_write(tmp_path / "flow.xml", "y")
    assert not busy.exists()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to make a directory read-only")
def test_errors_name_the_users_file_not_the_temp_file(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "flow.xml"
    target.write_text("old")
    folder.chmod(0o555)

    def job() -> None:
        os.setgid(65534)
        os.setuid(65534)
        atomic_write(target, "new", replace_read_only=True)

    message = in_child(job)
    assert message == f"PermissionError {target} Permission denied"
    assert target.read_text() == "old"


def in_child(job: Callable[[], None]) -> str:
    """Run `job` in a forked child; the OSError it raised as 'type filename strerror'."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        try:
            os.close(read_end)
            job()
            os.write(write_end, b"no error")
        except OSError as exc:
            os.write(write_end, f"{type(exc).__name__} {exc.filename} {exc.strerror}".encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        out = pipe.read().decode()
    os.waitpid(pid, 0)
    return out


def test_symlink_loop_is_an_oserror_naming_the_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(OSError, match="symbolic links") as info:
        atomic_write(a, "x")
    assert info.value.filename == str(a)


def test_directory_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as info:
        atomic_write(tmp_path, "x")
    assert info.value.filename == str(tmp_path)


def test_read_bytes_refuses_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    for name in (fifo, Path("/dev/zero")):
        with pytest.raises(OSError, match="not a regular file") as info:
            files.read_bytes(name)
        assert info.value.filename == str(name)
