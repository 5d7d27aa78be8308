"""`python -m twiml_editor [FILE]` and the `twiml-editor` command."""

import gc


def main() -> None:
    """Run the editor with the cyclic garbage collector paused until its first screen is drawn.

    Start-up makes hundreds of thousands of objects that live as long as the app (modules,
    widgets, styles, the document) and next to no garbage; the collections they trigger cost
    0.1-0.25 s before a 10,000-node file is shown. `EditorApp` resumes the collector after the
    first paint, then freezes what is alive."""
    gc.disable()
    from twiml_editor.app import main as run

    run()


if __name__ == "__main__":
    main()
