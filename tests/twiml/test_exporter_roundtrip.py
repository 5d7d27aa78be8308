"""`to_python` rebuilds any document exactly: generated documents with element names that look
like generated variable names (`a`, `a_2`) and text split by comments are exported, the snippet is
executed, and its XML compared with the original (for twilio: the original without comments,
which twilio cannot write)."""

from __future__ import annotations

import copy
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from twiml.base import Comment, TwiML
from twiml.exporter import to_python
from twiml.parser import parse

EXAMPLES = int(os.environ.get("TWIML_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXT = st.text(alphabet="ab &<>'\"é☎", min_size=1, max_size=6)
COMMENT = st.sampled_from(["<!-- note -->", "<!--x-->", "<!-- a_2 -->"])


def escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def content(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(TEXT.map(escaped) | COMMENT | children, max_size=5).map("".join)


def elements(leaf_names: list[str]) -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        unknown = st.tuples(st.sampled_from(leaf_names), content(inner)).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
        say = content(st.sampled_from(["<break/>", '<emphasis level="strong">hi</emphasis>'])).map(
            lambda c: f'<Say voice="alice">{c}</Say>'
        )
        gather = content(say | inner).map(lambda c: f'<Gather numDigits="1">{c}</Gather>')
        return unknown | say | gather

    leaf = st.sampled_from(leaf_names).map(lambda n: f"<{n}/>")
    return st.recursive(leaf | st.just("<Pause/>"), extend, max_leaves=12)


NAMES = ["a", "a_2", "a_3", "a_2_2", "b", "say", "gather_2", "response", "node", "print"]
documents = st.lists(elements(NAMES) | COMMENT | TEXT.map(escaped), max_size=6).map(
    lambda parts: "<Response>" + "".join(parts) + "</Response>"
)


def rebuilt(code: str) -> str:
    namespace: dict[str, Any] = {}
    exec(compile(code.replace("\nprint(response)\n", "\n"), "<to_python>", "exec"), namespace)
    return str(namespace["response"])


def without_comments(doc: TwiML) -> TwiML:
    clone = copy.deepcopy(doc)
    for node in clone.iter():
        node.verbs = [v for v in node.verbs if not isinstance(v, Comment)]
    return clone


ISSUE_CASES = [
    "<Response><a><a/></a><a><a_2><a/></a_2><a/></a></Response>",
    "<Response><Say>Hello <!-- note --> world</Say></Response>",
    "<Response><Say><!-- x -->Hi <!--y--> there<break/>a<!--z-->b</Say><Gather>t<!--c-->u<Say>x</Say></Gather></Response>",
]


@FUZZ
@given(documents)
@example(ISSUE_CASES[0])
@example(ISSUE_CASES[1])
@example(ISSUE_CASES[2])
def test_twiml_export_rebuilds_exactly(source: str) -> None:
    doc = parse(source)
    assert rebuilt(to_python(doc)) == doc.to_xml()


@FUZZ
@given(documents)
@example(ISSUE_CASES[0])
@example(ISSUE_CASES[1])
@example(ISSUE_CASES[2])
def test_twilio_export_rebuilds_everything_but_comments(source: str) -> None:
    pytest.importorskip("twilio")
    doc = parse(source)
    assert rebuilt(to_python(doc, import_root="twilio.twiml")) == without_comments(doc).to_xml()


def test_issue_cases_exactly() -> None:
    doc = parse(ISSUE_CASES[0])
    assert rebuilt(to_python(doc)) == doc.to_xml()
    twilio_code = to_python(parse(ISSUE_CASES[1]), import_root="twilio.twiml")
    assert rebuilt(twilio_code).endswith("<Response><Say>Hello  world</Say></Response>")
