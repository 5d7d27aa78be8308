"""Write a flow folder as a Flask or FastAPI webhook app that a person could have written.

One function per document builds it with the builder code `twiml.to_python` writes (XML
comments become Python comments); one view per route returns it as `text/xml`, splits are
plain `if` statements on the request parameter with the same matching rules as the router
(`twiml.flow.routing`), a route that forwards calls the other view, and requests are checked
against `X-Twilio-Signature` when `TWILIO_AUTH_TOKEN` is set.
"""

from __future__ import annotations

import ast
import keyword
import re
from pathlib import Path

from twiml.flow.config import Flow
from twiml.flow.routing import TOKEN_PARAMS, Route, Split, is_forward, normalize

__all__ = ["FRAMEWORKS", "ExportError", "export_app"]

FRAMEWORKS = ("flask", "fastapi")
_COMMENT = re.compile(r"^(\w+)\.append\(Comment\((.*)\)\)$")


class ExportError(Exception):
    """A document of the flow cannot be read or parsed; the message names the file."""


def _identifier(text: str, taken: set[str]) -> str:
    name = re.sub(r"\W+", "_", text).strip("_").lower() or "root"
    if name[0].isdigit():
        name = "route_" + name
    if keyword.iskeyword(name) or name in taken:
        name += "_route" if name + "_route" not in taken else "_2"
    taken.add(name)
    return name


def _document_code(flow: Flow, document: str) -> tuple[list[str], list[str]]:
    """(import lines, body lines) that build `document` into `response`."""
    import twiml
    from twiml.errors import TwiMLParseError

    try:
        doc = twiml.parse((flow.folder / document).read_bytes())
    except (OSError, TwiMLParseError) as exc:
        raise ExportError(f"{flow.folder / document}: {exc}") from None
    code = twiml.to_python(doc)
    head, _, rest = code.partition("\n\n")
    body = rest.rsplit("\nprint(response)", 1)[0].strip("\n").splitlines()
    lines: list[str] = []
    for line in body:
        comment = _COMMENT.match(line)
        if comment:
            text = ast.literal_eval(comment.group(2))
            lines.extend(f"# {part.strip()}".rstrip() for part in str(text).strip().splitlines() or [""])
        else:
            lines.append(line)
    imports = [i for i in head.splitlines() if i.strip() and i != "from twiml.base import Comment"]
    return imports, lines


def _merge_imports(lines: list[str]) -> list[str]:
    modules: dict[str, set[str]] = {}
    for line in lines:
        module, _, names = line.removeprefix("from ").partition(" import ")
        modules.setdefault(module, set()).update(n.strip() for n in names.split(","))
    return [f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(modules.items())]


def _literal(value: str) -> str:
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1] + '"'
    return text


