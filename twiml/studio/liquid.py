"""Liquid, as Studio renders its templates, with python-liquid (the optional `studio` extra).

Imported on first use: `import twiml` never loads it. Undefined names render as nothing (as in
Studio), `{% for %}` loops stop after 15 iterations (Studio's limit), and a template that does not
parse is reported, never raised.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["EXTRA_HINT", "LiquidMissing", "check", "render", "require"]

EXTRA_HINT = 'install the studio extra: pip install "twiml-toolkit[studio]"'
LOOP_LIMIT = 15


class LiquidMissing(ImportError):
    """A package of the `studio` extra is not installed; the message names the extra to install."""


def require(module: str, what: str, package: str | None = None) -> Any:
    """Import a module of the studio extra, or raise LiquidMissing saying which extra to install
    (`package`: the name pip knows it by, when it differs from the module's)."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise LiquidMissing(f"{what} needs {package or module}: {EXTRA_HINT}") from None


@lru_cache(maxsize=1)
def _env() -> Any:
    liquid = require("liquid", "running Studio's Liquid templates", "python-liquid")

    studio_environment = type("StudioEnvironment", (liquid.Environment,), {"loop_iteration_limit": LOOP_LIMIT})
    return studio_environment()


@lru_cache(maxsize=4096)
def _template(source: str) -> Any:
    return _env().from_string(source)


def check(source: str) -> str | None:
    """None when `source` parses as Liquid, else the parser's message."""
    if "{" not in source:
        return None
    try:
        _template(source)
    except LiquidMissing:
        raise
    except Exception as exc:  # python-liquid's LiquidError and friends
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return None


def render(source: Any, context: dict[str, Any]) -> tuple[str, str | None]:
    """(text, problem): the rendered template, and why it failed when it did (text is then "")."""
    if not isinstance(source, str):
        return ("" if source is None else _plain(source)), None
    if "{" not in source:
        return source, None
    try:
        return str(_template(source).render(**context)), None
    except LiquidMissing:
        raise
    except Exception as exc:
        return "", (str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
