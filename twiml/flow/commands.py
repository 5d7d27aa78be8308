"""`twiml map` and `twiml export-app`: the flow-folder commands of the `twiml` CLI.

`register(subparsers)` adds them; each command returns the exit status (0 fine, 1 broken links
or errors found, 2 unreadable input or bad arguments).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import IO

from twiml.flow.config import FLOW_FILE, Flow, FlowError, load_flow
from twiml.textsafe import printable

__all__ = ["add_target_options", "register"]

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2


def _load(folder: str, err: IO[str]) -> Flow | None:
    """The flow of `folder`, its problems printed; None (after a message) when it has no flow."""
    path = Path(folder)
    if not path.exists():
        print(f"twiml: {printable(folder)}: no such folder (a flow folder has a {FLOW_FILE})", file=err)
        return None
    if not path.is_dir():
        print(f"twiml: {printable(folder)}: not a flow folder (a directory with {FLOW_FILE})", file=err)
        return None
    try:
        flow = load_flow(path)
    except FlowError as exc:
        print(f"twiml: {printable(exc.problem.format())}", file=err)
        return None
    for problem in flow.problems:
        print(printable(problem.format()), file=err)
    return flow


# ------------------------------------------------------------------------------------------- map


def _cmd_map(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.flow.explore import DEFAULT_MAX_STATES, FlowMap, explore, explore_flow
    from twiml.flow.render import write_map

    flow_map: FlowMap
    flow_failed = False
    if args.app or (args.target and args.target.startswith(("http://", "https://"))):
        from twiml.simulator.transport import AppLoadError, AppTransport, HttpTransport, load_app

        transport: AppTransport | HttpTransport
        if args.app:
            try:
                app = load_app(args.app)
            except AppLoadError as exc:
                print(f"twiml: {exc}", file=err)
                return UNREADABLE
            transport = AppTransport(app)
            url = transport.url(args.target or "/")
        else:
            transport = HttpTransport(origin=args.target, allow_hosts=args.allow_host or ())
            url = args.target
        try:
            flow_map = explore(
                transport,
                url,
                tries=args.tries,
                max_states=args.max_states or DEFAULT_MAX_STATES,
                auth_token=args.auth_token,
                dialect=args.dialect or "twilio",
            )
        finally:
            transport.close()
    else:
        if not args.target:
            print("twiml map: give a flow folder, a URL, or --app MODULE:ATTR [PATH]", file=err)
            return UNREADABLE
        flow = _load(args.target, err)
        if flow is None:
            return UNREADABLE
        flow_failed = bool(flow.errors)
        flow_map = explore_flow(flow, max_states=args.max_states or DEFAULT_MAX_STATES, dialect=args.dialect)
    write_map(flow_map, args.format, out, err)
    return FOUND_ERRORS if flow_map.failed or flow_failed else OK


# ------------------------------------------------------------------------------------- export-app


def _cmd_export_app(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.files import atomic_write
    from twiml.flow.export_app import ExportError, export_app

    flow = _load(args.folder, err)
    if flow is None:
        return UNREADABLE
    if flow.errors:
        print("twiml export-app: fix the errors in flow.toml first", file=err)
        return FOUND_ERRORS
    try:
        source = export_app(flow, framework=args.framework)
    except ExportError as exc:
        print(f"twiml export-app: {printable(str(exc))}", file=err)
        return FOUND_ERRORS
    if args.output in (None, "-"):
        out.write(source)
        return OK
    target = Path(args.output)
    if not target.parent.is_dir():
        print(f"twiml export-app: {target.parent} is not a folder", file=err)
        return UNREADABLE
    if target.exists() and not args.force:
        print(f"twiml export-app: {target} exists (use --force to replace it)", file=err)
        return UNREADABLE
    atomic_write(target, source)
    print(f"wrote {target} ({args.framework}); run it with: {_run_hint(target, args.framework)}", file=err)
    return OK


def _run_hint(target: Path, framework: str) -> str:
    if framework == "flask":
        return f"flask --app {target} run"
    return f"uvicorn --app-dir {target.parent} {target.stem}:app"


# ----------------------------------------------------------------------------------------- parser


def add_target_options(
    parser: argparse.ArgumentParser,
    *,
    target_help: str = "flow folder, URL, or the path to start at with --app",
    max_states_default: int | None = 200,
    max_states_help: str = "map at most N states (default 200)",
) -> None:
    """TARGET, --app, --try, --max-states and --auth-token: the same on every command that maps a
    flow (`map`, `test`, `coverage`), so an app that checks signatures is reached by each of them."""
    parser.add_argument("target", nargs="?", metavar="TARGET", help=target_help)
    parser.add_argument("--app", metavar="MODULE:ATTR", help="a WSGI/ASGI app called in process (no server)")
    parser.add_argument(
        "--try",
        dest="tries",
        action="append",
        default=[],
        metavar="VALUE",
        help="input to try at Gathers of an app or URL (repeatable; keys or words)",
    )
    parser.add_argument("--max-states", type=int, default=max_states_default, metavar="N", help=max_states_help)
    parser.add_argument(
        "--auth-token",
        default=os.environ.get("TWILIO_AUTH_TOKEN"),
        metavar="TOKEN",
        help="sign requests to an app or URL (default: $TWILIO_AUTH_TOKEN)",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `map` and `export-app` to the `twiml` command line."""
    from twiml.simulator.commands import add_vendor_options

    m = sub.add_parser(
        "map",
        help="explore every path of a flow folder, URL or app; print the graph and what is broken",
        description="Explore every path of a flow (folder with flow.toml, http(s) URL, or --app MODULE:ATTR PATH) "
        "and print its map; exit 1 on broken links or error-level problems.",
    )
    add_target_options(
        m,
        target_help="flow folder, Studio flow .json, URL, or the path with --app",
        max_states_default=None,
        max_states_help="stop after N states (default 200; for a Studio flow, 200 or twice its widgets)",
    )
    m.add_argument("--format", choices=("text", "mermaid", "dot", "json"), default="text", help="output format")
    add_vendor_options(m)
    m.set_defaults(run=_cmd_map)

    e = sub.add_parser("export-app", help="write a Flask or FastAPI webhook app that serves a flow folder")
    e.add_argument("folder", metavar="FOLDER", help="flow folder (with flow.toml)")
    e.add_argument("--framework", choices=("flask", "fastapi"), default="flask", help="web framework (default flask)")
    e.add_argument("-o", "--output", metavar="FILE", help="write the app here (default: standard output)")
    e.add_argument("--force", action="store_true", help="replace FILE when it exists")
    e.set_defaults(run=_cmd_export_app)
