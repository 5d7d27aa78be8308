"""X-Twilio-Signature: computed as twilio's RequestValidator computes it, and checked like it."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_apps import RequestValidator

from twiml.signature import (
    body_sha256,
    compute_signature,
    forwarded_url,
    public_request_url,
    validate_signature,
)

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}


@pytest.mark.parametrize(
    "url",
    [URL, "http://localhost/voice", "https://example.com:8443/x?y=%20z", "https://example.com/ünïcode"],
)
@pytest.mark.parametrize("params", [PARAMS, {}, {"Body": "héllo wörld ✓", "a": "", "B": "x"}])
def test_same_signature_as_twilio(url: str, params: dict[str, str]) -> None:
    ours = compute_signature(url, params, TOKEN)
    assert ours == RequestValidator(TOKEN).compute_signature(url, params)
    assert RequestValidator(TOKEN).validate(url, params, ours)
    assert validate_signature(url, params, ours, TOKEN)


def test_wrong_token_params_or_url_fail() -> None:
    sig = compute_signature(URL, PARAMS, TOKEN)
    assert not validate_signature(URL, PARAMS, sig, "other")
    assert not validate_signature(URL, {**PARAMS, "Digits": "9"}, sig, TOKEN)
    assert not validate_signature(URL + "&x=1", PARAMS, sig, TOKEN)
    assert not validate_signature(URL, PARAMS, None, TOKEN)
    assert not validate_signature(URL, PARAMS, "", TOKEN)


def test_standard_port_with_and_without() -> None:
    with_port = "https://example.com:443/voice"
    without = "https://example.com/voice"
    for signed, received in ((with_port, without), (without, with_port)):
        sig = compute_signature(signed, PARAMS, TOKEN)
        assert validate_signature(received, PARAMS, sig, TOKEN)
        assert RequestValidator(TOKEN).validate(received, PARAMS, sig)
    sig = compute_signature("http://example.com:8080/voice", PARAMS, TOKEN)
    assert not validate_signature("http://example.com/voice", PARAMS, sig, TOKEN)


def test_json_body_is_checked_through_body_sha256() -> None:
    body = json.dumps({"event": "x"}).encode()
    url = f"https://example.com/hook?bodySHA256={body_sha256(body)}"
    sig = compute_signature(url, None, TOKEN)
    assert RequestValidator(TOKEN).validate(url, body.decode(), sig)
    assert validate_signature(url, None, sig, TOKEN, body=body)
    assert not validate_signature(url, None, sig, TOKEN, body=body + b" ")
    assert not validate_signature(url, None, sig, TOKEN)


def test_repeated_names_sign_their_values_sorted_as_twilio_does() -> None:
    pairs = [("b", "2"), ("a", "9"), ("a", "1")]
    expected = compute_signature("https://x.test/a1a9b2", None, TOKEN)
    assert compute_signature("https://x.test/", pairs, TOKEN) == expected
    werkzeug = pytest.importorskip("werkzeug.datastructures")
    assert expected == RequestValidator(TOKEN).compute_signature("https://x.test/", werkzeug.MultiDict(pairs))


_NAMES = st.sampled_from(["MediaUrl", "a", "A", "Body", "é", "x_1", "To"])
_VALUES = st.text(st.characters(exclude_categories=["Cs"]), max_size=6)


@st.composite
def _requests(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    url = draw(st.sampled_from(["https://example.com/voice", "http://localhost:5000/x?y=1", "https://a.test/ü"]))
    pairs = draw(st.lists(st.tuples(_NAMES, _VALUES), min_size=2, max_size=8))
    name = draw(_NAMES)
    pairs += [(name, v) for v in draw(st.lists(_VALUES, min_size=2, max_size=4))]  # a name repeated
    return url, draw(st.permutations(pairs))


SIGNATURE_EXAMPLES = int(os.environ.get("TWIML_SIGNATURE_EXAMPLES", "100"))
"""Random requests per run; a one-off run sets TWIML_SIGNATURE_EXAMPLES=2000."""


@settings(max_examples=SIGNATURE_EXAMPLES, deadline=None, database=None)
@given(_requests(), st.data())
def test_requests_with_repeated_names_agree_with_twilios_validator(
    request: tuple[str, list[tuple[str, str]]], data: st.DataObject
) -> None:
    werkzeug = pytest.importorskip("werkzeug.datastructures")
    url, pairs = request
    oracle = RequestValidator(TOKEN)
    genuine = oracle.compute_signature(url, werkzeug.MultiDict(pairs))
    assert compute_signature(url, pairs, TOKEN) == genuine
    assert validate_signature(url, pairs, genuine, TOKEN)
    index = data.draw(st.integers(0, len(pairs) - 1))
    name, value = pairs[index]
    changed = value + "x"
    while (name, changed) in pairs:
        changed += "x"
    tampered = [(k, changed if (k, v) == (name, value) else v) for k, v in pairs]  # every copy of it
    assert not validate_signature(url, tampered, genuine, TOKEN)
    assert not oracle.validate(url, werkzeug.MultiDict(tampered), genuine)


def test_public_url_behind_a_proxy() -> None:
    sig = compute_signature("https://abc.ngrok.app/voice?x=1", PARAMS, TOKEN)
    seen = "http://127.0.0.1:5000/voice?x=1"
    assert not validate_signature(seen, PARAMS, sig, TOKEN)
    assert validate_signature(seen, PARAMS, sig, TOKEN, public_url="https://abc.ngrok.app")
    assert public_request_url("http://10.0.0.2/voice", "https://example.com/app/") == "https://example.com/app/voice"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc.ngrok.app"}
    assert forwarded_url(seen, headers) == "https://abc.ngrok.app/voice?x=1"
    assert validate_signature(forwarded_url(seen, headers), PARAMS, sig, TOKEN)


def test_where_we_are_stricter_than_twilio_as_the_readme_lists() -> None:
    url = "https://x.test/h?bodySHA256="
    sig = compute_signature(url, None, TOKEN)
    assert RequestValidator(TOKEN).validate(url, {}, sig) and not validate_signature(url, None, sig, TOKEN)
    sig = compute_signature("http://example.com/voice", PARAMS, TOKEN)
    received = "http://example.com:8080/voice"
    assert RequestValidator(TOKEN).validate(received, PARAMS, sig)
    assert not validate_signature(received, PARAMS, sig, TOKEN)
