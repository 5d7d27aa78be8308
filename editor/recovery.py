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

Headless: no Textual. `RecoveryFiles` keeps the files of one editor run: the app's timer writes
them, a screen's save removes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from twiml.files import atomic_write

__all__ = [
    "AUTOSAVE_SECONDS",
    "SUFFIX",
    "Recovered",
    "RecoveryFiles",
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


class Document(Protocol):
    """What recovery files need of a document (`twiml_editor.document.Document` has it)."""

    @property
    def dirty(self) -> bool: ...

    @property
    def version(self) -> int: ...

    @property
    def file_path(self) -> Path | None: ...

    def file_text(self) -> str: ...

    def to_xml(self) -> str: ...


class RecoveryFiles:
    """The recovery files of one editor run: which document's edits were written (and at which
    version), the untitled ones' file names, and their removal once saved or discarded. The app
    runs the timer (`autosave`); a screen that saves says so (`saved`) without the app."""

    def __init__(self, documents: Callable[[], Sequence[Document]]) -> None:
        self.documents = documents
        """Every document with edits a crash must not lose (the flow editor has several)."""
        self.versions: dict[int, int] = {}
        """id(document) -> the version last written to its recovery file (-1: a file from an
        earlier run that this run restored: removed on save or discard)."""
        self.untitled: dict[int, Path] = {}

    def texts(self) -> list[tuple[Path | None, str, int]]:
        """(file, text, id of its document) for each document with unsaved edits."""
        found = []
        for doc in self.documents():
            if doc.dirty:
                try:
                    text = doc.file_text()
                except Exception:  # a document that cannot be written: its preview form, else nothing
                    try:
                        text = doc.to_xml()
                    except Exception:
                        continue
                found.append((doc.file_path, text, id(doc)))
        return found

    def _write(self, target: Path | None, text: str, key: int) -> Path:
        untitled = self.untitled.get(key)
        if target is None and untitled is None:
            untitled = self.untitled[key] = untitled_path()
        return write(target, text, untitled)

    def autosave(self) -> None:
        """Write the recovery file of each document edited since the last time (a timer calls
        this every few seconds: cheap when nothing changed), and remove those of documents that
        are saved, or undone back to what is on disk."""
        for doc in self.documents():
            key = id(doc)
            if doc.dirty:
                if self.versions.get(key) == doc.version:
                    continue
                for target, text, text_key in self.texts():
                    if text_key == key:
                        with contextlib.suppress(OSError):
                            self._write(target, text, key)
                            self.versions[key] = doc.version
            elif key in self.versions:
                self.drop(doc)
        self.autosave_extra()

    def autosave_extra(self) -> None:
        """What else a subclass keeps in recovery files (the flow editor: flow.toml)."""

    def restored(self, doc: Document) -> None:
        """`doc` holds the text of a recovery file of an earlier run: its file goes on a save."""
        self.versions[id(doc)] = -1

    def drop(self, doc: Document) -> None:
        """The user saved or discarded `doc`'s edits."""
        key = id(doc)
        self.versions.pop(key, None)
        remove(doc.file_path, self.untitled.pop(key, None))

    def saved(self) -> None:
        """After a save: saved documents need their recovery files no more."""
        for doc in self.documents():
            if not doc.dirty:
                self.drop(doc)
        self.autosave_extra()

    def drop_all(self) -> None:
        """The user saved or discarded everything (a normal quit)."""
        for doc in self.documents():
            self.drop(doc)

    def write_all(self) -> list[Path]:
        """Write every unsaved document now (something went wrong); returns where they went."""
        written = []
        for target, text, key in self.texts():
            try:
                written.append(self._write(target, text, key))
            except OSError:
                continue
        return written
