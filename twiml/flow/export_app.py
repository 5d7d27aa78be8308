"""Write a flow folder as a Flask or FastAPI webhook app that a person could have written.

One function per document builds it with the builder code `twiml.to_python` writes (XML
comments become Python comments); one view per route returns it as `text/xml`, splits are
plain `if` statements on the request parameter with the same matching rules as the router
(`twiml.flow.routing`), a route that forwards calls the other view, a `{ status = 204 }` route
answers an empty 204, and requests are checked
against `X-Twilio-Signature` when `TWILIO_AUTH_TOKEN` is set.

Everything in flow.toml and the folder's names is untrusted: it enters the source only as a
`repr()` literal or as a `#` comment whose unprintable characters are escaped, and every
identifier is made here (never copied), unique, and distinct from every name the template uses.
The finished source is compiled before it is returned, so a flaw here is an ExportError, never
a file that runs someone else's code or does not import.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import re
import unicodedata
from pathlib import Path

from twiml.flow.config import Flow
from twiml.flow.routing import TOKEN_PARAMS, NoContent, Route, Split, is_forward, normalize

__all__ = ["FRAMEWORKS", "ExportError", "export_app"]

FRAMEWORKS = ("flask", "fastapi")
_COMMENT = re.compile(r"^(\w+)\.append\(Comment\((.*)\)\)$")

_TEMPLATE_NAMES = frozenset(
    {
        # module level: imports, globals and helpers of the template (both frameworks)
        "os",
        "unicodedata",
        "parse_qsl",
        "FastAPI",
        "HTTPException",
        "Request",
        "Response",
        "Flask",
        "abort",
        "request",
        "validate_signature",
        "AUTH_TOKEN",
        "app",
        "normalize",
        "said",
        "twilio_params",
        "xml_response",
        "check_signature",
        # locals of the views and document functions
        "params",
        "response",
        "form",
        "pairs",
        "signature",
        "text",
        "phrase",
        "kept",
        "c",
    }
)
"""Names the written app uses itself: a view, document function or variable never takes one."""

_RESERVED = _TEMPLATE_NAMES | frozenset(dir(builtins)) | frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)

_FRAMEWORK_SYNTAX = {"flask": "<>", "fastapi": "{}"}
"""Characters the framework reads as path parameters in a route (werkzeug `<x>`, Starlette `{x}`)."""


class ExportError(Exception):
    """The flow cannot be written as an app (a document cannot be read or parsed, a route the
    framework would misread); the message names the file or route."""


class _Names:
    """Identifiers for generated code: NFKC-normalised (as Python reads them), checked with
    `str.isidentifier()`, unique, and never a keyword, a builtin or a name of the template."""

    def __init__(self, taken: set[str] | frozenset[str] = frozenset()) -> None:
        self.taken: set[str] = set(_RESERVED) | set(taken)

    def copy(self) -> _Names:
        return _Names(self.taken)

    def new(self, text: str, fallback: str) -> str:
        name = _base_identifier(text) or fallback
        if not name[0].isalpha() and name[0] != "_":
            name = f"{fallback}_{name}"
        candidate, counter = name, 2
        while candidate in self.taken:
            candidate = f"{name}_{counter}"
            counter += 1
        if not candidate.isidentifier() or unicodedata.normalize("NFKC", candidate) != candidate:
            raise ExportError(f"internal error: {candidate!r} is not an identifier")  # pragma: no cover
        self.taken.add(candidate)
        return candidate


def _base_identifier(text: str) -> str:
    """`text` as a lower-case identifier: characters Python does not allow in names become `_`."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).lower())
    out = "".join(c if ("a" + c).isidentifier() else "_" for c in text)
    out = re.sub(r"_+", "_", out).strip("_")
    # NFKC may change a character again inside a longer name; keep only what is stable
    out = "".join(c for c in out if unicodedata.normalize("NFKC", c) == c)
    out = re.sub(r"_+", "_", out).strip("_")
    return out if out and ("a" + out).isidentifier() else ""


