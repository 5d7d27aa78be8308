"""Edit commands: the only way the editor changes a document.

Each command names its target by path (indexes into ``.verbs`` from the root) and carries just
the values it needs to run both ways: the old and new attribute value, the old and new text, the
inserted or removed subtree object itself (not a copy), the two indexes of a move.  Undo applies
``command.inverse()``, redo applies the command again, so history costs a few small objects per
edit instead of a snapshot of the tree.

Commands are replayed in the exact state they were recorded in; ``apply`` checks what it can
(identity of removed nodes, index ranges) and raises `EditError` rather than corrupt the tree if
the history and the document ever disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from twiml.base import TwiML
from twiml.errors import TwiMLException

__all__ = [
    "MISSING",
    "Change",
    "ChangeKind",
    "Command",
    "EditError",
    "Insert",
    "Move",
    "NodePath",
    "Remove",
    "Rename",
    "SetAttr",
    "SetText",
    "resolve",
]

NodePath = tuple[int, ...]
"""Indexes into ``.verbs`` lists from the root (text pieces count); ``()`` is the root."""

ChangeKind = Literal["attr", "text", "insert", "remove", "move", "rename", "replace"]


@dataclass(frozen=True)
class Change:
    """What an edit (or its undo/redo) touched, so views refresh only that part."""

    kind: ChangeKind
    path: NodePath
    """The node edited / inserted / removed (for a move: its new path)."""
    parent: NodePath | None
    """The parent, for insert / remove / move."""
    old_path: NodePath | None = None
    """Where the node was, for move / remove."""


class _Missing:
    """Marks an attribute that is absent (distinct from any value, including None)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __reduce__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class EditError(TwiMLException):
    """A command does not fit the document it is applied to (history and tree disagree)."""


def resolve(root: TwiML, path: NodePath) -> TwiML:
    """The node at `path`; EditError if the path leads nowhere or ends on a text piece."""
    node = root
    for depth, index in enumerate(path):
        if not 0 <= index < len(node.verbs):
            raise EditError(f"no node at path {path}")
        child = node.verbs[index]
        if not isinstance(child, TwiML):
            if depth == len(path) - 1:
                raise EditError(f"path {path} points at a text piece, not an element")
            raise EditError(f"no node at path {path}")
        node = child
    return node


@dataclass(frozen=True, slots=True)
class SetAttr:
    """Set (or, with MISSING, remove) one attribute of the node at `path`."""

    path: NodePath
    name: str
    old: Any
    new: Any
    structural = False

    @property
    def key(self) -> tuple[NodePath, str | int | None]:
        """The value it replaces: a later edit of the same key merges into it (typing)."""
        return self.path, self.name

    def apply(self, root: TwiML) -> Change:
        node = resolve(root, self.path)
        if self.new is MISSING:
            node.attrs.pop(self.name, None)
        else:
            node.attrs[self.name] = self.new
        return Change("attr", self.path, None)

    def inverse(self) -> SetAttr:
        return replace(self, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True)
class SetText:
    """Replace the body text (``.value``) of the node at `path`, or with `piece` its text piece
    ``.verbs[piece]``: text that follows a child element, as ``" there"`` in
    ``<Say>Hi <emphasis>you</emphasis> there</Say>``."""

    path: NodePath
    old: Any
    new: Any
    piece: int | None = None
    structural = False

    @property
    def key(self) -> tuple[NodePath, str | int | None]:
        """The value it replaces: a later edit of the same key merges into it (typing)."""
        return self.path, self.piece

    def apply(self, root: TwiML) -> Change:
        node = resolve(root, self.path)
        if self.piece is None:
            node.value = self.new
            return Change("text", self.path, None)
        verbs = node.verbs
        if not 0 <= self.piece < len(verbs) or verbs[self.piece] != self.old:
            raise EditError(f"no text piece {self.old!r} at {(*self.path, self.piece)}")
        verbs[self.piece] = self.new
        return Change("text", self.path, None)

    def inverse(self) -> SetText:
        return replace(self, old=self.new, new=self.old)


