"""X-Twilio-Signature: computed as twilio's RequestValidator computes it, and checked like it."""

from __future__ import annotations

import json

import pytest
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


def test_repeated_names_keep_arrival_order() -> None:
    pairs = [("b", "2"), ("a", "9"), ("a", "1")]
    expected = compute_signature("https://x.test/a9a1b2", None, TOKEN)
    assert compute_signature("https://x.test/", pairs, TOKEN) == expected


def test_public_url_behind_a_proxy() -> None:
    sig = compute_signature("https://abc.ngrok.app/voice?x=1", PARAMS, TOKEN)
    seen = "http://127.0.0.1:5000/voice?x=1"
    assert not validate_signature(seen, PARAMS, sig, TOKEN)
    assert validate_signature(seen, PARAMS, sig, TOKEN, public_url="https://abc.ngrok.app")
    assert public_request_url("http://10.0.0.2/voice", "https://example.com/app/") == "https://example.com/app/voice"
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "abc.ngrok.app"}
    assert forwarded_url(seen, headers) == "https://abc.ngrok.app/voice?x=1"
    assert validate_signature(forwarded_url(seen, headers), PARAMS, sig, TOKEN)
