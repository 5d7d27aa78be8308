"""`twiml-editor --serve`: the same editor in a browser, through textual-serve.

textual-serve starts one editor process per browser connection, with a shell command; this module
builds that command (the same file or folder, by absolute path, so saves land where the terminal
editor would save them), guards the server with a token (like Jupyter: printed at start, required
on every request) and warns when it listens beyond the loopback interface, since whoever reaches
the port can read and write files as the user running it.

Everything but `run` is headless and imports only the standard library; textual-serve and aiohttp
are loaded when serving starts (the optional extra ``serve``).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import ipaddress
import secrets
import shlex
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote, urlsplit

if TYPE_CHECKING:
    from aiohttp import web

__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "EXTRA_HINT",
    "add_arguments",
    "editor_command",
    "exposure_warning",
    "is_loopback",
    "run_from_args",
    "served_url",
    "token_matches",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
EXTRA_HINT = "twiml-editor --serve needs textual-serve: pip install 'twiml-toolkit[serve]'"
COOKIE_PREFIX = "twiml_editor_token_"
"""The token, once given in the URL, is kept in a cookie (one per port: cookies ignore ports) so the
page's scripts, styles and websocket pass without repeating it."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The serving options of `twiml-editor` (kept here so app.py only parses them)."""
    group = parser.add_argument_group("serving to a browser (needs the 'serve' extra)")
    group.add_argument("--serve", action="store_true", help="serve the editor to a web browser instead of the terminal")
    group.add_argument(
        "--host",
        default=None,
        help=f"address to listen on (default {DEFAULT_HOST}; any other lets other machines edit your files)",
    )
    group.add_argument(
        "--port", type=int, default=None, help=f"port to listen on (default {DEFAULT_PORT}; 0: a free one)"
    )
    group.add_argument(
        "--no-token",
        action="store_true",
        help="do not require the token in the URL (only behind a proxy that authenticates)",
    )


def is_loopback(host: str) -> bool:
    """True for addresses only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str, port: int) -> str | None:
    """The warning printed when the server listens beyond loopback, else None."""
    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host}:{port}: anyone who can reach this port can open, edit and save "
        "files with your permissions; keep the token secret and prefer --host 127.0.0.1 with an SSH tunnel"
    )


def editor_command(target: str | None, config: Path | None = None, *, python: str | None = None) -> str:
    """The shell command textual-serve runs per connection: this editor, on the same file or folder.

    Paths become absolute so the served process opens (and saves to) exactly what the user named,
    whatever directory the server was started in."""
    argv = [python or sys.executable, "-m", "twiml_editor"]
    if config is not None:
        argv += ["--config", str(config.expanduser().resolve())]
    if target:
        argv.append(str(Path(target).expanduser().resolve()))
    return shlex.join(argv)


def token_matches(given: str | None, token: str) -> bool:
    """Constant-time comparison, so response timing does not reveal the token."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def served_url(host: str, port: int, token: str | None) -> str:
    """The URL to open (printed at start); the wildcard address is shown as this machine's name."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else ("localhost" if host == "::" else host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    query = f"?token={quote(token)}" if token else ""
    return f"http://{shown}:{port}/{query}"


def run_from_args(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Serve as the parsed `twiml-editor` arguments ask; returns the exit status."""
    import gc

    gc.enable()  # __main__ pauses the collector for an editor's first paint; a server never paints
    out = out or sys.stdout
    err = err or sys.stderr
    port = DEFAULT_PORT if args.port is None else args.port
    if not 0 <= port <= 65535:
        print(f"twiml-editor: --port {port}: not a port number (0-65535)", file=err)
        return 2
    host = args.host or DEFAULT_HOST
    if args.file and not Path(args.file).exists() and not Path(args.file).parent.is_dir():
        print(f"twiml-editor: {args.file}: its folder does not exist", file=err)
        return 2
    try:
        import textual_serve.server  # noqa: F401
    except ImportError:
        print(EXTRA_HINT, file=err)
        return 2
    warning = exposure_warning(host, port)
    if warning:
        print(warning, file=err, flush=True)
    token = None if args.no_token else secrets.token_urlsafe(24)
    if token is None:
        print("warning: --no-token: every request is accepted without a token", file=err, flush=True)
    command = editor_command(args.file, args.config)
    try:
        asyncio.run(_serve(command, host, port, token, args.file, out))
    except OSError as exc:  # the port is taken, the address is not this machine's ...
        print(f"twiml-editor: cannot listen on {host}:{port}: {exc.strerror or exc}", file=err)
        return 1
    return 0


