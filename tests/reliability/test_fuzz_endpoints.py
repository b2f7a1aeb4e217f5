"""Fuzzing the HTTP endpoints with payloads as Slack and Teams send them, then bent: fields
dropped, replaced by other JSON, placeholders filled with any text. Whatever arrives, properly
signed (Slack) or in anonymous mode (Teams), the answer is never a 5xx: bad input is the
sender's fault (4xx), or is acknowledged and answered as well as it can be."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from tests.conftest import BLACKPOOL
from tests.fakes.recorder import fill
from tests.reliability.profile import examples
from tests.reliability.tally import TALLY
from tests.slack_harness import PAYLOADS, SlackBot, signed_headers, slack_bot
from tests.teams_harness import ACTIVITIES, TeamsBot, teams_bot

SLACK_EVENTS = ["message_im", "app_mention", "app_home_opened"]
SLACK_FORMS = ["slash_command"]
SLACK_INTERACTIONS = ["block_actions", "view_submission"]
TEAMS = ["personal_message", "channel_mention", "card_submit", "conversation_update"]
PLACEHOLDERS = [
    "user",
    "text",
    "channel",
    "ts",
    "event_id",
    "value",
    "label",
    "action_id",
    "block_id",
    "message_ts",
    "action_ts",
    "response_url",
    "callback_id",
    "private_metadata",
    "view_id",
    "id",
    "service_url",
    "tenant",
    "name",
    "reply_to",
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def bots(module_ctx: AppContext) -> Iterator[tuple[SlackBot, TeamsBot]]:
    """Slack's and Teams' endpoints on real servers, over the Blackpool plan."""
    import_file(module_ctx, BLACKPOOL)
    with slack_bot(module_ctx) as slack, teams_bot(module_ctx) as teams:
        yield slack, teams


def recorded(folder: Path, name: str, values: dict[str, str]) -> dict[str, Any]:
    """A recorded payload with its {{placeholders}} filled in."""
    loaded: dict[str, Any] = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    filled: dict[str, Any] = fill(loaded, values)
    return filled


@st.composite
def bent(draw: st.DrawFn, original: dict[str, Any]) -> Any:
    """`original` with a few of its fields dropped or replaced by any JSON."""
    node: Any = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(_path(node))
        if not path:
            node = draw(json_values) if draw(st.integers(0, 9)) == 0 else node
            continue
        parent = node
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = draw(json_values)
    return node


@st.composite
def _path(draw: st.DrawFn, node: Any) -> list[Any]:
    path: list[Any] = []
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    return path


fills = st.fixed_dictionaries({name: st.text(max_size=30) for name in PLACEHOLDERS})


@examples(30, 1000)
@given(name=st.sampled_from(SLACK_EVENTS + SLACK_FORMS + SLACK_INTERACTIONS), data=st.data())
def test_a_signed_slack_request_never_gets_a_5xx(
    name: str, data: st.DataObject, bots: tuple[SlackBot, TeamsBot]
) -> None:
    slack, _ = bots
    values = data.draw(fills)
    if data.draw(st.booleans()):  # often a real user and place, to get past the first checks
        values |= {"user": "U0SAM", "channel": "D0SAM", "response_url": slack.slack.response_url()}
    body_json = data.draw(bent(recorded(PAYLOADS, name, values)))
    if name in SLACK_EVENTS:
        body, kind = json.dumps(body_json), "application/json"
    elif name in SLACK_FORMS:
        form = body_json if isinstance(body_json, dict) else {"text": body_json}
        body = urlencode({str(k): str(v) for k, v in form.items()})
        kind = "application/x-www-form-urlencoded"
    else:
        body, kind = (
            urlencode({"payload": json.dumps(body_json)}),
            "application/x-www-form-urlencoded",
        )
    with TALLY.attempt("fuzz: Slack endpoint (signed, bent payloads)"):
        answer = slack.post(body, kind, signed_headers(body))
        assert answer.status_code < 500, (answer.status_code, body[:300])


@examples(30, 1000)
@given(name=st.sampled_from(TEAMS), data=st.data())
def test_a_teams_activity_never_gets_a_5xx(
    name: str, data: st.DataObject, bots: tuple[SlackBot, TeamsBot]
) -> None:
    _, teams = bots
    values = data.draw(fills) | {"service_url": teams.teams.service_url}
    body = data.draw(bent(recorded(ACTIVITIES, name, values)))
    with TALLY.attempt("fuzz: Teams endpoint (bent activities)"):
        answer = teams.http.post(
            f"{teams.url}/api/messages",
            content=json.dumps(body),
            headers={"Content-Type": "application/json"},
        )
        assert answer.status_code < 500, (answer.status_code, json.dumps(body)[:300])
