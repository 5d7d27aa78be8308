"""Saves under generated situations and under kill -9: the file is always the old or the new
content (or, for an in-place write of a hard-linked file, a complete backup is beside it), the
file keeps its links, mode and owner, and killed saves' temporary files go on the next save."""

from __future__ import annotations

import os
import random
import signal
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twiml import files
from twiml.files import ReadOnlyFileError, atomic_write

EXAMPLES = int(os.environ.get("TWIML_FUZZ_EXAMPLES", "100"))
KILLS = max(6, EXAMPLES // 20)


def ours(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(files.TEMP_PREFIX))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old=st.binary(max_size=3000),
    new=st.binary(max_size=3000) | st.text(max_size=1000),
    links=st.integers(1, 3),
    mode=st.sampled_from([0o644, 0o600, 0o664, 0o444, 0o400]),
    via_symlink=st.booleans(),
    name_length=st.sampled_from([5, 100, 251]),
    consent=st.booleans(),
)
def test_generated_saves(
    old: bytes, new: bytes | str, links: int, mode: int, via_symlink: bool, name_length: int, consent: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = folder / ("f" * name_length + ".xml")
        target.write_bytes(old)
        for i in range(links - 1):
            os.link(target, folder / f"link{i}.xml")
        target.chmod(mode)
        inode = target.stat().st_ino
        name = folder / "sym.xml" if via_symlink else target
        if via_symlink:
            name.symlink_to(target)
        expected = new.encode("utf-8") if isinstance(new, str) else new
        read_only = not mode & stat.S_IWUSR
        if read_only and not consent:
            with pytest.raises(ReadOnlyFileError):
                atomic_write(name, new)
            expected = old
        else:
            atomic_write(name, new, replace_read_only=consent)
        assert target.read_bytes() == expected
        assert stat.S_IMODE(target.stat().st_mode) == mode
        if links > 1:
            assert target.stat().st_ino == inode and (folder / "link0.xml").read_bytes() == expected
        assert ours(folder) == []
        assert name.is_symlink() == via_symlink


def kill_during_saves(folder: Path, hard_link: bool, rounds: int) -> tuple[int, int, int]:
    """Kill -9 a process that saves in a loop, at a random point of a save; `rounds` times.
    Returns (kills, torn files that had a complete backup beside them, leftover temp files)."""
    target = folder / "flow.xml"
    first, second = b"A" * 2_000_000, b"B" * 3_000_000
    target.write_bytes(first)
    if hard_link:
        os.link(target, folder / "other.xml")
    torn = leftovers = 0
    rng = random.Random(rounds)
    for _ in range(rounds):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                os.close(read_end)
                for i in range(10_000):
                    atomic_write(target, second if i % 2 else first)
                    os.write(write_end, b".")
            finally:
                os._exit(0)
        os.close(write_end)
        for _ in range(rng.randrange(3)):  # let it finish 0-2 saves, then kill it inside the next one
            os.read(read_end, 1)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read_end)
        content = target.read_bytes()
        if content not in (first, second):
            backups = [p for p in folder.iterdir() if p.name.endswith(".bak")]
            assert hard_link and any(b.read_bytes() in (first, second) for b in backups), "torn file, no backup"
            torn += 1
            good = next(b for b in backups if b.read_bytes() in (first, second))
            target.write_bytes(good.read_bytes())  # the user restores it from the backup
        for p in folder.iterdir():
            if p.name.endswith(".bak"):
                p.unlink()
        left = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
        leftovers += len(left)
        old = os.stat(target).st_mtime - files.STALE_TEMP_SECONDS - 60
        for p in left:
            os.utime(p, (old, old))
        atomic_write(target, first)  # the next save cleans what the killed one left
        assert ours(folder) == []
        if hard_link:
            assert (folder / "other.xml").read_bytes() == first
    return rounds, torn, leftovers


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork and kill")
@pytest.mark.parametrize("hard_link", [False, True])
def test_kill_9_during_saves(tmp_path: Path, hard_link: bool) -> None:
    kills, torn, leftovers = kill_during_saves(tmp_path, hard_link, KILLS)
    print(f"hard_link={hard_link}: {kills} kills, {torn} torn with backup, {leftovers} temp files cleaned")
    if not hard_link:
        assert torn == 0
