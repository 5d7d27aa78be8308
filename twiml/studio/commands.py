"""The `twiml` command line's Studio hooks: call/text/map/validate on `flow.json`, and
`twiml studio import|export`.

The CLI stays thin: it asks here for a flow file's target (`open_studio_target`), map
(`map_command`) and findings (`validate_file`); `register` adds the `studio` command.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:  # the model and the runner load when a flow is used, not when the CLI starts
    from twiml.grammar_types import Kind
    from twiml.simulator.commands import Target
    from twiml.simulator.driver import Session
    from twiml.simulator.transport import Transport
    from twiml.studio.model import StudioFlow
    from twiml.validator import Diagnostic

__all__ = [
    "add_config_options",
    "add_map_options",
    "add_run_options",
    "load_fixtures",
    "load_subflows",
    "map_command",
    "open_studio_target",
    "register",
    "validate_file",
]

OK, FOUND_ERRORS, UNREADABLE = 0, 1, 2
MAX_TIMEOUTS = 50
"""Send-and-wait-for-reply widgets timed out in a row after the last --body (a loop stops there)."""


def _load(path: Path) -> StudioFlow:
    from twiml.simulator.commands import TargetError
    from twiml.studio.model import StudioError, load_flow

    try:
        return load_flow(path)
    except StudioError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        raise TargetError(f"{where}: {exc.message}") from None


def load_fixtures(specs: list[str] | None) -> dict[str, Any]:
    """`NAME=FILE` pairs: each FILE's JSON is the reply of widget NAME (TargetError names the problem).
    `NAME=@FILE` is read the same, as `twiml test --fixture URL=@FILE` names a file."""
    from twiml.simulator.commands import TargetError

    out: dict[str, Any] = {}
    for spec in specs or []:
        name, sep, file = spec.partition("=")
        if not sep or not name or not file:
            raise TargetError(f"--fixture {spec!r}: expected NAME=FILE (a widget name and a JSON file)")
        file = file.removeprefix("@")
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise TargetError(f"--fixture {name}: {file}: cannot read: {exc.strerror or exc}") from None
        try:
            out[name] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TargetError(f"--fixture {name}: {file}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    return out


def load_subflows(specs: list[str] | None, flow: StudioFlow) -> dict[str, StudioFlow]:
    """`SID=FILE` pairs (`--subflow`): FILE is the Flow JSON run-subflow widgets with flow_sid SID (or
    the widget named SID) run; a SID no run-subflow widget has is refused, naming the ones there are."""
    from twiml.simulator.commands import TargetError
    from twiml.studio.config import ConfigError, load_subflow

    runs = [s for s in flow.states if s.type == "run-subflow"]
    known = {str(s.properties.get("flow_sid", "")) for s in runs} | {s.name for s in runs}
    out: dict[str, StudioFlow] = {}
    for spec in specs or []:
        key, sep, file = spec.partition("=")
        if not sep or not key or not file:
            raise TargetError(f"--subflow {spec!r}: expected SID=FILE (a run-subflow's flow_sid and a Flow JSON file)")
        if key not in known:
            there = ", ".join(f"{s.name} ({s.properties.get('flow_sid', 'no flow_sid')})" for s in runs) or "none"
            raise TargetError(
                f"--subflow {key}: no run-subflow widget of {flow.name} has this flow_sid or name ({there})"
            )
        try:
            out[key] = load_subflow(Path(file.removeprefix("@")), f"--subflow {key}")
        except ConfigError as exc:
            raise TargetError(str(exc)) from None
    return out


def studio_settings(
    path: Path, flow: StudioFlow, args: argparse.Namespace, given: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, StudioFlow]]:
    """Fixtures and subflows for a run: the flow's config file (`--config`, else `<flow>.studio.toml` beside
    it), then the `given` fixtures, then `--fixture` and `--subflow` over them."""
    from twiml.simulator.commands import TargetError
    from twiml.studio.config import ConfigError, config_beside, load_config

    named = getattr(args, "config", None)
    config_path = Path(named) if named else config_beside(path)
    fixtures: dict[str, Any] = {}
    subflows: dict[str, StudioFlow] = {}
    if named or config_path.is_file():
        try:
            config = load_config(config_path, flow)
        except ConfigError as exc:
            raise TargetError(str(exc)) from None
        fixtures, subflows = config.fixtures, config.subflows
    fixtures.update(given or {})
    fixtures.update(load_fixtures(getattr(args, "fixture", None)))
    subflows.update(load_subflows(getattr(args, "subflow", None), flow))
    return fixtures, subflows


def open_studio_target(path: Path, kind: Kind, fixtures: dict[str, Any] | None = None) -> Target:
    """`twiml call|text flow.json`: the flow served in process, entered as a call or a message, with
    the fixtures and subflows of its `<flow>.studio.toml` (if any) under `fixtures`; `configure`
    applies the command line's `--config`, `--fixture`, `--subflow` over both."""
    from twiml.simulator.commands import Target, TargetError
    from twiml.studio.liquid import LiquidMissing, _env
    from twiml.studio.runner import StudioTransport

    try:
        _env()
    except LiquidMissing as exc:
        raise TargetError(str(exc)) from None
    flow = _load(path)
    given = dict(fixtures or {})
    settings, subflows = studio_settings(path, flow, argparse.Namespace(), given)  # the config beside the flow
    transport = StudioTransport(flow, settings, subflows=subflows)
    event = transport.entry_for(kind)
    if event is None:
        wanted = "incomingCall" if kind == "voice" else "incomingMessage (or a conversation, REST or subflow entry)"
        raise TargetError(f"{path}: the trigger has no {wanted} transition to a widget")

    def configure(args: argparse.Namespace) -> None:
        transport.fixtures, transport.subflows = studio_settings(path, flow, args, given)
        if getattr(args, "webhooks", None):
            transport.fallback = _webhooks(args.webhooks)
        transport.http = bool(getattr(args, "http", False))

    def finish(session: Session) -> None:
        """Messages ran out: a send-and-wait-for-reply still waiting takes its timeout transition."""
        o = session.options
        for _ in range(MAX_TIMEOUTS):
            url = transport.timeout_url(o.from_, o.to) if session.kind == "messaging" else None
            if url is None or session.ended is None or session.ended.reason not in ("completed",):
                return
            session.url = url
            session.start("")

    return Target(
        transport,
        transport.entry_url(event),
        f"{path} {event}",
        configure=configure,
        notes=transport.drain_notes,
        finish=finish,
    )


