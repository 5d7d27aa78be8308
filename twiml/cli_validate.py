"""`twiml validate`: files, folders (every TwiML file, Studio flow and flow.toml in them) and
`--fix`, which applies the did-you-mean fixes through the format-preserving writer."""

from __future__ import annotations

import argparse
import json
import os
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING

from twiml.cli_io import (
    FOUND_ERRORS,
    OK,
    UNREADABLE,
    Unreadable,
    display_name,
    parse_document,
    parse_findings,
    read_input,
)
from twiml.diagnostic import Diagnostic, sarif
from twiml.errors import TwiMLParseError
from twiml.settings import CONFIG_CACHE as _CONFIG_CACHE
from twiml.settings import BadSettings as _BadSettings
from twiml.settings import Settings as _Settings
from twiml.settings import settings_for
from twiml.version import installed_version

if TYPE_CHECKING:
    from twiml.base import TwiML

# ------------------------------------------------------------------------------------------- validate


def _validate_file(
    name: str, stdin: IO[bytes] | None, dialect: str = "twilio", data: bytes | None = None, *, auto: bool = False
) -> list[Diagnostic]:
    """The findings of one file (`data` instead of reading it: the text `--fix` made); a finding
    about an attribute is placed at the attribute, not at its element. `auto` (`--dialect auto`):
    checked in the dialect the document's own constructs tell, else in `dialect`."""
    from twiml.validator import validate

    data = read_input(name, stdin) if data is None else data
    shown = display_name(name)
    if name.lower().endswith(".json"):  # a Twilio Studio flow definition
        return _validate_studio(shown, data)
    try:
        doc = parse_document(data)
    except TwiMLParseError as exc:
        return parse_findings(shown, exc)
    if auto:
        dialect = _detected(doc, dialect)
    diagnostics: list[Diagnostic] = validate(doc, suppressed=True, dialect=dialect)
    return _at_attributes(data, [_finding(shown, d) for d in diagnostics])


def _detected(root: TwiML, fallback: str) -> str:
    """The dialect whose vendor-only constructs the document uses (`twiml.dialects.detect`, as the
    editor opens a file), else `fallback` ([tool.twiml] dialect, else twilio)."""
    from twiml.dialects.detect import detect

    return detect(root) or fallback


def _at_attributes(data: bytes, found: list[Diagnostic]) -> list[Diagnostic]:
    """Point each finding about an attribute at the attribute's line and column (the lexer of the
    format-preserving writer finds it in the start tag)."""
    about = [d for d in found if d.attribute is not None and d.line is not None and d.column is not None]
    if not about:
        return found
    from twiml.decoding import decode
    from twiml.lexer import attribute_place, line_starts

    try:
        text = decode(data)[0]
    except TwiMLParseError:
        return found
    starts = line_starts(text)
    placed: dict[int, Diagnostic] = {}
    for d in about:
        assert d.attribute is not None and d.line is not None and d.column is not None
        where = attribute_place(text, starts, d.line, d.column, d.attribute)
        if where is not None:
            placed[id(d)] = replace(d, line=where[0], column=where[1])
    return [placed.get(id(d), d) for d in found]


def _finding(shown: str, d: Diagnostic) -> Diagnostic:
    return replace(d, file=shown)


def _validate_studio(shown: str, data: bytes) -> list[Diagnostic]:
    from twiml.studio.commands import validate_file
    from twiml.studio.liquid import LiquidMissing

    try:
        found = validate_file(shown, data)
    except LiquidMissing as exc:
        raise Unreadable(f"{shown}: {exc}") from None
    return [Diagnostic(d.severity, d.code, d.message, d.path, d.line, d.column, hint=d.hint, file=shown) for d in found]


def _validate_flow(folder: str, dialect: str | None) -> list[Diagnostic]:
    """A flow folder's flow.toml checked as `twiml map` checks it: its own problems and, when it
    routes, the map's broken links, unreachable documents and callbacks without a route. The
    documents' own findings come from validating each file; inputs that fall to a split's default
    are the map's to show, not problems."""
    from twiml.codes import FLOW_DEFAULT
    from twiml.flow.config import FlowError, load_flow
    from twiml.flow.explore import explore_flow

    try:
        flow = load_flow(folder)
    except FlowError as exc:
        return [exc.problem]
    found = list(flow.problems)
    if not flow.errors:
        flow_map = explore_flow(flow, dialect=dialect)
        in_documents = {id(p) for state in flow_map.states.values() for p in state.problems}
        found += [d for d in flow_map.findings if d.code != FLOW_DEFAULT and id(d) not in in_documents]
    return found


