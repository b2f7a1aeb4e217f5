"""The composition root: settings in, a ready context out. Nothing else builds engines or clocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings
from handlers.chat.clock import Clock, FixedClock, RehearsalClock, SystemClock
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade

if TYPE_CHECKING:
    from bot.channels.slack import SlackChannel
    from bot.channels.teams import TeamsAuth, TeamsChannel, TeamsSender
    from bot.conversation import Conversation
    from bot.core import Core, CoreInProcesses
    from bot.public_web import PublicPage
    from bot.server import Channel


def build_context(
    settings: Settings, *, database_url: str | None = None, serving: bool = False
) -> AppContext:
    """Engine (schema upgraded in place), clock and time zone from the settings."""
    engine = make_engine(database_url or settings.database_url)
    upgrade(engine)
    return AppContext(
        engine=engine,
        clock=make_clock(settings, serving=serving),
        tz=settings.tz,
        flowchart=settings.consult_flowchart,
        public_url=settings.public_url,
    )


def make_clock(settings: Settings, *, serving: bool = False) -> Clock:
    """The system clock; with ENGAGEBOT_NOW, a clock fixed at that time for a command, or one
    starting there and running on for a server (a rehearsal: never in production)."""
    if settings.fixed_now is None:
        return SystemClock(settings.tz)
    fixed = settings.fixed_now
    start = fixed if fixed.tzinfo else fixed.replace(tzinfo=settings.tz)
    return RehearsalClock(start) if serving else FixedClock(start)


def slack_missing(settings: Settings, *, socket: bool = False) -> list[str]:
    """The settings Slack still needs, by their environment names."""
    needed = (
        ("SLACK_BOT_TOKEN", settings.slack_bot_token),
        ("SLACK_APP_TOKEN", settings.slack_app_token)
        if socket
        else ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
    )
    return [name for name, value in needed if not value]


def teams_missing(settings: Settings) -> list[str]:
    """The settings Teams still needs, by their environment names (none in anonymous mode)."""
    if settings.teams_anonymous:
        return []
    needed = (
        ("TEAMS_APP_ID", settings.teams_app_id),
        ("TEAMS_APP_PASSWORD", settings.teams_app_password),
        ("TEAMS_TENANT_ID", settings.teams_tenant_id),
    )
    return [name for name, value in needed if not value]


def teams_configured(settings: Settings) -> bool:
    """Teams is on when its credentials are all set, or anonymous mode is."""
    return settings.teams_anonymous or bool(settings.teams_app_id) and not teams_missing(settings)


def teams_auth(settings: Settings) -> TeamsAuth:
    from bot.channels.teams import TeamsAuth

    return TeamsAuth(
        app_id=settings.teams_app_id,
        password=settings.teams_app_password,
        tenant_id=settings.teams_tenant_id,
        anonymous=settings.teams_anonymous,
    )


def build_conversation(settings: Settings, ctx: AppContext) -> Conversation:
    """The conversation core, with the address book of every configured platform."""
    from bot.conversation import Conversation

    conversation = Conversation(ctx)
    if settings.slack_bot_token:
        from bot.channels.slack import SlackDirectory, make_client

        client = make_client(settings.slack_bot_token, settings.slack_api_url)
        conversation.add_directory("slack", SlackDirectory(client))
    if teams_configured(settings):
        from bot.channels.teams import TeamsDirectory

        conversation.add_directory("teams", TeamsDirectory(teams_auth(settings)))
    return conversation


def worker_conversation(database_url: str) -> Conversation:
    """A core worker process's own core (bot/core.py): settings from the same environment,
    the schema already upgraded by the server that started it."""
    from bot import logs

    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)
    ctx = AppContext(
        engine=make_engine(database_url),
        clock=make_clock(settings, serving=True),
        tz=settings.tz,
        flowchart=settings.consult_flowchart,
        public_url=settings.public_url,
    )
    return build_conversation(settings, ctx)


def build_core(settings: Settings, ctx: AppContext) -> CoreInProcesses:
    """The core in worker processes over the same database, started and ready."""
    from bot.core import CoreInProcesses

    url = ctx.engine.url.render_as_string(hide_password=False)
    core = CoreInProcesses(worker_conversation, (url,), workers=settings.workers)
    core.warm_up()
    return core


def build_slack(settings: Settings, core: Core) -> SlackChannel:
    """The Slack channel over the conversation core."""
    from bot.channels.slack import SlackChannel, make_async_client, make_client

    return SlackChannel(
        core,
        make_client(settings.slack_bot_token, settings.slack_api_url),
        settings.slack_signing_secret,
        make_async_client(settings.slack_bot_token, settings.slack_api_url),
    )


def build_teams(settings: Settings, core: Core) -> TeamsChannel:
    """The Teams channel over the conversation core."""
    from bot.channels.teams import TeamsChannel

    return TeamsChannel(core, teams_auth(settings))


def teams_sender(settings: Settings, ctx: AppContext) -> TeamsSender:
    """Reminders into Teams chats, at the addresses people's messages left."""
    from functools import partial

    from bot.channels.teams import TeamsSender
    from handlers.chat import addresses

    return TeamsSender(teams_auth(settings), partial(addresses.load, ctx, "teams"))


def build_channels(settings: Settings, core: Core) -> list[Channel]:
    """Every channel whose settings are present, over one conversation core."""
    channels: list[Channel] = []
    if not slack_missing(settings):
        channels.append(build_slack(settings, core))
    if teams_configured(settings):
        channels.append(build_teams(settings, core))
    return channels


def build_public(settings: Settings, ctx: AppContext) -> PublicPage:
    """The public engagement page, served at /engage/ beside the channels."""
    from bot.public_web import PublicPage

    return PublicPage(
        ctx,
        council=settings.council_name,
        logo=settings.council_logo,
        org=settings.public_org,
        public_url=settings.public_url,
        feedback_days=settings.feedback_within_days,
    )


def settle_heap() -> None:
    """Call once start-up is done: the modules and caches loaded so far live as long as the
    process, so they are moved out of the cyclic garbage collector's generations. Without this,
    a collection triggered mid-request rescans them all (40 ms, on a 10,000-action summary)."""
    import gc

    gc.collect()
    gc.freeze()
