"""The toolkit's version for `--version`, looked up only when asked.

Reading installed package metadata costs ~50 ms (importlib.metadata and a scan of the path),
too much to pay on every start of the editor or the CLI."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any


def installed_version() -> str:
    """The installed distribution's version, else the package's own constant (a source checkout)."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version("twiml-toolkit")
    except (ImportError, PackageNotFoundError):
        from twiml import __version__

        return __version__


class VersionAction(argparse.Action):
    """`--version`: prints `prog version` and exits, like argparse's own, but computed on use."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show the version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        sys.stdout.write(f"{parser.prog} {installed_version()}\n")
        parser.exit()
