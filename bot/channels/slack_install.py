"""Slack installed by link: slack-bolt's OAuth flow, with its stores on our own database.

A council's Slack admin opens `/slack/install`; Slack asks them to approve the app and sends
them back to `/slack/oauth_redirect` with a code, which bolt exchanges for the workspace's bot
token (`oauth.v2.access`). The token is kept per workspace (or per Enterprise Grid organisation,
for an org-wide install), sealed with the deployment's key (handlers/chat/installations.py),
and rotated before it expires when the app has token rotation on. Installing also asks the core
which organisation the workspace belongs to (`Admit`): a workspace already bound keeps its
council; a new one waits for an operator (`engagebot orgs approve`) or gets a new
organisation, as the deployment chooses, and never joins an existing council by itself.

Requests are then authorized from the stored install, without asking Slack (`auth.test`) on each
one: the install already said who the bot is there.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.channels.cache import TTLCache
from handlers.chat.installations import Installations, Installed

log = logging.getLogger(__name__)

PLATFORM = "slack"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# What the bot asks for at install; app.yaml lists the same (a test checks they agree).
SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:write",
    "users:read",
    "users:read.email",
)
ROTATE_MINUTES = 120  # a rotating token is renewed when it has less than this left
FOUND_SECONDS = 60.0  # an install looked up is remembered this long (tokens rotate in hours)

# Asks the core which organisation a newly installed workspace belongs to, inside the
# transaction that stores its tokens: the organisation's short name, or "" while it waits.
Admit = Callable[[Session, Installed], str]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class OAuthSetup:
    """The app's OAuth credentials and where its installs are kept."""

    client_id: str
    client_secret: str
    installations: Installations
    admit: Admit
    clock: Clock
    redirect_uri: str = ""  # as set in the app's OAuth settings; Slack's default when empty


def installed_from(installation: Installation | Bot) -> Installed:
    """bolt's record of an install (or of its bot) as ours."""
    return Installed(
        platform=PLATFORM,
        enterprise_id=installation.enterprise_id or "",
        team_id=installation.team_id or "",
        enterprise_name=installation.enterprise_name or "",
        team_name=installation.team_name or "",
        is_enterprise_install=bool(installation.is_enterprise_install),
        app_id=installation.app_id or "",
        bot_id=installation.bot_id or "",
        bot_user_id=installation.bot_user_id or "",
        bot_scopes=",".join(installation.bot_scopes or ()),
        bot_token=installation.bot_token or "",
        bot_refresh_token=installation.bot_refresh_token or "",
        bot_token_expires_at=installation.bot_token_expires_at,
        installer_user_id=getattr(installation, "user_id", "") or "",
    )


def bot_from(installed: Installed) -> Bot:
    """Our record of an install as bolt's `Bot`."""
    return Bot(
        app_id=installed.app_id or None,
        enterprise_id=installed.enterprise_id or None,
        enterprise_name=installed.enterprise_name or None,
        team_id=installed.team_id or None,
        team_name=installed.team_name or None,
        bot_token=installed.bot_token,
        bot_id=installed.bot_id,
        bot_user_id=installed.bot_user_id,
        bot_scopes=installed.bot_scopes,
        bot_refresh_token=installed.bot_refresh_token or None,
        bot_token_expires_at=installed.bot_token_expires_at,
        is_enterprise_install=installed.is_enterprise_install,
        installed_at=(installed.installed_at or datetime.now()).timestamp(),
    )


