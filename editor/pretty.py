"""The preview's indented XML, kept as one piece per child of the root.

After an edit only the children it touched are written again (`Document.edited_since` names
them), and `Pretty.splice` tells the preview which block of lines to replace, so a keystroke in
a 50,000-node document neither re-serializes nor re-displays the whole text.  `Pretty.text` is
always exactly ``root.to_xml(pretty=True)`` (tests compare them after random edit sequences).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property

from twiml.base import TwiML
from twiml.serialize import one_line, pretty_child, pretty_frame

__all__ = ["Pretty", "node_lines"]


class Pretty:
    """One version of the indented XML: `head` (declaration, comments before the root, the root's
    start tag), one piece per item of ``root.verbs`` ("" for text), `tail` (end tag, comments
    after).  A root written on one line is all `head`."""

    __slots__ = ("__dict__", "head", "items", "lines", "pieces", "root", "tail")

    def __init__(
        self,
        root: TwiML,
        head: str,
        items: tuple[object, ...],
        pieces: tuple[str, ...],
        tail: str,
        lines: tuple[int, ...] | None = None,
    ) -> None:
        self.root = root
        self.head = head
        self.items = items
        self.pieces = pieces
        self.tail = tail
        self.lines = lines if lines is not None else tuple(piece.count("\n") for piece in pieces)

    @classmethod
    def build(cls, root: TwiML, previous: Pretty | None = None, edited: Collection[TwiML] | None = None) -> Pretty:
        """The XML of `root`, reusing the pieces of `previous` for children not in `edited`
        (None: write everything).  Raises TwiMLException when the tree cannot be written."""
        frame = pretty_frame(root)
        if frame is None:
            return cls(root, root.to_xml(pretty=True), (), (), "")
        items = tuple(root.verbs)
        if previous is None or edited is None or previous.root is not root:
            pieces = ["" if isinstance(item, str) else pretty_child(item) for item in items]
            return cls(root, frame[0], items, tuple(pieces), frame[1])
        index = previous.index
        if previous.items == items:  # the same children: write again only those edited
            pieces = list(previous.pieces)
            lines = list(previous.lines)
            for node in edited:
                i = index.get(id(node))
                if i is not None:
                    pieces[i] = pretty_child(node)
                    lines[i] = pieces[i].count("\n")
            made = cls(root, frame[0], previous.items, tuple(pieces), frame[1], tuple(lines))
            made.__dict__["index"] = index  # the same children, the same positions
            return made
        skip = {id(node) for node in edited}
        pieces = []
        for item in items:
            if isinstance(item, str):
                pieces.append("")
                continue
            i = index.get(id(item))
            if i is not None and previous.items[i] is item and id(item) not in skip:
                pieces.append(previous.pieces[i])
            else:
                pieces.append(pretty_child(item))
        return cls(root, frame[0], items, tuple(pieces), frame[1])

    @staticmethod
    def start(root: TwiML, children: int) -> str:
        """The first lines of `build(root).text`: everything up to the end of the first
        `children` items of the root, for a first screen of a large document before the whole
        text is written.  Raises TwiMLException when the tree cannot be written."""
        frame = pretty_frame(root)
        if frame is None:
            return root.to_xml(pretty=True)
        return frame[0] + "".join(pretty_child(item) for item in root.verbs[:children] if not isinstance(item, str))

    @cached_property
    def index(self) -> dict[int, int]:
        """Position of each child in `items`, by identity."""
        return {id(item): i for i, item in enumerate(self.items)}

    @cached_property
    def text(self) -> str:
        return self.head + "".join(self.pieces) + self.tail

    @cached_property
    def head_lines(self) -> int:
        return self.head.count("\n")

    def splice(self, old: Pretty) -> tuple[int, int, str] | None:
        """How to turn `old`'s text into this one: replace its lines [first, end) with the
        returned text (whole lines); None when both are the same."""
        a = (old.head, *old.pieces, old.tail)
        b = (self.head, *self.pieces, self.tail)
        limit = min(len(a), len(b))
        same = 0
        while same < limit and (a[same] is b[same] or a[same] == b[same]):
            same += 1
        if same == len(a) == len(b):
            return None
        back = 0
        while back < limit - same and (a[-1 - back] is b[-1 - back] or a[-1 - back] == b[-1 - back]):
            back += 1
        old_lines = (old.head_lines, *old.lines, old.tail.count("\n"))
        first = sum(old_lines[:same])
        end = first + sum(old_lines[same : len(a) - back])
        return first, end, "".join(b[same : len(b) - back])

    def node_lines(self, node: TwiML, path: tuple[int, ...]) -> tuple[int, int] | None:
        """First and last line (0-based) of `node`, found at `path` (indexes into ``.verbs``
        from the root), in `text`."""
        if not self.items:  # the root on one line
            return node_lines(self.root, node)
        if not path:
            return self.head_lines - 1, self.head_lines + sum(self.lines)
        first = self.head_lines + sum(self.lines[: path[0]])
        top = self.items[path[0]]
        if not isinstance(top, TwiML):
            return None
        return node_lines(top, node, first)


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


def node_lines(root: TwiML, target: TwiML, first_line: int | None = None) -> tuple[int, int] | None:
    """First and last line (0-based) of `target` in the pretty XML of `root`'s subtree, whose
    first line is `first_line` (default: where ``root.to_xml(pretty=True)`` puts the root, after
    the declaration and any comments before it)."""
    if first_line is None:
        first_line = 1 + sum(1 + _newlines(m) for m in root.prolog)
    line = first_line
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
        if one_line(node):
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
