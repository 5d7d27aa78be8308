"""Pausing Python's cyclic garbage collector around work that makes many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

PROMOTE_AFTER = 10_000
"""Young objects the paused work must leave behind before they are moved to the oldest generation."""


@contextmanager
def collections_paused() -> Iterator[None]:
    """Building or walking a large tree makes many young objects and no cycles; a collection in
    the middle traverses all of them (the whole fresh tree), which made parsing 100,000 verbs
    superlinear and validating right after parsing 1.7 times as slow. Nothing is lost by waiting.
    Leaves the collector off if it was off (nested pauses, or the editor's start-up).

    When the work leaves more than `PROMOTE_AFTER` young objects (a large document), they are
    moved straight to the oldest generation (`gc.freeze` then `gc.unfreeze`: two list splices)
    instead of being traversed by the young collections that follow, which cannot find a cycle
    in a fresh tree: 0.1 s after parsing 100,000 verbs. Whatever else is young at that moment
    moves too, so cyclic garbage made just before waits for the next full collection. Never done
    while the program keeps objects frozen itself (e.g. a pre-fork server), which
    `gc.unfreeze` would undo."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if gc.get_count()[0] > PROMOTE_AFTER and not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
