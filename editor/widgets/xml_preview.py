"""Live preview: the document's XML (selected node highlighted) or its Python export.

Reloading a long highlighted TextArea is slow, so `show_pretty` replaces only the lines of the
root's children an edit touched (`twiml_editor.pretty.Pretty.splice`).
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.document._document import Document, EditResult, Location
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.expand_tabs import get_tab_widths
from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import TabbedContent, TabPane, TextArea
from textual.widgets.text_area import Selection

from twiml_editor.pretty import Pretty
from twiml_editor.widgets.literal import VisibleTextArea
from twiml_editor.xml_highlight import highlight_rows


def _plain(line: str) -> bool:
    """Printable ASCII (no tab): one cell per character."""
    return line.isascii() and line.isprintable()


def _cells(line: str, tab_width: int) -> int:
    """Cells a line takes on screen: its length when it is printable ASCII (nearly every line
    of XML, and 5 times faster to tell), else Rich's measure."""
    if "\t" in line:
        line = line.expandtabs(tab_width)
    return len(line) if _plain(line) else cell_len(line)


class _SizedDocument(Document):
    """TextArea asks for the widest line after every edit and 8.2.8 measures every line each
    time; keep the widths and update only the replaced lines (and the joined text)."""

    _widths: list[int] | None = None
    _tab = 0
    _widest = 0
    _text: str | None = None

    @property
    def text(self) -> str:
        """The whole text, joined once per edit (TextArea asks for it for every line it draws,
        to know whether to show its placeholder)."""
        if self._text is None:
            self._text = super().text
        return self._text

    def get_size(self, tab_width: int) -> Size:
        lines = self._lines
        widths = self._widths
        if widths is None or self._tab != tab_width or len(widths) != len(lines):
            self._tab = tab_width
            widths = list(map(len, lines))  # at C speed: right for lines of printable ASCII
            if not all(map(_plain, lines)):
                widths = [_cells(line, tab_width) for line in lines]
            self._widths = widths
            self._widest = max(widths, default=0)
        return Size(self._widest, len(lines))

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        top, bottom = sorted((start, end))
        self._text = None
        result = super().replace_range(start, end, text)
        widths = self._widths
        if widths is not None:
            old = widths[top[0] : bottom[0] + 1]
            new = [_cells(line, self._tab) for line in self._lines[top[0] : result.end_location[0] + 1]]
            widths[top[0] : bottom[0] + 1] = new
            if new and max(new) >= self._widest:
                self._widest = max(new)
            elif old and max(old) >= self._widest:
                self._widest = max(widths, default=0)
        return result


class _CachedHeight(WrappedDocument):
    """TextArea asks for the document height once per drawn line and 8.2.8 sums over every
    line each time; the table of rows it keeps has one entry per row already.  It also wraps
    the whole text again on every resize and layout pass (a dozen times while the screen
    opens), which changes nothing while lines are not wrapped: `wrap_range` keeps the tables
    in step with edits."""

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        if width:
            super().wrap(width, tab_width)
            return
        if (
            not self._width
            and (not tab_width or tab_width == self._tab_width)
            and len(getattr(self, "_line_index_to_offsets", ())) == self.document.line_count
        ):
            return
        # Not wrapping: one row per line, built at C speed (the general loop costs ~30 ms per
        # 10,000 lines); the same tables `WrappedDocument.wrap` builds (a test compares them).
        self._width = 0
        if tab_width:
            self._tab_width = tab_width
        size = self._tab_width
        lines = self.document.lines
        count = len(lines)
        self._wrap_offsets = [[] for _ in range(count)]
        self._offset_to_line_info = [(i, 0) for i in range(count)]
        self._line_index_to_offsets = [[i] for i in range(count)]
        self._tab_width_cache = [
            [w for _, w in get_tab_widths(line, size)] if "\t" in line else [0] if line else [] for line in lines
        ]

    @property
    def height(self) -> int:
        return len(self._offset_to_line_info)


