"""`python -m twiml_editor [FILE]` and the `twiml-editor` command: the command line, and which
app it runs (a TwiML file, a flow folder, a Studio flow). The apps import nothing from here."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from twiml.version import VersionAction

if TYPE_CHECKING:
    from twiml_editor.app import EditorApp


def main() -> None:
    """Run the editor with the cyclic garbage collector paused until its first screen is drawn.

    Start-up makes hundreds of thousands of objects that live as long as the app (modules,
    widgets, styles, the document) and next to no garbage; the collections they trigger cost
    0.1-0.25 s before a 10,000-node file is shown. `EditorApp` resumes the collector after the
    first paint, then freezes what is alive."""
    gc.disable()
    run()


def run(argv: list[str] | None = None) -> None:
    """Parse the command line and run the editor on a file, a flow folder or a Studio flow."""
    parser = argparse.ArgumentParser(prog="twiml-editor", description="Terminal visual editor for TwiML flows.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("file", nargs="?", help="TwiML file or flow folder to open (a new voice document when omitted)")
    parser.add_argument(
        "--new",
        choices=("voice", "messaging", "fax"),
        default="voice",
        help="kind of the new document when no FILE is given",
    )
    parser.add_argument("--config", type=Path, default=None, help="key configuration file (TOML)")
    from twiml_editor import serve  # standard library only; textual-serve loads when serving

    serve.add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        sys.exit(serve.run_from_args(args))
    if args.host is not None or args.port is not None or args.no_token:
        parser.error("--host, --port and --no-token go with --serve")
    if args.file and Path(args.file).suffix.lower() == ".json":  # a Twilio Studio flow
        sys.exit(_run_studio(Path(args.file), args.config))
    if args.file and Path(args.file).is_dir():  # a flow folder: map, routes, call panel
        app = _flow_app(Path(args.file), args.config)
    else:
        from twiml_editor.app import EditorApp

        app = EditorApp(args.file, config_path=args.config, kind=args.new)
    if app is None:
        sys.exit(2)
    code = run_apps(app, args.config)
    if code:
        sys.exit(code)


def run_apps(app: EditorApp, config: Path | None) -> int:
    """Run `app`, then the one it hands on to (ctrl+o on a flow folder in the single-file editor
    continues in the flow editor on it), and so on; the exit status of the last one."""
    while True:
        app.run()
        # Textual prints the traceback of an unhandled exception and sets return_code to 1; a
        # crash must never look like success to the shell.
        if app.crash is not None:
            error, written = app.crash
            print(f"twiml-editor: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
            if written:
                print("Your unsaved edits were written to:", file=sys.stderr)
                for path in written:
                    print(f"  {path}", file=sys.stderr)
                print("Open the same file or folder again to restore them.", file=sys.stderr)
            return 1
        following = app.open_next
        if app.return_code or following is None:
            return app.return_code or 0
        # The apps' objects were frozen after the first paint (`EditorApp`): let the collector
        # have this one's, and pause it again for the next start-up as `main` does.
        gc.unfreeze()
        gc.collect()
        gc.disable()
        next_app = _flow_app(following, config)
        if next_app is None:
            return 2
        app = next_app


def _flow_app(folder: Path, config: Path | None) -> EditorApp | None:
    """The flow editor on `folder`; None (said on stderr) when the folder cannot be read."""
    from twiml_editor.flow_app import FlowEditorApp

    try:
        return FlowEditorApp(folder, config_path=config)
    except UnicodeDecodeError as exc:  # the documents are read later, each with its own dialog
        print(
            f"twiml-editor: {folder / 'flow.toml'}: not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr
        )
        return None
    except OSError as exc:
        print(f"twiml-editor: {folder}: {exc}", file=sys.stderr)
        return None


def _run_studio(path: Path, config: Path | None) -> int:
    """Edit a Studio flow; a file that cannot be read or is not JSON is named with its place."""
    from twiml.studio.model import StudioError
    from twiml_editor.studio_app import StudioEditorApp
    from twiml_editor.studio_project import StudioProject

    try:
        studio = StudioProject.open(path)
    except StudioError as exc:
        place = f"{path}:{exc.line}:{exc.column}" if exc.line is not None else str(path)
        print(f"twiml-editor: {place}: {exc.message}", file=sys.stderr)
        return 2
    app = StudioEditorApp(studio, config_path=config)
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    main()
