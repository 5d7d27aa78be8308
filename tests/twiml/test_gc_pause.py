"""The collector pause around parsing and validating: restored as found, and a large fresh tree
moved to the oldest generation without undoing objects the program froze itself."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from twiml import parse, validate
from twiml.gc_pause import PROMOTE_AFTER

LARGE = "<Response>" + "<Say>hello</Say><Pause/>" * PROMOTE_AFTER + "</Response>"


@pytest.fixture
def collector() -> Iterator[None]:
    """Enabled, nothing frozen (editor tests in the same process freeze their heap), and so
    again afterwards."""
    gc.unfreeze()
    gc.enable()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.enable()


@pytest.mark.slow  # a large property run; .ci/run runs it in its slow step
def test_a_large_document_goes_to_the_oldest_generation(collector: None) -> None:
    gc.collect()
    doc = parse(LARGE)
    assert gc.isenabled() and not gc.get_freeze_count()
    # In the oldest generation already: young collections will not traverse it (without the
    # move, the first one after the pause takes it to generation 1 only).
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert id(doc) in oldest and id(doc.verbs[-1]) in oldest
    assert validate(doc) == validate(parse(LARGE))  # and the tree is whole


def test_objects_the_program_froze_stay_frozen(collector: None) -> None:
    kept = [[i] for i in range(1000)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    parse(LARGE)
    assert gc.get_freeze_count() == frozen and gc.isenabled()


def test_a_paused_collector_stays_paused(collector: None) -> None:
    gc.disable()
    before = gc.get_count()[0]
    doc = parse(LARGE)
    validate(doc)
    assert not gc.isenabled()
    assert gc.get_count()[0] > before + PROMOTE_AFTER  # nothing moved: the program pauses it itself
    gc.enable()


def test_a_small_document_is_left_to_the_collector(collector: None) -> None:
    gc.collect()
    parse("<Response><Say>hi</Say></Response>")
    assert 0 < gc.get_count()[0] < PROMOTE_AFTER
