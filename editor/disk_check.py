"""The one check before any save: did another program change a file since the editor read it?

Every path that writes a file of the user's (a document's ctrl+s, save-as onto its own file,
a flow folder's save of documents, renames, deletions and flow.toml, quit's "Save all")
calls `refuse_changed` with what changed, before it writes anything; the UI answers the
`ChangedOnDisk` it raises with the "File changed on disk" dialog and retries with the names
the user chose to overwrite. A path that does not know the exception still refuses to write:
it is an OSError, shown as "Not saved".

Headless: no Textual.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

__all__ = ["ChangedOnDisk", "refuse_changed"]


class ChangedOnDisk(OSError):
    """A save would replace (or delete) files another program changed since they were read or
    last saved here; nothing was written. `names` lists them (as the caller names its files)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        listed = ", ".join(names)
        super().__init__(
            f"{listed} {'was' if len(names) == 1 else 'were'} changed by another program; nothing was written"
        )


def refuse_changed(changed: Iterable[str], overwrite: Collection[str] = ()) -> None:
    """Raise ChangedOnDisk for the files of `changed` that the user did not choose to overwrite."""
    left = [name for name in changed if name not in overwrite]
    if left:
        raise ChangedOnDisk(left)
