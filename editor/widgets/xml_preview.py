"""Live preview: the document's XML (selected node highlighted) or its Python export.

Reloading a long highlighted TextArea is slow, so `show_xml` replaces only the lines that
differ from what is shown.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.document._document import Location
from textual.document._wrapped_document import WrappedDocument
from textual.strip import Strip
from textual.widgets import TabbedContent, TabPane, TextArea
from textual.widgets.text_area import Selection

from twiml.base import TwiML


def _newlines(node: TwiML) -> int:
    """Line breaks inside a node written on one line (text and comments keep theirs)."""
    count = 0
    stack = [node]
    while stack:
        current = stack.pop()
        if current.value is not None and not isinstance(current.value, (bool, int, float)):
            count += str(current.value).count("\n")
        for verb in current.verbs:
            if isinstance(verb, str):
                count += verb.count("\n")
            else:
                stack.append(verb)
    return count


def _inline(node: TwiML) -> bool:
    """Mirror of the pretty printer's rule: text or no element children -> written on one line."""
    if node.value is not None and node.value != "":
        return True
    has_child = False
    for verb in node.verbs:
        if isinstance(verb, str):
            if verb:
                return True
        else:
            has_child = True
    return not has_child


def node_lines(root: TwiML, target: TwiML, first_line: int = 1) -> tuple[int, int] | None:
    """First and last line (0-based) of `target` in `root.to_xml(pretty=True)`."""
    line = first_line + sum(1 + _newlines(m) for m in root.prolog)  # comments and PIs before the root
    stack: list[tuple[TwiML, bool]] = [(root, False)]
    opened: list[tuple[TwiML, int]] = []
    while stack:
        node, closing = stack.pop()
        if closing:
            start_node, start = opened.pop()
            if start_node is target:
                return start, line
            line += 1
            continue
        if _inline(node):
            size = 1 + _newlines(node)
            if node is target:
                return line, line + size - 1
            line += size
            continue
        opened.append((node, line))
        line += 1
        stack.append((node, True))
        stack.extend((v, False) for v in reversed(node.verbs) if not isinstance(v, str))
    return None


class _CachedHeight(WrappedDocument):
    """TextArea asks for the document height once per drawn line and 8.2.8 sums over every
    line each time; remember it until the text or the wrapping changes."""

    _height: int | None = None

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._height = None
        super().wrap(width, tab_width)

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        self._height = None
        super().wrap_range(start, old_end, new_end)

    @property
    def height(self) -> int:
        if self._height is None:
            self._height = super().height
        return self._height


class PreviewArea(TextArea):
    """Read-only TextArea that syntax-highlights only the rows around what is on screen.

    TextArea rebuilds the highlight map of the whole document after every edit (~45 ms for
    2,000 lines); the preview is edited on every keystroke, so highlights are computed for a
    window of rows when a row of it is first drawn."""

    WINDOW_BEFORE = 60
    WINDOW_AFTER = 200

    def _set_document(self, text: str, language: str | None) -> None:
        super()._set_document(text, language)
        self.wrapped_document.__class__ = _CachedHeight

    def _build_highlight_map(self) -> None:
        self._line_cache.clear()
        self._highlights.clear()
        self._covered: tuple[int, int] | None = None

    def _ensure_highlights(self, row: int) -> None:
        covered = getattr(self, "_covered", None)
        if covered is not None and covered[0] <= row < covered[1]:
            return
        query = self._highlight_query
        if not query:
            return
        start, end = max(0, row - self.WINDOW_BEFORE), row + self.WINDOW_AFTER
        highlights = self._highlights
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
        self._ensure_highlights(self.scroll_offset.y + y)
        return super()._render_line(y)


class XmlPreview(Vertical):
    """Tabs `XML` and `Python`; read-only, syntax highlighted."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.python_stale = True

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
        """Show `text`, editing only the changed block of lines."""
        area = self.xml_area
        old = area.document.lines
        new = text.split("\n")
        if not old or old == [""]:
            area.load_text(text)
            return
        limit = min(len(old), len(new))
        head = 0
        while head < limit and old[head] == new[head]:
            head += 1
        if head == len(old) == len(new):
            return
        tail = 0
        while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        if tail == 0 or head == len(old):
            area.load_text(text)
            return
        insert = "".join(line + "\n" for line in new[head : len(new) - tail])
        area.replace(insert, (head, 0), (len(old) - tail, 0))
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
