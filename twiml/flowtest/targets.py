"""What a flow test runs against: one abstraction over a flow folder, an app, a URL or a Studio
flow, built on the simulator's own `Target` (a transport and a first URL).

A `TestTarget` can map itself (through the explorer of `twiml.flow.explore`, with whatever
transport wraps its own: fixtures, recording) and names documents the way a reviewer reads them.
New inputs plug in with `register_opener`: a function that recognises a path and returns a
`TestTarget`. twiml.studio's opener (`twiml.studio.targets`) is registered by the CLI and the
pytest plugin: twiml.studio builds on this package, so this package cannot import it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from twiml.flow.config import Flow
from twiml.flow.explore import DEFAULT_MAX_STATES, FlowMap, explore, explore_flow
from twiml.simulator.commands import Target, TargetError
from twiml.simulator.transport import Transport

if TYPE_CHECKING:
    from twiml.flowtest.change import Change

__all__ = [
    "CASES_FILE",
    "TargetError",
    "TestTarget",
    "from_simulator_target",
    "open_folder_target",
    "open_registered",
    "open_test_target",
    "register_opener",
    "studio_not_a_target",
]

CASES_FILE = "flow_tests.toml"


@dataclass
class TestTarget:
    """A target of `twiml test`, `twiml coverage` and `twiml diff`."""

    __test__ = False  # not a pytest test class despite its name

    label: str
    transport: Transport
    start: str
    """Absolute URL of the voice entry (what `twiml call` would request first)."""
    mapper: Callable[[Transport, int, str | None], FlowMap]
    """Explores the target through the given transport (its own, or one wrapping it)."""
    folder: Path | None = None
    """Where the target's files are: document names are relative to it; the cases file goes there."""
    kind: str = "folder"
    closers: list[Callable[[], None]] = field(default_factory=list)
    tries: tuple[str, ...] = ()
    flow: Flow | None = None
    """The flow folder's routes (split cases count for coverage), when the target is a folder."""
    auth_token: str | None = None
    """Signs the requests of an app or URL target (as Twilio would)."""
    dialect: str = "twilio"
    """The vendor placing the calls (`--dialect`, else a flow folder's flow.toml): map and replays alike."""
    entries: dict[str, str] = field(default_factory=dict)
    """The URL each map entry requests (entry name -> URL), where the state it reaches has another
    URL (a Studio flow's widget); cases start there."""
    resume: Callable[[str, str], tuple[str, str] | None] | None = None
    """A conversation's next inbound message after a reply (its URL) for an input such as
    `reply "yes"`: (URL, body), or None where that input does not apply (Studio's send-and-wait)."""
    scrub: Callable[[str], str] | None = None
    """Takes out of a recorded request or verb what changes from run to run without being
    behaviour (a Studio execution's number in its URLs), so cases compare equal."""
    namer: Callable[[str], str | None] | None = None
    """A reply's source as cases name it (a Studio widget), when it is not a file of `folder`."""
    map_namer: Callable[[str], str | None] | None = None
    """A reply's source as the map names its state (a Studio widget's type), for coverage;
    "" for a reply from elsewhere (another flow)."""
    compare: Callable[[Path, str, str], tuple[list[Change], list[str]]] | None = None
    """`twiml diff`: the changes from another version of this target's file (labels old, new),
    and the names changed in form only; None where twiml.flowtest.diff knows the kind."""
    cases_file: Path | None = None
    """Where the cases go by default when not beside a folder's flow.toml (a Studio flow's own)."""

    @property
    def base(self) -> str:
        """scheme://host of the start URL: cases store paths relative to it (a port may change)."""
        parts = urlsplit(self.start)
        return f"{parts.scheme}://{parts.netloc}"

    def relative(self, url: str) -> str:
        """`url` as a case stores it: a path when it is on the target's host, else absolute."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.base:
            return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return url

    def absolute(self, url: str) -> str:
        return url if "://" in url else self.base + "/" + url.lstrip("/")

    def document(self, source: str | None) -> str | None:
        """A document's name relative to the target's folder (a reply from an app has none)."""
        if source is not None and self.namer is not None:
            return self.namer(source)
        if source is None or self.folder is None:
            return source
        prefix = os.path.join(str(self.folder), "")
        return source[len(prefix) :] if source.startswith(prefix) else source

    def explore(self, transport: Transport | None = None, max_states: int = DEFAULT_MAX_STATES) -> FlowMap:
        return self.mapper(transport or self.transport, max_states, self.auth_token)

    def default_cases(self) -> Path:
        """flow_tests.toml inside a flow folder, NAME_tests.toml beside a Studio flow NAME.json, in
        the current folder for other targets."""
        if self.cases_file is not None:
            return self.cases_file
        if self.kind == "folder" and self.folder is not None:
            return self.folder / CASES_FILE
        return Path(CASES_FILE)

    def close(self) -> None:
        for close in self.closers:
            close()
        self.closers.clear()


Opener = Callable[[Path, argparse.Namespace], "TestTarget | None"]
_OPENERS: list[Opener] = []


def register_opener(opener: Opener) -> Callable[[], None]:
    """Let another input (a Studio flow JSON, ...) be a test target: `opener(path, options)` returns
    None for a path it does not recognise; `options` are the command line's arguments (an opener
    reads the ones of its own input, such as a Studio flow's `--config`). Returns the function that
    removes it again."""
    if opener not in _OPENERS:
        _OPENERS.append(opener)
    return lambda: _OPENERS.remove(opener) if opener in _OPENERS else None


def open_registered(path: Path, options: argparse.Namespace | None = None) -> TestTarget | None:
    """`path` opened by a registered opener (a Studio flow), or None when none recognises it."""
    for opener in _OPENERS:
        found = opener(path, options or argparse.Namespace())
        if found is not None:
            return found
    return None


def from_simulator_target(
    target: Target, folder: Path | None, kind: str, tries: tuple[str, ...] = (), dialect: str | None = None
) -> TestTarget:
    """Any simulator target (a transport and a first URL) as a test target, mapped by the
    explorer's generic inputs (keys 0-9 * #, or `tries`)."""
    vendor = dialect or target.dialect or "twilio"

    def mapper(transport: Transport, max_states: int, auth_token: str | None) -> FlowMap:
        return explore(transport, target.url, tries=tries, max_states=max_states, auth_token=auth_token, dialect=vendor)

    return TestTarget(
        target.label, target.transport, target.url, mapper, folder, kind, list(target.closers), tries, dialect=vendor
    )


