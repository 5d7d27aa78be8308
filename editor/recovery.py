"""Recovery files: unsaved edits kept on disk while the editor runs, like Vim's swap files.

While a document has unsaved edits, the editor writes the text a save would write to a
recovery file every few seconds (`AUTOSAVE_SECONDS`) and at once when something goes wrong;
a kill, a crash or a power cut then loses at most those seconds.  The next `twiml-editor` on
that file (or folder) offers the edits back.  A save or a discard removes the file.

Where: beside the file, as `.NAME.twiml-recover` (the user finds it next to their work), or,
when that folder is not writable, in the user's state folder (`$XDG_STATE_HOME/twiml-editor`,
by default `~/.local/state/twiml-editor`) under a name made from the file's full path.  An
untitled document goes to the state folder as `untitled-PID-N.xml`.  The content is the
document's own text (plain XML, or flow.toml's TOML), so it can also be opened by hand.

Headless: no Textual; the app calls `write`, `find` and `remove`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from twiml.files import atomic_write

__all__ = [
    "AUTOSAVE_SECONDS",
    "SUFFIX",
    "Recovered",
    "find",
    "find_in_folder",
    "recovery_paths",
    "remove",
    "state_dir",
    "untitled_path",
    "write",
]

AUTOSAVE_SECONDS = 3.0
"""How often unsaved edits are written to their recovery file (at most this much is lost)."""

SUFFIX = ".twiml-recover"


def state_dir() -> Path:
    """The user's state folder for the editor (XDG base directories)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "twiml-editor"


def recovery_paths(target: Path) -> tuple[Path, Path]:
    """Where the recovery file of `target` goes: beside it, else in the state folder."""
    target = Path(os.path.abspath(target))
    digest = hashlib.sha256(str(target).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return target.parent / f".{target.name}{SUFFIX}", state_dir() / f"{target.name}-{digest}{SUFFIX}"


_untitled = 0


def untitled_path() -> Path:
    """A new recovery file name for an untitled document (state folder, never reused)."""
    global _untitled
    _untitled += 1
    return state_dir() / f"untitled-{os.getpid()}-{_untitled}.xml"


def write(target: Path | None, text: str, untitled: Path | None = None) -> Path:
    """Write `text` as the recovery file of `target` (None: an untitled document, written to
    `untitled`) and return where it went.  Beside the file first; the state folder when that
    fails. Raises OSError when neither can be written."""
    if target is None:
        assert untitled is not None
        untitled.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(untitled, text)
        return untitled
    beside, fallback = recovery_paths(target)
    try:
        atomic_write(beside, text)
        _unlink(fallback)  # an older one there would be offered instead of this one
        return beside
    except OSError:
        fallback.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(fallback, text)
        return fallback


@dataclass(frozen=True)
class Recovered:
    """Unsaved edits found for a file."""

    target: Path
    """The file they belong to (it may not exist: a new or renamed document)."""
    path: Path
    """The recovery file."""
    text: str
    mtime: float


def find(target: Path) -> Recovered | None:
    """The recovery file of `target` (the newest when there are two), unless it holds exactly
    what the file holds already (then it is removed: nothing to restore)."""
    found: list[Recovered] = []
    for path in recovery_paths(target):
        try:
            text = path.read_text(encoding="utf-8")
            mtime = path.stat().st_mtime
        except (OSError, UnicodeDecodeError):
            continue
        found.append(Recovered(Path(os.path.abspath(target)), path, text, mtime))
    if not found:
        return None
    newest = max(found, key=lambda r: r.mtime)
    try:
        same = target.read_text(encoding="utf-8") == newest.text
    except (OSError, UnicodeDecodeError):
        same = False
    if same:
        remove(target)
        return None
    return newest


def find_in_folder(folder: Path, names: list[str]) -> list[Recovered]:
    """Recovery files of a flow folder: those of `names` (its documents and flow.toml) and of
    documents that exist only as a recovery file (created or renamed and never saved)."""
    wanted = list(names)
    try:
        for path in sorted(folder.rglob(f".*{SUFFIX}")):
            name = path.relative_to(folder).with_name(path.name[1 : -len(SUFFIX)]).as_posix()
            if name not in wanted:
                wanted.append(name)
    except OSError:
        pass
    found = [find(folder / name) for name in wanted]
    return [r for r in found if r is not None]


def remove(target: Path | None, untitled: Path | None = None) -> None:
    """Delete the recovery files of `target` (after a save or a discard)."""
    if target is None:
        if untitled is not None:
            _unlink(untitled)
        return
    for path in recovery_paths(target):
        _unlink(path)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
