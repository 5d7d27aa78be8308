"""Import exported apps and call every route (kept apart from the strategies so a fresh
interpreter running it loads only the frameworks, not hypothesis)."""

from __future__ import annotations

import sys
from typing import Any


def check_exports(exports: list[tuple[str, str, list[str]]]) -> list[str]:
    """Import each exported app (path, framework, routes) and POST to every route: "ok" per app
    whose routes are exactly the flow's and all answer below 500, else what went wrong."""
    import importlib.util

    results: list[str] = []
    for path, framework, routes in exports:
        name = f"exported_{abs(hash(path))}_{len(results)}"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:
            results.append(f"import failed: {path}: {exc!r}")
            continue
        finally:
            sys.modules.pop(name, None)
        failures = _failing_routes(module.app, framework, routes)
        if failures is None:
            results.append(f"routes differ: {path}: {routes!r}")
        else:
            results.append(f"HTTP 500 for {failures!r}: {path}" if failures else "ok")
    return results


def _failing_routes(app: Any, framework: str, routes: list[str]) -> list[str] | None:
    """Routes answering 500 or more (None: the app serves other routes than the flow's)."""
    from urllib.parse import quote

    if framework == "flask":
        served = [r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"]
        client = app.test_client()

        def status(route: str) -> int:
            return int(client.post("http://localhost" + quote(route)).status_code)
    else:
        from twiml.simulator.transport import AppTransport, Request

        docs = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
        served = [r.path for r in app.routes if r.path not in docs]
        transport = AppTransport(app)

        def status(route: str) -> int:
            return transport.fetch(Request("POST", "http://localhost" + quote(route), (), ())).status

    if sorted(served) != sorted(routes):
        return None
    return [r for r in routes if status(r) >= 500]
