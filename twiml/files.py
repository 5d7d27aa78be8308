"""File access for the CLI and the editor: the one atomic writer and the one guarded reader.

A save must never leave a half-written or truncated file behind (a crash or a full disk in the
middle of a plain ``open(path, "w")`` would destroy the user's flow), so a write goes to a
temporary file beside the target and replaces it in one ``os.replace``. What the replaced file
was stays true of the new one: its mode, owner and group (when we may set them), the symlink
that pointed at it, and the other names of a hard-linked file (those are written in place, with
a backup copy on disk until the write is complete). Read-only files are replaced only when the
caller says the user agreed.

Reads accept regular files only (never a FIFO, device or directory, which would block or never
end) and stop at a real byte limit instead of trusting ``st_size`` (0 for /proc and devices).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from twiml.errors import TwiMLParseError

try:  # POSIX: a lock marks a temporary file as in use, so a concurrent save's file is never removed
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # no fcntl module on Windows

__all__ = [
    "MAX_FILE_BYTES",
    "SKIPPED_FOLDERS",
    "STALE_TEMP_SECONDS",
    "TEMP_PREFIX",
    "ChangedOnDiskError",
    "FileStamp",
    "ReadOnlyFileError",
    "atomic_write",
    "files_under",
    "read_bytes",
    "read_text",
]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Refuse to load anything larger: TwiML documents are at most a few hundred kilobytes, and a
multi-gigabyte file picked by mistake would otherwise freeze the editor."""

TEMP_PREFIX = ".twiml-"
"""Temporary and backup files are ``.twiml-XXXXXXXX.tmp`` / ``.bak``: short whatever the target's
name (a 255-byte name must still work) and recognisable, so stale ones can be cleaned."""

STALE_TEMP_SECONDS = 15 * 60
"""A temporary file of ours this old, and not locked by a running save, is a killed save's leftover."""

_OUR_TEMP = re.compile(r"\.twiml-[a-z0-9_]{8}\.tmp")
_OLD_TEMP = re.compile(r"\.(.+)\.[a-z0-9_]{8}\.tmp")  # earlier versions named temp files after the target
_CHUNK = 1024 * 1024


class ReadOnlyFileError(PermissionError):
    """The file to replace is read-only; ask the user, then call again with ``replace_read_only=True``."""


class ChangedOnDiskError(OSError):
    """The file is no longer what the caller read (another program wrote it): not replaced."""


SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})
"""Folders of installed packages: never a user's flow or TwiML (nor are hidden folders)."""


def files_under(folder: Path, suffixes: tuple[str, ...] = ()) -> list[Path]:
    """The regular files in `folder` and below (those ending in `suffixes`, any case, when given),
    sorted; hidden folders (`.git`, `.venv`) and installed packages (`SKIPPED_FOLDERS`) are not
    entered. The one rule of what a folder holds, for `twiml validate FOLDER` and
    `Flow.documents()` alike. Symlinked folders are not followed."""
    out: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS]
        for name in names:
            if suffixes and not name.lower().endswith(suffixes):
                continue
            path = Path(root, name)
            with contextlib.suppress(OSError):
                if stat.S_ISREG(path.stat().st_mode):
                    out.append(path)
    return sorted(out)


LOCK_WAIT_SECONDS = 2.0
"""How long a read waits for an in-place write of ours (which holds an exclusive flock) to end."""


def _lock(fd: int, kind: int, wait: float) -> bool:
    """flock `fd` (shared or exclusive), waiting up to `wait` seconds; False when it stayed busy."""
    if fcntl is None:  # pragma: no cover - Windows
        return False
    end = time.monotonic() + wait
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, kind | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= end:
                return False
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        except OSError:  # a file system without locks
            return False


