"""Asks for a file path (open, save as, export Python): a path field with Tab completion over a
directory tree that follows what is typed and shows only the folders and matching files."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.suggester import Suggester
from textual.widgets import Button, DirectoryTree, Input, Label, Static
from textual.widgets.input import Selection

from twiml_editor.screens.dialog import Dialog
from twiml_editor.widgets.literal import VisibleInput, shown


def split_path(text: str) -> tuple[Path, str]:
    """The folder a typed path points into and the start of the name typed so far."""
    path = Path(text).expanduser()
    if text.endswith(("/", os.sep)) or text in ("", "~"):
        return path, ""
    return path.parent, path.name


def entries(folder: Path) -> list[Path]:
    """Visible entries of `folder` (no dot files), folders first; [] if it cannot be read."""
    try:
        found = [p for p in folder.iterdir() if not p.name.startswith(".")]
    except OSError:
        return []
    return sorted(found, key=lambda p: (not p.is_dir(), p.name.lower()))


def complete(text: str, suffixes: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """Shell-like completion of the last component of `text`: the text extended by the longest
    prefix every match shares (a single folder gets its "/"), and the names that matched.

    Only folders and files with one of `suffixes` (all files when empty) are candidates, as the
    tree shows them: `s` completes `sample_flows/` even beside `setup.py`. A name typed in full
    that is a folder gets its "/" although longer names start the same (`flows` beside `flows_old/`)."""
    folder, stem = split_path(text)
    matches = [
        p
        for p in entries(folder)
        if p.name.startswith(stem) and (not suffixes or p.is_dir() or p.suffix.lower() in suffixes)
    ]
    if not matches:
        return text, []
    names = [p.name + ("/" if p.is_dir() else "") for p in matches]
    common = names[0]
    for name in names[1:]:
        while not name.startswith(common):
            common = common[:-1]
    if len(common) > len(stem):
        text += common[len(stem) :]
    elif stem and stem + "/" in names:
        text += "/"
    return text, names


class PathSuggester(Suggester):
    """Suggests the rest of the first matching name (right arrow accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, stem = split_path(value)
        for path in entries(folder):
            name = path.name + ("/" if path.is_dir() else "")
            if name.startswith(stem) and name != stem:
                return value + name[len(stem) :]
        return None


class FileTree(DirectoryTree):
    """Folders and the files with one of `suffixes` whose names start with `prefix`."""

    def __init__(self, path: Path, suffixes: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(path, id=id)
        self.suffixes = suffixes
        self.prefix = ""

    def watch_path(self) -> None:  # type: ignore[override]  # a plain watcher that schedules the reload
        """Reload for the new path once the tree gets to it. DirectoryTree's own watcher is a
        coroutine, which Textual creates at once and awaits later: a prompt closed before that
        (opened and closed in one burst) left it never awaited (a RuntimeWarning). A callback
        that is never run creates no coroutine."""
        self.call_next(super().watch_path)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        top = Path(self.path).expanduser().resolve()  # the tree lists resolved paths
        shown = []
        for path in paths:
            if path.name.startswith("."):
                continue
            try:
                is_dir = path.is_dir()
            except OSError:
                continue
            if not path.name.startswith(self.prefix) and path.parent == top:
                continue
            if is_dir or not self.suffixes or path.suffix.lower() in self.suffixes:
                shown.append(path)
        return shown


def select_stem(field: Input) -> None:
    """Select the file name of the field's path up to its extension, so typing `menu` gives
    `menu.xml`; a folder (or nothing) leaves the cursor at the end."""
    value = field.value
    start = value.rfind("/") + 1
    end = start + len(Path(value[start:]).stem) if value[start:] else start
    if end > start:
        field.selection = Selection(start, end)
    else:
        field.cursor_position = len(value)


def undoubled(text: str, suffixes: tuple[str, ...]) -> str:
    """`text` with a doubled extension made single: typing `newdoc.xml` over the selected stem
    of `voice_flow.xml` gives `newdoc.xml.xml`, and the user meant `newdoc.xml`."""
    path = PurePath(text)
    suffix = path.suffix.lower()
    if suffix and suffix in suffixes and path.stem.lower().endswith(suffix) and len(path.stem) > len(suffix):
        return text[: -len(path.suffix)]
    return text


class PathPrompt(Dialog[Path | None]):
    """Dismisses with the entered or picked path, or None on escape/cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False),
        Binding("tab", "complete", "Complete", show=False, priority=True),
        Binding("down", "to_tree", "Tree", show=False),
    ]

    def __init__(
        self,
        title: str,
        initial: str = "",
        hint: str = "",
        suffixes: tuple[str, ...] = (".xml",),
        *,
        folders: bool = False,
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.folders = folders
        """A folder is an answer too (a flow folder to open), not only a file in it."""
        self.title_text = title
        self.initial = initial
        self.hint = hint
        self.suffixes = suffixes

    def compose(self) -> ComposeResult:
        folder, _ = split_path(self.initial)
        with Vertical(classes="dialog", id="path-dialog"):
            yield Label(shown(self.title_text), classes="dialog-title", markup=False)
            if self.hint:
                yield Static(shown(self.hint), classes="dialog-text", markup=False)
            yield VisibleInput(self.initial, id="path-input", suggester=PathSuggester(), placeholder="path/to/file")
            yield Static("", id="path-error", classes="attr-error", markup=False)
            yield FileTree(folder if folder.is_dir() else Path.cwd(), self.suffixes, id="path-tree")
            yield Static(
                "Tab completes · ↓ goes to the tree · Enter accepts",
                classes="dialog-hint",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("OK", id="path-ok", variant="primary")
                yield Button("Cancel", id="path-cancel")

    @property
    def path_input(self) -> Input:
        return self.query_one("#path-input", Input)

    @property
    def file_tree(self) -> FileTree:
        return self.query_one("#path-tree", FileTree)

    def on_mount(self) -> None:
        """The proposed file name is selected up to its extension (typing `menu` makes it
        `menu.xml` in the same folder); a proposed folder leaves the cursor at its end."""
        field = self.path_input
        field.focus()
        select_stem(field)

    @on(Input.Changed, "#path-input")
    def _follow(self, event: Input.Changed) -> None:
        """The tree shows the folder typed into and only the names that start as typed."""
        folder, stem = split_path(event.value)
        tree = self.file_tree
        if folder.is_dir() and folder.resolve() != Path(tree.path).resolve():
            tree.prefix = stem
            tree.path = folder
        elif tree.prefix != stem:
            tree.prefix = stem
            tree.reload()
        self.query_one("#path-error", Static).update("")

    def action_to_tree(self) -> None:
        """Down in the path field moves to the tree (the field has no use for it)."""
        if self.focused is self.path_input:
            self.file_tree.focus()

    def action_complete(self) -> None:
        if self.focused is not self.path_input:
            self.focus_next()
            return
        text, names = complete(self.path_input.value, self.suffixes)
        if text != self.path_input.value:
            self.path_input.value = text
            self.path_input.cursor_position = len(text)
        error = self.query_one("#path-error", Static)
        if not names:
            error.update("No file or folder starts like that.")
        elif len(names) > 1:
            error.update(shown("  ".join(names[:12]) + ("  …" if len(names) > 12 else "")))

    @on(DirectoryTree.FileSelected, "#path-tree")
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self.path_input.value = str(event.path)
        self.path_input.focus()
        self.path_input.cursor_position = len(self.path_input.value)

    @on(DirectoryTree.DirectorySelected, "#path-tree")
    def _folder(self, event: DirectoryTree.DirectorySelected) -> None:
        event.stop()
        self.path_input.value = str(event.path) + "/"

    def _submit(self) -> None:
        text = self.path_input.value.strip()
        if not text:
            self.query_one("#path-error", Static).update("Enter a file path.")
            return
        path = Path(undoubled(text, self.suffixes)).expanduser()
        if path.is_dir() and not self.folders:
            self.query_one("#path-error", Static).update(shown(f"{path} is a folder: choose or type a file name."))
            return
        self.dismiss(path)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "path-ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