class InstallationStore(AsyncInstallationStore):
    """bolt's installation store, on `Installations`; bot tokens only (no user tokens are
    asked for). Database work runs in a thread, off the event loop."""

    def __init__(self, setup: OAuthSetup) -> None:
        self.setup = setup
        self.installations = setup.installations
        self.admitted: dict[str, str] = {}  # workspace -> its organisation, for the page after
        self._found: TTLCache[tuple[str, str, bool], Installed | None] = TTLCache(
            size=1000, ttl=FOUND_SECONDS
        )

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        installed = installed_from(installation)
        org = await asyncio.to_thread(self._save, installed)
        self.admitted[installed.workspace] = org
        log.info(
            "Slack workspace %s (%s) installed the app: %s",
            installed.workspace,
            installed.name,
            f"organisation '{org}'" if org else "waiting for `engagebot orgs approve`",
        )

    def _save(self, installed: Installed) -> str:
        admitted: list[str] = []

        def admit(session: Session) -> None:
            admitted.append(self.setup.admit(session, installed))

        self.installations.save(installed, self.setup.clock(), then=admit)
        self._found.clear()
        return admitted[0] if admitted else ""

    async def async_save_bot(self, bot: Bot) -> None:
        """New tokens for a known install (after a rotation)."""
        await asyncio.to_thread(self.installations.save, installed_from(bot), self.setup.clock())
        self._found.clear()

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        installed = await self.find(enterprise_id or "", team_id or "", bool(is_enterprise_install))
        return bot_from(installed) if installed is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if user_id is not None:
            return None  # no user tokens are kept
        bot = await self.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        if bot is None:
            return None
        return Installation(**{**bot.to_dict_for_copying(), "user_id": ""})

    async def find(self, enterprise_id: str, team_id: str, whole_org: bool) -> Installed | None:
        key = (enterprise_id, team_id, whole_org)
        cached = self._found.get(key)
        if cached is not None:
            return cached[0]
        found = await asyncio.to_thread(
            self.installations.find, enterprise_id, team_id, whole_org=whole_org
        )
        if found is not None:  # a workspace not installed yet may be any moment: asked again
            self._found.put(key, found)
        return found

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.forget(enterprise_id or "", team_id or "")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self.forget(enterprise_id or "", team_id or "")

    async def forget(self, enterprise_id: str, team_id: str, bots: list[str] | None = None) -> int:
        """Remove a workspace's tokens (all, or those of these bot users); nothing else."""
        removed = await asyncio.to_thread(self.installations.remove, enterprise_id, team_id, bots)
        self._found.clear()
        return removed


class StateStore(AsyncOAuthStateStore):
    """The one-time `state` of each install in progress, on the database (any instance may
    receive the redirect back from Slack)."""

    def __init__(self, setup: OAuthSetup) -> None:
        self.setup = setup

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.setup.installations.issue_state, self.setup.clock())

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(
            self.setup.installations.consume_state, state, self.setup.clock()
        )


