"""`twiml` command: validate, format and export TwiML files; simulate calls and messages.

Exit status: 0 fine, 1 when `validate` finds something at or above its `--fail-on` level (default:
a warning, i.e. anything Twilio would log) or `format --check` would change a file, 2 when a file
cannot be read or written (each such file is one line on stderr; the other files are still
processed) or the command line (or a `[tool.twiml]` table) is wrong, 141 when the output pipe was
closed (`| head`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from twiml import codes
from twiml.diagnostic import Diagnostic, sarif
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.files import MAX_FILE_BYTES, ChangedOnDiskError, ReadOnlyFileError, atomic_write, read_bytes
from twiml.settings import CONFIG_CACHE as _CONFIG_CACHE
from twiml.settings import FAIL_ON, settings_for
from twiml.settings import BadSettings as _BadSettings
from twiml.settings import Settings as _Settings
from twiml.version import VersionAction, installed_version

if TYPE_CHECKING:
    from twiml.base import TwiML
    from twiml.grammar_types import Kind
    from twiml.simulator.commands import Target

__all__ = ["main"]

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2
BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a program the pipe's reader left


class _Unreadable(Exception):
    """An input file could not be read (missing, a directory, no permission)."""


def _read(name: str, stdin: IO[bytes] | None) -> bytes:
    if name == "-":
        data = (stdin or sys.stdin.buffer).read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise _Unreadable(f"<stdin>: cannot read: input is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return data
    try:  # pipes such as `<(curl ...)` are fine on the command line; the byte limit still holds
        return read_bytes(name, special=True)
    except OSError as exc:
        raise _Unreadable(f"{name}: cannot read: {exc.strerror or exc}") from None


def _write(name: str, text: str, read: bytes) -> None:
    """Replace a file for `format --write`; a read-only file is left alone (there is no one to ask),
    and so is a file another program changed since it was `read` (its change is kept)."""
    try:
        atomic_write(name, text, expected=read)
    except ReadOnlyFileError:
        raise _Unreadable(f"{name}: not written: the file is read-only") from None
    except ChangedOnDiskError:
        raise _Unreadable(f"{name}: not written: another program changed it meanwhile; run format again") from None
    except OSError as exc:
        raise _Unreadable(f"{name}: cannot write: {exc.strerror or exc}") from None


def _parse(data: bytes) -> TwiML:
    from twiml.parser import parse

    return parse(data)


def _parse_finding(name: str, exc: TwiMLParseError) -> Diagnostic:
    return Diagnostic("error", exc.code, exc.message, line=exc.line, column=exc.column, file=name)


def _display(name: str) -> str:
    return "<stdin>" if name == "-" else name


# ------------------------------------------------------------------------------------------- validate


def _validate_file(
    name: str, stdin: IO[bytes] | None, dialect: str = "twilio", data: bytes | None = None
) -> list[Diagnostic]:
    """The findings of one file (`data` instead of reading it: the text `--fix` made); a finding
    about an attribute is placed at the attribute, not at its element."""
    from twiml.validator import validate

    data = _read(name, stdin) if data is None else data
    shown = _display(name)
    if name.lower().endswith(".json"):  # a Twilio Studio flow definition
        return _validate_studio(shown, data)
    try:
        doc = _parse(data)
    except TwiMLParseError as exc:
        return [_parse_finding(shown, exc)]
    diagnostics: list[Diagnostic] = validate(doc, suppressed=True, dialect=dialect)
    return _at_attributes(data, [_finding(shown, d) for d in diagnostics])


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
        raise _Unreadable(f"{shown}: {exc}") from None
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


_SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "site-packages"})


def _expand(names: list[str]) -> tuple[list[tuple[str, bool]], list[str]]:
    """What to check, as (name, is a flow folder), and the folders with nothing to check in them.
    A folder stands for every TwiML file (.xml) and Studio flow definition (.json with `states`)
    in it and below, and for each flow folder (with flow.toml) among them; hidden folders
    (`.git`, `.venv`) and installed packages are left out."""
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
        for path in sorted(folder.rglob("*")):
            parts = path.relative_to(folder).parts
            if any(p.startswith(".") or p in _SKIPPED_FOLDERS for p in parts[:-1]) or not path.is_file():
                continue
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
    return settings_for(name, args.fail_on, args.ignore, args.select, getattr(args, "dialect", None))


def _cmd_validate(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    findings: list[Diagnostic] = []
    failures: list[str] = []
    failed = False
    checked = 0
    _CONFIG_CACHE.clear()  # a pyproject.toml read once per run, never stale across runs
    if args.diff and not args.fix:
        print("twiml validate: --diff shows what --fix would change; give both", file=err)
        return UNREADABLE
    items, empty = _expand(args.files)
    for name in empty:
        failures.append(f"{name}: a folder with no TwiML (.xml), Studio flow (.json) or {_flow_file()} in it")
        print(f"twiml: {failures[-1]}", file=err)
    would_change = False
    for name, is_flow in items:
        try:
            settings = _settings(name, args)
            if is_flow:
                found = _validate_flow(name, args.dialect)
            elif args.fix and name != "-" and not name.lower().endswith(".json"):
                data, changed = _fix_file(name, settings, args.diff, out, err)
                would_change = would_change or changed
                found = _validate_file(name, stdin, settings.dialect, data)
            else:
                found = _validate_file(name, stdin, settings.dialect)
        except _BadSettings as exc:
            print(f"twiml: {exc}", file=err)
            return UNREADABLE
        except _Unreadable as exc:
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


def _fix_file(name: str, settings: _Settings, diff: bool, out: IO[str], err: IO[str]) -> tuple[bytes, bool]:
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
        return _read(name, None), False  # reported as the parse failure it is
    except OSError as exc:
        raise _Unreadable(f"{name}: cannot read: {exc.strerror or exc}") from None
    before = doc.dumps()
    fixed = 0
    for _ in range(4):  # a renamed element is validated again: its attributes may have fixes too
        found = [d for d in validate(doc.root, dialect=settings.dialect) if d.fix and settings.reports(d)]
        done = apply_fixes(doc.root, found)
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
        raise _Unreadable(f"{name}: not written: {exc.strerror or exc}") from None
    print(f"{name}: fixed {fixed} problem{'' if fixed == 1 else 's'}", file=err)
    return doc.to_bytes(), True


# --------------------------------------------------------------------------------------------- format


def _formatted(doc: TwiML, data: bytes, args: argparse.Namespace) -> str:
    """The document as `format` writes it; comments and processing instructions around
    <Response> (a file header) are part of the parsed document, so they are kept."""
    return doc.to_xml(xml_declaration=not args.no_declaration, pretty=not args.compact, indent=" " * args.indent)


def _cmd_format(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    if len(args.files) > 1 and not (args.write or args.check):
        print("twiml format: several files need --write or --check", file=err)
        return UNREADABLE
    status = OK
    for name in args.files:
        if (args.write or args.check) and name == "-":
            print("twiml format: --write and --check need a file, not stdin", file=err)
            return UNREADABLE
        try:
            data = _read(name, stdin)
        except _Unreadable as exc:
            print(f"twiml: {exc}", file=err)
            status = UNREADABLE
            continue
        try:
            doc = _parse(data)
            text = _formatted(doc, data, args)
        except TwiMLParseError as exc:
            print(_parse_finding(_display(name), exc).format(sources=True), file=err)
            status = max(status, FOUND_ERRORS)
            continue
        except TwiMLException as exc:  # text the serializer refuses to write
            print(f"{_display(name)}: error {codes.PARSE_FAILURE} {exc}", file=err)
            status = max(status, FOUND_ERRORS)
            continue
        if not text.endswith("\n"):
            text += "\n"
        if args.check:
            if text.encode("utf-8") != data:
                print(f"would reformat {name}", file=err)
                status = max(status, FOUND_ERRORS)
        elif args.write:
            if text.encode("utf-8") != data:
                try:
                    _write(name, text, data)
                except _Unreadable as exc:
                    print(f"twiml: {exc}", file=err)
                    status = UNREADABLE
        else:
            out.write(text)
    return status


# ------------------------------------------------------------------------------------------ to-python


def _cmd_to_python(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    from twiml.exporter import to_python

    try:
        data = _read(args.file, stdin)
    except _Unreadable as exc:
        print(f"twiml: {exc}", file=err)
        return UNREADABLE
    try:
        doc = _parse(data)
    except TwiMLParseError as exc:
        print(_parse_finding(_display(args.file), exc).format(sources=True), file=err)
        return FOUND_ERRORS
    out.write(to_python(doc, import_root=args.import_root))
    return OK


# -------------------------------------------------------------------------------------------- migrate


def _cmd_migrate(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    import difflib

    from twiml.migrate import migrate
    from twiml.source import load

    status = OK
    for name in args.files:
        try:
            doc = load(name)
        except TwiMLParseError as exc:
            print(_parse_finding(name, exc).format(sources=True), file=err)
            status = max(status, FOUND_ERRORS)
            continue
        except OSError as exc:
            print(f"twiml: {name}: cannot read: {exc.strerror or exc}", file=err)
            status = UNREADABLE
            continue
        before = doc.text or ""
        result = migrate(doc, args.to)
        after = doc.dumps()
        if args.write:
            if after != before:
                try:
                    doc.save()
                except OSError as exc:
                    print(f"twiml: {name}: cannot write: {exc.strerror or exc}", file=err)
                    status = UNREADABLE
        else:
            out.writelines(
                difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"a/{name}", f"b/{name}")
            )
        for d in result.applied:
            print(f"{name}:{d.line}:{d.column}: renamed: {d.message}", file=err)
        for d in result.left:
            print(
                f"{name}:{d.line}:{d.column}: needs a person: {_finding(name, d).format(sources=True).split(': ', 1)[1]}",
                file=err,
            )
            status = max(status, FOUND_ERRORS)
    return status


# ------------------------------------------------------------------------------------------------ main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twiml", description="Validate, format and export TwiML documents.")
    parser.add_argument("--version", action=VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    v = sub.add_parser(
        "validate",
        help="check documents; prints file:line:col: level code message (hint)",
        description="Levels are Twilio's own for each code (error, warning; info for notes). "
        "Settings may also come from [tool.twiml] in the nearest pyproject.toml (fail-on, ignore, select); "
        "a comment <!-- twiml: ignore[CODE] --> right before an element silences its findings.",
    )
    v.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="TwiML file(s), Studio flow .json files, or folders: every .xml and Studio .json under it, "
        "and each flow.toml checked as `twiml map` checks it; - reads standard input",
    )
    v.add_argument(
        "--fix",
        action="store_true",
        help="apply every suggested fix (did-you-mean) in place, changing only the fixed tags",
    )
    v.add_argument("--diff", action="store_true", help="with --fix: print the changes as a diff instead of writing")
    v.add_argument(
        "--format",
        choices=("text", "json", "sarif"),
        default="text",
        help="output format (sarif: SARIF 2.1.0 for code scanning)",
    )
    v.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="exit 1 when a finding is at least this level (default warning: anything Twilio logs)",
    )
    v.add_argument("--ignore", action="append", metavar="CODE[,CODE]", help="leave these codes out (repeatable)")
    v.add_argument("--select", action="append", metavar="CODE[,CODE]", help="report only these codes (repeatable)")
    add_dialect_option(v)
    v.set_defaults(run=_cmd_validate)

    f = sub.add_parser("format", help="rewrite documents in canonical form (indented unless --compact)")
    f.add_argument("files", nargs="+", metavar="FILE", help="TwiML file(s); - reads standard input")
    f.add_argument("--compact", action="store_true", help="one line, as Twilio's libraries write it")
    f.add_argument("--indent", type=int, default=2, metavar="N", help="spaces per level (default 2)")
    f.add_argument("--no-declaration", action="store_true", help="leave out the <?xml ...?> declaration")
    mode = f.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="replace the file(s) in place (atomically)")
    mode.add_argument("--check", action="store_true", help="only report files that would change (exit 1)")
    add_dialect_option(f)  # TeXML and cXML are written exactly as TwiML: accepted so one flag fits every command
    f.set_defaults(run=_cmd_format)

    p = sub.add_parser("to-python", help="print Python builder code that rebuilds the document")
    p.add_argument("file", metavar="FILE", help="TwiML file; - reads standard input")
    p.add_argument(
        "--import-root",
        default="twiml",
        metavar="MODULE",
        help="package to import from: twiml (default) or twilio.twiml",
    )
    add_dialect_option(p)  # vendor-only elements are exported with add_child in every dialect
    p.set_defaults(run=_cmd_to_python)

    m = sub.add_parser(
        "migrate",
        help="rewrite documents for another vendor's dialect; lists what needs a person",
        description="Applies the renames the dialect profiles know (format-preserving) and lists, on stderr, "
        "what the target rejects, ignores or lacks, with the rule's source. Exit 1 when something needs a person.",
    )
    m.add_argument("files", nargs="+", metavar="FILE", help="TwiML, TeXML or cXML file(s)")
    m.add_argument("--to", required=True, choices=_dialect_names(), help="target dialect")
    m.add_argument("--write", action="store_true", help="rewrite the files (default: print a unified diff)")
    m.set_defaults(run=_cmd_migrate)

    from twiml.simulator.commands import add_commands as add_simulator_commands

    add_simulator_commands(sub, open_folder=_open_flow_folder)  # call, text

    from twiml.flow.commands import register as register_flow_commands

    register_flow_commands(sub)  # map, export-app

    from twiml.flowtest.commands import register as register_flowtest_commands

    register_flowtest_commands(sub)  # test, coverage, diff
    from twiml.studio.targets import register as register_studio_targets

    register_studio_targets()  # a Studio flow (.json) is a target of test, coverage and diff

    from twiml.lsp.commands import register as register_editor_commands

    register_editor_commands(sub)  # schema, lsp
    from twiml.studio.commands import add_map_options, add_run_options
    from twiml.studio.commands import register as register_studio_commands

    register_studio_commands(sub)  # studio import, studio export
    for command in ("call", "text"):
        add_run_options(sub.choices[command])  # --fixture, --subflow, --config, --http, --webhooks for Studio flows
    flow_map = sub.choices["map"]
    add_map_options(flow_map)  # --fixture, --subflow, --config for Studio flows
    flow_map.set_defaults(run=_studio_or(flow_map.get_default("run")))  # `twiml map flow.json`
    return parser


def _dialect_names() -> tuple[str, ...]:
    from twiml.dialects import DIALECTS

    return DIALECTS


def add_dialect_option(p: argparse.ArgumentParser) -> None:
    """`--dialect twilio|texml|cxml` (default: `dialect` in [tool.twiml], else twilio)."""
    p.add_argument(
        "--dialect",
        choices=_dialect_names(),
        default=None,
        help="vendor dialect: twilio (TwiML), texml (Telnyx), cxml (SignalWire); default from [tool.twiml] or twilio",
    )


def _studio_or(run: Any) -> Any:
    """A command that takes a Twilio Studio flow (`.json`) to twiml.studio, anything else to `run`
    (twiml.flow and twiml.studio both build on the simulator; only the CLI knows both)."""

    def dispatch(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
        if args.target and args.target.lower().endswith(".json") and Path(args.target).is_file():
            from twiml.studio.commands import map_command

            return map_command(args, out, err)
        if args.fixture or args.subflow or args.config:
            print("twiml map: --fixture, --subflow and --config apply to Studio flows (a .json target) only", file=err)
            return 2
        status: int = run(args, out, err, stdin)
        return status

    return dispatch


def _open_flow_folder(folder: Path, kind: Kind) -> Target:
    """`twiml call FOLDER` / `twiml text FOLDER`: a flow folder, routed by its flow.toml; a `.json`
    file is a Twilio Studio flow."""
    if folder.suffix.lower() == ".json" and not folder.is_dir():
        from twiml.studio.commands import open_studio_target

        return open_studio_target(folder, kind)
    from twiml.flow.target import open_flow_target

    return open_flow_target(folder, kind)


def _tolerant(stream: IO[str]) -> None:
    """Characters the terminal's encoding lacks are written as escapes instead of crashing."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):  # a closed or detached stream: nothing to do
            reconfigure(errors="backslashreplace")


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    stdin: IO[bytes] | None = None,
) -> int:
    """Run the command line; returns the exit status instead of exiting (the console script exits).

    Output problems never end in a traceback: unencodable characters are escaped, a closed pipe
    (``twiml ... | head``) ends quietly with status 141 like a program killed by SIGPIPE, and a
    full disk or other write failure is one line on stderr with status 2.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    _tolerant(out)
    _tolerant(err)
    parser = _parser()
    try:
        old_err, old_out = sys.stderr, sys.stdout
        sys.stderr, sys.stdout = err, out  # argparse writes usage errors, --help and --version there
        try:
            args = parser.parse_args(argv)
        finally:
            sys.stderr, sys.stdout = old_err, old_out
    except SystemExit as exc:  # --help or --version (0), or a usage error (2)
        return exc.code if isinstance(exc.code, int) else UNREADABLE
    try:
        status: int = args.run(args, out, err, stdin)
        out.flush()
    except BrokenPipeError:
        _silence(out)
        return BROKEN_PIPE
    except OSError as exc:  # the output itself cannot be written (a full disk, /dev/full)
        _silence(out)
        print(f"twiml: cannot write the output: {exc.strerror or exc}", file=err)
        return UNREADABLE
    return status


def _silence(out: IO[str]) -> None:
    """Point a broken stdout at /dev/null so the interpreter's final flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        fd = out.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