def _expand(names: list[str]) -> tuple[list[tuple[str, bool]], list[str]]:
    """What to check, as (name, is a flow folder), and the folders with nothing to check in them.
    A folder stands for every TwiML file (.xml) and Studio flow definition (.json with `states`)
    in it and below, and for each flow folder (with flow.toml) among them; hidden folders
    (`.git`, `.venv`) and installed packages are left out (`twiml.files.files_under`)."""
    from twiml.files import files_under
    from twiml.flow.config import FLOW_FILE

    out: dict[tuple[str, bool], None] = {}
    empty: list[str] = []
    for name in names:
        folder = Path(name)
        if name == "-" or not folder.is_dir():
            out[(name, False)] = None
            continue
        from twiml.studio.commands import is_flow_json

        found: list[tuple[str, bool]] = []
        for path in files_under(folder):
            suffix = path.suffix.lower()
            if suffix == ".xml" or (suffix == ".json" and is_flow_json(path.read_bytes())):
                found.append((str(path), False))
            elif path.name == FLOW_FILE:
                found.append((str(path.parent), True))
        if not found:
            empty.append(name)
        out.update(dict.fromkeys(found))
    return list(out), empty


# ---------------------------------------------------------------------- validate: levels and settings


def _settings(name: str, args: argparse.Namespace) -> _Settings:
    dialect = getattr(args, "dialect", None)
    return settings_for(name, args.fail_on, args.ignore, args.select, None if dialect == "auto" else dialect)


def cmd_validate(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    findings: list[Diagnostic] = []
    failures: list[str] = []
    failed = False
    checked = 0
    _CONFIG_CACHE.clear()  # a pyproject.toml read once per run, never stale across runs
    if args.diff and not args.fix:
        print("twiml validate: --diff shows what --fix would change; give both", file=err)
        return UNREADABLE
    auto = args.dialect == "auto"  # per file: what the document itself tells, else the default
    items, empty = _expand(args.files)
    for name in empty:
        failures.append(f"{name}: a folder with no TwiML (.xml), Studio flow (.json) or {_flow_file()} in it")
        print(f"twiml: {failures[-1]}", file=err)
    would_change = False
    for name, is_flow in items:
        try:
            settings = _settings(name, args)
            if is_flow:
                found = _validate_flow(name, None if auto else args.dialect)
            elif args.fix and name != "-" and not name.lower().endswith(".json"):
                data, changed = _fix_file(name, settings, args.diff, out, err, auto=auto)
                would_change = would_change or changed
                found = _validate_file(name, stdin, settings.dialect, data, auto=auto)
            else:
                found = _validate_file(name, stdin, settings.dialect, auto=auto)
        except _BadSettings as exc:
            print(f"twiml: {exc}", file=err)
            return UNREADABLE
        except Unreadable as exc:
            failures.append(str(exc))
            print(f"twiml: {exc}", file=err)
            continue
        checked += 1
        for f in found:
            if f.suppressed or settings.reports(f):
                findings.append(f)
                failed = failed or (not f.suppressed and settings.fails(f))
    if args.diff:  # the diff is the output; what is left shows once it is applied
        return UNREADABLE if failures else FOUND_ERRORS if would_change else OK
    shown = [f for f in findings if not f.suppressed]
    if args.format == "json":
        json.dump([f.as_dict() for f in shown], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "sarif":
        json.dump(sarif(findings, failures, installed_version()), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        for f in shown:
            print(f.format(sources=True), file=out)
        if not shown and not failures:
            print(f"{checked} file{'' if checked == 1 else 's'}, 0 problems", file=out)
    if failures:
        return UNREADABLE
    return FOUND_ERRORS if failed else OK


def _flow_file() -> str:
    from twiml.flow.config import FLOW_FILE

    return FLOW_FILE


def _fix_file(
    name: str, settings: _Settings, diff: bool, out: IO[str], err: IO[str], *, auto: bool = False
) -> tuple[bytes, bool]:
    """Apply every fix (did-you-mean) of the findings `settings` reports, through the
    format-preserving writer: only the fixed tags change. With `diff`, print the unified diff
    instead of writing. Returns the text as fixed (to validate) and whether it changed."""
    import difflib

    from twiml.fixes import apply_fixes
    from twiml.source import load
    from twiml.validator import validate

    try:
        doc = load(name)
    except TwiMLParseError:
        return read_input(name, None), False  # reported as the parse failure it is
    except OSError as exc:
        raise Unreadable(f"{name}: cannot read: {exc.strerror or exc}") from None
    before = doc.dumps()
    fixed = 0
    dialect = _detected(doc.root, settings.dialect) if auto else settings.dialect
    for _ in range(4):  # a renamed element is validated again: its attributes may have fixes too
        found = [d for d in validate(doc.root, dialect=dialect) if d.fix and settings.reports(d)]
        done = apply_fixes(doc.root, found, doc)
        fixed += len(done)
        if not done:
            break
    after = doc.dumps()
    if after == before:
        return doc.to_bytes(), False
    if diff:
        old, new = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
        out.writelines(difflib.unified_diff(before.splitlines(True), after.splitlines(True), old, new))
        print(f"{name}: would fix {fixed} problem{'' if fixed == 1 else 's'}", file=err)
        return doc.to_bytes(), True
    try:
        doc.save()
    except OSError as exc:
        raise Unreadable(f"{name}: not written: {exc.strerror or exc}") from None
    print(f"{name}: fixed {fixed} problem{'' if fixed == 1 else 's'}", file=err)
    return doc.to_bytes(), True
