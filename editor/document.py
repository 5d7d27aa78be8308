"""The editor's headless document: a twiml tree plus file, dirty flag and undo history.

The model is the builder's own tree (``TwiML`` objects); nothing is mirrored.  Every change
goes through an edit command (`twiml_editor.edits`), which is what makes undo/redo, the dirty flag and
incremental view refresh possible.  No Textual here: the whole editing behaviour is testable
without a terminal.

Speed matters because the UI re-renders the preview and the problems list after each edit:
node paths come from an index that is rebuilt only after structural edits (inserts, removes,
moves), and the XML, Python and diagnostics are cached per document version.

The class is built in layers, one module each: `document_tree` (where nodes are, what the
dialect's grammar makes of them), `document_history` (undo, redo, dirty), `document_edits` (the
edits), `document_output` (XML, Python, the saved text, problems); this module adds opening and
saving files.
"""

from __future__ import annotations

import importlib
import itertools
import os
from collections import deque
from pathlib import Path

from twiml.base import TwiML
from twiml.classes import class_of
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.files import FileStamp, atomic_write
from twiml.grammar import GRAMMAR
from twiml.grammar_types import Kind
from twiml.grammar_types import element_of as _element_of
from twiml.source import SourceDocument, load, loads
from twiml_editor.document_edits import parse_xml
from twiml_editor.document_history import DEFAULT_MAX_HISTORY, EDIT_LOG
from twiml_editor.document_output import DocumentOutput
from twiml_editor.document_tree import DialectOrigin
from twiml_editor.edits import (
    Change,
    EditError,
    NodePath,
)

__all__ = [
    "Change",
    "DialectOrigin",
    "Document",
    "EditError",
    "Kind",
    "NodePath",
]


class Document(DocumentOutput):
    """One open TwiML document: `root` tree, `file_path`, `kind`, `dirty`, `version` and history."""

    def __init__(
        self,
        root: TwiML,
        *,
        kind: Kind | None = None,
        file_path: str | os.PathLike[str] | None = None,
        max_history: int = DEFAULT_MAX_HISTORY,
        source: SourceDocument | None = None,
    ) -> None:
        element = _element_of(root)
        self.root = root
        self.kind = element.kind if element is not None else (kind or "voice")
        self.file_path = Path(file_path) if file_path is not None else None
        self.version = 0
        self.max_history = max_history
        self._undo = deque()
        self._redo = []
        self._serial = itertools.count(1)
        self._state = self._base = self._saved = 0
        self._index = None
        self._xml = self._python = self._diagnostics = self._text = None
        self._edited = deque(maxlen=EDIT_LOG)
        self._revalidator = None
        self._validated = -1
        self.dialect = "twilio"
        self.dialect_origin = "default"
        self._grammar = GRAMMAR
        self._initial_dialect(root)
        self.source = source if source is not None and source.root is root else SourceDocument(root)
        self._disk: FileStamp | None = None
        if self.file_path is not None and source is not None:
            self._disk = FileStamp.of(self.file_path, source.bom + (source.text or "").encode(source.encoding))

    # ------------------------------------------------------------------ creation

    @classmethod
    def new(cls, kind: Kind = "voice") -> Document:
        """An empty <Response> of the given kind."""
        return cls(class_of(GRAMMAR.root(kind))(), kind=kind)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, kind: Kind | None = None) -> Document:
        """Load a file in any encoding the library reads (BOM, declared encoding, else UTF-8).
        Raises TwiMLParseError (with line, column and file name) or OSError; only reads the
        file, so a malformed file stays exactly as it was. Saving keeps its formatting, encoding
        and BOM. The alignment of the text with the tree (`SourceDocument.index`) is left for
        later, so a large file shows sooner; it runs before the first edit at the latest."""
        path = Path(path)
        try:
            source = load(path, kind=kind, defer_index=True)  # indexed before the first edit (`_apply`)
        except TwiMLParseError:
            raise
        except TwiMLException as exc:
            raise TwiMLParseError(str(exc), filename=str(path)) from exc
        return cls(source.root, kind=kind, file_path=path, source=source)

    @classmethod
    def from_xml(
        cls, text: str, file_path: str | os.PathLike[str] | None = None, *, kind: Kind | None = None
    ) -> Document:
        """Parse `text`; `kind` picks the kind when the content cannot tell. The text's own
        formatting is what a save keeps."""
        try:
            start = text.lstrip("\ufeff \t\r\n")
            if not start.startswith("<"):  # never let the parser take the text for a file name
                before = text[: len(text) - len(start)]
                raise TwiMLParseError(
                    "not XML: a TwiML document starts with '<'",
                    before.count("\n") + 1,
                    len(before) - before.rfind("\n"),
                )
            try:
                source = loads(text, kind=kind)
            except TwiMLParseError:
                raise
            except TwiMLException as exc:
                raise TwiMLParseError(str(exc)) from exc
        except TwiMLParseError as exc:
            if exc.filename is None and file_path is not None:
                raise exc.in_file(str(file_path)) from exc
            raise
        return cls(source.root, kind=kind, file_path=file_path, source=source)

    # ------------------------------------------------------------------ files

    def disk_changed(self) -> bool:
        """True when the file at `file_path` is no longer what was read or last saved (another
        program wrote it). A file that is gone or was never read counts as unchanged."""
        if self.file_path is None or self._disk is None:
            return False
        return self._disk.changed(self.file_path)

    def save(self, path: str | os.PathLike[str] | None = None, *, replace_read_only: bool = False) -> Path:
        """Write the document atomically to `path` (default: `file_path`), in the file's own
        formatting and encoding, then remember that path and clear `dirty`.  The text is parsed
        back first: a document that would not read back is not written, so a good file is never
        replaced by a bad one.  Raises twiml.files.ReadOnlyFileError for a read-only file unless
        `replace_read_only`; does not check `disk_changed` (the caller asks the user first)."""
        target = Path(path) if path is not None else self.file_path
        if target is None:
            raise ValueError("the document has no file name yet; save it with a path")
        data = self.bytes_to_save()
        atomic_write(target, data, replace_read_only=replace_read_only)
        self.saved_as(target, data)
        return target

    def bytes_to_save(self) -> bytes:
        """What a save writes (the file's own formatting and encoding), checked to read back:
        raises TwiMLException instead of returning a document that would not."""
        text = self.file_text()
        data = self.source.to_bytes() if self.source.text is not None else text.encode("utf-8")
        try:
            importlib.import_module("twiml.parser")
        except ImportError:
            pass
        else:
            try:
                parse_xml(data, self.kind)
            except TwiMLParseError as exc:
                raise TwiMLException(f"not saved: the XML would not read back ({exc})") from exc
        return data

    def saved_as(self, path: Path, data: bytes) -> None:
        """Record that `data` (from `bytes_to_save`) is now the file at `path` (a caller that
        writes several files together, such as a flow folder's save)."""
        self.file_path = path
        self._saved = self._state
        self._disk = FileStamp.of(path, data)

    def export_python(self, path: str | os.PathLike[str], import_root: str = "twiml") -> Path:
        """Write the Python export atomically; the document's file and dirty flag are unaffected."""
        target = Path(path)
        atomic_write(target, self.to_python(import_root))
        return target

    def __repr__(self) -> str:
        name = self.file_path.name if self.file_path else "untitled"
        return f"<Document {name} {self.kind} v{self.version}{' dirty' if self.dirty else ''}>"
