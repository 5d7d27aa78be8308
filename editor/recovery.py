"""Recovery files: unsaved edits kept on disk while the editor runs, like Vim's swap files.

While a document has unsaved edits, the editor writes the text a save would write to a
recovery file every few seconds (`AUTOSAVE_SECONDS`) and at once when something goes wrong;
a kill, a crash or a power cut then loses at most those seconds.  The next `twiml-editor` on
that file (or folder) offers the edits back.  A save or a discard removes the file.

Where: beside the file, as `.NAME.twiml-recover` (the user finds it next to their work), or,
when that folder is not writable, in the user's state folder (`$XDG_STATE_HOME/twiml-editor`,
by default `~/.local/state/twiml-editor`) under a name made from the file's full path.  An
untitled document goes to the state folder as `untitled-PID-N.xml`.  The content is the
document's own text (plain XML, or flow.toml's TOML), so it can also be opened by hand, and
a last line, a comment, that records what the file on disk was when the edits were made
(`<!-- twiml-recover base=SHA256 -->`, `# twiml-recover base=SHA256` in TOML; `base=none`: no
file then).  A restored document keeps that base, so saving it over a file another program
changed since asks first.  A recovery file without the line (an older editor's) restores
with the base unknown: saving it asks.

Headless: no Textual; the app calls `write`, `find` and `remove`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from twiml.files import FileStamp, atomic_write

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

_BASE_LINE = re.compile(
    r"\n(?:<!-- twiml-recover base=([0-9a-f]{64}|none) -->|# twiml-recover base=([0-9a-f]{64}|none))\n\Z"
)


def _with_base(target: Path | None, text: str, base: str) -> str:
    """`text` and the line that records `base` (SHA-256 of the file the edits started from; "": none)."""
    value = base or "none"
    line = (
        f"# twiml-recover base={value}"
        if target is not None and target.suffix == ".toml"
        else (f"<!-- twiml-recover base={value} -->")
    )
    return f"{text}\n{line}\n"


def _split_base(content: str) -> tuple[str, str | None]:
    """(the document's text, its base: a SHA-256, "" for no file, None when not recorded)."""
    found = _BASE_LINE.search(content)
    if found is None:
        return content, None
    value = found.group(1) or found.group(2)
    return content[: found.start()], "" if value == "none" else value


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


def write(target: Path | None, text: str, untitled: Path | None = None, base: str = "") -> Path:
    """Write `text` as the recovery file of `target` (None: an untitled document, written to
    `untitled`) and return where it went.  `base` is the SHA-256 of the file's bytes the edits
    started from ("": there was no file).  Beside the file first; the state folder when that
    fails. Raises OSError when neither can be written."""
    text = _with_base(target, text, base)
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
    base: str | None = None
    """SHA-256 of the file's bytes when the edits were made ("": there was no file; None: the
    recovery file does not say, an older editor wrote it)."""

    @property
    def disk_changed(self) -> bool:
        """True when the file is not what the edits started from (another program changed or
        created it since), or may not be (the base is not known); a file that is gone: False."""
        return FileStamp.of_digest(self.base or "").changed(self.target)


def find(target: Path) -> Recovered | None:
    """The recovery file of `target` (the newest when there are two), unless it holds exactly
    what the file holds already (then it is removed: nothing to restore)."""
    found: list[Recovered] = []
    for path in recovery_paths(target):
        try:
            text, base = _split_base(path.read_text(encoding="utf-8"))
            mtime = path.stat().st_mtime
        except (OSError, UnicodeDecodeError):
            continue
        found.append(Recovered(Path(os.path.abspath(target)), path, text, mtime, base))
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