class _Writer:
    def __init__(self, flow: Flow, framework: str) -> None:
        if framework not in FRAMEWORKS:
            raise ExportError(f"unknown framework {framework!r} (expected flask or fastapi)")
        self.flow = flow
        self.fastapi = framework == "fastapi"
        self.taken: set[str] = {"app", "normalize", "said", "xml_response", "twilio_params", "AUTH_TOKEN", "request"}
        self.documents: dict[str, str] = {}  # file -> function name
        self.views: dict[str, str] = {}  # route path -> function name
        self.uses_normalize = False
        self.uses_said = False
        self.uses_abort = False

    def document_function(self, document: str) -> str:
        if document not in self.documents:
            self.documents[document] = _identifier(Path(document).stem, self.taken)
        return self.documents[document]

    def answer(self, target: str) -> str:
        """The expression a view returns for a target."""
        if is_forward(target):
            view = self.views[target]
            return f"await {view}(request)" if self.fastapi else f"{view}()"
        return f"xml_response({self.document_function(target)}())"

    def split_lines(self, split: Split) -> list[str]:
        var = _identifier(re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", split.by), set()) if split.by != "From" else "caller"
        get = f"params.get({_literal(split.by)}" if self.fastapi else f"request.values.get({_literal(split.by)}"
        lines: list[str] = []
        if split.match == "present":
            lines.append(f'{var} = {get}, "").strip()')
            lines.append(f'if {var} not in ("", "0"):')
            assert split.then is not None
            lines.append(f"    return {self.answer(split.then)}")
        elif split.match == "contains":
            self.uses_said = self.uses_normalize = True
            lines.append(f'{var} = {get}, "")')
            for key, target in split.cases:
                lines.append(f"if said({var}, {_literal(normalize(key))}):")
                lines.append(f"    return {self.answer(target)}")
        elif split.by in TOKEN_PARAMS:
            lines.append(f"{var} = {get})")
            for key, target in split.cases:
                lines.append(f"if {var} == {_literal(key)}:")
                lines.append(f"    return {self.answer(target)}")
        else:
            self.uses_normalize = True
            lines.append(f'{var} = normalize({get}, ""))')
            for key, target in split.cases:
                lines.append(f"if {var} == {_literal(normalize(key))}:")
                lines.append(f"    return {self.answer(target)}")
        if split.default is not None:
            lines.append(f"return {self.answer(split.default)}")
        else:
            self.uses_abort = True
            message = f"{split.by} matches no case"
            if self.fastapi:
                lines.append(f"raise HTTPException(status_code=404, detail={_literal(message)})")
            else:
                lines.append(f"abort(404, {_literal(message)})")
        return lines

    def view(self, route: Route) -> list[str]:
        name = self.views[route.path]
        if self.fastapi:
            head = [
                f'@app.api_route({_literal(route.path)}, methods=["GET", "POST"])',
                f"async def {name}(request: Request) -> Response:",
            ]
        else:
            head = [f'@app.route({_literal(route.path)}, methods=["GET", "POST"])', f"def {name}():"]
        if isinstance(route.target, str):
            doc = f'    """{route.path} -> {route.target}"""' if not is_forward(route.target) else None
            body = [f"return {self.answer(route.target)}"]
        else:
            doc = f'    """{route.path}: by {route.target.by} ({route.target.match})."""'
            body = self.split_lines(route.target)
            if self.fastapi:
                body.insert(0, "params = await twilio_params(request)")
        out = head + ([doc] if doc else [])
        if self.fastapi and isinstance(route.target, str):
            body.insert(0, "await twilio_params(request)")
        return out + [f"    {line}" for line in body]

    def write(self) -> str:
        flow = self.flow
        for path in flow.routes:
            self.views[path] = _identifier(path, self.taken)
        views = [self.view(route) for route in flow.routes.values()]
        imports: list[str] = []
        functions: list[list[str]] = []
        for document, name in self.documents.items():
            more, body = _document_code(flow, document)
            imports += more
            functions.append(
                [f"def {name}():", f'    """{document}"""', *(f"    {line}" for line in body), "    return response"]
            )
        return self.assemble(imports, functions, views)

    def assemble(self, imports: list[str], functions: list[list[str]], views: list[list[str]]) -> str:
        flow = self.flow
        width = max((len(p) for p in flow.routes), default=0)
        table = "\n".join(f"    {p.ljust(width)}  {_describe(r)}" for p, r in flow.routes.items())
        names = {"start": "voice", "sms_start": "messaging", "fax_start": "fax"}
        entries = "\n".join(f"    {names[k]}: {v}" for k, v in flow.entries())
        framework = "FastAPI" if self.fastapi else "Flask"
        run = "uvicorn app:app" if self.fastapi else "flask --app app run"
        out = [
            f'"""{framework} webhooks for the flow in {flow.folder.name}/, written by `twiml export-app`.',
            "",
            "Point the phone number's webhooks at:",
            "",
            entries,
            "",
            "Routes (from flow.toml):",
            "",
            table,
            "",
            f"Run it with `{run}`. When TWILIO_AUTH_TOKEN is set, requests without a valid",
            "X-Twilio-Signature are refused (403).",
            '"""',
            "",
            "import os",
        ]
        if self.uses_normalize:
            out.append("import unicodedata")
        if self.fastapi:
            out.append("from urllib.parse import parse_qsl")
        out.append("")
        if self.fastapi:
            third = ["from fastapi import FastAPI, HTTPException, Request", "from fastapi.responses import Response"]
        else:
            third = ["from flask import Flask, Response, abort, request"]
        out += sorted(third + _merge_imports([*imports, "from twiml.signature import validate_signature"]))
        out += ["", 'AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN")', ""]
        out.append("app = FastAPI()" if self.fastapi else "app = Flask(__name__)")
        out += ["", "", *self.helpers()]
        for fn in functions:
            out += ["", "", *fn]
        for view in views:
            out += ["", "", *view]
        return "\n".join(out).replace("\n\n\n\n", "\n\n\n") + "\n"

    def helpers(self) -> list[str]:
        out: list[str] = []
        if self.uses_normalize:
            out += [
                "",
                "def normalize(text):",
                '    """Lower case, punctuation dropped, spaces collapsed: speech comes back as "Sales."."""',
                '    kept = (c for c in text.casefold() if c in "-*#+@_/&%" or not unicodedata.category(c).startswith("P"))',
                '    return " ".join("".join(kept).split())',
            ]
        if self.uses_said:
            out += [
                "",
                "",
                "def said(text, phrase):",
                '    """True when the words of `phrase` appear together in `text`."""',
                '    return f" {phrase} " in f" {normalize(text)} "',
            ]
        if self.fastapi:
            out += [
                "",
                "",
                "async def twilio_params(request: Request) -> dict[str, str]:",
                '    """The request\'s parameters (query and form); 403 when the signature is wrong."""',
                "    form = {}",
                '    if request.method == "POST":',
                "        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))",
                '    signature = request.headers.get("X-Twilio-Signature")',
                "    if AUTH_TOKEN and not validate_signature(str(request.url), form, signature, AUTH_TOKEN):",
                '        raise HTTPException(status_code=403, detail="invalid X-Twilio-Signature")',
                "    return {**request.query_params, **form}",
                "",
                "",
                "def xml_response(response) -> Response:",
                '    return Response(content=str(response), media_type="text/xml")',
            ]
        else:
            out += [
                "",
                "",
                "@app.before_request",
                "def check_signature():",
                '    """Refuse requests that Twilio did not sign (when TWILIO_AUTH_TOKEN is set)."""',
                '    signature = request.headers.get("X-Twilio-Signature")',
                "    if AUTH_TOKEN and not validate_signature(request.url, request.form.to_dict(), signature, AUTH_TOKEN):",
                '        abort(403, "invalid X-Twilio-Signature")',
                "",
                "",
                "def xml_response(response):",
                '    return Response(str(response), mimetype="text/xml")',
            ]
        return out[1:] if out and out[0] == "" else out


def _describe(route: Route) -> str:
    if isinstance(route.target, str):
        return route.target
    split = route.target
    parts = [f"{key} -> {target}" for key, target in split.cases]
    if split.then is not None:
        parts.append(f"present -> {split.then}")
    if split.default is not None:
        parts.append(f"else {split.default}")
    how = "" if split.match == "exact" else f" ({split.match})"
    return f"by {split.by}{how}: " + ", ".join(parts)


def export_app(flow: Flow, framework: str = "flask") -> str:
    """The source of a webhook app serving `flow` with `framework` (flask or fastapi)."""
    return _Writer(flow, framework).write()
