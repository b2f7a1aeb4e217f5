"""`engagebot serve`: every configured channel on one HTTP port, with the reminder scheduler.

`engagebot serve slack` serves Slack alone (or over Socket Mode with --socket).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import app, context, fail

if TYPE_CHECKING:
    from bot.channels.slack import SlackChannel
    from bot.server import Channel
    from bot.settings import Settings
    from handlers.chat.context import AppContext

serve_app = typer.Typer(
    help="Run the bot: every configured channel on one port, or one channel by name.",
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)
app.add_typer(serve_app, name="serve")

PortOption = Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")]


@serve_app.callback()
def serve_all(ctx: typer.Context, port: PortOption = None) -> None:
    """Serve every configured channel (today: Slack) on one port: POST /slack/events."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.app import build_channels, slack_missing

    settings = _settings()
    app_ctx = context()
    channels = build_channels(settings, app_ctx)
    if not channels:
        fail(
            "No channel is configured. For Slack, set "
            f"{' and '.join(slack_missing(settings))} in the environment (see README, 'Slack')."
        )
    _run(settings, app_ctx, channels, port)


@serve_app.command("slack")
def serve_slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN), no public URL.")
    ] = False,
    port: PortOption = None,
) -> None:
    """Serve Slack alone: every request on POST /slack/events (or over Socket Mode)."""
    from bot.app import build_slack, slack_missing

    settings = _settings()
    missing = slack_missing(settings, socket=socket)
    if missing:
        fail(f"Set {' and '.join(missing)} in the environment (see README, 'Slack').")
    app_ctx = context()
    channel = build_slack(settings, app_ctx)
    if socket:
        _socket_mode(settings, app_ctx, channel)
        return
    _run(settings, app_ctx, [channel], port)


def _settings() -> Settings:
    import logging

    from bot.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return Settings()


def _start_reminders(settings: Settings, ctx: AppContext, channels: list[Channel]) -> None:
    """The scheduler sweeps and sends through the first channel that can send first."""
    from bot.channels.slack import SlackChannel, SlackSender
    from reminders.scheduler import start

    for channel in channels:
        if isinstance(channel, SlackChannel):
            start(ctx, settings.policy(), SlackSender(channel.client), settings.sweep_minutes)
            return


def _run(settings: Settings, ctx: AppContext, channels: list[Channel], port: int | None) -> None:
    from bot.app import settle_heap
    from bot.server import serve

    _start_reminders(settings, ctx, channels)
    settle_heap()
    port = port or settings.port
    names = ", ".join(c.name for c in channels)
    typer.echo(f"engagebot serves {names} on http://0.0.0.0:{port} (Slack: /slack/events)")
    serve(channels, port=port, workers=settings.workers)


def _socket_mode(settings: Settings, ctx: AppContext, channel: SlackChannel) -> None:
    import asyncio

    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.server import make_pool

    _start_reminders(settings, ctx, [channel])
    pool = make_pool(settings.workers)
    channel.bind(pool)

    async def connect() -> None:
        await AsyncSocketModeHandler(channel.app, settings.slack_app_token).start_async()  # type: ignore[no-untyped-call]

    typer.echo("engagebot is connected to Slack over Socket Mode. Ctrl-C stops it.")
    try:
        asyncio.run(connect())
    except KeyboardInterrupt:
        pass
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
