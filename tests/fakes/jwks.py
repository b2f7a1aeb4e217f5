"""A fake of Microsoft's token signing keys (the JWKS the Agents SDK fetches to check a Teams
request's token), so tokens can be signed in tests and nothing reaches the internet.

`signing_keys()` replaces PyJWKClient's one network call (`fetch_data`) with our own key set;
`token(...)` makes JWTs of any shape: properly signed, or bent (no `kid`, `alg: none`, HS256).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "engagebot-test-key"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk_set() -> dict[str, Any]:
    public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(_KEY.public_key()))
    return {"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]}


@contextmanager
def signing_keys() -> Iterator[list[str]]:
    """Inside the block the SDK's key look-ups get our key set; yields the URIs asked for."""
    asked: list[str] = []
    original = jwt.PyJWKClient.fetch_data

    def fetch(client: jwt.PyJWKClient) -> Any:
        asked.append(client.uri)
        return _jwk_set()

    jwt.PyJWKClient.fetch_data = fetch  # type: ignore[method-assign]
    try:
        yield asked
    finally:
        jwt.PyJWKClient.fetch_data = original  # type: ignore[method-assign]


def claims(app_id: str, **changes: Any) -> dict[str, Any]:
    """What the Bot Connector's token says: issued by Bot Framework, for our app, valid now."""
    now = int(time.time())
    base = {
        "iss": "https://api.botframework.com",
        "aud": app_id,
        "iat": now,
        "nbf": now - 60,
        "exp": now + 3600,
        "serviceurl": "http://127.0.0.1/",
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not ...}


def signed(payload: dict[str, Any], **header: Any) -> str:
    """A JWT signed with our test key (RS256) and `kid` unless the header says otherwise."""
    fields = {"kid": KID, **header}
    fields = {k: v for k, v in fields.items() if v is not ...}
    return jwt.encode(payload, _KEY, algorithm="RS256", headers=fields)


def hs256(
    payload: dict[str, Any], secret: str = "a-secret-someone-guessed-for-hs256", **header: Any
) -> str:
    return jwt.encode(payload, secret, algorithm="HS256", headers=header or None)


def raw(header: Any, payload: Any, signature: bytes = b"") -> str:
    """A token of three base64url parts holding anything at all (alg none, bad JSON, lists)."""

    def part(value: Any) -> str:
        data = value if isinstance(value, bytes) else json.dumps(value).encode()
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return ".".join((part(header), part(payload), part(signature)))