async def _serve(command: str, host: str, port: int, token: str | None, target: str | None, out: TextIO) -> None:
    """Listen until SIGINT/SIGTERM; print the URL (with the real port when `port` is 0)."""
    from aiohttp import web

    server = _make_server(command, host, port, token)
    app = server.make_app()
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        actual = runner.addresses[0][1] if runner.addresses else port
        server.port = actual
        what = f"{target}" if target else "a new document"
        print(f"Serving the TwiML editor on {what}. Open this URL in a browser:", file=out)
        print(f"    {served_url(host, actual, token)}", file=out)
        print("Press Ctrl+C to stop.", file=out, flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()


def _make_server(command: str, host: str, port: int, token: str | None) -> Any:
    """A textual-serve Server whose pages and websocket need the token (built lazily: the extra)."""
    import aiohttp_jinja2
    import jinja2
    from aiohttp import web
    from textual_serve.server import Server

    class TokenServer(Server):
        """textual-serve's server with a token check, and URLs taken from the request (so the
        page works under whatever name the browser used, and with a port chosen at start)."""

        def make_app(self) -> web.Application:
            app = web.Application(middlewares=[self.require_token])
            aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
            app.add_routes(
                [
                    web.get("/", self.index, name="index"),
                    web.get("/ws", self.handle_websocket, name="websocket"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, name="static"),
                ]
            )
            return app

        @web.middleware
        async def require_token(self, request: web.Request, handler: Any) -> web.StreamResponse:
            cookie = f"{COOKIE_PREFIX}{self.port}"
            from_query = request.query.get("token")
            if token is not None and not (
                token_matches(from_query, token) or token_matches(request.cookies.get(cookie), token)
            ):
                raise web.HTTPForbidden(text="403: this editor needs the token printed when the server started\n")
            if request.path == "/ws" and not _same_origin(request):
                raise web.HTTPForbidden(text="403: websocket from another site\n")
            response: web.StreamResponse = await handler(request)
            if token is not None and from_query is not None and request.path == "/":
                response.set_cookie(cookie, token, httponly=True, samesite="Strict", path="/")
            return response

        async def index(self, request: web.Request) -> web.StreamResponse:
            origin = f"{request.scheme}://{request.host}"
            ws_scheme = "wss" if request.scheme == "https" else "ws"
            context = {
                "font_size": _to_int(request.query.get("fontsize", "16"), 16),
                # textual.js appends "?width=..&height=..": the websocket passes on the cookie
                "app_websocket_url": f"{ws_scheme}://{request.host}/ws",
                "config": {"static": {"url": f"{origin}/static/"}},
                "application": {"name": "TwiML editor"},
            }
            response: web.StreamResponse = aiohttp_jinja2.render_template("app_index.html", request, context)
            return response

    server = TokenServer(command, host=host, port=port, title="TwiML editor")
    server.initialize_logging()
    return server


def _same_origin(request: web.Request) -> bool:
    """A browser's websocket names the page's origin; refuse pages of other sites (cross-site
    websocket hijacking). Clients that send no Origin are not browsers and had the token."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _to_int(value: str, default: int) -> int:
    try:
        return int(value)
    except ValueError:
        return default
