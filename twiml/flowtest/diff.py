"""`twiml diff`: two versions of a flow (folders, documents, or git revisions) compared in the
caller's terms.

Documents are compared as parsed TwiML, element by element: a <Say>'s words (a prompt), an
attribute's value (a timeout, numDigits, an action), a verb's target (a number, a Redirect URL)
and verbs added or removed. Attribute order, whitespace, quoting and comments are not behaviour:
a file that differs only in those is listed as cosmetic, apart from the changes. Routes are
compared case by case (added, removed, retargeted). For flow folders both versions are also
mapped and every path replayed, to name the paths whose outcome changed.
"""

from __future__ import annotations

import difflib
import io
import json
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from twiml.flow.config import Flow
from twiml.flow.explore import FlowMap
from twiml.flow.routing import NoContent, Route, Split
from twiml.flowtest.compare import Change

if TYPE_CHECKING:
    from twiml.flowtest.cases import Case
    from twiml.flowtest.targets import TestTarget

__all__ = ["DiffError", "FlowDiff", "diff_documents", "diff_flows", "git_tree", "path_changes", "render"]

_PROMPTS = frozenset({"Say", "Message", "Body", "Sms"})


class DiffError(Exception):
    """An input cannot be compared; the message names it."""


@dataclass
class PathChange:
    """A path (its inputs) whose outcome is not what it was."""

    name: str
    was: str
    now: str


@dataclass
class FlowDiff:
    """What changed, what changed only in form, and which paths now end elsewhere."""

    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    cosmetic: list[str] = field(default_factory=list)
    paths: list[PathChange] = field(default_factory=list)
    new_paths: list[PathChange] = field(default_factory=list)
    old_map: FlowMap | None = None
    new_map: FlowMap | None = None
    folders: bool = True
    """Flow folders (changes name documents), or another input such as a Studio flow (widgets)."""


# ------------------------------------------------------------------------------------ documents


@dataclass(frozen=True)
class _Element:
    name: str
    attrs: tuple[tuple[str, str], ...]
    text: str
    line: int | None


def _elements(source: bytes | str, label: str) -> list[_Element]:
    """The elements of a document in order, comments left out, text with whitespace collapsed
    (a <Say>'s SSML folded into its words)."""
    import twiml
    from twiml.base import Comment, ProcessingInstruction
    from twiml.errors import TwiMLParseError

    try:
        document = twiml.parse(source)
    except TwiMLParseError as exc:
        raise DiffError(f"{label}:{exc.line or 0}:{exc.column or 0}: not well-formed TwiML: {exc.message}") from None
    out: list[_Element] = []
    inside_prompt: set[int] = set()
    for node in document.iter():
        if isinstance(node, Comment | ProcessingInstruction) or id(node) in inside_prompt:
            continue
        pieces: list[str] = []
        nodes = list(node.iter()) if node.name in _PROMPTS else [node]
        for part in nodes:
            if part is not node:
                inside_prompt.add(id(part))
            if isinstance(part, Comment | ProcessingInstruction):
                continue
            if isinstance(part.value, str):
                pieces.append(part.value)
            pieces += [v for v in part.verbs if isinstance(v, str)]
        attrs = tuple(sorted((k, " ".join(str(v).split())) for k, v in node.attrs.items()))
        out.append(_Element(node.name, attrs, " ".join(" ".join(pieces).split()), node.source_line))
    return out


