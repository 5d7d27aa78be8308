"""The document's undo history and dirty state.

Every change is an edit command (`twiml_editor.edits`) applied here: undo applies its inverse,
redo applies it again, and typing into one field folds into one step (`_merge`). The dirty flag
is a position in that history (undo back to the saved state clears it); `edited_since` tells the
views which parts of the tree changed since a version they showed. Headless: no Textual.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from twiml.base import TwiML
from twiml.source import SourceDocument
from twiml_editor.document_tree import DocumentTree
from twiml_editor.edits import (
    Change,
    Command,
    Group,
    Rename,
    SetAttr,
    SetText,
)

__all__ = ["DEFAULT_MAX_HISTORY", "EDIT_LOG", "DocumentHistory", "same"]

DEFAULT_MAX_HISTORY = 10_000
EDIT_LOG = 256
"""Edits remembered for `edited_since`; views further behind re-render everything."""


class DocumentHistory(DocumentTree):
    """Undo, redo, the dirty flag and the log of what each edit touched."""

    version: int
    max_history: int
    source: SourceDocument
    """The text the document was read from: saves rewrite only what was edited (see twiml.source)."""
    _undo: deque[tuple[int, Command]]
    _redo: list[tuple[int, Command]]
    _serial: Iterator[int]
    _state: int
    """Serial of the last applied command; names the current history state."""
    _base: int
    """State under the oldest remembered command."""
    _saved: int
    """State that matches the file on disk (-1: none does)."""
    _edited: deque[tuple[int, tuple[TwiML, ...] | None]]
    """(version, the root's children each edit touched; None: anything) for `edited_since`."""

    @property
    def dirty(self) -> bool:
        """True when the tree differs from the last load or save (undo back to it clears it)."""
        return self._state != self._saved

    @dirty.setter
    def dirty(self, value: bool) -> None:
        self._saved = -1 if value else self._state

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_serial(self) -> int | None:
        """The number of the edit `undo` would revert (None: nothing to undo)."""
        return self._undo[-1][0] if self._undo else None

    @property
    def redo_serial(self) -> int | None:
        """The number of the edit `redo` would re-apply (None: nothing to redo)."""
        return self._redo[-1][0] if self._redo else None

    def use_clock(self, clock: Iterator[int]) -> None:
        """Number the edits from here on from `clock`: the documents of a flow share one, so
        the flow's single undo history can tell which edit, of any of them, came last."""
        self._serial = clock

    def mark_saved(self) -> None:
        """Declare the current tree to be what is on disk."""
        self._saved = self._state

    def _run(self, command: Command) -> Change:
        """Apply `command` to the tree; a renamed element's text in the file goes with it."""
        change = command.apply(self.root)
        pending = [command]
        while pending:
            step = pending.pop()
            if isinstance(step, Group):
                pending.extend(step.commands)
            elif isinstance(step, Rename):
                self.source.adopt(step.old, step.new)
        return change

    def _apply(self, command: Command) -> Change:
        self.source.index()  # what the file looked like must be recorded before the tree changes
        change = self._run(command)
        self._undo.append((next(self._serial), command))
        self._state = self._undo[-1][0]
        self._redo.clear()
        while len(self._undo) > self.max_history:
            self._base = self._undo.popleft()[0]
        self._changed(command, change)
        return change

    def _changed(self, command: Command, change: Change | None = None) -> None:
        self.version += 1
        if command.structural:
            self._index = None
        self._edited.append((self.version, self._touched(change) if change is not None else None))

    def _touched(self, change: Change) -> tuple[TwiML, ...] | None:
        """The root's children whose subtrees `change` edited (a node inserted or removed at the
        root's level, or an edit of the root itself, leaves them all as they were)."""
        if change.kind == "replace":
            return None
        paths = [p for p in (change.parent, change.old_path and change.old_path[:-1]) if p]
        if change.kind in ("attr", "text") and change.path:
            paths.append(change.path)
        verbs = self.root.verbs
        found: list[TwiML] = []
        for path in paths:
            node = verbs[path[0]] if path[0] < len(verbs) else None
            if isinstance(node, TwiML):
                found.append(node)
        return tuple(found)

    def edited_since(self, version: int) -> list[TwiML] | None:
        """The root's children whose subtrees were edited after `version` (views re-render only
        those); None when that is not known (too long ago, or the whole tree was replaced)."""
        if version == self.version:
            return []
        log = self._edited
        if version < 0 or not log or log[0][0] > version + 1:
            return None
        found: list[TwiML] = []
        for at, nodes in reversed(log):
            if at <= version:
                break
            if nodes is None:
                return None
            found.extend(reversed(nodes))
        found.reverse()  # in the order of the edits
        return found

    def undo(self) -> Change | None:
        """Revert the last edit; None when there is nothing to undo."""
        if not self._undo:
            return None
        serial, command = self._undo[-1]
        change = self._run(command.inverse())
        self._undo.pop()
        self._redo.append((serial, command))
        self._state = self._undo[-1][0] if self._undo else self._base
        self._changed(command, change)
        return change

    def redo(self) -> Change | None:
        """Re-apply the last undone edit; None when there is nothing to redo."""
        if not self._redo:
            return None
        serial, command = self._redo[-1]
        change = self._run(command)
        self._redo.pop()
        self._undo.append((serial, command))
        self._state = serial
        self._changed(command, change)
        return change

    @contextmanager
    def grouped(self) -> Iterator[None]:
        """The edits made inside count as one: a single undo reverts them all (a fix that
        renames an attribute is one step, as the user sees one change)."""
        before = self._undo[-1][0] if self._undo else None
        yield
        added: list[tuple[int, Command]] = []
        while self._undo and self._undo[-1][0] != before:
            added.append(self._undo.pop())
        if not added:
            return
        added.reverse()
        if len(added) == 1:
            self._undo.append(added[0])
            return
        self._undo.append((added[-1][0], Group(tuple(command for _, command in added))))

    def _merge(self, command: SetAttr | SetText) -> Change | None:
        """Fold `command` into the previous edit of the same field (typing in a form field), so
        one undo reverts the whole entry.  Never merges into the saved state or after an undo."""
        if not self._undo or self._redo or self._state == self._saved:
            return None
        _serial, last = self._undo[-1]
        if not isinstance(last, SetAttr | SetText) or type(last) is not type(command) or last.key != command.key:
            return None
        change = command.apply(self.root)
        self._undo.pop()
        merged = replace(last, new=command.new)
        if same(merged.old, merged.new):
            self._state = self._undo[-1][0] if self._undo else self._base
        else:
            self._undo.append((next(self._serial), merged))
            self._state = self._undo[-1][0]
        self._changed(command, change)
        return change


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type (so "1" replacing 1 still counts as an edit)."""
    if a is b:
        return True
    return type(a) is type(b) and a == b