def _webhooks(where: str) -> Transport:
    """What answers URLs outside the flow: a flow folder (served at http://localhost) or a server."""
    from twiml.simulator.commands import TargetError

    if where.startswith(("http://", "https://")):
        from twiml.simulator.transport import HttpTransport

        return HttpTransport(origin=where)  # only that server's host (and loopback) is followed
    from twiml.flow.config import FlowError
    from twiml.flow.config import load_flow as load_folder
    from twiml.flow.transport import FolderTransport

    try:
        return FolderTransport(load_folder(Path(where)))
    except FlowError as exc:
        raise TargetError(f"--webhooks: {exc.problem.format()}") from None
    except OSError as exc:
        raise TargetError(f"--webhooks {where}: cannot read: {exc.strerror or exc}") from None


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """`--fixture`, `--subflow`, `--config`, `--http` and `--webhooks` on `twiml call` and `twiml text`
    (Studio flows)."""
    _add_fixture_option(parser)
    add_config_options(parser)
    parser.add_argument(
        "--http",
        action="store_true",
        help="Studio flows: HTTP Request and Run Function widgets without a fixture call their real URL",
    )
    parser.add_argument(
        "--webhooks",
        metavar="FOLDER|URL",
        help="Studio flows: answer URLs outside the flow (an enqueue's wait_url ...) from this flow folder "
        "(served at http://localhost) or server",
    )


def add_map_options(parser: argparse.ArgumentParser) -> None:
    """`--fixture`, `--subflow` and `--config` on `twiml map` (Studio flows)."""
    _add_fixture_option(parser)
    add_config_options(parser)


def _add_fixture_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--fixture",
        action="append",
        metavar="NAME=FILE",
        help="Studio flows: the JSON reply of the HTTP, Function or Subflow widget NAME (a Flow JSON for a "
        "run-subflow widget is run as its subflow; repeatable)",
    )


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """`--subflow` and `--config` (Studio flows): on `twiml test` and `twiml coverage` too."""
    parser.add_argument(
        "--subflow",
        action="append",
        metavar="SID=FILE",
        help="Studio flows: run-subflow widgets with flow_sid SID (or named SID) run the flow in FILE (repeatable)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="Studio flows: [fixtures] and [subflows] from this TOML file (default: FLOW.studio.toml beside FLOW.json)",
    )