@dataclass(frozen=True)
class FileStamp:
    """What a file was when it was read: enough to tell a later change even when another program
    kept its size and put its modification time back (``cp -p``, ``touch -r``): the inode and
    change time cannot be set back, and when anything differs the content is compared."""

    mtime_ns: int
    ctime_ns: int
    size: int
    inode: int
    device: int
    digest: str

    @classmethod
    def of(cls, path: str | os.PathLike[str], data: bytes) -> FileStamp | None:
        """The stamp of `path` whose content the caller read as `data` (None: it cannot be stat'ed)."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev, _digest(data))

    def changed(self, path: str | os.PathLike[str]) -> bool:
        """True when the file now holds other bytes than when stamped (a vanished file: False)."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        same = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev) == (
            self.mtime_ns,
            self.ctime_ns,
            self.size,
            self.inode,
            self.device,
        )
        if same:
            return False
        try:
            return _digest(read_bytes(path, limit=max(MAX_FILE_BYTES, st.st_size))) != self.digest
        except OSError:
            return True


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------------------------------- reading


def read_bytes(path: str | os.PathLike[str], limit: int | None = None, *, special: bool = False) -> bytes:
    """The bytes of a regular file, at most `limit` (default `MAX_FILE_BYTES`).

    Raises OSError whose ``strerror`` says what went wrong in words (no file name) and whose
    ``filename`` is `path`: a directory, a FIFO, a device or a file over the limit are refused
    without blocking; /proc files (``st_size`` 0) are read up to the limit. `special` (for a
    command line, where ``<(curl ...)`` names a pipe) also reads pipes and character devices,
    blocking like ``cat`` would, still up to the limit.
    """
    name = os.fspath(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    check = _require_readable if special else _require_regular
    try:
        check(os.stat(name).st_mode, name)  # before open: opening some devices has effects
        # O_NONBLOCK: opening a FIFO that has no writer returns at once (reading it gives nothing)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(name, flags)
    except OSError as exc:
        raise _named(exc, name) from None
    try:
        mode = os.fstat(fd).st_mode
        check(mode, name)  # it may have been swapped since the stat
        if not stat.S_ISREG(mode):
            os.set_blocking(fd, True)  # a pipe with a writer: wait for its data, like cat
        else:  # an in-place write of ours holds LOCK_EX until the file is whole again
            _lock(fd, fcntl.LOCK_SH if fcntl is not None else 0, LOCK_WAIT_SECONDS)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(errno.EFBIG, f"file is larger than {_size(limit)}; refusing to read it", name)
        return b"".join(chunks)
    except BlockingIOError as exc:  # /proc/kmsg and the like: a regular file that would block
        raise OSError(exc.errno, "file would block (not an ordinary file)", name) from None
    except OSError as exc:
        raise _named(exc, name) from None
    finally:
        os.close(fd)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _require_regular(mode: int, name: str) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a TwiML file", name)
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        raise OSError(errno.EINVAL, f"is {kind}, not a regular file", name)


def _require_readable(mode: int, name: str) -> None:
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a directory, not a TwiML file", name)
    if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        raise OSError(errno.EINVAL, "is not a regular file or a pipe", name)


def _named(exc: OSError, name: str) -> OSError:
    """The same kind of OSError with the words of the problem and the user's file name."""
    reason = exc.strerror or str(exc)
    if exc.errno is None:
        return OSError(reason, name)
    return type(exc)(exc.errno, reason, name)


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a leading BOM is dropped).

    I/O problems raise OSError with a message that names the file and says what went wrong;
    bytes that are not UTF-8 raise TwiMLParseError pointing at the bad byte's line and column,
    because for the editor that is a malformed document, not a disk problem.
    """
    path = Path(path)
    try:
        data = read_bytes(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        error = OSError(f"cannot read {path}: {reason}") if exc.errno is None else None
        raise error or type(exc)(exc.errno, f"cannot read {path}: {reason}", str(path)) from exc
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


# ------------------------------------------------------------------------------------------- writing


def _target(path: Path) -> Path:
    """Where the bytes really go: follow a symlink so saving keeps the link instead of replacing it."""
    try:
        if path.is_symlink():
            return path.resolve(strict=True)
    except RuntimeError:  # Python < 3.13 reports a symlink loop this way
        raise OSError(errno.ELOOP, "too many levels of symbolic links (a symlink loop)", str(path)) from None
    except FileNotFoundError:  # a dangling link: create the file it names
        return Path(os.path.join(path.parent, os.readlink(path)))
    return path


def _new_file_mode() -> int:
    """Mode an ordinary new file would get (0666 minus the umask); mkstemp's 0600 would surprise users."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def is_read_only(st: os.stat_result, path: Path) -> bool:
    """Whether the user cannot write the file: no write permission for them, or (for root, who
    may write anything) no owner write bit, which is how a file is marked read-only."""
    if os.name == "posix" and os.geteuid() == 0:
        return not st.st_mode & stat.S_IWUSR
    return not os.access(path, os.W_OK)


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    replace_read_only: bool = False,
    expected: bytes | None = None,
) -> None:
    """Write `data` to `path` all at once (a str as UTF-8, newlines as given; bytes as they are).

    A new file gets the usual mode (0666 minus the umask). An existing file keeps its mode, and
    its owner and group where the process may set them (always when run as root). A symlink is
    followed, so the link stays. A file with more than one hard link is written in place so all
    its names keep seeing it: a backup copy ``.twiml-XXXXXXXX.bak`` is written and synced first,
    and stays beside the file only if the write fails and the old content cannot be put back.
    Otherwise a temporary ``.twiml-XXXXXXXX.tmp`` beside the target replaces it in one rename.
    On any failure the original file is unchanged and nothing is left behind; OSError messages
    name `path`, never the temporary file. Stale temporary files of ours (killed saves) in that
    folder are removed.

    With `expected` (the bytes the caller read), the file's content is compared again just
    before it is replaced, under an exclusive flock that our other writers and readers honour:
    when another program wrote it meanwhile, nothing is replaced and `ChangedOnDiskError` is
    raised (its change is not lost). A file removed meanwhile counts as changed.

    Raises `ReadOnlyFileError` when the existing file is read-only and `replace_read_only` is False.
    """
    shown = os.fspath(path)
    blob = data.encode("utf-8") if isinstance(data, str) else bytes(data)  # encoding errors come first
    try:
        target = _target(Path(path))
        directory = target.parent if str(target.parent) else Path(".")
        try:
            st: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            st = None
        if st is not None:
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, "is a directory", shown)
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "is not a regular file; refusing to replace it", shown)
            if not replace_read_only and is_read_only(st, target):
                raise ReadOnlyFileError(errno.EACCES, "file is read-only; confirm to replace it", shown)
        elif expected is not None:
            raise ChangedOnDiskError(errno.ENOENT, "the file was removed since it was read; not written", shown)
        _clean_stale_temps(directory)
        if st is not None and st.st_nlink > 1:
            _write_in_place(target, directory, blob, st, expected)
        else:
            _replace(target, directory, blob, st, expected)
    except (ReadOnlyFileError, ChangedOnDiskError):
        raise
    except OSError as exc:
        if exc.filename == shown and not exc.filename2:
            raise
        raise _named(exc, shown) from None
    _fsync_directory(directory)


