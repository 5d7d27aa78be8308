"""twiml-editor: a terminal flow editor for TwiML.

The editing model (`editor.document`, `editor.edits`, `editor.keymap`) is
headless and imports no Textual; the Textual app lives in `editor.app` and is loaded only when
the editor starts.
"""

from __future__ import annotations

__all__ = ["Change", "Document", "NodePath"]


def __getattr__(name: str) -> object:
    """Load the document model on first use, so `import editor` stays cheap."""
    if name in __all__:
        from editor import document

        return getattr(document, name)
    raise AttributeError(f"module 'editor' has no attribute {name!r}")
