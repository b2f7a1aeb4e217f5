"""`engagebot serve slack`: the bot in Slack, with the reminder scheduler."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import context, fail, group

if TYPE_CHECKING:
    pass

serve_app = group("serve", "Run the bot on a chat platform.")


@serve_app.command("slack")
def serve_slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN), no public URL.")
    ] = False,
    port: Annotated[int | None, typer.Option(help="HTTP port (default: $PORT or 3000).")] = None,
) -> None:
    """Serve Slack: every request on POST /slack/events (or over Socket Mode)."""
    import logging

    from bot.app import build_slack, slack_wsgi
    from bot.server import make_server
    from bot.settings import Settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings()
    missing = [
        name
        for name, value in (
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            (
                "SLACK_APP_TOKEN" if socket else "SLACK_SIGNING_SECRET",
                settings.slack_app_token if socket else settings.slack_signing_secret,
            ),
        )
        if not value
    ]
    if missing:
        fail(f"Set {' and '.join(missing)} in the environment (see README, 'Slack').")
    ctx = context()
    channel = build_slack(settings, ctx)
    from bot.channels.slack import SlackSender
    from reminders.scheduler import start

    start(ctx, settings.policy(), SlackSender(channel.client), settings.sweep_minutes)
    if socket:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        typer.echo("engagebot is connected to Slack over Socket Mode. Ctrl-C stops it.")
        SocketModeHandler(channel.app, settings.slack_app_token).start()  # type: ignore[no-untyped-call]
        return
    from bot.app import settle_heap

    settle_heap()
    server = make_server(slack_wsgi(channel), port=port or settings.port)
    typer.echo(f"engagebot serves Slack on http://0.0.0.0:{port or settings.port}/slack/events")
    server.run()
