"""The collector pause around parsing and validating: restored as found, and a large fresh tree
moved to the oldest generation without undoing objects the program froze itself. Each case runs in
a new interpreter (see `fresh`), where nothing is frozen and the collector is on."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from twiml import parse, validate
from twiml.gc_pause import PROMOTE_AFTER

LARGE = "<Response>" + "<Say>hello</Say><Pause/>" * PROMOTE_AFTER + "</Response>"


CASES: dict[str, Callable[[], None]] = {}
HERE = Path(__file__).resolve().parent


def fresh(case: Callable[[], None]) -> Callable[[], None]:
    """The test runs `case` alone in a new interpreter. The collector's state is process-wide:
    editor tests in the same worker freeze their heap by design, and unfreezing it here made the
    next full collection walk every earlier test's objects (15 s in one run)."""
    CASES[case.__name__] = case

    def test() -> None:
        code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import test_gc_pause as m; m.CASES[{case.__name__!r}]()"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr[-3000:]

    test.__name__ = case.__name__
    test.__doc__ = case.__doc__
    return test


@fresh
def test_a_large_document_goes_to_the_oldest_generation() -> None:
    gc.collect()
    doc = parse(LARGE)
    assert gc.isenabled() and not gc.get_freeze_count()
    # In the oldest generation already: young collections will not traverse it (without the
    # move, the first one after the pause takes it to generation 1 only).
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(doc) in oldest and id(doc.verbs[-1]) in oldest
    assert validate(doc) == validate(parse(LARGE))  # and the tree is whole


@fresh
def test_objects_the_program_froze_stay_frozen() -> None:
    kept = [[i] for i in range(1000)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    parse(LARGE)
    assert gc.get_freeze_count() == frozen and gc.isenabled()


@fresh
def test_a_paused_collector_stays_paused() -> None:
    gc.disable()
    before = gc.get_count()[0]
    doc = parse(LARGE)
    validate(doc)
    assert not gc.isenabled()
    assert gc.get_count()[0] > before + PROMOTE_AFTER  # nothing moved: the program pauses it itself
    gc.enable()


@fresh
def test_a_small_document_is_left_to_the_collector() -> None:
    gc.collect()
    parse("<Response><Say>hi</Say></Response>")
    assert 0 < gc.get_count()[0] < PROMOTE_AFTER
