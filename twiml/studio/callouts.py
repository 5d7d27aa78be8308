"""Widgets that call out (make-http-request, run-function, run-subflow): their reply comes from a
fixture the user gave, or with `--http` (`http=True`) from the real URL, or they take their failure
transition and say so.

`CallOuts` also holds what every widget handler shares: notes, Liquid rendering, property reads.
"""

from __future__ import annotations

import json
from typing import Any

from twiml.studio.execution import Execution
from twiml.studio.liquid import render
from twiml.studio.model import State

__all__ = ["CallOuts"]


class CallOuts:
    """Fixtures and real requests for the widgets that call out; the base of the widget handlers."""

    fixtures: dict[str, Any]
    http: bool
    notes: list[str]

    def _note(self, text: str) -> None:
        self.notes.append(text)

    def _render(self, ex: Execution, state: State, value: Any, what: str) -> str:
        text, problem = render(value, ex.context)
        if problem:
            self._note(f"{ex.qualified(state.name)}: Liquid in {what} failed ({problem}); it renders as empty")
        return text

    def _prop(self, state: State, *names: str) -> Any:
        for n in names:
            value = state.properties.get(n)
            if value is not None and value != "":
                return value
        return None

    def _parameters(self, ex: Execution, state: State) -> dict[str, str]:
        """The widget's `parameters` (key/value pairs, values Liquid) rendered: what a request or a
        subflow gets."""
        out: dict[str, str] = {}
        items = state.properties.get("parameters")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                out[item["key"]] = self._render(ex, state, item.get("value", ""), f"parameter {item['key']}")
        return out

    def _transition(self, state: State, event: str) -> str | None:
        t = state.next_for(event)
        return t.next if t else None

    def _fixture(self, ex: Execution, state: State, fail: str) -> str:
        name = ex.qualified(state.name)
        key = next((k for k in (name, state.name) if k in self.fixtures), None)
        if key is None and self.http and state.type in ("make-http-request", "run-function"):
            return self._call_out(ex, state, fail)
        if key is None:
            if state.type == "run-subflow":
                sid = state.properties.get("flow_sid") or "(none)"
                self._note(
                    f"{name}: run-subflow's flow_sid {sid} names no subflow file given (--subflow {sid}=FLOW.json, "
                    f"or [subflows] in the flow's .studio.toml) and it has no fixture; it takes {fail!r}"
                )
            else:
                self._note(
                    f"{name}: {state.type} has no fixture (--fixture {state.name}=reply.json); it takes {fail!r}"
                )
            ex.widgets[state.name] = {"status_code": 0, "body": "", "parsed": {}}
            return fail
        value = self.fixtures[key]
        if state.type == "run-subflow":
            ex.widgets[state.name] = dict(value) if isinstance(value, dict) else {"output": value}
            self._note(f"{name}: run-subflow replied from its fixture -> completed")
            return "completed"
        body = value if isinstance(value, str) else json.dumps(value)
        ex.widgets[state.name] = {
            "status_code": 200,
            "content_type": "application/json",
            "body": body,
            "parsed": value,
        }
        self._note(f"{ex.qualified(state.name)}: {state.type} replied from its fixture -> success")
        return "success"

    def _call_out(self, ex: Execution, state: State, fail: str) -> str:
        """The widget's real request (`--http`), with Studio's 10 s limit: its reply fills
        `status_code`, `content_type`, `body` and, for JSON, `parsed`; 2xx is success."""
        import httpx

        url = self._render(ex, state, self._prop(state, "url"), "url")
        params = self._parameters(ex, state)
        method = str(self._prop(state, "method") or "POST").upper()
        content_type = str(self._prop(state, "content_type", "contentType") or "application/x-www-form-urlencoded")
        kwargs: dict[str, Any] = {}
        if state.type == "run-function" or method == "GET":
            kwargs["params" if method == "GET" else "data"] = params
        elif "json" in content_type:
            body = self._render(ex, state, self._prop(state, "body"), "body")
            kwargs["content"] = body.encode() if body else json.dumps(params).encode()
            kwargs["headers"] = {"Content-Type": content_type}
        else:
            kwargs["data"] = params
        try:
            reply = httpx.request(method if state.type != "run-function" else "POST", url, timeout=10.0, **kwargs)
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            self._note(
                f"{ex.qualified(state.name)}: {state.type} {url}: {exc or type(exc).__name__}; it takes {fail!r}"
            )
            ex.widgets[state.name] = {"status_code": 0, "body": "", "parsed": {}}
            return fail
        parsed: Any = {}
        try:
            parsed = reply.json()
        except ValueError:
            parsed = {}
        ex.widgets[state.name] = {
            "status_code": reply.status_code,
            "content_type": reply.headers.get("content-type", ""),
            "body": reply.text,
            "parsed": parsed,
        }
        event = "success" if 200 <= reply.status_code < 300 else fail
        self._note(f"{ex.qualified(state.name)}: {state.type} {method} {url}: HTTP {reply.status_code} -> {event}")
        return event
