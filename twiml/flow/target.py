"""`twiml call FOLDER` / `twiml text FOLDER`: a flow folder as the simulator's target."""

from __future__ import annotations

from pathlib import Path

from twiml.flow.config import FLOW_FILE, FlowError, load_flow
from twiml.flow.transport import FolderTransport
from twiml.simulator.commands import Target, TargetError

__all__ = ["open_flow_target"]


def open_flow_target(folder: Path, channel: str) -> Target:
    """Start at `start` for a call and `sms_start` for a message; every URL goes through flow.toml."""
    if not (folder / FLOW_FILE).is_file():
        raise TargetError(f"{folder}: is a folder without {FLOW_FILE}; call one of its TwiML files or add routes")
    try:
        flow = load_flow(folder)
    except FlowError as exc:
        raise TargetError(str(folder / exc.problem.format())) from None
    key = "start" if channel == "voice" else "sms_start"
    entry = flow.start if channel == "voice" else flow.sms_start
    if entry is None:
        raise TargetError(f"{folder / FLOW_FILE}: no {key} to {'call' if channel == 'voice' else 'text'}")
    transport = FolderTransport(flow)
    return Target(transport, transport.url(entry), f"{folder} {entry}", dialect=flow.dialect)
