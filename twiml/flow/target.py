"""`twiml call FOLDER` / `twiml text FOLDER`: a flow folder as the simulator's target."""

from __future__ import annotations

import os
from pathlib import Path

from twiml.flow.config import FLOW_FILE, FlowError, load_flow
from twiml.flow.transport import FolderTransport
from twiml.grammar_types import Kind
from twiml.simulator.commands import Target, TargetError

__all__ = ["open_flow_target"]


def open_flow_target(folder: Path, kind: Kind) -> Target:
    """Start at `start` for a call and `sms_start` for a message; every URL goes through flow.toml.

    Problems in flow.toml are reported as `twiml map` reports them: warnings go with the target
    (`warnings`, printed before the call), errors refuse the target (TargetError, exit status 2).
    """
    if not os.path.lexists(folder / FLOW_FILE):
        raise TargetError(f"{folder}: is a folder without {FLOW_FILE}; call one of its TwiML files or add routes")
    try:
        flow = load_flow(folder)
    except FlowError as exc:
        raise TargetError(exc.problem.format()) from None
    found = [p.format() for p in flow.problems]
    if flow.errors:  # as `twiml map` reports them; a call through a broken flow would mislead
        raise TargetError("\n".join([*found, f"{folder / FLOW_FILE}: fix the errors above first"]))
    key = "start" if kind == "voice" else "sms_start"
    entry = flow.start if kind == "voice" else flow.sms_start
    if entry is None:
        raise TargetError(f"{folder / FLOW_FILE}: no {key} to {'call' if kind == 'voice' else 'text'}")
    transport = FolderTransport(flow)
    return Target(transport, transport.url(entry), f"{folder} {entry}", warnings=found, dialect=flow.dialect)
