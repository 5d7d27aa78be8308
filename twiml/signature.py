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
    "SIGNALWIRE_SIGNATURE_HEADER",
    "SIGNATURE_HEADER",
    "TELNYX_SIGNATURE_HEADER",
    "TELNYX_TIMESTAMP_HEADER",
    "MissingExtra",
    "body_sha256",
    "compute_signature",
    "ed25519_public_key",
    "ed25519_signature",
    "forwarded_url",
    "public_request_url",
    "validate_ed25519_signature",
    "validate_signature",
]

SIGNATURE_HEADER = "X-Twilio-Signature"
SIGNALWIRE_SIGNATURE_HEADER = "X-SignalWire-Signature"
"""SignalWire (cXML) signs as Twilio does (HMAC-SHA1 over URL and sorted form), keyed with the
project's Signing Key: `compute_signature` and `validate_signature` serve it unchanged."""
TELNYX_SIGNATURE_HEADER = "telnyx-signature-ed25519"
TELNYX_TIMESTAMP_HEADER = "telnyx-timestamp"
TELNYX_TOLERANCE = 300
"""Seconds a Telnyx timestamp may be old before the request counts as a replay."""
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


# --------------------------------------------------------------------------- Telnyx (TeXML): Ed25519


class MissingExtra(RuntimeError):
    """An optional dependency is not installed; the message names the extra to install."""


def _ed25519() -> object:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingExtra(
            "Ed25519 (Telnyx) signatures need the cryptography package: pip install 'twiml-toolkit[telnyx]'"
        ) from None
    return ed25519


def _key_bytes(key: str | bytes) -> bytes:
    """A raw 32-byte key from base64 text (as Telnyx shows its public key) or raw bytes."""
    if isinstance(key, bytes) and len(key) == 32:
        return key
    try:
        raw = base64.b64decode(key, validate=True)
    except (ValueError, TypeError):
        raise ValueError("an Ed25519 key is 32 bytes, written in base64") from None
    if len(raw) != 32:
        raise ValueError(f"an Ed25519 key is 32 bytes, written in base64 (this one is {len(raw)} bytes)")
    return raw


def _signed(body: bytes | str, timestamp: str | int) -> bytes:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return str(timestamp).encode("ascii") + b"|" + data


def ed25519_public_key(private_key: str | bytes) -> str:
    """The base64 public key of a base64 (or raw) Ed25519 private key, as Telnyx shows it."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    ed = _ed25519()
    key = ed.Ed25519PrivateKey.from_private_bytes(_key_bytes(private_key))  # type: ignore[attr-defined]
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode("ascii")


def ed25519_signature(body: bytes | str, timestamp: str | int, private_key: str | bytes) -> str:
    """The `telnyx-signature-ed25519` value: base64 Ed25519 signature of ``timestamp|body``."""
    ed = _ed25519()
    key = ed.Ed25519PrivateKey.from_private_bytes(_key_bytes(private_key))  # type: ignore[attr-defined]
    return base64.b64encode(key.sign(_signed(body, timestamp))).decode("ascii")


def validate_ed25519_signature(
    body: bytes | str,
    signature: str | None,
    timestamp: str | None,
    public_key: str | bytes,
    *,
    tolerance: int | None = TELNYX_TOLERANCE,
    now: float | None = None,
) -> bool:
    """True when `signature` (header `telnyx-signature-ed25519`) signs ``timestamp|body`` with the
    key whose public half is `public_key`, and `timestamp` (header `telnyx-timestamp`) is no
    older than `tolerance` seconds (None: no age check). Pass the raw body as received."""
    if not signature or not timestamp:
        return False
    ed = _ed25519()
    from cryptography.exceptions import InvalidSignature

    try:
        raw = base64.b64decode(signature, validate=True)
        stamp = int(timestamp)
    except ValueError:
        return False
    if tolerance is not None:
        import time

        if stamp < (time.time() if now is None else now) - tolerance:
            return False
    key = ed.Ed25519PublicKey.from_public_bytes(_key_bytes(public_key))  # type: ignore[attr-defined]
    try:
        key.verify(raw, _signed(body, timestamp))
    except InvalidSignature:
        return False
    return True
