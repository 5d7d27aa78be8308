"""`[tool.twiml]` settings: what `twiml validate` (and the language server) reports, and when it fails.

Read from the nearest pyproject.toml from a file's folder upwards; the command line's options win.
One reader for every front end, so an editor shows exactly what the CLI reports.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

__all__ = ["FAIL_ON", "LEVELS", "BadSettings", "Settings", "codes_of", "config_for", "settings_for"]

LEVELS = ("info", "warning", "error")
FAIL_ON = (*LEVELS, "never")


class BadSettings(Exception):
    """A `[tool.twiml]` table that cannot be used (wrong type, unknown key or level)."""


class _Finding(Protocol):
    @property
    def code(self) -> int | str: ...
    @property
    def severity(self) -> str: ...
    @property
    def suppressed(self) -> bool: ...


@dataclass(frozen=True)
class Settings:
    """What `validate` reports and when it fails, from the command line over `[tool.twiml]`."""

    fail_on: str = "warning"
    ignore: frozenset[str] = frozenset()
    select: frozenset[str] = frozenset()
    dialect: str = "twilio"
    """The vendor dialect files are checked in (`twiml.dialects`): twilio, texml or cxml."""

    def reports(self, f: _Finding) -> bool:
        code = str(f.code)
        return not f.suppressed and code not in self.ignore and (not self.select or code in self.select)

    def fails(self, f: _Finding) -> bool:
        return self.fail_on != "never" and LEVELS.index(f.severity) >= LEVELS.index(self.fail_on)


def codes_of(values: Iterable[str] | None) -> frozenset[str]:
    """Codes from repeated, comma-separated options (`--ignore 13212,12200 --ignore 13320`)."""
    return frozenset(c.strip() for v in values or () for c in str(v).split(",") if c.strip())


CONFIG_CACHE: dict[Path, dict[str, Any]] = {}
"""pyproject.toml tables read so far; the CLI clears it once per run, the language server on a save."""


def config_for(name: str) -> tuple[Path | None, dict[str, Any]]:
    """The `[tool.twiml]` table of the nearest pyproject.toml from the file's folder upwards."""
    start = Path.cwd() if name == "-" else Path(name).resolve().parent
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate in CONFIG_CACHE:
            return candidate, CONFIG_CACHE[candidate]
        if candidate.is_file():
            try:
                with open(candidate, "rb") as fh:
                    table = tomllib.load(fh).get("tool", {}).get("twiml", {})
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise BadSettings(f"{candidate}: cannot read: {exc}") from None
            if not isinstance(table, dict):
                raise BadSettings(f"{candidate}: [tool.twiml] must be a table")
            CONFIG_CACHE[candidate] = table
            return candidate, table
    return None, {}


def settings_for(
    name: str,
    fail_on: str | None = None,
    ignore: Iterable[str] | None = None,
    select: Iterable[str] | None = None,
    dialect: str | None = None,
) -> Settings:
    """The settings for file `name`: the command line's options over its `[tool.twiml]` table."""
    from twiml.dialects import DIALECTS

    where, table = config_for(name)
    unknown = set(table) - {"fail-on", "ignore", "select", "dialect"}
    if unknown:
        raise BadSettings(f"{where}: [tool.twiml] has unknown key(s) {', '.join(sorted(unknown))}")
    fail_on = fail_on or table.get("fail-on", "warning")
    if fail_on not in FAIL_ON:
        raise BadSettings(f"{where}: [tool.twiml] fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    lists = {}
    for key in ("ignore", "select"):
        value = table.get(key, [])
        if not isinstance(value, list):
            raise BadSettings(f"{where}: [tool.twiml] {key} must be a list of codes")
        lists[key] = codes_of([str(v) for v in value])
    dialect = dialect or table.get("dialect", "twilio")
    if dialect not in DIALECTS:
        raise BadSettings(f"{where}: [tool.twiml] dialect must be one of {', '.join(DIALECTS)}, not {dialect!r}")
    return Settings(
        fail_on=fail_on,
        ignore=lists["ignore"] | codes_of(ignore),
        select=codes_of(select) if select else lists["select"],
        dialect=str(dialect),
    )
