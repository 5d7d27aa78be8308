"""Between the analysis and the protocol: URIs to paths (and back), offsets to LSP ranges, and the
flow folder a URI is in. Every handler module converts through here."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as T
from pygls.uris import from_fs_path, to_fs_path

from twiml.flow.config import FLOW_FILE, Flow
from twiml.lsp.analysis import TwimlFile
from twiml.lsp.flows import flow_for

__all__ = ["file_location", "flow_of", "is_flow", "lsp_range", "path_of", "uri_of"]


def path_of(uri: str) -> Path | None:
    fs = to_fs_path(uri)
    return Path(fs) if fs else None


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def is_flow(uri: str) -> bool:
    """The URI is a flow folder's flow.toml (not a TwiML document)."""
    return uri.endswith("/" + FLOW_FILE)


def flow_of(uri: str) -> Flow | None:
    """The flow folder the file at `uri` belongs to, if any."""
    path = path_of(uri)
    return flow_for(path) if path else None


def lsp_range(f: TwimlFile, start: int, end: int) -> T.Range:
    """The range of text offsets `start`..`end` in `f`."""
    sl, sc = f.position(start)
    el, ec = f.position(end)
    return T.Range(T.Position(sl, sc), T.Position(el, ec))


def file_location(path: Path, line: int = 0) -> T.Location:
    """The start of `line` (0-based) in the file at `path`."""
    return T.Location(uri_of(path), T.Range(T.Position(line, 0), T.Position(line, 0)))
