"""A fake Slack Web API on 127.0.0.1 that records every call and can be told to fail: an error
status (429 with Retry-After, 5xx), a hang past the client's timeout, or a dropped connection.

It also plays Slack's side of an install: its consent page (GET /oauth/v2/authorize) sends the
browser back with a code, which `oauth.v2.access` exchanges for a workspace's bot token (and
renews a rotating one); each token answers `auth.test` for its own workspace; a revoked token
gets `invalid_auth`; a channel the bot was never invited to gets `not_in_channel`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fakes.recorder import RecordingServer

PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class Call:
    method: str  # "chat.postMessage", or "respond" for a response_url
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    path: str = ""  # the request's path, e.g. which response_url was used
    token: str = ""  # the bearer token the call was made with
    # What the fake did: its status and whether the call took effect ("ok"), once decided.
    # A call that hung or whose connection was dropped never takes effect.
    status: int | None = None
    ok: bool = False


@dataclass
class Failure:
    status: int = 200
    body: dict[str, Any] = field(default_factory=lambda: {"ok": False, "error": "fatal_error"})
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0  # seconds to hold the request without answering, then drop it
    close: bool = False  # drop the connection without answering


class FakeSlack(RecordingServer[Call, Failure]):
    """Start with `with FakeSlack() as slack:`; point SLACK_API_URL at `slack.api_url`."""

    def __init__(self) -> None:
        super().__init__(self._handler())
        self.emails: dict[str, str] = {}
        self.delays: dict[str, float] = {}  # method -> seconds to wait before answering
        self._posted: dict[str, list[Call]] = {}  # channel -> messages that landed there
        # token -> auth.test's answer; any other token is the test workspace's bot
        self.bots: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()  # tokens that answer invalid_auth
        self.not_member: set[str] = set()  # channels the bot is not in
        self.grants: dict[str, dict[str, Any]] = {}  # install code -> oauth.v2.access answer
        self.renewals: dict[str, dict[str, Any]] = {}  # refresh token -> a rotation's answer
        self.consent_code = ""  # the code the consent page sends the browser back with
        self.redirect_uri = ""  # where the consent page sends the browser, if the app says not
        self._refreshed_from: dict[str, str] = {}  # refresh token -> the token it renews

    @staticmethod
    def name_of(call: Call) -> str:
        return call.method

    @property
    def url(self) -> str:
        return self.base_url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/respond/{name}"

    def __enter__(self) -> FakeSlack:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def posted_in(self, channel: str) -> list[Call]:
        """The messages that landed in `channel` (chat.postMessage that took effect), cheaply:
        for tests that wait on many conversations at once."""
        with self._lock:
            return list(self._posted.get(channel, []))

    def _landed(self, call: Call) -> None:
        if call.ok and call.method == "chat.postMessage":
            with self._lock:
                self._posted.setdefault(str(call.params.get("channel")), []).append(call)

    def delivered(self, method: str = "chat.postMessage") -> list[Call]:
        """The calls of `method` that took effect (a message posted, a response sent)."""
        return [c for c in self.of(method) if c.ok]

    def texts(self, method: str = "chat.postMessage") -> str:
        """Everything the bot wrote with `method`: fallback text and block text, one string."""
        return "\n".join(text_of(c.params) for c in self.of(method))

    def grant(
        self,
        code: str,
        team: tuple[str, str],
        token: str,
        *,
        bot_user: str = "UBOT",
        enterprise: tuple[str, str] | None = None,
        whole_org: bool = False,
        rotating: tuple[str, int] | None = None,
    ) -> None:
        """Slack will install the app in `team` (id, name) for `code`, giving `token`: the
        oauth.v2.access answer of slack-bolt's own tests (mock_web_api_server), with
        `refresh_token` and `expires_in` when the app rotates tokens."""
        answer: dict[str, Any] = {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "app_mentions:read,chat:write,commands,files:write,im:history,im:write,"
            "users:read,users:read.email",
            "bot_user_id": bot_user,
            "app_id": "A0ENGAGEBOT",
            "team": None if whole_org else {"name": team[1], "id": team[0]},
            "enterprise": {"name": enterprise[1], "id": enterprise[0]} if enterprise else None,
            "is_enterprise_install": whole_org,
            "authed_user": {"id": "U0INSTALLER"},
        }
        if rotating:
            answer |= {"refresh_token": rotating[0], "expires_in": rotating[1]}
            self._refreshed_from[rotating[0]] = token
        self.grants[code] = answer
        self.bots[token] = {
            "ok": True,
            "url": f"https://{team[1].lower().replace(' ', '-')}.slack.com/",
            "team": team[1],
            "user": "engagebot",
            "team_id": team[0],
            "user_id": bot_user,
            "bot_id": "B" + bot_user[1:],
            **({"enterprise_id": enterprise[0]} if enterprise else {}),
        }

    def renew(self, refresh_token: str, token: str, expires_in: int = 43200) -> None:
        """A rotation with `refresh_token` gives `token` (slack-bolt's refresh answer)."""
        self.renewals[refresh_token] = {
            "ok": True,
            "app_id": "A0ENGAGEBOT",
            "access_token": token,
            "expires_in": expires_in,
            "refresh_token": refresh_token + "-next",
            "token_type": "bot",
            "scope": "chat:write,commands",
        }

    def _oauth(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("grant_type") == "refresh_token":
            renewed = self.renewals.get(str(params.get("refresh_token")))
            if renewed is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            old = self._refreshed_from.get(str(params["refresh_token"]), "")
            self.bots[renewed["access_token"]] = dict(self.bots.get(old, {}))
            self._refreshed_from[renewed["refresh_token"]] = renewed["access_token"]
            return renewed
        granted = self.grants.pop(str(params.get("code")), None)
        return granted if granted is not None else {"ok": False, "error": "invalid_code"}

    def _refused(self, method: str, params: dict[str, Any], token: str) -> dict[str, Any] | None:
        if token and token in self.revoked:
            return {"ok": False, "error": "invalid_auth"}
        where = params.get("channel") or params.get("channel_id") or ""
        if method in _POSTS and str(where) in self.not_member:
            return {"ok": False, "error": "not_in_channel"}
        return None

    def _answer(self, method: str, params: dict[str, Any], token: str = "") -> dict[str, Any]:
        if method == "oauth.v2.access":
            return self._oauth(params)
        refused = self._refused(method, params, token)
        if refused is not None:
            return refused
        if method == "auth.test":
            if token in self.bots:
                return self.bots[token]
            return {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T0COUNCIL"}
        if method == "users.info":
            user = str(params.get("user", ""))
            profile = {"email": self.emails[user]} if user in self.emails else {}
            return {"ok": True, "user": {"id": user, "profile": profile}}
        if method in ("chat.postMessage", "chat.update"):
            return {"ok": True, "channel": params.get("channel"), "ts": f"{time.time():.6f}"}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F0CHART", "file_id": "F0CHART"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F0CHART"}]}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))[1:]}}
        return {"ok": True}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                """Slack's consent page: the admin approves, the browser goes back with a code."""
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake._record(Call("authorize", query, path=self.path))
                back = query.get("redirect_uri") or fake.redirect_uri
                answer = (
                    {"code": fake.consent_code} if fake.consent_code else {"error": "access_denied"}
                )
                self.send_response(302)
                self.send_header(
                    "Location", f"{back}?{urlencode({**answer, 'state': query.get('state', '')})}"
                )
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path.startswith("/upload/"):  # a file's bytes, from files_upload_v2
                    method, params = "upload", {"size": len(body), "png": body[:8] == PNG}
                else:
                    # The async client sends some arguments in the query string, not the body.
                    path, _, query = self.path.partition("?")
                    params = {k: v[0] for k, v in parse_qs(query).items()}
                    params |= _params(body.decode("utf-8"), self.headers.get("Content-Type", ""))
                    method = path.removeprefix("/api/")
                    if path.startswith("/respond/"):
                        method = "respond"
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                token = bearer if bearer.startswith("xox") else str(params.get("token", ""))
                call = Call(method, params, path=self.path, token=token)
                failure = fake._record(call)
                if failure is not None and (failure.hang or failure.close):
                    time.sleep(failure.hang)
                    self.close_connection = True  # no answer: the client sees a drop or timeout
                    return
                time.sleep(fake.delays.get(method, 0))
                status, body, headers = 200, fake._answer(method, params, token), {}
                if failure is not None:
                    status, body, headers = failure.status, failure.body, failure.headers
                call.status, call.ok = status, status == 200 and body.get("ok") is True
                fake._landed(call)
                data = b"" if status in (204, 205, 304) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler


_POSTS = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.update", "files.completeUploadExternal"}
)


def _params(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        loaded: dict[str, Any] = json.loads(raw or "{}")
        return loaded
    params: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


def text_of(params: dict[str, Any]) -> str:
    parts = [str(params.get("text", ""))]
    blocks = params.get("blocks") or (params.get("view") or {}).get("blocks") or []
    parts += _block_texts(blocks)
    return "\n".join(p for p in parts if p)


def _block_texts(blocks: list[dict[str, Any]]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block.get("text"), dict):
            yield block["text"].get("text", "")
        for f in block.get("fields", []):
            yield f.get("text", "")
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                yield element["text"].get("text", "")
            elif "text" in element:
                yield str(element["text"])


@contextmanager
def running() -> Iterator[FakeSlack]:
    with FakeSlack() as slack:
        yield slack
