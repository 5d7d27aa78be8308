"""`python -m twiml.precommit map FILE...`: the `twiml-map` pre-commit hook.

pre-commit passes the changed files; each one in a flow folder (a folder with flow.toml) gets its
folder mapped once, as `twiml map FOLDER` does, and only what is wrong is printed: broken links,
unreachable documents, flow.toml problems. Exit 1 when a folder has broken links or errors.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _folders(files: Sequence[str]) -> list[Path]:
    from twiml.flow.config import FLOW_FILE

    found: dict[Path, None] = {}
    for name in files:
        folder = Path(name).parent
        if (folder / FLOW_FILE).is_file():
            found[folder] = None
    return list(found)


def map_folders(files: Sequence[str]) -> int:
    from twiml.flow.config import FlowError, load_flow
    from twiml.flow.explore import explore_flow
    from twiml.flow.render import render_findings

    status = 0
    for folder in _folders(files):
        try:
            flow = load_flow(folder)
        except FlowError as exc:
            print(exc.problem.format(), file=sys.stderr)
            status = 1
            continue
        for problem in flow.problems:
            print(problem.format())
        flow_map = explore_flow(flow)
        if flow_map.failed or flow.errors:
            status = 1
            print(render_findings(flow_map), end="")  # each finding names its file
    return status


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] != "map":
        print("usage: python -m twiml.precommit map FILE...", file=sys.stderr)
        return 2
    return map_folders(args[1:])


if __name__ == "__main__":
    sys.exit(main())
