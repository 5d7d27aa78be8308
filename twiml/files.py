"""File access for the CLI and the editor: atomic writes and guarded reads.

A save must never leave a half-written or truncated file behind (a crash or a full disk in the
middle of a plain ``open(path, "w")`` would destroy the user's flow), so every write goes to a
temporary file beside the target and replaces it in one ``os.replace``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from twiml.errors import TwiMLParseError

__all__ = ["MAX_FILE_BYTES", "atomic_write", "read_text"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Refuse to load anything larger: TwiML documents are at most a few hundred kilobytes, and a
multi-gigabyte file picked by mistake would otherwise freeze the editor."""


def _target(path: Path) -> Path:
    """Where the bytes really go: follow a symlink so saving keeps the link instead of replacing it."""
    try:
        if path.is_symlink():
            return path.resolve()
    except OSError:
        pass
    return path


def _new_file_mode() -> int:
    """Mode an ordinary new file would get (0666 minus the umask); mkstemp's 0600 would surprise users."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, text: str) -> None:
    """Write `text` (UTF-8, newlines as given) to `path` all at once.

    Writes a temporary file in the same directory (so the final rename never crosses
    filesystems), flushes and fsyncs it, then ``os.replace``s the target.  On any failure the
    original file is left untouched and the temporary file is removed.  An existing file keeps
    its permission bits.
    """
    path = _target(Path(path))
    data = text.encode("utf-8")  # encoding errors surface before anything touches the disk
    directory = path.parent if str(path.parent) else Path(".")
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = _new_file_mode()
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable where the platform allows it (best effort)."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a leading BOM is dropped).

    I/O problems raise OSError with a message that names the file and says what went wrong;
    bytes that are not UTF-8 raise TwiMLParseError pointing at the bad byte's line and column,
    because for the editor that is a malformed document, not a disk problem.
    """
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, f"{path} is a directory, not a TwiML file", str(path))
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise OSError(
                errno.EFBIG,
                f"{path} is {size:,} bytes; refusing files over {MAX_FILE_BYTES // (1024 * 1024)} MB",
                str(path),
            )
        data = path.read_bytes()
    except OSError as exc:
        if exc.strerror and str(path) in exc.strerror:
            raise
        reason = exc.strerror or str(exc)
        raise type(exc)(exc.errno, f"cannot read {path}: {reason}", str(path)) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        before = data[bom:start]
        line = before.count(b"\n") + 1
        column = len(before) - before.rfind(b"\n")  # 1-based, counted in bytes
        raise TwiMLParseError(
            f"byte 0x{data[start]:02x} is not valid UTF-8 (save the file as UTF-8)",
            line=line,
            column=column,
            filename=str(path),
        ) from exc
