"""Atomic save and guarded reads."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from twiml import files
from twiml.errors import TwiMLParseError
from twiml.files import atomic_write, read_text


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