@dataclass(frozen=True, slots=True)
class _Slot:
    """`node` at ``.verbs[index]`` of the node at `parent`: Insert puts it there, Remove takes it
    out (and keeps it for undo); each is the other's inverse."""

    parent: NodePath
    index: int
    node: TwiML
    structural = True

    @property
    def at(self) -> NodePath:
        return (*self.parent, self.index)


@dataclass(frozen=True, slots=True)
class Insert(_Slot):
    """Put `node` at `index` of the ``.verbs`` of the node at `parent`."""

    def apply(self, root: TwiML) -> Change:
        verbs = resolve(root, self.parent).verbs
        if not 0 <= self.index <= len(verbs):
            raise EditError(f"insert index {self.index} outside 0..{len(verbs)} at {self.parent}")
        verbs.insert(self.index, self.node)
        return Change("insert", self.at, self.parent)

    def inverse(self) -> Remove:
        return Remove(self.parent, self.index, self.node)


@dataclass(frozen=True, slots=True)
class Remove(_Slot):
    """Take `node` out of ``.verbs[index]`` of the node at `parent` (kept here for undo)."""

    def apply(self, root: TwiML) -> Change:
        verbs = resolve(root, self.parent).verbs
        if not 0 <= self.index < len(verbs) or verbs[self.index] is not self.node:
            raise EditError(f"the node to remove is not at {self.at}")
        del verbs[self.index]
        return Change("remove", self.at, self.parent, old_path=self.at)

    def inverse(self) -> Insert:
        return Insert(self.parent, self.index, self.node)


@dataclass(frozen=True, slots=True)
class Move:
    """Move ``.verbs[source]`` of the node at `parent` so that it ends up at index `target`.

    Implemented as pop(source) then insert(target), whose inverse is the same with the two
    indexes swapped.
    """

    parent: NodePath
    source: int
    target: int
    structural = True

    def apply(self, root: TwiML) -> Change:
        verbs = resolve(root, self.parent).verbs
        if not (0 <= self.source < len(verbs) and 0 <= self.target < len(verbs)):
            raise EditError(f"move {self.source}->{self.target} outside 0..{len(verbs) - 1} at {self.parent}")
        verbs.insert(self.target, verbs.pop(self.source))
        return Change("move", (*self.parent, self.target), self.parent, old_path=(*self.parent, self.source))

    def inverse(self) -> Move:
        return Move(self.parent, self.target, self.source)


@dataclass(frozen=True, slots=True)
class Rename:
    """Put `new` where `old` is at ``.verbs[index]`` of the node at `parent`: the same subtree
    under another element name (a did-you-mean fix). The document hands `old`'s text in the file
    to `new` (`SourceDocument.adopt`), so a save changes only the name in the two tags."""

    parent: NodePath
    index: int
    old: TwiML
    new: TwiML
    structural = True

    def apply(self, root: TwiML) -> Change:
        verbs = resolve(root, self.parent).verbs
        if not 0 <= self.index < len(verbs) or verbs[self.index] is not self.old:
            raise EditError(f"the node to rename is not at {(*self.parent, self.index)}")
        verbs[self.index] = self.new
        return Change("rename", (*self.parent, self.index), self.parent)

    def inverse(self) -> Rename:
        return Rename(self.parent, self.index, self.new, self.old)


@dataclass(frozen=True, slots=True)
class Group:
    """Several commands that undo and redo as one (a fix that renames an attribute sets the new
    name and removes the old one: one undo step)."""

    commands: tuple[Command, ...]

    @property
    def structural(self) -> bool:
        return any(c.structural for c in self.commands)

    def apply(self, root: TwiML) -> Change:
        change: Change | None = None
        for command in self.commands:
            change = command.apply(root)
        assert change is not None, "a group has at least one command"
        return change

    def inverse(self) -> Group:
        return Group(tuple(c.inverse() for c in reversed(self.commands)))


Command = SetAttr | SetText | Insert | Remove | Move | Rename | Group
