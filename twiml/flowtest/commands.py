"""`twiml test`, `twiml coverage` and `twiml diff`: the flow-testing commands of the `twiml` CLI.

`register(subparsers)` adds them; each returns the exit status (0 fine, 1 changes, uncovered
paths under --strict, or coverage under --fail-under; 2 bad input or arguments).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twiml.flowtest.cases import Case, CasesFile
    from twiml.flowtest.compare import Change, Finding
    from twiml.flowtest.diff import FlowDiff
    from twiml.flowtest.targets import TestTarget
    from twiml.simulator.transport import Transport

__all__ = ["register"]

OK, FAILED, BAD_INPUT = 0, 1, 2


# ------------------------------------------------------------------------------------------ test


def _open(args: argparse.Namespace) -> TestTarget:
    """The target of `test` or `coverage`, with the options every mapping command shares."""
    from twiml.flowtest.targets import open_test_target

    target = open_test_target(
        args.target, args.app, tuple(args.tries), args.allow_host or (), args.dialect, options=args
    )
    target.auth_token = args.auth_token
    return target


def _cmd_test(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.flowtest.cases import CasesError, CasesFile, cases_from_map, load_cases, play_all, write_cases
    from twiml.flowtest.coverage import dead_start
    from twiml.flowtest.mocks import (
        FixtureError,
        FixtureTransport,
        RecordingTransport,
        ReplayTransport,
        parse_fixture_arg,
    )
    from twiml.flowtest.targets import TargetError

    try:
        target = _open(args)
    except TargetError as exc:
        print(f"twiml test: {exc}", file=err)
        return BAD_INPUT
    try:
        path = Path(args.cases) if args.cases else target.default_cases()
        recorded: CasesFile | None = None
        if not args.generate or path.is_file():
            try:
                recorded = load_cases(path)
            except CasesError as exc:
                if not args.generate:
                    print(f"twiml test: {exc}", file=err)
                    return BAD_INPUT
        fixtures = dict(recorded.fixtures) if recorded else {}
        for item in args.fixtures:
            url, fixture = parse_fixture_arg(item)
            fixtures[url] = fixture
        transport: Transport = target.transport
        if args.replay:
            transport = ReplayTransport(Path(args.replay), target.base)
        recorder = RecordingTransport(transport, target.base) if args.record else None
        transport = recorder or transport
        if fixtures:
            transport = FixtureTransport(transport, fixtures, target.base)
        flow_map = target.explore(transport, args.max_states)
        mapped = cases_from_map(flow_map, target)
        if flow_map.truncated:
            print(f"note: the map stopped at {len(flow_map.states)} states; raise --max-states to cover more", file=err)
        token = args.auth_token
        dead = dead_start(flow_map)
        if dead is not None:
            print(f"twiml test: {target.label}: the start does not answer ({dead}); nothing to test", file=err)
            return FAILED
        if args.generate:
            played = play_all(target, mapped, transport, token)
            write_cases(path, CasesFile(played, fixtures, target.label))
            print(
                f"wrote {path}: {len(played)} cases from {len(flow_map.states)} states of {target.label}",
                file=out,
            )
            for broken in flow_map.broken:
                print(f"note: broken link {broken.url} from {broken.origin}: {broken.code} {broken.message}", file=out)
            status = OK
        else:
            assert recorded is not None
            status = _check(args, out, path, recorded, mapped, target, transport, token, fixtures)
        if recorder is not None:
            recorder.save(Path(args.record))
            print(f"recorded {len(recorder.replies)} replies to {args.record}", file=out)
        return status
    except (FixtureError, CasesError) as exc:
        print(f"twiml test: {exc}", file=err)
        return BAD_INPUT
    finally:
        target.close()


def _check(
    args: argparse.Namespace,
    out: IO[str],
    path: Path,
    recorded: CasesFile,
    mapped: list[Case],
    target: TestTarget,
    transport: Transport,
    token: str | None,
    fixtures: dict[str, dict[str, Any]],
) -> int:
    from twiml.flowtest.cases import CasesFile, play_all, write_cases
    from twiml.flowtest.compare import group_changes

    cases = recorded.cases
    replayed = play_all(target, cases, transport, token)
    findings = group_changes(list(zip(cases, replayed, strict=True)))
    known = {c.key for c in cases}
    new = [c for c in mapped if c.key not in known]
    changed = {name for f in findings for name in f.paths}
    if args.format == "json":
        json.dump(
            {
                "cases": len(cases),
                "changed_cases": sorted(changed),
                "changes": [{**f.change.as_dict(), "paths": f.paths, "outcomes": f.outcomes} for f in findings],
                "new_paths": [c.name for c in new],
            },
            out,
            indent=2,
            ensure_ascii=False,
        )
        out.write("\n")
    else:
        _report(out, path, len(cases), findings, changed, new, args.by_case)
    if args.update and (findings or new):
        kept = [now if was.name in changed else was for was, now in zip(cases, replayed, strict=True)]
        added = play_all(target, new, transport, token)
        write_cases(path, CasesFile(kept + added, fixtures, recorded.target or target.label))
        print(f"updated {path}: {len(changed)} cases rewritten, {len(added)} added", file=out)
        return OK
    if findings or (args.strict and new):
        return FAILED
    return OK


_TARGET_HELP = "flow folder, Studio flow .json, TwiML file, URL, or the path to start at with --app"

SHOWN_PATHS = 12
"""Paths listed under one change (a changed main-menu prompt touches every path of a large flow)."""


def _more(out: IO[str], hidden: int, how: str) -> None:
    if hidden > 0:
        print(f"     ... and {hidden} more ({how})", file=out)


def _report(
    out: IO[str], path: Path, total: int, findings: list[Finding], changed: set[str], new: list[Case], by_case: bool
) -> None:
    if by_case:
        _report_by_case(out, findings)
    for n, finding in enumerate([] if by_case else findings, start=1):
        change = finding.change
        print(f"{n}. {change.summary}", file=out)
        if change.was or change.now:
            print(f"   was: {change.was or '(nothing)'}", file=out)
            print(f"   now: {change.now or '(nothing)'}", file=out)
        print(f"   {len(finding.paths)} path{'s' * (len(finding.paths) != 1)}:", file=out)
        shown = finding.paths[:SHOWN_PATHS]
        for name in shown:
            outcome = finding.outcomes.get(name)
            print(f"     - {name}" + (f"  ({outcome})" if outcome else ""), file=out)
        _more(out, len(finding.paths) - len(shown), "`--by-case` or `--format json` lists every one")
    if new:
        print(f"new paths not in {path} ({len(new)}):", file=out)
        for case in new[:SHOWN_PATHS]:
            print(f"     + {case.name}", file=out)
        _more(out, len(new) - SHOWN_PATHS, "`--format json` lists every one")
    if findings:
        print(
            f"FAILED: {len(findings)} change{'s' * (len(findings) != 1)} in {len(changed)} of {total} cases "
            f"({path}); after review, `twiml test --update` records them",
            file=out,
        )
    else:
        print(f"ok: {total} cases replayed unchanged ({path})" + (f", {len(new)} new paths" if new else ""), file=out)


def _report_by_case(out: IO[str], findings: list[Finding]) -> None:
    """Each changed case with its changes."""
    cases: dict[str, list[Change]] = {}
    outcomes: dict[str, str] = {}
    for finding in findings:
        for name in finding.paths:
            cases.setdefault(name, []).append(finding.change)
            outcomes.setdefault(name, finding.outcomes.get(name, ""))
    for name, changes in cases.items():
        print(f"case {name}:", file=out)
        for change in changes:
            was_now = f": {change.was or '(nothing)'} → {change.now or '(nothing)'}" if change.was or change.now else ""
            print(f"   {change.summary}{was_now}", file=out)
        if outcomes[name]:
            print(f"   {outcomes[name]}", file=out)


# -------------------------------------------------------------------------------------- coverage


def _cmd_coverage(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from twiml.flowtest.coverage import CoverageError, dead_start, load_walks, measure, render
    from twiml.flowtest.targets import TargetError

    try:
        walks = load_walks(Path(args.data))
        target = _open(args)
    except (CoverageError, TargetError) as exc:
        print(f"twiml coverage: {exc}", file=err)
        return BAD_INPUT
    try:
        flow_map = target.explore(max_states=args.max_states)
    finally:
        target.close()
    dead = dead_start(flow_map)
    if dead is not None:
        print(f"twiml coverage: {target.label}: the start does not answer ({dead}); nothing to measure", file=err)
        return FAILED
    coverage = measure(flow_map, walks, target.flow.routes if target.flow else None, target.map_namer)
    out.write(render(coverage, args.format, target.label))
    if coverage.walks and not any(coverage.states.values()):
        print(
            f"twiml coverage: note: none of the {coverage.walks} walks in {args.data} reached a state of "
            f"{target.label} (were they recorded with --twiml-cov for another target?)",
            file=err,
        )
    if args.fail_under is not None and coverage.percent < args.fail_under:
        print(f"twiml coverage: {coverage.percent:.1f}% is below --fail-under {args.fail_under:g}", file=err)
        return FAILED
    return OK


# ------------------------------------------------------------------------------------------ diff


def _cmd_diff(args: argparse.Namespace, out: IO[str], err: IO[str], stdin: object) -> int:
    from contextlib import ExitStack

    from twiml.flow.config import FlowError, load_flow
    from twiml.flowtest.diff import DiffError, FlowDiff, diff_documents, diff_flows, git_tree, render
    from twiml.flowtest.targets import TargetError

    items = [i for i in args.items if i != "--"]  # argparse keeps a "--" in some Python versions
    try:
        with ExitStack() as stack:
            labels = list(items)
            if len(items) == 2 and all(Path(i).exists() for i in items):
                old, new = Path(items[0]), Path(items[1])
            elif len(items) in (2, 3) and Path(items[-1]).exists() and not any(Path(i).exists() for i in items[:-1]):
                where = Path(items[-1])
                old = stack.enter_context(git_tree(items[0], where))
                new = stack.enter_context(git_tree(items[1], where)) if len(items) == 3 else where
                labels = [f"{items[0]}:{where}", f"{items[1]}:{where}" if len(items) == 3 else str(where)]
            else:
                # the last item is the path (REV [REV2] -- PATH) or NEW: name it first when it is missing
                missing = next((i for i in reversed(items) if not Path(i).exists()), None)
                hint = f"{missing}: no such file or folder; " if missing and len(items) in (2, 3) else ""
                print(
                    f"twiml diff: {hint}give OLD NEW (two flow folders or two documents), "
                    "or REV [REV2] -- PATH (git revisions of a folder or document)",
                    file=err,
                )
                return BAD_INPUT
            if old.is_dir() != new.is_dir():
                print(f"twiml diff: {old} and {new}: compare two folders or two documents", file=err)
                return BAD_INPUT
            if old.is_dir():
                try:
                    flows = [load_flow(old), load_flow(new)]
                except FlowError as exc:
                    print(f"twiml diff: {exc}", file=err)
                    return BAD_INPUT
                for flow in flows:
                    if flow.errors:
                        print(f"twiml diff: {flow.errors[0].format()}", file=err)
                        return BAD_INPUT
                result = diff_flows(flows[0], flows[1], labels[0], labels[1], paths=not args.no_paths)
            elif old.suffix.lower() == ".json" or new.suffix.lower() == ".json":
                if old.suffix.lower() != new.suffix.lower():
                    print(f"twiml diff: {old} and {new}: compare two Studio flows (.json) or two documents", file=err)
                    return BAD_INPUT
                result = _diff_opened(old, new, labels, not args.no_paths)
            else:
                result = FlowDiff(labels[0], labels[1])
                a, b = old.read_bytes(), new.read_bytes()
                if a != b:
                    result.changes = diff_documents(a, b, new.name, labels[0], labels[1])
                    if not result.changes:
                        result.cosmetic = [new.name]
            out.write(render(result, args.format))
    except (DiffError, OSError, TargetError) as exc:
        print(f"twiml diff: {exc}", file=err)
        return BAD_INPUT
    return FAILED if args.exit_code and result.changes else OK


def _diff_opened(old: Path, new: Path, labels: list[str], paths: bool) -> FlowDiff:
    """Two versions of a file a registered opener knows (a Studio flow): its own comparison of
    the two, then both mapped and every path replayed on both."""
    from twiml.flowtest.diff import DiffError, FlowDiff, path_changes
    from twiml.flowtest.targets import open_registered, studio_not_a_target

    before = open_registered(old)
    if before is None:
        raise DiffError(studio_not_a_target(str(old)))
    try:
        after = open_registered(new)
        if after is None or after.compare is None:
            raise DiffError(studio_not_a_target(str(new)))
        try:
            result = FlowDiff(labels[0], labels[1], folders=False)
            result.changes, result.cosmetic = after.compare(old, labels[0], labels[1])
            if paths:
                path_changes(result, before, after)
            return result
        finally:
            after.close()
    finally:
        before.close()


# ----------------------------------------------------------------------------------------- parser


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `test`, `coverage` and `diff` to the `twiml` command line."""
    from twiml.flow.commands import add_target_options
    from twiml.simulator.commands import add_vendor_options

    t = sub.add_parser(
        "test",
        help="check a flow against its recorded cases (one per path); --generate records them",
        description="Replay the cases of a flow (flow folder, Studio flow .json, URL, or --app MODULE:ATTR PATH) "
        "and print what changed in the caller's terms; exit 1 on changes (and on new paths with --strict).",
    )
    add_target_options(t, target_help=_TARGET_HELP)
    add_vendor_options(t)
    mode = t.add_mutually_exclusive_group()
    mode.add_argument("--generate", action="store_true", help="walk every path of the map and write the cases file")
    t.add_argument(
        "--cases",
        metavar="FILE",
        help="cases file (default flow_tests.toml in the flow folder, NAME_tests.toml beside NAME.json, else here)",
    )
    mode.add_argument("--update", action="store_true", help="rewrite the cases that changed and add new paths")
    t.add_argument("--by-case", action="store_true", help="list each changed case with its changes")
    t.add_argument("--strict", action="store_true", help="exit 1 when the map has paths the cases do not cover")
    t.add_argument(
        "--fixture",
        dest="fixtures",
        action="append",
        default=[],
        metavar="URL=REPLY",
        help="mock a URL: URL=STATUS, URL=@FILE or URL=<Response>... (repeatable; kept in the cases file)",
    )
    t.add_argument("--record", metavar="FILE", help="save the target's real replies to FILE (for --replay)")
    t.add_argument("--replay", metavar="FILE", help="answer from replies saved with --record (offline)")
    t.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    t.set_defaults(run=_cmd_test)

    c = sub.add_parser(
        "coverage",
        help="report which states, edges and split cases of a flow's map the tests walked",
        description="Lay the walks that `pytest --twiml-cov=TARGET` saved in .twiml-coverage over TARGET's map; "
        "exit 1 under --fail-under.",
    )
    add_target_options(c, target_help=_TARGET_HELP)
    add_vendor_options(c)
    c.add_argument("--data", default=".twiml-coverage", metavar="FILE", help="coverage data (default .twiml-coverage)")
    c.add_argument("--format", choices=("text", "json", "mermaid"), default="text", help="output format")
    c.add_argument("--fail-under", type=float, metavar="PERCENT", help="exit 1 when coverage is below PERCENT")
    c.set_defaults(run=_cmd_coverage)

    d = sub.add_parser(
        "diff",
        usage="%(prog)s [-h] [--format FORMAT] [--no-paths] [--exit-code] (OLD NEW | REV [REV2] -- PATH)",
        help="compare two versions of a flow in the caller's terms (folders, documents, Studio flows, git revisions)",
        description="Prompts changed, routes and cases added, removed or retargeted, attributes that change "
        "behaviour (formatting, attribute order and comments do not), and the paths whose outcome changed. "
        "OLD NEW are two flow folders, two documents or two Studio flows (.json); REV [REV2] -- PATH compares git revisions "
        "(REV2 defaults to the working tree).",
    )
    d.add_argument("items", nargs="+", metavar="ITEM", help="OLD NEW, or REV [REV2] -- PATH")
    d.add_argument("--format", choices=("text", "json", "markdown", "mermaid"), default="text", help="output format")
    d.add_argument("--no-paths", action="store_true", help="do not map and replay the two flows (faster)")
    d.add_argument("--exit-code", action="store_true", help="exit 1 when behaviour changed (as git diff --exit-code)")
    d.set_defaults(run=_cmd_diff)
