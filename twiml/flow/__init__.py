"""Flow folders: TwiML documents tied together by the routes of a `flow.toml`.

`load_flow(folder)` reads and checks the routes; `Flow.resolve(path, params)` says which document
answers a request, so the simulator (through `twiml.flow.transport`), the map explorer, the
exported webhook app and the editor all route the same way.
"""

from twiml.flow.config import FLOW_FILE, Flow, FlowError, load_flow, parse_flow
from twiml.flow.routing import Resolution, Route, Split, matches, normalize

__all__ = [
    "FLOW_FILE",
    "Flow",
    "FlowError",
    "Resolution",
    "Route",
    "Split",
    "load_flow",
    "matches",
    "normalize",
    "parse_flow",
]