def _temp(directory: Path, suffix: str) -> tuple[int, str]:
    """A new, locked temporary file of ours in `directory`."""
    fd, name = tempfile.mkstemp(dir=directory, prefix=TEMP_PREFIX, suffix=suffix)
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd, name


def _write_all(fd: int, blob: bytes) -> None:
    view = memoryview(blob)
    while view:
        view = view[os.write(fd, view) :]


def _locked_content(target: Path, st: os.stat_result) -> tuple[int, bytes]:
    """An fd of `target` holding an exclusive flock (our readers wait for it), and its bytes now."""
    fd = os.open(target, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        _lock(fd, fcntl.LOCK_EX if fcntl is not None else 0, LOCK_WAIT_SECONDS)
        chunks: list[bytes] = []
        limit = max(MAX_FILE_BYTES, st.st_size) + 1
        total = 0
        while chunk := os.read(fd, min(_CHUNK, limit - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total >= limit:
                break
        return fd, b"".join(chunks)
    except BaseException:
        os.close(fd)
        raise


def _check_unchanged(current: bytes, expected: bytes | None, shown: Path) -> None:
    if expected is not None and current != expected:
        raise ChangedOnDiskError(
            errno.ESTALE, "another program changed the file since it was read; not replaced", str(shown)
        )


def _replace(
    target: Path, directory: Path, blob: bytes, st: os.stat_result | None, expected: bytes | None = None
) -> None:
    fd, tmp_name = _temp(directory, ".tmp")
    try:
        try:
            _write_all(fd, blob)
            if st is not None:
                _copy_owner(fd, st)
            os.fchmod(fd, stat.S_IMODE(st.st_mode) if st is not None else _new_file_mode())
            os.fsync(fd)
        finally:
            os.close(fd)
        if expected is None or st is None:
            os.replace(tmp_name, target)
        else:  # compare again at the last moment, holding the lock over the check and the rename
            held, current = _locked_content(target, st)
            try:
                _check_unchanged(current, expected, target)
                os.replace(tmp_name, target)
            finally:
                os.close(held)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def _copy_owner(fd: int, st: os.stat_result) -> None:
    """Give the temporary file the target's owner and group: root may set both, others at
    best the group (when they belong to it); what cannot be kept is not an error."""
    if not hasattr(os, "fchown"):
        return  # pragma: no cover - Windows
    if os.geteuid() == 0:
        os.fchown(fd, st.st_uid, st.st_gid)
    else:
        with contextlib.suppress(OSError):
            os.fchown(fd, -1, st.st_gid)


def _write_in_place(
    target: Path, directory: Path, blob: bytes, st: os.stat_result, expected: bytes | None = None
) -> None:
    """Overwrite a hard-linked file in its own inode, keeping a synced backup until it is done.

    An exclusive flock is held from reading the old content to the end of the write, so our own
    readers (`read_bytes`) never see it half-written; other programs see that only if they flock.
    """
    held, old = _locked_content(target, st)
    try:
        _check_unchanged(old, expected, target)
        _write_in_place_locked(target, directory, blob, old)
    finally:
        os.close(held)


def _write_in_place_locked(target: Path, directory: Path, blob: bytes, old: bytes) -> None:
    fd, backup = _temp(directory, ".bak")
    try:
        try:
            _write_all(fd, old)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(backup)
        raise
    try:
        _overwrite(target, blob)
    except BaseException as exc:
        try:
            _overwrite(target, old)
        except OSError:
            if isinstance(exc, OSError):
                raise OSError(
                    exc.errno,
                    f"{exc.strerror or exc}; the file may be damaged, its previous content is in {backup}",
                    str(target),
                ) from None
            raise
        os.unlink(backup)
        raise
    os.unlink(backup)


def _overwrite(target: Path, blob: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | getattr(os, "O_BINARY", 0))
    try:
        _write_all(fd, blob)
        os.ftruncate(fd, len(blob))
        os.fsync(fd)
    finally:
        os.close(fd)


def _stale_candidates(directory: Path) -> Iterator[os.DirEntry[str]]:
    with os.scandir(directory) as entries:
        for entry in entries:
            name = entry.name
            if _OUR_TEMP.fullmatch(name):
                yield entry
            else:
                m = _OLD_TEMP.fullmatch(name)
                if m is not None and os.path.lexists(os.path.join(directory, m.group(1))):
                    yield entry


def _clean_stale_temps(directory: Path) -> None:
    """Remove temporary files that killed saves left in `directory` (best effort, never fails a save).

    Only ours (the name pattern), only regular files owned by this user, only older than
    `STALE_TEMP_SECONDS`, and only when no running save holds its lock on them.
    """
    now = time.time()
    try:
        candidates = list(_stale_candidates(directory))
    except OSError:
        return
    for entry in candidates:
        try:
            info = entry.stat(follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or now - info.st_mtime < STALE_TEMP_SECONDS:
                continue
            if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
                continue
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises while a save is using it
                os.unlink(entry.path)
            finally:
                os.close(fd)
        except OSError:
            continue


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
