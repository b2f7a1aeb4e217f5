"""Requests nobody authenticated, of every shape: anyone on the internet can send them, so
whatever arrives the answer is a 4xx (401: not signed, or not by Slack or Microsoft), never a
5xx, nothing runs, and nothing is logged at ERROR (no traceback to fill the log with).

Slack: bodies that are not UTF-8 or declare a charset nobody knows, signature and timestamp
headers bent every way. Teams with real credentials: Authorization headers of every shape, and
JWTs without a key id, with `alg: none`, HS256, a list for a header, signed by our own key for
the wrong audience or long expired (Microsoft's signing keys are faked: tests/fakes/jwks.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.teams import TeamsAuth
from handlers.chat.context import AppContext
from tests.fakes import jwks
from tests.reliability.logged import Errors
from tests.reliability.profile import examples
from tests.reliability.tally import TALLY
from tests.slack_harness import SlackBot, signed_headers, slack_bot
from tests.teams_harness import TeamsBot, activity, teams_bot

APP_ID = "00000000-0000-0000-0000-0000000b0700"
AUTH = TeamsAuth(
    app_id=APP_ID, password="not-used", tenant_id="72f988bf-0000-0000-0000-000000000000"
)
SLACK = "fuzz: unauthenticated Slack requests (4xx, no ERROR)"
TEAMS = "fuzz: unauthenticated Teams requests (4xx, no ERROR)"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
EVENT = b'{"type":"event_callback","team_id":"T0COUNCIL","event":{"type":"message","text":"hi"}}'


@pytest.fixture(scope="module")
def slack(module_ctx: AppContext) -> Iterator[SlackBot]:
    with slack_bot(module_ctx) as bot:
        yield bot


@pytest.fixture(scope="module")
def teams(module_ctx: AppContext) -> Iterator[TeamsBot]:
    with jwks.signing_keys(), teams_bot(module_ctx, AUTH) as bot:
        yield bot


def _slack_try(
    slack: SlackBot, error_log: Errors, body: bytes, kind: str, headers: dict[str, str]
) -> None:
    mark = error_log.mark()
    try:
        answer = slack.http.post(
            f"{slack.url}/slack/events", content=body, headers={"Content-Type": kind, **headers}
        )
    except httpx.LocalProtocolError:  # a header httpx itself refuses to send: not tried
        return
    with TALLY.attempt(SLACK):
        assert 400 <= answer.status_code < 500, (answer.status_code, body[:100], headers)
        assert error_log.since(mark) == []
    assert slack.slack.of("chat.postMessage") == [] and slack.slack.of("respond") == []


def _stamp(body: bytes) -> dict[str, str]:
    """Headers signed over `body` read as Latin-1: right bytes for ASCII, wrong otherwise."""
    return signed_headers(body.decode("latin-1"), secret="not-the-secret")


SLACK_SHAPES: dict[str, tuple[bytes, str, dict[str, str]]] = {
    "a body that is not UTF-8": (b"\xff\xfe{\x00\x81garbage", JSON, {}),
    "a body that is not UTF-8, with headers": (b"\xc3\x28\xa0\xa1", JSON, _stamp(b"\xc3\x28")),
    "charset=bogus (JSON)": (EVENT, "application/json; charset=bogus", {}),
    "charset=bogus (form)": (b"payload=%7B%7D", f"{FORM}; charset=bogus", {}),
    "charset=utf-16 on UTF-8 bytes": (EVENT, "application/json; charset=utf-16", {}),
    "charset=bogus, forged signature": (EVENT, "text/plain; charset=x-nonsense", _stamp(EVENT)),
    "no body": (b"", JSON, {}),
    "a timestamp that is not a number": (
        EVENT,
        JSON,
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
    ),
    "a 5,000-digit timestamp": (
        EVENT,
        JSON,
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"},
    ),
    "a signature of another scheme": (
        EVENT,
        JSON,
        {**signed_headers(EVENT.decode()), "X-Slack-Signature": "v1=abc"},
    ),
    "signed with another secret": (EVENT, JSON, _stamp(EVENT)),
    "signed, but an hour old": (
        EVENT,
        JSON,
        signed_headers(EVENT.decode(), at=int(time.time()) - 3600),
    ),
}


@pytest.mark.parametrize("shape", list(SLACK_SHAPES))
def test_an_unauthenticated_slack_request_of_any_shape_gets_a_4xx(
    slack: SlackBot, error_log: Errors, shape: str
) -> None:
    body, kind, headers = SLACK_SHAPES[shape]
    _slack_try(slack, error_log, body, kind, headers)


header_text = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60)
charsets = st.sampled_from(["", "; charset=utf-8", "; charset=bogus", "; charset=latin-1", ";;="])


@examples(25, 800)
@given(
    body=st.binary(max_size=300),
    kind=st.sampled_from([JSON, FORM, "text/plain", "application/octet-stream"]),
    charset=charsets,
    timestamp=st.one_of(st.none(), header_text, st.integers(-(10**12), 10**12).map(str)),
    signature=st.one_of(st.none(), header_text, header_text.map(lambda s: "v0=" + s)),
)
def test_random_unauthenticated_slack_requests_get_a_4xx(
    slack: SlackBot,
    error_log: Errors,
    body: bytes,
    kind: str,
    charset: str,
    timestamp: str | None,
    signature: str | None,
) -> None:
    headers = {
        name: value
        for name, value in (
            ("X-Slack-Request-Timestamp", timestamp),
            ("X-Slack-Signature", signature),
        )
        if value is not None
    }
    _slack_try(slack, error_log, body, kind + charset, headers)


# -- Teams -------------------------------------------------------------------------------------


def _teams_try(teams: TeamsBot, error_log: Errors, authorization: str | None) -> None:
    body = activity(
        "personal_message",
        id="1",
        service_url=teams.teams.service_url,
        tenant="72f988bf-86f1-41af-91ab-2d7cd011db47",
        user="29:intruder",
        name="Intruder",
        text="my actions",
    )
    headers = {} if authorization is None else {"Authorization": authorization}
    mark = error_log.mark()
    try:
        answer = teams.post(body, headers)
    except httpx.LocalProtocolError:  # a header httpx itself refuses to send: not tried
        return
    with TALLY.attempt(TEAMS):
        # 401; a header too big to read is refused by aiohttp itself with 400
        assert 400 <= answer.status_code < 500, (answer.status_code, (authorization or "")[:120])
        assert error_log.since(mark) == []
    assert teams.teams.calls == []


def _bearer(token: str) -> str:
    return f"Bearer {token}"


TOKENS: dict[str, Any] = {
    "no Authorization header": None,
    "Bearer and nothing": "Bearer",
    "Basic credentials": "Basic dXNlcjpwYXNz",
    "not a JWT": _bearer("not.a.token"),
    "one part": _bearer("abc"),
    "alg none, no kid": _bearer(jwks.raw({"alg": "none", "typ": "JWT"}, jwks.claims(APP_ID))),
    "alg none, with a kid": _bearer(
        jwks.raw({"alg": "none", "kid": jwks.KID}, jwks.claims(APP_ID))
    ),
    "HS256, no kid": _bearer(jwks.hs256(jwks.claims(APP_ID))),
    "HS256, with our kid": _bearer(jwks.hs256(jwks.claims(APP_ID), kid=jwks.KID)),
    "RS256, no kid": _bearer(jwks.signed(jwks.claims(APP_ID), kid=...)),
    "RS256, a number for kid": _bearer(jwks.raw({"alg": "RS256", "kid": 7}, jwks.claims(APP_ID))),
    "RS256, a list for kid": _bearer(jwks.raw({"alg": "RS256", "kid": [1]}, jwks.claims(APP_ID))),
    "RS256, a kid nobody issued": _bearer(jwks.signed(jwks.claims(APP_ID), kid="someone-else")),
    "RS256, for another app": _bearer(jwks.signed(jwks.claims("another-app"))),
    "RS256, expired a day ago": _bearer(
        jwks.signed(jwks.claims(APP_ID, exp=int(time.time()) - 86400))
    ),
    "RS256, payload a list": _bearer(jwks.raw({"alg": "RS256", "kid": jwks.KID}, [1, 2])),
    "a header that is not JSON": _bearer(jwks.raw(b"{not json", jwks.claims(APP_ID))),
    "a header that is a list": _bearer(jwks.raw([1], jwks.claims(APP_ID))),
    "100 kB of token": _bearer("a" * 100_000 + ".b.c"),
}


@pytest.mark.parametrize("shape", list(TOKENS))
def test_an_unauthenticated_teams_request_of_any_shape_gets_401(
    teams: TeamsBot, error_log: Errors, shape: str
) -> None:
    _teams_try(teams, error_log, TOKENS[shape])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=5,
)


@examples(25, 800)
@given(
    header=st.one_of(json_values, st.fixed_dictionaries({"alg": json_values, "kid": json_values})),
    payload=st.one_of(json_values, st.just(jwks.claims(APP_ID))),
    signature=st.binary(max_size=40),
)
def test_random_tokens_get_401(
    teams: TeamsBot, error_log: Errors, header: Any, payload: Any, signature: bytes
) -> None:
    _teams_try(teams, error_log, _bearer(jwks.raw(header, payload, signature)))
