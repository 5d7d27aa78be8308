"""Compute and check `X-Twilio-Signature`, the header Twilio signs every webhook request with.

The signed string is the full URL Twilio requested (scheme, host, port if any, path, query)
followed, for a form POST, by every parameter name and value, with no separators: names
sorted, and the values of a repeated name sorted (each distinct value once). The signature is HMAC-SHA1 of that string keyed with the account's Auth Token,
base64-encoded. A JSON body is not signed itself: its SHA-256 travels in the URL as
`bodySHA256`, which the signature covers.

Proxies and load balancers change what the app sees: a port may be added or dropped, the
scheme may become http. `validate_signature` therefore tries the URL with and without the
scheme's standard port, and takes `public_url` when the app knows the address Twilio used.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlsplit, urlunsplit

__all__ = [
    "SIGNATURE_HEADER",
    "body_sha256",
    "compute_signature",
    "forwarded_url",
    "public_request_url",
    "validate_signature",
]

SIGNATURE_HEADER = "X-Twilio-Signature"
_STANDARD_PORTS = {"http": 80, "https": 443}

Params = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(params: Params | None) -> list[tuple[str, str]]:
    if params is None:
        return []
    if isinstance(params, Mapping):
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]


def compute_signature(url: str, params: Params | None, auth_token: str) -> str:
    """The `X-Twilio-Signature` value for a request to `url` with form `params` (none for GET).

    As Twilio computes it: the parameter names sorted (by code point), and for each name its
    distinct values sorted, so a repeated name (`MediaUrl`, a multi-select) signs the same
    whatever order its values arrived in. Pass every pair of a multi-valued form (Flask's
    `request.form.items(multi=True)`, `parse_qsl(body)`): a dict keeps one value per name.
    """
    values: dict[str, set[str]] = {}
    for key, value in _pairs(params):
        values.setdefault(key, set()).add(value)
    data = url + "".join(k + v for k in sorted(values) for v in sorted(values[k]))
    digest = hmac.new(auth_token.encode("utf-8"), data.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def body_sha256(body: bytes) -> str:
    """Hex SHA-256 of a raw request body, as Twilio puts it in `bodySHA256` for JSON requests."""
    return hashlib.sha256(body).hexdigest()


def _port_variants(url: str) -> list[str]:
    """`url` as given, plus the same URL with the standard port added or removed."""
    parts = urlsplit(url)
    standard = _STANDARD_PORTS.get(parts.scheme.lower())
    if standard is None or not parts.hostname:
        return [url]
    host = parts.hostname
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = userinfo + "@" if userinfo else ""
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: leave the URL alone
        return [url]
    if port is None:
        other = urlunsplit(parts._replace(netloc=f"{prefix}{host}:{standard}"))
    elif port == standard:
        other = urlunsplit(parts._replace(netloc=prefix + host))
    else:
        return [url]
    return [url, other]


def public_request_url(request_url: str, public_url: str) -> str:
    """The URL Twilio used, when the app sits behind a proxy: `public_url` gives the scheme and
    host (and any path prefix the proxy strips); the request's own path and query follow."""
    pub = urlsplit(public_url)
    req = urlsplit(request_url)
    path = pub.path.rstrip("/") + req.path if pub.path not in ("", "/") else req.path
    return urlunsplit((pub.scheme, pub.netloc, path, req.query, ""))


def forwarded_url(request_url: str, headers: Mapping[str, str]) -> str:
    """`request_url` with the scheme and host a trusted proxy reports in X-Forwarded-Proto and
    X-Forwarded-Host (first value of each). Only use it when your proxy sets these headers."""
    lower = {k.lower(): v for k, v in headers.items()}
    parts = urlsplit(request_url)
    scheme = lower.get("x-forwarded-proto", "").split(",")[0].strip() or parts.scheme
    host = lower.get("x-forwarded-host", "").split(",")[0].strip() or parts.netloc
    return urlunsplit(parts._replace(scheme=scheme, netloc=host))


def validate_signature(
    url: str,
    params: Params | None,
    signature: str | None,
    auth_token: str,
    *,
    body: bytes | None = None,
    public_url: str | None = None,
) -> bool:
    """True when `signature` is what Twilio computes for this request.

    `url` is the full URL as the app received it (with query string); `params` the form
    parameters of a POST (None or empty for GET). When the URL carries `bodySHA256` (a JSON
    body), pass the raw `body`: the form parameters are then not part of the signature and the
    body must match the hash. `public_url` replaces scheme and host when a proxy changed them.
    Comparisons take constant time.
    """
    if not signature:
        return False
    if public_url:
        url = public_request_url(url, public_url)
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    expected_body = query.get("bodySHA256")
    signed_params: Params | None = params
    if expected_body is not None:
        if body is None or not hmac.compare_digest(body_sha256(body), expected_body):
            return False
        signed_params = None
    valid = False
    for candidate in _port_variants(url):
        computed = compute_signature(candidate, signed_params, auth_token)
        valid |= hmac.compare_digest(computed.encode("ascii"), signature.encode("utf-8", "replace"))
    return valid
