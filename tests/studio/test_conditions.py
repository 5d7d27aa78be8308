"""The 17 condition types of split-based-on, each met and not met."""

from __future__ import annotations

import pytest

from twiml.studio.conditions import matches, sample_values
from twiml.studio.widgets import OPERATORS

CASES = [
    ("equal_to", "Yes ", "yes", True),
    ("equal_to", "no", "yes", False),
    ("not_equal_to", "no", "yes", True),
    ("not_equal_to", "YES", "yes", False),
    ("matches_any_of", "sales", "Support, sales,billing", True),
    ("matches_any_of", "sale", "support,sales", False),
    ("does_not_match_any_of", "other", "support,sales", True),
    ("does_not_match_any_of", "Sales", "support,sales", False),
    ("contains", "I want Sales please", "sales", True),
    ("contains", "support", "sales", False),
    ("does_not_contain", "support", "sales", True),
    ("does_not_contain", "presales", "sales", False),
    ("starts_with", "Hello there", "hello", True),
    ("starts_with", "oh hello", "hello", False),
    ("does_not_start_with", "oh hello", "hello", True),
    ("does_not_start_with", "hello", "HELLO", False),
    ("is_blank", "  ", "", True),
    ("is_blank", "x", "", False),
    ("is_not_blank", "x", "", True),
    ("is_not_blank", "", "", False),
    ("regex", "score 7", r"^score [0-9]$", True),
    ("regex", "score 10", r"^score [0-9]$", False),
    ("less_than", "9", "10", True),
    ("less_than", "10", "9", False),
    ("greater_than", "10.5", "10", True),
    ("greater_than", "abc", "10", False),
    ("is_before_date", "2024-01-01", "2024-02-01", True),
    ("is_before_date", "2024-03-01", "2024-02-01", False),
    ("is_after_date", "2024-03-01T10:00:00", "2024-02-01", True),
    ("is_after_date", "not a date", "2024-02-01", False),
    ("is_before_time", "08:30", "09:00", True),
    ("is_before_time", "5:00 PM", "09:00", False),
    ("is_after_time", "5:00 PM", "09:00", True),
    ("is_after_time", "08:59", "09:00", False),
]


@pytest.mark.parametrize(("kind", "subject", "value", "expected"), CASES)
def test_operator(kind: str, subject: str, value: str, expected: bool) -> None:
    assert matches(kind, subject, value) is expected


def test_every_operator_is_covered_both_ways() -> None:
    met = {k for k, _, _, e in CASES if e}
    missed = {k for k, _, _, e in CASES if not e}
    assert met == missed == set(OPERATORS)
    assert len(OPERATORS) == 17


def test_unknown_operator_and_bad_regex_never_match() -> None:
    assert not matches("sounds_like", "a", "a")
    assert not matches("regex", "a", "(")


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("equal_to", "1"),
        ("matches_any_of", "2,3"),
        ("contains", "sales"),
        ("less_than", "5"),
        ("greater_than", "2"),
        ("regex", "^[0-9]+$"),
        ("is_not_blank", ""),
    ],
)
def test_samples_meet_their_condition(kind: str, value: str) -> None:
    samples = sample_values(kind, value)
    assert samples and all(matches(kind, s, value) for s in samples)
