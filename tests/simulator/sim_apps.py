"""Real webhook apps for the simulator tests: one Flask and one FastAPI app serving given
TwiML documents by path and recording every request they receive."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi import Request as FastAPIRequest
from fastapi.responses import Response as FastAPIResponse
from flask import Flask
from flask import Response as FlaskResponse
from flask import request as flask_request

RequestValidator: Any = pytest.importorskip("twilio.request_validator").RequestValidator
"""twilio's own validator (a test-only oracle without type information)."""

Doc = str | tuple[int, str, str | bytes] | Callable[[dict[str, str]], str]
"""A document: XML text, (status, content type, body), or a function of the request values."""


@dataclass
class Seen:
    """One request as the app received it."""

    method: str
    path: str
    url: str
    query: dict[str, str]
    form: dict[str, str]
    headers: dict[str, str]
    signature_ok: bool | None

    @property
    def values(self) -> dict[str, str]:
        return {**self.query, **self.form}


def _answer(doc: Doc | None, values: dict[str, str]) -> tuple[int, str, str | bytes]:
    if doc is None:
        return 404, "text/html", "<h1>Not Found</h1>"
    if callable(doc):
        doc = doc(values)
    if isinstance(doc, tuple):
        return doc
    return 200, "text/xml", doc


def flask_app(docs: Mapping[str, Doc], log: list[Seen], token: str | None = None) -> Flask:
    app = Flask("simulated_flask")

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST"])
    @app.route("/<path:path>", methods=["GET", "POST"])
    def serve(path: str) -> FlaskResponse:
        form = dict(flask_request.form)
        ok = None
        if token is not None:
            ok = RequestValidator(token).validate(
                flask_request.url, form, flask_request.headers.get("X-Twilio-Signature", "")
            )
        log.append(
            Seen(
                flask_request.method,
                "/" + path,
                flask_request.url,
                dict(flask_request.args),
                form,
                dict(flask_request.headers),
                ok,
            )
        )
        if ok is False:
            return FlaskResponse("bad signature", status=403, mimetype="text/plain")
        if path == "boom":
            raise ZeroDivisionError("division by zero in the app")
        status, ctype, body = _answer(docs.get("/" + path), {**dict(flask_request.args), **form})
        return FlaskResponse(body, status=status, content_type=ctype)

    return app


def fastapi_app(docs: Mapping[str, Doc], log: list[Seen], token: str | None = None) -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def serve(path: str, request: FastAPIRequest) -> FastAPIResponse:
        form = {k: str(v) for k, v in (await request.form()).items()} if request.method == "POST" else {}
        ok = None
        if token is not None:
            ok = RequestValidator(token).validate(str(request.url), form, request.headers.get("X-Twilio-Signature", ""))
        log.append(
            Seen(
                request.method,
                "/" + path,
                str(request.url),
                dict(request.query_params),
                form,
                dict(request.headers),
                ok,
            )
        )
        if ok is False:
            return FastAPIResponse("bad signature", status_code=403, media_type="text/plain")
        if path == "boom":
            raise ZeroDivisionError("division by zero in the app")
        status, ctype, body = _answer(docs.get("/" + path), {**dict(request.query_params), **form})
        return FastAPIResponse(body, status_code=status, media_type=ctype)

    return app


Factory = Callable[..., tuple[Any, list[Seen]]]


def factory(kind: str) -> Factory:
    """`make(docs, token=None) -> (app, log)` building a Flask or a FastAPI app."""
    build = flask_app if kind == "flask" else fastapi_app

    def make(docs: Mapping[str, Doc], token: str | None = None) -> tuple[Any, list[Seen]]:
        log: list[Seen] = []
        return build(docs, log, token), log

    return make
