"""Where a chat app installed by its install link keeps its bot credentials, per workspace.

A channel whose platform installs apps per workspace (an OAuth flow) stores what the install
gave here: one row per workspace, tokens sealed with the deployment's key (`sealing.py`), and
replaced when tokens rotate. Uninstalling removes the row and nothing else: the workspace's
organisation, its people and their history stay. The one-time `state` values of installs in
progress are kept here too, so any instance can finish an install another one started.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from handlers.chat.sealing import Sealer, SealError
from models.db import transaction
from models.scoping import ALL
from models.tables import ChatInstallation, OAuthState

STATE_LIFETIME = timedelta(minutes=10)  # an install left longer must start again


@dataclass(frozen=True)
class Installed:
    """A chat app's bot credentials in one workspace; its tokens are in the clear, in memory."""

    platform: str
    enterprise_id: str = ""
    team_id: str = ""
    enterprise_name: str = ""
    team_name: str = ""
    is_enterprise_install: bool = False
    app_id: str = ""
    bot_id: str = ""
    bot_user_id: str = ""
    bot_scopes: str = ""
    bot_token: str = ""
    bot_refresh_token: str = ""
    bot_token_expires_at: int | None = None
    installer_user_id: str = ""
    installed_at: datetime | None = None

    @property
    def workspace(self) -> str:
        """How organisations name this workspace: the enterprise, for a whole-org install."""
        return self.enterprise_id if self.is_enterprise_install else self.team_id

    @property
    def name(self) -> str:
        return (self.enterprise_name if self.is_enterprise_install else self.team_name) or ""


class Installations:
    """The installations of one platform's app, on the deployment's database."""

    def __init__(self, engine: Engine, sealer: Sealer, platform: str) -> None:
        self.engine = engine
        self.sealer = sealer
        self.platform = platform

    def save(
        self,
        installed: Installed,
        now: datetime,
        then: Callable[[Session], None] | None = None,
    ) -> None:
        """Keep a new install, or new tokens for a known one (the newest replaces the last);
        `then` runs in the same transaction (deciding the workspace's organisation)."""
        with transaction(self.engine, ALL) as session:
            row = self._row(
                session,
                installed.enterprise_id,
                "" if installed.is_enterprise_install else installed.team_id,
            )
            if row is None:
                row = ChatInstallation(platform=self.platform, installed_at=now)
            row.app_id, row.bot_id = installed.app_id, installed.bot_id
            row.enterprise_id, row.enterprise_name = (
                installed.enterprise_id,
                installed.enterprise_name,
            )
            row.team_id = "" if installed.is_enterprise_install else installed.team_id
            row.team_name, row.is_enterprise_install = (
                installed.team_name,
                installed.is_enterprise_install,
            )
            row.bot_user_id, row.bot_scopes = installed.bot_user_id, installed.bot_scopes
            row.bot_token = self.sealer.seal(installed.bot_token)
            row.bot_refresh_token = self.sealer.seal(installed.bot_refresh_token)
            row.bot_token_expires_at = installed.bot_token_expires_at
            row.installer_user_id = installed.installer_user_id or row.installer_user_id
            if installed.installed_at is not None:
                row.installed_at = installed.installed_at
            session.add(row)
            if then is not None:
                then(session)

    def find(
        self, enterprise_id: str, team_id: str, *, whole_org: bool = False
    ) -> Installed | None:
        """The install that serves a request from (enterprise, team): the workspace's own, or
        its organisation's whole-org install."""
        with transaction(self.engine, ALL) as session:
            row = None if whole_org or not team_id else self._by_team(session, team_id)
            if row is None and enterprise_id:
                row = self._row(session, enterprise_id, "")
            return self._open(row) if row is not None else None

    def for_workspace(self, workspace: str) -> Installed | None:
        """The install of a workspace as organisations name it (a team, or an enterprise)."""
        with transaction(self.engine, ALL) as session:
            row = self._by_team(session, workspace) or self._row(session, workspace, "")
            return self._open(row) if row is not None else None

    def remove(
        self, enterprise_id: str, team_id: str, bot_user_ids: list[str] | None = None
    ) -> int:
        """Forget the tokens of a workspace (all of them, or those of these bot users)."""
        with transaction(self.engine, ALL) as session:
            query = select(ChatInstallation).where(ChatInstallation.platform == self.platform)
            if team_id:
                query = query.where(ChatInstallation.team_id == team_id)
            else:
                query = query.where(
                    ChatInstallation.enterprise_id == enterprise_id, ChatInstallation.team_id == ""
                )
            if bot_user_ids is not None:
                query = query.where(col(ChatInstallation.bot_user_id).in_(bot_user_ids))
            rows = list(session.exec(query).all())
            for row in rows:
                session.delete(row)
            return len(rows)

    def key_problem(self) -> str | None:
        """None when the key opens the stored tokens (or none are stored), else why not."""
        with transaction(self.engine, ALL) as session:
            row = session.exec(select(ChatInstallation).limit(1)).first()
            if row is None:
                return None
            try:
                self.sealer.open(row.bot_token)
            except SealError as err:
                return str(err)
        return None

    # -- the one-time states of installs in progress ------------------------------------------

    def issue_state(self, now: datetime) -> str:
        state = secrets.token_urlsafe(24)
        with transaction(self.engine, ALL) as session:
            session.add(OAuthState(state=state, expires_at=now + STATE_LIFETIME))
        return state

    def consume_state(self, state: str, now: datetime) -> bool:
        """True once for a state this deployment issued, within its lifetime."""
        with transaction(self.engine, ALL) as session:
            session.execute(delete(OAuthState).where(col(OAuthState.expires_at) <= now))
            row = session.exec(select(OAuthState).where(OAuthState.state == state)).first()
            if row is None:
                return False
            session.delete(row)
            return True

    # -- rows ------------------------------------------------------------------------------------

    def _row(self, session: Session, enterprise_id: str, team_id: str) -> ChatInstallation | None:
        query = select(ChatInstallation).where(
            ChatInstallation.platform == self.platform,
            ChatInstallation.enterprise_id == enterprise_id,
            ChatInstallation.team_id == team_id,
        )
        return session.exec(query).first()

    def _by_team(self, session: Session, team_id: str) -> ChatInstallation | None:
        query = select(ChatInstallation).where(
            ChatInstallation.platform == self.platform, ChatInstallation.team_id == team_id
        )
        return session.exec(query).first()

    def _open(self, row: ChatInstallation) -> Installed:
        installed = Installed(
            platform=row.platform,
            enterprise_id=row.enterprise_id,
            team_id=row.team_id,
            enterprise_name=row.enterprise_name,
            team_name=row.team_name,
            is_enterprise_install=row.is_enterprise_install,
            app_id=row.app_id,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes,
            bot_token_expires_at=row.bot_token_expires_at,
            installer_user_id=row.installer_user_id,
            installed_at=row.installed_at,
        )
        return replace(
            installed,
            bot_token=self.sealer.open(row.bot_token),
            bot_refresh_token=self.sealer.open(row.bot_refresh_token),
        )
