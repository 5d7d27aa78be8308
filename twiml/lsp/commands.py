"""`twiml schema` and `twiml lsp`: the editor-integration commands of the `twiml` CLI.

`register(subparsers)` adds them; pygls is imported only when `twiml lsp` runs.
"""

from __future__ import annotations

import argparse
from typing import IO

__all__ = ["register"]

OK, UNREADABLE = 0, 2


def _cmd_schema(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    import json

    from twiml.files import atomic_write
    from twiml.schema import json_schema, xsd

    kind = args.kind
    if args.old_dialect is not None:  # the option's name before 2026-12 (dialect now means the vendor)
        print("twiml schema: --dialect is deprecated here, use --kind", file=err)
        kind = args.old_dialect
    text = xsd(kind) if args.format == "xsd" else json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"
    if args.output in (None, "-"):
        out.write(text)
        return OK
    try:
        atomic_write(args.output, text)
    except OSError as exc:
        print(f"twiml schema: cannot write {args.output}: {exc.strerror or exc}", file=err)
        return UNREADABLE
    return OK


def _cmd_lsp(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print('twiml lsp: the language server needs pygls: pip install "twiml-toolkit[lsp]"', file=err)
        return UNREADABLE
    from twiml.lsp.server import serve

    serve()
    return OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `schema` and `lsp` to the `twiml` command line."""
    from twiml.schema import KINDS

    s = sub.add_parser(
        "schema",
        help="print the TwiML grammar as an XML Schema (XSD) or a JSON Schema, for editors",
        description="Generated from the toolkit's grammar. The XSD gives completion and validation in any "
        "XSD-aware editor (e.g. VS Code's XML extension through xml.fileAssociations).",
    )
    s.add_argument("--format", choices=("xsd", "json-schema"), default="xsd", help="schema language (default xsd)")
    s.add_argument(
        "--kind",
        choices=KINDS,
        default="all",
        help="documents described: all (default: one <Response> taking every kind's verbs), voice, messaging, fax",
    )
    s.add_argument("--dialect", dest="old_dialect", choices=KINDS, help=argparse.SUPPRESS)
    s.add_argument("-o", "--output", metavar="FILE", help="write the schema here (default: standard output)")
    s.set_defaults(run=_cmd_schema)

    lsp = sub.add_parser(
        "lsp",
        help="run the TwiML language server on stdin/stdout (needs the lsp extra)",
        description="A Language Server Protocol server over stdio for TwiML files and flow.toml: "
        "diagnostics, completion, hover, code actions, formatting, symbols, folding, go to definition.",
    )
    lsp.add_argument("--stdio", action="store_true", help="accepted for clients that pass it; stdio is the default")
    lsp.set_defaults(run=_cmd_lsp)