def open_test_target(
    spec: str | None,
    app: str | None = None,
    tries: tuple[str, ...] = (),
    allow_hosts: tuple[str, ...] | list[str] = (),
    dialect: str | None = None,
    options: argparse.Namespace | None = None,
) -> TestTarget:
    """A flow folder, a TwiML file, an http(s) URL, `--app MODULE:ATTR` with a path, or a path a
    registered opener recognises; `allow_hosts` are hosts a URL target may also lead to, `dialect`
    the vendor placing the calls (default: a folder's flow.toml, else twilio), `options` the command
    line's arguments for the opener. Raises TargetError with a message naming what is wrong."""
    from twiml.simulator.commands import open_target

    for_opener = [f"--{name}" for name in ("subflow", "config") if getattr(options, name, None)]

    def refuse_opener_options() -> None:
        """The options only a registered opener reads, given for a target none of them took."""
        if for_opener:
            verb = "apply" if len(for_opener) > 1 else "applies"
            raise TargetError(f"{' and '.join(for_opener)} {verb} to Studio flows (a .json target) only")

    if app is not None or (spec or "").startswith(("http://", "https://")):
        refuse_opener_options()
        target = open_target(spec, app, allow_hosts=allow_hosts)
        return from_simulator_target(target, None, "app" if app else "url", tries, dialect)
    if not spec:
        raise TargetError("a target is needed: a flow folder, an http(s):// URL, or --app MODULE:ATTR [PATH]")
    path = Path(spec)
    found = open_registered(path, options)
    if found is not None:
        if dialect not in (None, found.dialect):
            found.close()
            raise TargetError(
                f"{spec}: a {found.kind} target runs as {found.dialect}; --dialect {dialect} does not apply"
            )
        return found
    refuse_opener_options()
    if not path.exists():
        raise TargetError(
            f"{spec}: no such folder or file (a target is a flow folder, a Studio flow .json, "
            "an http(s):// URL or --app MODULE:ATTR)"
        )
    if path.is_file() and path.suffix.lower() == ".json":
        raise TargetError(studio_not_a_target(spec))
    if path.is_file():  # one TwiML file; relative URLs are files beside it
        return from_simulator_target(open_target(spec, None), path.parent, "file", tries, dialect)
    return open_folder_target(path, dialect)


def studio_not_a_target(spec: str) -> str:
    """Why a Studio flow (.json) is refused where twiml.studio's opener is not registered."""
    return (
        f"{spec}: a Twilio Studio flow is a target once twiml.studio's opener is registered "
        "(`twiml.studio.targets.register()`; the twiml command and the pytest plugin do it)"
    )


def open_folder_target(path: Path, dialect: str | None = None) -> TestTarget:
    """A flow folder: mapped with its routes' cases, served by the folder transport."""
    from twiml.flow.config import FLOW_FILE, FlowError, load_flow
    from twiml.flow.transport import FolderTransport

    if not (path / FLOW_FILE).is_file():
        raise TargetError(f"{path}: a folder without {FLOW_FILE}")
    try:
        flow = load_flow(path)
    except FlowError as exc:
        raise TargetError(exc.problem.format()) from None
    if flow.errors:
        raise TargetError(flow.errors[0].format())
    if flow.start is None and flow.sms_start is None:
        raise TargetError(f"{path / FLOW_FILE}: neither start nor sms_start is set: nothing to test")
    transport = FolderTransport(flow)
    vendor = dialect or flow.dialect

    def mapper(through: Transport, max_states: int, auth_token: str | None) -> FlowMap:
        return explore_flow(
            flow, max_states=max_states, transport=None if through is transport else through, dialect=vendor
        )

    start = transport.url(flow.start or flow.sms_start or "/")
    return TestTarget(str(path), transport, start, mapper, path, "folder", flow=flow, dialect=vendor)
