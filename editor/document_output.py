"""What the document shows and writes: indented XML for the preview, the Python export, the text
a save writes (the file's own formatting wherever it was not edited), and the validator's
findings; each cached per version and rebuilt only where an edit touched it. Headless: no Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twiml.base import TwiML
from twiml.errors import TwiMLException
from twiml_editor.document_edits import DocumentEdits
from twiml_editor.pretty import Pretty

if TYPE_CHECKING:
    from twiml.validator import Diagnostic

__all__ = ["DocumentOutput"]


class DocumentOutput(DocumentEdits):
    """XML, Python, the file's text and the problems of the current tree (cached per version)."""

    _xml: tuple[int, Pretty] | None
    _python: tuple[int, str, str] | None
    _text: tuple[int, str] | None
    _validated: int
    """The version `_revalidator` last ran on."""

    def to_xml(self) -> str:
        """The document as indented XML with declaration (cached per version)."""
        return self.pretty().text

    def pretty(self) -> Pretty:
        """The indented XML in pieces (see `twiml_editor.pretty`), rewritten after an edit only where
        the edit touched it; cached per version.  Raises TwiMLException when it cannot be written."""
        cached = self._xml
        if cached is not None and cached[0] == self.version:
            return cached[1]
        edited = self.edited_since(cached[0]) if cached is not None else None
        pretty = Pretty.build(self.root, cached[1] if cached is not None else None, edited)
        self._xml = (self.version, pretty)
        return pretty

    def pretty_start(self, children: int) -> str:
        """The first lines of `pretty().text`, up to the end of the root's first `children`
        items, without writing the rest (a large document's first screen)."""
        return Pretty.start(self.root, children)

    def node_lines(self, node: TwiML) -> tuple[int, int] | None:
        """First and last line (0-based) of `node` in `to_xml()`."""
        if not self.contains(node):
            return None
        return self.pretty().node_lines(node, self.path_of(node))

    def to_python(self, import_root: str = "twiml") -> str:
        """Python code that rebuilds the document (cached per version)."""
        cached = self._python
        if cached is not None and cached[0] == self.version and cached[1] == import_root:
            return cached[2]
        from twiml.exporter import to_python

        text: str = to_python(self.root, import_root)
        self._python = (self.version, import_root, text)
        return text

    def file_text(self) -> str:
        """The text a save writes: the original file's text wherever it was not edited (cached
        per version); canonical indented XML for new documents and after `reformat`."""
        cached = self._text
        if cached is not None and cached[0] == self.version:
            return cached[1]
        if self.source.text is None or not self.source.preserving:
            text = self.pretty().text  # canonical: the preview's text, rewritten only where edited
        else:
            edited = self.edited_since(cached[0] if cached is not None else 0)  # the first: since it was read
            text = self.source.dumps(edited=edited)
        self._text = (self.version, text)
        return text

    def reformat(self) -> None:
        """Write canonical indented XML from now on (attributes sorted, two-space indentation,
        declaration, UTF-8) instead of keeping the file's own formatting; marks the document dirty."""
        self.source.reformat()
        self._text = None
        self.version += 1
        self._edited.append((self.version, None))
        self._saved = -1

    def diagnostics(self) -> list[Diagnostic]:
        """The validator's findings for the current tree (cached per version), including those a
        ``twiml: ignore`` comment silences (marked `suppressed`; the problems panel dims them).
        Only the subtrees edited since the last run are checked again (`Revalidator`)."""
        cached = self._diagnostics
        if cached is None or cached[0] != self.version:
            from twiml.validator import Revalidator

            if self.version or getattr(self.root, "source_size", None) is None:
                # What a save writes is what is served: the size budgets count that.
                try:
                    xml = self.file_text()
                except TwiMLException:  # the validator reports why it cannot be written
                    vars(self.root).pop("source_size", None)
                else:
                    size = len(xml) if xml.isascii() else len(xml.encode("utf-8"))
                    self.root.source_size = (len(xml), size)  # type: ignore[attr-defined]  # a parsed root's extra, read with getattr
            if self._revalidator is None:
                self._revalidator = Revalidator(suppressed=True, dialect=self.dialect)
            found = self._revalidator.run(self.root, self.edited_since(self._validated))
            self._validated = self.version
            cached = self._diagnostics = (self.version, found)
        return list(cached[1])
