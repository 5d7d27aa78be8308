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
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from twiml import codes
from twiml.cli_io import (
    BROKEN_PIPE,
    FOUND_ERRORS,
    OK,
    UNREADABLE,
    Unreadable,
    display_name,
    parse_document,
    print_parse_errors,
    read_input,
    write_output,
)
from twiml.cli_validate import cmd_validate
from twiml.errors import TwiMLException, TwiMLParseError
from twiml.settings import FAIL_ON
from twiml.version import VersionAction

if TYPE_CHECKING:
    from twiml.base import TwiML
    from twiml.grammar_types import Kind
    from twiml.simulator.commands import Target

__all__ = ["main"]

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
            data = read_input(name, stdin)
        except Unreadable as exc:
            print(f"twiml: {exc}", file=err)
            status = UNREADABLE
            continue
        try:
            doc = parse_document(data)
            text = _formatted(doc, data, args)
        except TwiMLParseError as exc:
            print_parse_errors(display_name(name), exc, err)
            status = max(status, FOUND_ERRORS)
            continue
        except TwiMLException as exc:  # text the serializer refuses to write
            print(f"{display_name(name)}: error {codes.PARSE_FAILURE} {exc}", file=err)
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
                    write_output(name, text, data)
                except Unreadable as exc:
                    print(f"twiml: {exc}", file=err)
                    status = UNREADABLE
        else:
            out.write(text)
    return status


# ------------------------------------------------------------------------------------------ to-python


def _cmd_to_python(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: IO[bytes] | None) -> int:
    from twiml.exporter import to_python

    try:
        data = read_input(args.file, stdin)
    except Unreadable as exc:
        print(f"twiml: {exc}", file=err)
        return UNREADABLE
    try:
        doc = parse_document(data)
    except TwiMLParseError as exc:
        print_parse_errors(display_name(args.file), exc, err)
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
            print_parse_errors(name, exc, err)
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
                f"{name}:{d.line}:{d.column}: needs a person: {replace(d, file=name).format(sources=True).split(': ', 1)[1]}",
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
    add_dialect_option(v, auto=True)
    v.set_defaults(run=cmd_validate)

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
    from twiml.studio.commands import add_config_options, add_map_options, add_run_options
    from twiml.studio.commands import register as register_studio_commands

    register_studio_commands(sub)  # studio import, studio export
    for command in ("call", "text"):
        add_run_options(sub.choices[command])  # --fixture, --subflow, --config, --http, --webhooks for Studio flows
    for command in ("test", "coverage"):
        add_config_options(sub.choices[command])  # --subflow, --config for Studio flows
    flow_map = sub.choices["map"]
    add_map_options(flow_map)  # --fixture, --subflow, --config for Studio flows
    flow_map.set_defaults(run=_studio_or(flow_map.get_default("run")))  # `twiml map flow.json`
    return parser


def _dialect_names() -> tuple[str, ...]:
    from twiml.dialects import DIALECTS

    return DIALECTS


def add_dialect_option(p: argparse.ArgumentParser, *, auto: bool = False) -> None:
    """`--dialect twilio|texml|cxml` (default: `dialect` in [tool.twiml], else twilio); with
    `auto`, also `--dialect auto`: each document in the dialect its own constructs tell
    (`twiml.dialects.detect`), else the default."""
    help = "vendor dialect: twilio (TwiML), texml (Telnyx), cxml (SignalWire); default from [tool.twiml] or twilio"
    if auto:
        help += "; auto: each file as its own vendor-only elements, attributes or voices tell, else that default"
    p.add_argument(
        "--dialect",
        choices=(*_dialect_names(), "auto") if auto else _dialect_names(),
        default=None,
        help=help,
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
