"""The verb tree: the document as a Tree, kept in step with edits node by node.

A collapsed node's children are added only when it is first expanded (or revealed for
selection), so opening a large document costs one TreeNode per visible line, not per node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from twiml.base import TwiML
from twiml.grammar_types import Element, element_of
from twiml_editor.widgets.literal import shown

SUMMARY_TEXT = 200
"""Characters of body text or a comment kept in a tree label (the tree clips each label to its
room, so a wide tree shows more; this only bounds the work for a very long text)."""
EXPAND_LIMIT = 1500
"""Documents with more nodes open with only the top level expanded (the tree lays out every
expanded line whenever it changes)."""
SUMMARY_ATTRS = 2
"""Attributes shown in a tree label besides the target URL."""

ElementLookup = Callable[[TwiML], Element | None]
"""What a node is in the document's dialect (`Document.element_of`); the builder's own entry by default."""

MARKERS = {"error": ("✖ ", "bold red"), "warning": ("⚠ ", "yellow"), "info": ("ℹ ", "cyan")}


def _clip(text: str, limit: int | None) -> str:
    text = " ".join(text.split())
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def _target(node: TwiML, element: Element | None) -> str | None:
    """The attribute that says where the flow goes next: `action`, else the first URL attribute."""
    if element is None:
        return None
    if "action" in node.attrs:
        return "action"
    for attr in element.attrs:
        if attr.type == "url" and attr.xml in node.attrs:
            return attr.xml
    return None


TYPE_RANK = {"int": 0, "float": 0, "bool": 1, "enum": 2, "url": 3, "list": 4, "string": 5}
"""Which set attributes a label shows first: short, telling values before free text."""


def _shown_attrs(node: TwiML, target: str | None, element: Element | None) -> list[tuple[str, object]]:
    """Attributes worth a place in the label: not the target, not equal to the default."""
    ranked = []
    for position, (key, value) in enumerate(node.attrs.items()):
        if key == target:
            continue
        attr = element.attr(key) if element is not None else None
        if attr is not None and attr.default is not None and str(value) == attr.default:
            continue
        rank = TYPE_RANK.get(attr.type, 5) if attr is not None else 6
        ranked.append((rank, position, key, value))
    return [(key, value) for _, _, key, value in sorted(ranked)]


def summary(node: TwiML, element_for: ElementLookup = element_of) -> str:
    """A one-line description such as `→ /menu numDigits=1` or `"Welcome to…"`."""
    if node.name[:1] == "#":  # comment or processing instruction
        return _clip(str(node.value or ""), SUMMARY_TEXT)
    element = element_for(node)
    target = _target(node, element)
    body = node.value
    if body is None:
        body = "".join(v for v in node.verbs if isinstance(v, str)) or None
    has_body = body not in (None, "")
    budget = 0 if has_body else SUMMARY_ATTRS - (target is not None)
    attrs = _shown_attrs(node, target, element)
    # where the call goes next comes first, in full: the tree clips a label to its room, so the
    # URL shows as far as the tree is wide
    parts = [f"→ {_clip(str(node.attrs[target]), None)}"] if target is not None else []
    parts += [f"{key}={_clip(str(value), 16)}" for key, value in attrs[: max(budget, 0)]]
    if len(attrs) > max(budget, 0) and not has_body:
        parts.append("…")
    if has_body:  # a URL body (Redirect, Play) in full too, as the target attribute
        url = element is not None and element.body is not None and element.body.param == "url"
        parts.append(f'"{_clip(str(body), None if url else SUMMARY_TEXT)}"')
    return " ".join(parts)


def label_for(node: TwiML, severity: str | None = None, element_for: ElementLookup = element_of) -> Text:
    """The tree label: problem marker, element name (magenta when the document's dialect does not
    know it), summary."""
    label = Text()
    if severity in MARKERS:
        mark, style = MARKERS[severity]
        label.append(mark, style=style)
    if node.name == "#comment":
        label.append("<!-- ", style="dim")
        label.append(shown(summary(node)), style="dim italic")
        label.append(" -->", style="dim")
        return label
    if node.name == "#pi":
        label.append(shown(f"<?{getattr(node, 'target', '')} "), style="dim")
        label.append(shown(summary(node)), style="dim italic")
        label.append("?>", style="dim")
        return label
    label.append(shown(node.name), style="bold" if element_for(node) is not None else "bold magenta")
    text = summary(node, element_for)
    if text:
        label.append(" " + shown(text), style="italic")
    return label


def element_children(node: TwiML) -> list[TwiML]:
    return [v for v in node.verbs if isinstance(v, TwiML)]


class VerbTree(Tree[TwiML]):
    """Tree of TwiML nodes; `node_map` finds the TreeNode of a document node by identity.

    Only nodes whose parent has been expanded (or revealed) are in the tree and in `node_map`;
    use `reveal` before looking up a node that may sit under a never-expanded ancestor.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "edit", "Edit fields", show=False)]

    _batching = False
    """True while a bulk add runs: Tree invalidation is deferred to its end."""
    _batch_invalid = False

    class EditRequested(Message):
        """Enter on a node: the user wants to edit its fields."""

        def __init__(self, tree: VerbTree) -> None:
            super().__init__()
            self.tree = tree

        @property
        def control(self) -> VerbTree:
            """The tree that posted it."""
            return self.tree

    def action_edit(self) -> None:
        self.post_message(self.EditRequested(self))

    def __init__(self, *, id: str | None = None, element_for: ElementLookup = element_of) -> None:
        super().__init__("Response", id=id)
        self.element_for = element_for
        """What a node is in the document's dialect (`Document.element_of`): labels follow it."""
        self.auto_expand = False
        self.node_map: dict[int, TreeNode[TwiML]] = {}
        self.severity: dict[int, str] = {}
        self._expand_new = True
        self._unpopulated: set[int] = set()
        """Ids of TreeNodes whose document node has element children not added yet."""
        self._pending: TwiML | None = None
        """The root while `load` has added only the first of its children."""

    # -- cheaper Tree internals for thousands of lines -------------------------------------
    def _invalidate(self) -> None:
        # Tree.add invalidates (and schedules a layout) once per node; a bulk add does it once.
        if self._batching:
            self._batch_invalid = True
            return
        super()._invalidate()

    def process_label(self, label: str | Text) -> Text:
        # Our labels are single-line Text already (summaries collapse whitespace): skip the split.
        if isinstance(label, Text) and "\n" not in label.plain:
            return label
        return super().process_label(label)

    def get_label_width(self, node: TreeNode[TwiML]) -> int:
        # Same width as the rendered label (toggle icon + label, clipped to its room), without
        # rendering it.
        width = node._label.cell_len
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        room = self.label_room(node)
        return min(width, room) if room > 0 else width

    def label_room(self, node: TreeNode[TwiML]) -> int:
        """Cells the label of `node` may take: the tree's width less the guides of its depth
        (0 before the tree has a size)."""
        depth = 0
        parent = node.parent
        while parent is not None:
            depth += 1
            parent = parent.parent
        if not self.show_root:
            depth = max(depth - 1, 0)
        return max(self.scrollable_content_region.width - depth * self.guide_depth, 0)

    def render_label(self, node: TreeNode[TwiML], base_style: Style, style: Style) -> Text:
        """A label wider than its room ends in "…" at the tree's edge: the verb and the start of
        its URL stay in sight (a wide tree shows the whole URL), nothing hides past a scrollbar."""
        label = super().render_label(node, base_style, style)
        room = self.label_room(node)
        if 0 < room < label.cell_len:
            label.truncate(room, overflow="ellipsis")
        return label

    def on_resize(self) -> None:
        """Labels are clipped to the width: lay the lines out again for the new one."""
        self._invalidate()

    # -- whole document -------------------------------------------------------------------
    def load(self, root: TwiML, *, first: int | None = None) -> None:
        """Show a new document (the only time the tree is rebuilt from scratch).

        With `first`, a large document (opened collapsed) gets only the first `first` children
        of its root, enough for the first screen: `finish_loading` adds the others after it is
        drawn (4,000 labels and lines take ~0.15 s). Until then the tree is a prefix of the
        document; `tree_node` and `reconcile` finish it before they answer."""
        self.clear()
        self._expand_new = next(islice(root.iter(), EXPAND_LIMIT, None), None) is None  # at most EXPAND_LIMIT nodes
        self._unpopulated = set()
        self._pending = None
        self.node_map = {id(root): self.root}
        self.root.data = root
        self.root.set_label(self._label(root))
        children = element_children(root)
        if first is not None and not self._expand_new and len(children) > first:
            self._pending = root
            children = children[:first]
        self._add_subtree(self.root, root, children)
        self.root.expand()

    @property
    def partial(self) -> bool:
        """`load` left children of the root for `finish_loading`."""
        return self._pending is not None

    def finish_loading(self) -> None:
        """Add the children of the root that `load` left out (nothing when none were)."""
        root, self._pending = self._pending, None
        if root is not None and self.root.data is root:
            self.reconcile(root)  # appends the missing ones; edits made meanwhile are matched too

    def _add_subtree(self, tree_node: TreeNode[TwiML], node: TwiML, children: list[TwiML] | None = None) -> None:
        """Add the children of `node` (or just `children`), and theirs only where they are added
        expanded."""
        self._unpopulated.discard(tree_node.id)
        with self._batch():
            self._add_tree(tree_node, node, children)

    @contextmanager
    def _batch(self) -> Iterator[None]:
        """Invalidate the tree once for everything added or removed inside."""
        outer = self._batching
        self._batching = True
        try:
            yield
        finally:
            self._batching = outer
            if not outer and self._batch_invalid:
                self._batch_invalid = False
                self._invalidate()

    def _add_tree(self, tree_node: TreeNode[TwiML], node: TwiML, children: list[TwiML] | None) -> None:
        # Iterative so deep documents cannot hit the recursion limit.
        stack: list[tuple[TreeNode[TwiML], TwiML, list[TwiML] | None]] = [(tree_node, node, children)]
        while stack:
            parent_tree, parent, kids = stack.pop()
            for child in element_children(parent) if kids is None else kids:
                added = self._add_one(parent_tree, child)
                if added.allow_expand:
                    if added.is_expanded:
                        stack.append((added, child, None))
                    else:
                        self._unpopulated.add(added.id)

    def _populate(self, tree_node: TreeNode[TwiML]) -> None:
        """Add the children of a node that was added collapsed, once."""
        if tree_node.id in self._unpopulated and tree_node.data is not None:
            self._add_subtree(tree_node, tree_node.data)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TwiML]) -> None:
        self._populate(event.node)

    def reveal(self, ancestors: Sequence[TwiML]) -> None:
        """Add the children of each of `ancestors` (root first) that are not in the tree yet,
        so a node below them has a TreeNode.  Expanding is left to the caller."""
        for node in ancestors:
            tree_node = self.node_map.get(id(node))
            if tree_node is None or tree_node.data is not node:
                return
            self._populate(tree_node)

    def _add_one(self, parent_tree: TreeNode[TwiML], node: TwiML, before: int | None = None) -> TreeNode[TwiML]:
        has_kids = any(isinstance(v, TwiML) for v in node.verbs)
        added = parent_tree.add(
            self._label(node), data=node, before=before, expand=self._expand_new, allow_expand=has_kids
        )
        self.node_map[id(node)] = added
        return added

    def _label(self, node: TwiML) -> Text:
        return label_for(node, self.severity.get(id(node)), self.element_for)

    # -- incremental updates ---------------------------------------------------------------
    def tree_node(self, node: TwiML) -> TreeNode[TwiML] | None:
        found = self.node_map.get(id(node))
        if found is None and self._pending is not None:
            self.finish_loading()
            found = self.node_map.get(id(node))
        return found

    def relabel(self, node: TwiML) -> None:
        tree_node = self.node_map.get(id(node))
        if tree_node is not None and tree_node.data is node:
            tree_node.set_label(self._label(node))

    def _forget(self, tree_node: TreeNode[TwiML]) -> None:
        stack = [tree_node]
        while stack:
            current = stack.pop()
            if current.data is not None and self.node_map.get(id(current.data)) is current:
                del self.node_map[id(current.data)]
            self._unpopulated.discard(current.id)
            stack.extend(current.children)

    def reconcile(self, parent: TwiML) -> None:
        """Make the TreeNode children of `parent` match its element children, touching only
        the nodes that differ (inserted, removed or moved ones)."""
        parent_tree = self.node_map.get(id(parent))
        if parent_tree is None:
            return
        if parent is self._pending:
            self._pending = None  # this adds the children `load` left out
        wanted = element_children(parent)
        if parent_tree.id in self._unpopulated:
            # Its children were never added: expanding it later reads them afresh.
            if not wanted:
                self._unpopulated.discard(parent_tree.id)
            parent_tree.allow_expand = bool(wanted)
            parent_tree.set_label(self._label(parent))
            return
        with self._batch():
            wanted_ids = {id(n) for n in wanted}
            for existing in list(parent_tree.children):
                if existing.data is None or id(existing.data) not in wanted_ids:
                    self._forget(existing)
                    existing.remove()
            for index, child in enumerate(wanted):
                current = parent_tree.children
                if index < len(current) and current[index].data is child:
                    continue
                old = self.node_map.get(id(child))
                if old is not None and old.parent is parent_tree:
                    self._forget(old)
                    old.remove()
                new = self._add_one(parent_tree, child, before=index if index < len(parent_tree.children) else None)
                if new.allow_expand:
                    if new.is_expanded:
                        self._add_subtree(new, child)
                    else:
                        self._unpopulated.add(new.id)
            parent_tree.allow_expand = bool(wanted)
        parent_tree.set_label(self._label(parent))

    def relabel_all(self) -> None:
        """Label every row afresh (the document's dialect changed what its nodes are)."""
        for tree_node in list(self.node_map.values()):
            if tree_node.data is not None:
                tree_node.set_label(self._label(tree_node.data))

    def set_severities(self, severity: dict[int, str]) -> None:
        """Mark nodes with problems, relabelling only nodes whose mark changed."""
        old = self.severity
        self.severity = severity
        for key in set(old) | set(severity):
            if old.get(key) != severity.get(key):
                tree_node = self.node_map.get(key)
                if tree_node is not None and tree_node.data is not None:
                    tree_node.set_label(self._label(tree_node.data))

    def nodes_in_order(self) -> Iterable[TwiML]:
        """Document nodes in tree order, as far as they have been added to the tree."""
        stack = [self.root]
        while stack:
            current = stack.pop()
            if current.data is not None:
                yield current.data
            stack.extend(reversed(current.children))
