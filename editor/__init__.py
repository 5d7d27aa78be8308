"""twiml-editor: a terminal flow editor for TwiML.

The editing model (`twiml_editor.document`, `twiml_editor.edits`, `twiml_editor.keymap`) is
headless and imports no Textual; the Textual app lives in `twiml_editor.app` and is loaded only when
the editor starts.
"""

from __future__ import annotations

__all__ = ["Change", "Document", "NodePath"]


def __getattr__(name: str) -> object:
    """Load the document model on first use, so `import twiml_editor` stays cheap."""
    if name in __all__:
        from twiml_editor import document

        return getattr(document, name)
    raise AttributeError(f"module 'twiml_editor' has no attribute {name!r}")