class WorkspaceAuthorize(AsyncAuthorize):
    """slack-bolt's `authorize` for an app installed in many workspaces: the workspace's own
    token, from its install (rotated when it is about to expire); for a workspace with no
    install, the single bot token of a one-workspace set-up, if there is one."""

    def __init__(
        self,
        store: InstallationStore,
        rotator: AsyncTokenRotator,
        single: AsyncAuthorize | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.store = store
        self.rotator = rotator
        self.single = single
        self._rotating = asyncio.Lock()

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        whole_org = bool(context.is_enterprise_install)
        installed = await self.store.find(enterprise_id or "", team_id or "", whole_org)
        if installed is None:
            if self.single is None:
                log.warning(
                    "a Slack request from workspace %s, where the app is not installed "
                    "(install it from %s)",
                    team_id or enterprise_id,
                    INSTALL_PATH,
                )
                return None
            result: AuthorizeResult | None = await self.single(
                context=context, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
            return result
        installed = await self._fresh(installed)
        return AuthorizeResult(
            enterprise_id=installed.enterprise_id or enterprise_id,
            team_id=installed.team_id or team_id,
            bot_user_id=installed.bot_user_id,
            bot_id=installed.bot_id,
            bot_token=installed.bot_token,
            bot_scopes=installed.bot_scopes,
            user_id=user_id,
        )

    async def _fresh(self, installed: Installed) -> Installed:
        """The install with a token that is not about to expire (one rotation at a time)."""
        if not installed.bot_refresh_token or not _expiring(installed.bot_token_expires_at):
            return installed
        async with self._rotating:
            current = await self.store.find(
                installed.enterprise_id, installed.team_id, installed.is_enterprise_install
            )
            if current is None or not _expiring(current.bot_token_expires_at):
                return current or installed
            try:
                rotated = await self.rotator.perform_bot_token_rotation(
                    bot=bot_from(current), minutes_before_expiration=ROTATE_MINUTES
                )
            except SlackTokenRotationError as err:  # the current token may still work a while
                log.warning("Slack token rotation failed for %s: %s", current.workspace, err)
                return current
            if rotated is None:
                return current
            await self.store.async_save_bot(rotated)
            return installed_from(rotated)


def _expiring(expires_at: int | None) -> bool:
    return expires_at is not None and expires_at <= time.time() + ROTATE_MINUTES * 60


class SlackTokens:
    """Each workspace's bot token for work outside a request: reminders, e-mail look-ups.

    Synchronous (the scheduler's thread, the core's workers); rotates an expiring token and
    stores the new one, as a request would. A workspace with no install gets `fallback`, the
    one-workspace set-up's client, if there is one.
    """

    def __init__(
        self,
        installations: Installations,
        make: Callable[[str], WebClient],
        clock: Clock,
        client_id: str = "",
        client_secret: str = "",
        fallback: WebClient | None = None,
    ) -> None:
        self.installations = installations
        self.make = make
        self.clock = clock
        self.fallback = fallback
        self._clients: dict[str, WebClient] = {}
        self.rotator = (
            TokenRotator(client_id=client_id, client_secret=client_secret, client=make(""))
            if client_id and client_secret
            else None
        )

    def client_for(self, workspace: str | None) -> WebClient | None:
        installed = self.installations.for_workspace(workspace) if workspace else None
        if installed is None:
            return self.fallback
        installed = self._fresh(installed)
        client = self._clients.get(installed.bot_token)
        if client is None:
            client = self._clients[installed.bot_token] = self.make(installed.bot_token)
        return client

    def _fresh(self, installed: Installed) -> Installed:
        if self.rotator is None or not installed.bot_refresh_token:
            return installed
        if not _expiring(installed.bot_token_expires_at):
            return installed
        try:
            rotated = self.rotator.perform_bot_token_rotation(
                bot=bot_from(installed), minutes_before_expiration=ROTATE_MINUTES
            )
        except SlackTokenRotationError as err:
            log.warning("Slack token rotation failed for %s: %s", installed.workspace, err)
            return installed
        if rotated is None:
            return installed
        fresh = installed_from(rotated)
        self.installations.save(fresh, self.clock())
        return fresh


def oauth_flow(
    setup: OAuthSetup, store: InstallationStore, client: AsyncWebClient, authorize_url: str
) -> AsyncOAuthFlow:
    """bolt's OAuth flow over our stores: /slack/install sends the browser to Slack's consent
    page; /slack/oauth_redirect finishes the install and says what happens next."""
    settings = AsyncOAuthSettings(
        client_id=setup.client_id,
        client_secret=setup.client_secret,
        scopes=list(SCOPES),
        user_scopes=[],
        redirect_uri=setup.redirect_uri or None,
        install_path=INSTALL_PATH,
        install_page_rendering_enabled=False,  # the link goes straight to Slack
        redirect_uri_path=REDIRECT_PATH,
        authorization_url=authorize_url,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=StateStore(setup),
        callback_options=AsyncCallbackOptions(success=_installed_page(store), failure=_failed_page),
        logger=log,
    )
    return AsyncOAuthFlow(client=client, logger=log, settings=settings)


def _installed_page(
    store: InstallationStore,
) -> Callable[[AsyncSuccessArgs], Any]:
    async def page(args: AsyncSuccessArgs) -> BoltResponse:
        installed = installed_from(args.installation)
        org = store.admitted.pop(installed.workspace, "")
        where = html.escape(installed.name or installed.workspace)
        if org:
            body = (
                f"<p>engagebot is installed in <b>{where}</b> and answers there now, for "
                f"<b>{html.escape(org)}</b>.</p><p>In Slack, try <code>/engage help</code>; "
                "invite it to your steering group's channel with "
                "<code>/invite @engagebot</code>.</p>"
            )
        else:
            body = (
                f"<p>engagebot is installed in <b>{where}</b>.</p><p>Before it answers there, "
                "your engagebot administrator must approve this workspace:</p><pre>"
                f"engagebot orgs approve {html.escape(installed.workspace)} --new SHORT-NAME"
                "</pre><p>(or <code>--org SLUG</code> to join an organisation already set "
                "up). Until then, messages to the bot get a short refusal.</p>"
            )
        return _page(200, "engagebot is installed", body)

    return page


async def _failed_page(args: AsyncFailureArgs) -> BoltResponse:
    reasons = {
        "access_denied": "the install was cancelled in Slack",
        "invalid_browser": "this browser did not start the install (or its cookie was lost)",
        "invalid_state": "the install link was used already, or is over ten minutes old",
        "invalid_code": "Slack did not accept the install code",
        "storage_error": "the install could not be saved",
    }
    why = reasons.get(args.reason, args.reason)
    body = (
        f"<p>The install did not finish: {html.escape(why)}.</p>"
        f'<p><a href="{INSTALL_PATH}">Start again</a></p>'
    )
    return _page(args.suggested_status_code, "engagebot was not installed", body)


def _page(status: int, title: str, body: str) -> BoltResponse:
    page = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>{title}</title>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:2em auto'>"
        f"<h1>{title}</h1>{body}</body></html>"
    )
    return BoltResponse(
        status=status, body=page, headers={"Content-Type": "text/html; charset=utf-8"}
    )