def _comment(text: str) -> str:
    """`text` fit for a `#` comment: characters that are not printable are written as escapes,
    so nothing can end the comment or reorder what a reader sees."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _literal(value: str) -> str:
    """A Python string literal of `value` (double quotes when that needs no escape)."""
    text = repr(value)
    if text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1] + '"'
    return text


def _document_code(flow: Flow, document: str) -> tuple[list[str], list[str]]:
    """(import lines, body lines) that build `document` into `response`."""
    from twiml.errors import TwiMLParseError
    from twiml.exporter import to_python
    from twiml.parser import parse

    try:
        doc = parse(flow.read_document(document))
    except OSError as exc:
        raise ExportError(f"{_comment(str(flow.folder / document))}: {exc.strerror or exc}") from None
    except TwiMLParseError as exc:
        raise ExportError(f"{_comment(str(flow.folder / document))}: {_comment(str(exc))}") from None
    code = to_python(doc)
    head, _, rest = code.partition("\n\n")
    body = rest.rsplit("\nprint(response)", 1)[0].strip("\n").splitlines()
    lines: list[str] = []
    for line in body:
        comment = _COMMENT.match(line)
        if comment:
            text = ast.literal_eval(comment.group(2))
            lines.extend(f"# {_comment(part.strip())}".rstrip() for part in str(text).strip().splitlines() or [""])
        else:
            lines.append(line)
    imports = [i for i in head.splitlines() if i.strip() and i != "from twiml.base import Comment"]
    return imports, lines


def _imported_names(lines: list[str]) -> set[str]:
    return {n.strip() for line in lines for n in line.partition(" import ")[2].split(",")}


def _merge_imports(lines: list[str]) -> list[str]:
    modules: dict[str, set[str]] = {}
    for line in lines:
        module, _, names = line.removeprefix("from ").partition(" import ")
        modules.setdefault(module, set()).update(n.strip() for n in names.split(","))
    return [f"from {m} import {', '.join(sorted(names))}" for m, names in sorted(modules.items())]


class _Writer:
    def __init__(self, flow: Flow, framework: str) -> None:
        if framework not in FRAMEWORKS:
            raise ExportError(f"unknown framework {framework!r} (expected flask or fastapi)")
        self.flow = flow
        self.framework = framework
        self.fastapi = framework == "fastapi"
        self.names = _Names()
        self.documents: dict[str, str] = {}  # file -> function name
        self.views: dict[str, str] = {}  # route path -> function name
        self.code: dict[str, tuple[list[str], list[str]]] = {}  # file -> (imports, body)
        self.uses_normalize = False
        self.uses_said = False
        self.uses_abort = False

    def answer(self, target: str) -> str:
        """The expression a view returns for a target."""
        if is_forward(target):
            view = self.views[target]
            return f"await {view}(request)" if self.fastapi else f"{view}()"
        return f"xml_response({self.documents[target]}())"

    def split_lines(self, split: Split) -> list[str]:
        local = self.names.copy()
        readable = "caller" if split.by == "From" else re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", split.by)
        var = local.new(readable, "value")
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
        doc: str | None
        if isinstance(route.target, NoContent):
            doc = f"    {_literal(f'{route.path}: an empty answer (a callback Twilio only needs acknowledged).')}"
            status = route.target.status
            body = [f"return Response(status_code={status})" if self.fastapi else f"return Response(status={status})"]
        elif isinstance(route.target, str):
            doc = f"    {_literal(f'{route.path} -> {route.target}')}" if not is_forward(route.target) else None
            body = [f"return {self.answer(route.target)}"]
        else:
            doc = f"    {_literal(f'{route.path}: by {route.target.by} ({route.target.match}).')}"
            body = self.split_lines(route.target)
            if self.fastapi:
                body.insert(0, "params = await twilio_params(request)")
        out = head + ([doc] if doc else [])
        if self.fastapi and not isinstance(route.target, Split):
            body.insert(0, "await twilio_params(request)")
        return out + [f"    {line}" for line in body]

    def check_paths(self) -> None:
        """Refuse route paths the framework would read as path parameters instead of text."""
        special = _FRAMEWORK_SYNTAX[self.framework]
        for path in self.flow.routes:
            if any(c in path for c in special):
                shown = " or ".join(special)
                raise ExportError(
                    f"route {_literal(path)}: {self.framework} reads {shown} in a route as a path parameter; "
                    "rename the route in flow.toml"
                )

    def check_forwards(self) -> None:
        """Refuse forwards that can go round in a circle: the router answers such a request with a
        404, but views calling each other would recurse until the app fails."""
        edges = {
            path: [t for t in route.targets() if is_forward(t) and t in self.flow.routes]
            for path, route in self.flow.routes.items()
        }
        done: set[str] = set()
        for begin in edges:
            if begin in done:
                continue
            trail: list[str] = [begin]
            todo: list[list[str]] = [list(edges[begin])]  # iterative depth-first: chains may be long
            while trail:
                if not todo[-1]:
                    done.add(trail.pop())
                    todo.pop()
                    continue
                nxt = todo[-1].pop()
                if nxt in trail:
                    loop = [*trail[trail.index(nxt) :], nxt]
                    raise ExportError(
                        "routes can forward in a circle ("
                        + " -> ".join(_literal(p) for p in loop)
                        + "); give one of them a document as its default in flow.toml"
                    )
                if nxt not in done:
                    trail.append(nxt)
                    todo.append(list(edges[nxt]))

    def write(self) -> str:
        flow = self.flow
        self.check_paths()
        self.check_forwards()
        documents = sorted(flow.routed_documents())
        for document in documents:
            self.code[document] = _document_code(flow, document)
        self.names.taken |= _imported_names([i for imports, _ in self.code.values() for i in imports])
        for path in flow.routes:
            self.views[path] = self.names.new(path, "route")
        for document in documents:
            self.documents[document] = self.names.new(Path(document).stem, "document")
        views = [self.view(route) for route in flow.routes.values()]
        imports: list[str] = []
        functions: list[list[str]] = []
        for document in documents:
            more, body = self.code[document]
            imports += more
            name = self.documents[document]
            functions.append(
                [
                    f"def {name}():",
                    f"    {_literal(document)}",
                    *(f"    {line}" for line in body),
                    "    return response",
                ]
            )
        return self.assemble(imports, functions, views)

    def header(self) -> list[str]:
        """The module docstring (no text from the flow) and the flow's outline as comments."""
        flow = self.flow
        framework = "FastAPI" if self.fastapi else "Flask"
        run = "uvicorn app:app" if self.fastapi else "flask --app app run"
        names = {"start": "voice", "sms_start": "messaging", "fax_start": "fax"}
        return [
            f'"""{framework} webhooks for a flow folder, written by `twiml export-app`.',
            "",
            f"Run it with `{run}`. When TWILIO_AUTH_TOKEN is set, requests without a valid",
            "X-Twilio-Signature are refused (403).",
            '"""',
            "",
            f"# Flow folder: {_comment(flow.folder.name)}/",
            "#",
            "# Point the phone number's webhooks at:",
            *(f"#     {names[k]}: {_comment(v)}" for k, v in flow.entries()),
            "#",
            "# Routes (from flow.toml):",
            *(f"#     {_comment(r.describe('->'))}" for r in flow.routes.values()),
        ]

    def assemble(self, imports: list[str], functions: list[list[str]], views: list[list[str]]) -> str:
        out = [*self.header(), "", "import os"]
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
        return "\n".join(line.rstrip() for line in out).replace("\n\n\n\n", "\n\n\n") + "\n"

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
                "    pairs = []",
                '    if request.method == "POST":',
                "        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)",
                '    signature = request.headers.get("X-Twilio-Signature")',
                "    if AUTH_TOKEN and not validate_signature(str(request.url), pairs, signature, AUTH_TOKEN):",
                '        raise HTTPException(status_code=403, detail="invalid X-Twilio-Signature")',
                "    return {**request.query_params, **dict(pairs)}",
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
                "    form = request.form.items(multi=True)",
                "    if AUTH_TOKEN and not validate_signature(request.url, form, signature, AUTH_TOKEN):",
                '        abort(403, "invalid X-Twilio-Signature")',
                "",
                "",
                "def xml_response(response):",
                '    return Response(str(response), mimetype="text/xml")',
            ]
        return out[1:] if out and out[0] == "" else out


def export_app(flow: Flow, framework: str = "flask") -> str:
    """The source of a webhook app serving `flow` with `framework` (flask or fastapi).

    Raises ExportError when a document cannot be read or parsed, a route cannot be served by the
    framework, or (a flaw of this writer) the source would not compile.
    """
    source = _Writer(flow, framework).write()
    try:
        compile(source, "app.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as exc:
        raise ExportError(f"the written app would not compile ({_comment(str(exc))}); nothing was written") from None
    return source