class PreviewArea(VisibleTextArea):
    """Read-only TextArea that syntax-highlights only the rows around what is on screen.

    TextArea rebuilds the highlight map of the whole document after every edit (~45 ms for
    2,000 lines); the preview is edited on every keystroke, so highlights are computed for a
    window of rows when a row of it is first drawn.  XML is coloured by `editor.xml_highlight`
    without tree-sitter (whose whole-text re-read after each edit grows with the document);
    other languages through TextArea's own query."""

    WINDOW_BEFORE = 60
    WINDOW_AFTER = 200

    def __init__(self, text: str = "", *, language: str | None = None, **options: Any) -> None:
        self._scanned = language == "xml"
        # Tree-sitter's query is compiled when a language is set (~50 ms, twice over during
        # mount): wait for the first text, which for the Python tab is when it is first shown.
        self._language_later = None if self._scanned else language
        super().__init__(text, language=None, **options)

    def load_text(self, text: str) -> None:
        if self._language_later is not None:
            self.set_reactive(TextArea.language, self._language_later)
            self._language_later = None
        super().load_text(text)

    def _set_document(self, text: str, language: str | None) -> None:
        if not self._scanned:
            super()._set_document(text, language)
            self.wrapped_document.__class__ = _CachedHeight
            if type(self.document) is Document:
                self.document.__class__ = _SizedDocument
            return
        # TextArea's own steps for a plain document, with our document classes from the start
        # (its WrappedDocument would first build its tables the slow way).
        self._highlight_query = None
        self.document = _SizedDocument(text)
        self.wrapped_document = _CachedHeight(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights.clear()
        self._covered: tuple[int, int] | None = None

    def _ensure_highlights(self, row: int) -> None:
        covered = getattr(self, "_covered", None)
        if covered is not None and covered[0] <= row < covered[1]:
            return
        start, end = max(0, row - self.WINDOW_BEFORE), row + self.WINDOW_AFTER
        highlights = self._highlights
        if self._scanned:
            highlights.clear()
            self._line_cache.clear()
            highlights.update(highlight_rows(self.document.lines, start, end))
            self._covered = (start, end)
            return
        query = self._highlight_query
        if not query:
            return
        highlights.clear()
        self._line_cache.clear()
        captures = self.document.query_syntax_tree(query, (start, 0), (end, 0))
        for name, nodes in captures.items():
            for node in nodes:
                first_row, first_col = node.start_point
                last_row, last_col = node.end_point
                if first_row == last_row:
                    if start <= first_row < end:
                        highlights[first_row].append((first_col, last_col, name))
                    continue
                if start <= first_row < end:
                    highlights[first_row].append((first_col, None, name))
                for middle in range(max(first_row + 1, start), min(last_row, end)):
                    highlights[middle].append((0, None, name))
                if start <= last_row < end:
                    highlights[last_row].append((0, last_col, name))
        self._covered = (start, end)

    def _render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        if self.soft_wrap:  # a row on screen is part of a document line: colour from that line
            rows = self.wrapped_document._offset_to_line_info
            row = rows[row][0] if 0 <= row < len(rows) else self.document.line_count
        self._ensure_highlights(row)
        return super()._render_line(y)


class XmlPreview(Vertical):
    """Tabs `XML` and `Python`; read-only, syntax highlighted."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.python_stale = True
        self._shown: Pretty | None = None
        self.partial = False
        """Only the start of the document is shown (`show_start`): no lines to highlight yet."""

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="tab-xml", id="preview-tabs"):
            with TabPane("XML", id="tab-xml"):
                yield PreviewArea("", language="xml", read_only=True, id="xml-text", soft_wrap=False)
            with TabPane("Python", id="tab-python"):
                yield PreviewArea("", language="python", read_only=True, id="python-text", soft_wrap=False)

    @property
    def xml_area(self) -> TextArea:
        return self.query_one("#xml-text", TextArea)

    @property
    def python_area(self) -> TextArea:
        return self.query_one("#python-text", TextArea)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#preview-tabs", TabbedContent)

    @property
    def active(self) -> str:
        return self.tabs.active

    @active.setter
    def active(self, tab: str) -> None:
        self.tabs.active = tab

    @property
    def showing_python(self) -> bool:
        return self.tabs.active == "tab-python"

    @property
    def wrapped(self) -> bool:
        return self.xml_area.soft_wrap

    def toggle_wrap(self) -> bool:
        """Wrap long lines in both tabs, or stop wrapping; returns the new state."""
        wrap = not self.xml_area.soft_wrap
        self.xml_area.soft_wrap = wrap
        self.python_area.soft_wrap = wrap
        return wrap

    def focus_text(self) -> None:
        (self.python_area if self.showing_python else self.xml_area).focus()

    def show_xml(self, text: str) -> None:
        """Show `text` (a message in place of the document)."""
        self._shown = None
        self.partial = False
        if self.xml_area.text != text:
            self.xml_area.load_text(text)

    def show_start(self, text: str) -> None:
        """Show the first lines of a document's XML until `show_pretty` shows all of it."""
        self.show_xml(text)
        self.partial = True

    def show_pretty(self, pretty: Pretty) -> None:
        """Show the document's XML, replacing only the lines that changed since the last one."""
        self.partial = False
        area = self.xml_area
        old = self._shown
        self._shown = pretty
        if old is None or old.root is not pretty.root:  # another document: load it whole
            if area.text != pretty.text:
                area.load_text(pretty.text)
            return
        splice = pretty.splice(old)
        if splice is None:
            return
        first, end, text = splice
        area.replace(text, (first, 0), (end, 0))
        area.history.clear()

    def highlight(self, lines: tuple[int, int] | None) -> None:
        """Select the lines of the chosen node and scroll them into view."""
        area = self.xml_area
        if lines is None:
            area.selection = Selection.cursor((0, 0))
            return
        start, end = lines
        last = min(end, area.document.line_count - 1)
        area.selection = Selection((last, len(area.document[last])), (start, 0))
        if area.soft_wrap:  # rows on screen are not document lines
            area.scroll_cursor_visible(center=True, animate=False)
        else:
            area.scroll_to(y=max(0, start - 2), animate=False)

    def show_python(self, text: str) -> None:
        area = self.python_area
        if area.text != text:
            scroll = area.scroll_offset
            area.load_text(text)
            area.scroll_to(scroll.x, scroll.y, animate=False)
        self.python_stale = False