def map_command(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """`twiml map flow.json`: the flow's paths in any of the map's formats."""
    from twiml.flow.render import write_map
    from twiml.simulator.commands import TargetError
    from twiml.studio.explore import explore_studio
    from twiml.studio.liquid import LiquidMissing
    from twiml.studio.model import StudioError, load_flow
    from twiml.studio.runner import StudioTransport

    path = Path(args.target)
    try:
        flow = load_flow(path, positions=False)
        fixtures, subflows = studio_settings(path, flow, args)
        transport = StudioTransport(flow, fixtures, subflows=subflows)
        flow_map = explore_studio(flow, max_states=args.max_states, transport=transport)
    except TargetError as exc:
        print(f"twiml map: {exc}", file=err)
        return UNREADABLE
    except StudioError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line else str(path)
        print(f"twiml map: {where}: {exc.message}", file=err)
        return UNREADABLE
    except LiquidMissing as exc:
        print(f"twiml map: {exc}", file=err)
        return UNREADABLE
    if not flow_map.entries:
        print(f"twiml map: {path}: the trigger has no transition to a widget: nothing to map", file=err)
        return FOUND_ERRORS
    write_map(flow_map, args.format, out, err)
    return FOUND_ERRORS if flow_map.failed else OK


def validate_file(name: str, data: bytes) -> list[Diagnostic]:
    """Findings of a flow file's bytes, and of its `<flow>.studio.toml` when one is beside it
    (LiquidMissing when the studio extra is not installed)."""
    from twiml.studio.config import config_beside
    from twiml.studio.validate import validate_text
    from twiml.validator import Diagnostic

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [Diagnostic("error", "STUDIO-JSON", f"not UTF-8 (byte {exc.start})", "/")]
    config = config_beside(name) if name not in ("-", "") else None
    return validate_text(text, config if config is not None and config.is_file() else None)


def is_flow_json(data: bytes) -> bool:
    """A JSON object with `states`: what `twiml validate FOLDER` checks among a folder's .json files."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(value, dict) and "states" in value


# -------------------------------------------------------------------------------- import / export


def _cmd_import(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.studio.convert import ConvertError, import_flow
    from twiml.studio.liquid import LiquidMissing
    from twiml.studio.model import StudioError, load_flow

    try:
        flow = load_flow(Path(args.flow))
        report = import_flow(flow, Path(args.output), force=args.force)
    except StudioError as exc:
        where = f"{args.flow}:{exc.line}:{exc.column}" if exc.line else args.flow
        print(f"twiml studio import: {where}: {exc.message}", file=err)
        return UNREADABLE
    except (ConvertError, LiquidMissing) as exc:
        print(f"twiml studio import: {exc}", file=err)
        return UNREADABLE
    for line in report:
        print(line, file=out)
    return OK


def _cmd_export(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.files import atomic_write
    from twiml.studio.convert import ConvertError, export_folder

    try:
        data = export_folder(Path(args.folder))
    except ConvertError as exc:
        print(f"twiml studio export: {exc}", file=err)
        return UNREADABLE
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.output in (None, "-"):
        out.write(text)
        return OK
    target = Path(args.output)
    if target.exists() and not args.force:
        print(f"twiml studio export: {target} exists (use --force to replace it)", file=err)
        return UNREADABLE
    try:
        atomic_write(target, text)
    except OSError as exc:
        print(f"twiml studio export: {target}: cannot write: {exc.strerror or exc}", file=err)
        return UNREADABLE
    print(f"wrote {target} ({len(data.get('states', []))} widgets)", file=err)
    return OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `twiml studio import|export`."""
    s = sub.add_parser("studio", help="convert Twilio Studio flows to flow folders and back")
    ssub = s.add_subparsers(dest="studio_command", required=True, metavar="ACTION")
    i = ssub.add_parser("import", help="write a flow folder (TwiML documents, flow.toml, studio.json) from a flow")
    i.add_argument("flow", metavar="FLOW.json")
    i.add_argument("-o", "--output", required=True, metavar="FOLDER", help="the folder to write (created)")
    i.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    i.set_defaults(run=_cmd_import)
    e = ssub.add_parser("export", help="write a flow definition (JSON) from a flow folder")
    e.add_argument("folder", metavar="FOLDER")
    e.add_argument("-o", "--output", metavar="FLOW.json", help="write here (default: standard output)")
    e.add_argument("--force", action="store_true", help="replace FLOW.json when it exists")
    e.set_defaults(run=_cmd_export)