def diff_documents(
    old: bytes | str, new: bytes | str, name: str, old_label: str = "", new_label: str = ""
) -> list[Change]:
    """Behaviour changes between two versions of one document; [] when only its form changed."""
    a = _elements(old, old_label or name)
    b = _elements(new, new_label or name)
    out: list[Change] = []
    matcher = difflib.SequenceMatcher(a=[e.name for e in a], b=[e.name for e in b], autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                out += _element_changes(name, x, y)
            continue
        for x in a[i1:i2]:
            out.append(Change("verb", name, f"<{x.name}> removed from {name}", _show(x), ""))
        for y in b[j1:j2]:
            out.append(Change("verb", name, f"<{y.name}> added in {name}", "", _show(y)))
    return out


def _show(e: _Element) -> str:
    attrs = " ".join(f'{k}="{v}"' for k, v in e.attrs)
    return f"<{e.name}{' ' + attrs if attrs else ''}>{e.text}"


def _element_changes(name: str, x: _Element, y: _Element) -> list[Change]:
    out: list[Change] = []
    at = f"{name}:{y.line}" if y.line else name
    if x.text != y.text:
        if x.name in _PROMPTS or x.name == "Play":
            kind = "prompt" if x.name in ("Say", "Play") else "message"
            out.append(Change(kind, name, f"{kind} changed in {at}", x.text, y.text))
        else:
            out.append(Change("attribute", name, f"<{x.name}> target changed in {at}", x.text, y.text))
    old, new = dict(x.attrs), dict(y.attrs)
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            out.append(
                Change("attribute", name, f"<{x.name}> {key} changed in {at}", old.get(key, ""), new.get(key, ""))
            )
    return out


# ---------------------------------------------------------------------------------------- routes


def _target_text(route: Route | None) -> str:
    if route is None:
        return ""
    if isinstance(route.target, str):
        return route.target
    if isinstance(route.target, NoContent):
        return route.target.describe()
    return f"split by {route.target.by}"


def _route_changes(old: dict[str, Route], new: dict[str, Route]) -> list[Change]:
    out: list[Change] = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a is None:
            out.append(Change("route", path, f"route {path} added", "", _target_text(b)))
            continue
        if b is None:
            out.append(Change("route", path, f"route {path} removed", _target_text(a), ""))
            continue
        if isinstance(a.target, Split) and isinstance(b.target, Split):
            out += _split_changes(path, a.target, b.target)
        elif a.target != b.target:
            out.append(Change("route", path, f"route {path} retargeted", _target_text(a), _target_text(b)))
    return out


def _split_changes(path: str, a: Split, b: Split) -> list[Change]:
    out: list[Change] = []
    if (a.by, a.match) != (b.by, b.match):
        out.append(Change("route", path, f"route {path} splits differently", f"{a.by} {a.match}", f"{b.by} {b.match}"))
    old, new = dict(a.cases), dict(b.cases)
    for key in [k for k, _ in a.cases] + [k for k, _ in b.cases if k not in old]:
        if key not in new:
            out.append(Change("route", path, f'route {path}: case "{key}" removed', old[key], ""))
        elif key not in old:
            out.append(Change("route", path, f'route {path}: case "{key}" added', "", new[key]))
        elif old[key] != new[key]:
            out.append(Change("route", path, f'route {path}: case "{key}" retargeted', old[key], new[key]))
    for what, x, y in (("default", a.default, b.default), (f"{a.by} present", a.then, b.then)):
        if x != y:
            out.append(Change("route", path, f"route {path}: {what} retargeted", x or "", y or ""))
    return out


# ----------------------------------------------------------------------------------------- flows


def diff_flows(old: Flow, new: Flow, old_label: str, new_label: str, paths: bool = True) -> FlowDiff:
    """Routes, documents and (with `paths`) the outcome of every path of two flow folders."""
    result = FlowDiff(old_label, new_label)
    result.changes += _route_changes(old.routes, new.routes)
    for key in ("start", "sms_start", "fax_start"):
        if getattr(old, key) != getattr(new, key):
            result.changes.append(
                Change("route", key, f"{key} changed", getattr(old, key) or "", getattr(new, key) or "")
            )
    old_docs, new_docs = set(old.documents()), set(new.documents())
    for name in sorted(old_docs | new_docs):
        if name not in new_docs:
            result.changes.append(Change("document", name, f"{name} removed", name, ""))
            continue
        if name not in old_docs:
            result.changes.append(Change("document", name, f"{name} added", "", name))
            continue
        a = (old.folder / name).read_bytes()
        b = (new.folder / name).read_bytes()
        if a == b:
            continue
        changes = diff_documents(a, b, name, str(old.folder / name), str(new.folder / name))
        if changes:
            result.changes += changes
        else:
            result.cosmetic.append(name)
    if paths:
        _path_changes(result, old, new)
    return result


def _path_changes(result: FlowDiff, old: Flow, new: Flow) -> None:
    from twiml.flowtest.targets import open_folder_target

    path_changes(result, open_folder_target(old.folder), open_folder_target(new.folder))


def path_changes(result: FlowDiff, before: TestTarget, after: TestTarget) -> None:
    """Every path of both maps replayed on both versions (the same inputs): those that now go
    through other documents or end otherwise are changed. A path only the new map shows is new
    only when the old version never waited for its inputs; where it did (a retargeted route
    merges paths: the map's tree shows them under another branch now), it is the same caller
    path, changed or not."""
    from twiml.flowtest.cases import cases_from_map, play_all
    from twiml.flowtest.compare import trail

    result.old_map, result.new_map = before.explore(), after.explore()
    cases = cases_from_map(result.old_map, before)
    for a, b in zip(play_all(before, cases), play_all(after, cases), strict=True):
        if _moved(a, b):
            result.paths.append(PathChange(a.name, trail(a), trail(b)))
    known = {c.key for c in cases}
    fresh = [c for c in cases_from_map(result.new_map, after) if c.key not in known]
    for a, b in zip(play_all(before, fresh), play_all(after, fresh), strict=True):
        if not _moved(a, b):
            continue  # the caller could always walk it, to the same end
        if _new_choice(a):
            result.new_paths.append(PathChange(b.name, "", trail(b)))
        else:
            result.paths.append(PathChange(b.name, trail(a), trail(b)))


def _moved(a: Case, b: Case) -> bool:
    return [s.where for s in a.steps] != [s.where for s in b.steps] or a.end != b.end


def _new_choice(old: Case) -> bool:
    """The old version ended before it waited for all of the case's inputs (it did not ask)."""
    from twiml.flowtest.cases import input_labels

    applied = [label for step in old.steps if step.input for label in input_labels(step.input)]
    return len(applied) < len(old.inputs) and "does not apply" not in old.end


# ------------------------------------------------------------------------------------------- git


@contextmanager
def git_tree(revision: str, path: Path) -> Iterator[Path]:
    """`path` (a folder or file of a git work tree) as it is at `revision`, in a temporary folder."""
    path = path.resolve()
    where = path if path.is_dir() else path.parent

    def git(*args: str, at: Path = where) -> bytes:
        try:
            done = subprocess.run(["git", "-C", str(at), *args], capture_output=True, check=False, timeout=60)
        except FileNotFoundError:
            raise DiffError("git is not installed: compare two folders or files instead") from None
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise DiffError(f"git {' '.join(args)}: {message[-1] if message else 'failed'}")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel").decode().strip())
    relative = path.relative_to(top).as_posix()
    archive = git("archive", "--format=tar", revision, "--", relative or ".", at=top)
    with tempfile.TemporaryDirectory(prefix="twiml-diff-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp) / relative


# ---------------------------------------------------------------------------------------- render


def _md(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def render(diff: FlowDiff, fmt: str) -> str:
    if fmt == "json":
        data: dict[str, Any] = {
            "old": diff.old,
            "new": diff.new,
            "changes": [c.as_dict() for c in diff.changes],
            "paths": [{"path": p.name, "was": p.was, "now": p.now} for p in diff.paths],
            "new_paths": [{"path": p.name, "now": p.now} for p in diff.new_paths],
            "cosmetic_only": diff.cosmetic,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        out = [f"### Flow changes: `{diff.old}` → `{diff.new}`", ""]
        if diff.changes:
            out += [f"**{len(diff.changes)} change{'s' * (len(diff.changes) != 1)} in behaviour**", ""]
            out += ["| what | where | was | now |", "|---|---|---|---|"]
            out += [f"| {_md(c.summary)} | `{_md(c.where)}` | {_md(c.was)} | {_md(c.now)} |" for c in diff.changes]
        else:
            out.append("No change in behaviour.")
        if diff.paths:
            out += ["", f"**Paths whose outcome changed ({len(diff.paths)})**", ""]
            out += [f"- `{_md(p.name)}`: was {_md(p.was)}; now {_md(p.now)}" for p in diff.paths]
        if diff.new_paths:
            out += ["", f"**New paths ({len(diff.new_paths)})**", ""]
            out += [f"- `{_md(p.name)}`: {_md(p.now)}" for p in diff.new_paths]
        if diff.cosmetic:
            out += ["", f"_Formatting, attribute order or comments only: {', '.join(diff.cosmetic)}_"]
        return "\n".join(out) + "\n"
    if fmt == "mermaid":
        return _mermaid(diff)
    out = []
    for n, change in enumerate(diff.changes, start=1):
        out.append(f"{n}. {change.summary}")
        if change.was:
            out.append(f"   was: {change.was}")
        if change.now:
            out.append(f"   now: {change.now}")
    if not diff.changes:
        out.append("no change in behaviour")
    if diff.paths:
        out.append(f"paths whose outcome changed ({len(diff.paths)}):")
        for p in diff.paths:
            out += [f"  {p.name}", f"     was: {p.was}", f"     now: {p.now}"]
    if diff.new_paths:
        out.append(f"new paths ({len(diff.new_paths)}):")
        out += [f"  {p.name}: {p.now}" for p in diff.new_paths]
    if diff.cosmetic:
        out.append(f"formatting, attribute order or comments only (not behaviour): {', '.join(diff.cosmetic)}")
    return "\n".join(out) + "\n"


def _mermaid(diff: FlowDiff) -> str:
    """The new map, its edges styled added (green), retargeted (orange) or removed (red, dashed)."""
    from twiml.flow.render import render_mermaid

    if diff.new_map is None or diff.old_map is None:
        raise DiffError("a Mermaid map needs two flow folders (or git revisions of one)")
    new, old = diff.new_map, diff.old_map

    def place(flow_map: FlowMap, state_id: str) -> str:
        state = flow_map.states[state_id]
        return f"{state.path} {state.document or ''}"

    def edges(flow_map: FlowMap) -> dict[tuple[str, str], str]:
        return {
            (place(flow_map, e.src), e.label): place(flow_map, e.dst) if e.dst else f"■ {e.end}" for e in flow_map.edges
        }

    before, after = edges(old), edges(new)
    lines = render_mermaid(new).rstrip("\n").split("\n")
    first = len(new.entries)
    added, changed = [], []
    for n, e in enumerate(new.edges):
        key = (place(new, e.src), e.label)
        if key not in before:
            added.append(str(first + n))
        elif before[key] != after[key]:
            changed.append(str(first + n))
    index = first + len(new.edges)
    by_place = {place(new, s): s for s in new.states}
    removed = []
    gone = 0
    for (src, label), dst in before.items():
        if (src, label) in after or src not in by_place:
            continue
        target = by_place.get(dst)
        if target is None:
            gone += 1
            target = f"removed{gone}"
            lines.append(f'    {target}["{dst.replace(chr(34), "#quot;")} (removed)"]')
        lines.append(f'    {by_place[src]} -.->|"{label.replace(chr(34), "#quot;")}"| {target}')
        removed.append(str(index))
        index += 1
    touched = {c.where for c in diff.changes if c.kind in ("prompt", "message", "attribute", "verb")}
    # a document changed, or a Studio widget (its state is at /<widget>, named by the widget's type)
    changed_states = [
        s.id for s in new.states.values() if s.document in touched or (not diff.folders and s.path[1:] in touched)
    ]
    if added:
        lines.append(f"    linkStyle {','.join(added)} stroke:#2a7d2a,stroke-width:3px")
    if changed:
        lines.append(f"    linkStyle {','.join(changed)} stroke:#d98200,stroke-width:3px")
    if removed:
        lines.append(f"    linkStyle {','.join(removed)} stroke:#c33,stroke-width:2px,stroke-dasharray:4 3")
    lines.append("    classDef changed fill:#ffe8c2,stroke:#d98200")
    if changed_states:
        lines.append(f"    class {','.join(changed_states)} changed")
    return "\n".join(lines) + "\n"
