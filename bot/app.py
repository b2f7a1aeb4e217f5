"""The composition root: settings in, a ready context out. Nothing else builds engines or clocks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings import Settings
from handlers.chat.clock import Clock, FixedClock, SystemClock
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade

if TYPE_CHECKING:
    from bot.channels.slack import SlackChannel
    from bot.conversation import Conversation
    from bot.server import Channel


def build_context(settings: Settings, *, database_url: str | None = None) -> AppContext:
    """Engine (schema upgraded in place), clock and time zone from the settings."""
    engine = make_engine(database_url or settings.database_url)
    upgrade(engine)
    return AppContext(
        engine=engine,
        clock=make_clock(settings),
        tz=settings.tz,
        flowchart=settings.consult_flowchart,
    )


def make_clock(settings: Settings) -> Clock:
    if settings.fixed_now is None:
        return SystemClock(settings.tz)
    fixed = settings.fixed_now
    return FixedClock(fixed if fixed.tzinfo else fixed.replace(tzinfo=settings.tz))


def slack_missing(settings: Settings, *, socket: bool = False) -> list[str]:
    """The settings Slack still needs, by their environment names."""
    needed = (
        ("SLACK_BOT_TOKEN", settings.slack_bot_token),
        ("SLACK_APP_TOKEN", settings.slack_app_token)
        if socket
        else ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
    )
    return [name for name, value in needed if not value]


def build_slack(
    settings: Settings, ctx: AppContext, conversation: Conversation | None = None
) -> SlackChannel:
    """The Slack channel over the conversation core (a fresh one unless given)."""
    from bot.channels.slack import SlackChannel, make_async_client, make_client
    from bot.conversation import Conversation

    return SlackChannel(
        conversation or Conversation(ctx),
        make_client(settings.slack_bot_token, settings.slack_api_url),
        settings.slack_signing_secret,
        make_async_client(settings.slack_bot_token, settings.slack_api_url),
    )


def build_channels(settings: Settings, ctx: AppContext) -> list[Channel]:
    """Every channel whose settings are present, over one conversation core."""
    from bot.conversation import Conversation

    conversation = Conversation(ctx)
    channels: list[Channel] = []
    if not slack_missing(settings):
        channels.append(build_slack(settings, ctx, conversation))
    return channels


def settle_heap() -> None:
    """Call once start-up is done: the modules and caches loaded so far live as long as the
    process, so they are moved out of the cyclic garbage collector's generations. Without this,
    a collection triggered mid-request rescans them all (40 ms, on a 10,000-action summary)."""
    import gc

    gc.collect()
    gc.freeze()
