"""One name for the document kind (voice, messaging, fax: `kind`) and one for the vendor
(twilio, texml, cxml: `dialect`). The names used before keep working for one release, each with a
DeprecationWarning, and give what the new names give."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

import twiml
from twiml.cli import main
from twiml.grammar import GRAMMAR
from twiml.schema import KINDS, json_schema
from twiml.simulator.driver import Session
from twiml.simulator.transport import FileTransport
from twiml.validator import Revalidator, validate

IVR = b'<Response>\n  <Record transcribe="true"/>\n  <Say>Hi</Say>\n</Response>\n'


def test_an_element_names_its_kind_and_the_old_name_warns() -> None:
    sms = GRAMMAR.get("messaging", "Message")
    assert sms.kind == "messaging"
    with pytest.warns(DeprecationWarning, match=r"Element\.kind"):
        assert sms.dialect == "messaging"


def test_validate_takes_the_vendor_as_dialect_and_the_old_keyword_warns() -> None:
    doc = twiml.parse(IVR)
    new = validate(doc, dialect="texml")
    assert [d.code for d in new] == ["DIALECT-RENAMED"]
    with pytest.warns(DeprecationWarning, match="dialect="):
        assert validate(doc, vendor_dialect="texml") == new
    with pytest.warns(DeprecationWarning, match="dialect="):
        assert Revalidator(vendor_dialect="texml").run(doc) == Revalidator(dialect="texml").run(doc) == new


def test_the_schema_takes_a_kind_and_the_old_keyword_and_name_warn() -> None:
    assert KINDS == ("all", "voice", "messaging", "fax")
    with pytest.warns(DeprecationWarning, match="kind="):
        assert json_schema(dialect="fax") == json_schema("fax")
    with pytest.raises(ValueError, match="unknown kind 'texml'"):
        json_schema("texml")  # type: ignore[arg-type]
    import twiml.schema

    with pytest.warns(DeprecationWarning, match="KINDS"):
        assert twiml.schema.DIALECTS == KINDS


def test_twiml_schema_dialect_still_works_and_says_to_use_kind(tmp_path: Path) -> None:
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    assert main(["schema", "--format", "json-schema", "--kind", "fax", "-o", str(new)]) == 0
    err = io.StringIO()
    assert main(["schema", "--format", "json-schema", "--dialect", "fax", "-o", str(old)], stderr=err) == 0
    assert "use --kind" in err.getvalue()
    assert json.loads(old.read_text()) == json.loads(new.read_text())
    assert json.loads(new.read_text())["$id"].endswith("twiml-fax.json")


def test_a_session_has_a_kind_and_the_old_channel_warns(tmp_path: Path) -> None:
    (tmp_path / "sms.xml").write_text("<Response><Message>Hi</Message></Response>")
    files = FileTransport(tmp_path)
    session = Session(files, files.url_for(tmp_path / "sms.xml"), kind="messaging")
    session.start("hello")
    assert session.kind == "messaging" and session.state is not None and session.state.kind == "messaging"
    with pytest.warns(DeprecationWarning, match=r"Session\.kind"):
        assert session.channel == "messaging"
    with pytest.warns(DeprecationWarning, match=r"CallState\.kind"):
        assert session.state.channel == "messaging"
    with pytest.warns(DeprecationWarning, match=r"Session\(kind=\)"):
        assert Session(files, session.url, channel="messaging").kind == "messaging"
    with pytest.raises(ValueError, match="not 'fax'"):
        Session(files, session.url, kind="fax")


def test_the_old_channel_type_name_warns() -> None:
    from twiml.grammar_types import Kind

    with pytest.warns(DeprecationWarning, match="Kind"):
        from twiml.simulator.driver import Channel
    assert Channel is Kind
