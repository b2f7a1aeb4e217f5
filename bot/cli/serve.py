"""`engagebot serve`: every configured channel on one HTTP port, with the reminder scheduler.

`engagebot serve slack` serves Slack alone (or over Socket Mode with --socket);
`engagebot serve teams` serves Microsoft Teams alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.output import say
from bot.cli.root import app, context, fail, load_settings
from bot.metrics import MeteredCore, MeteredSender, Metrics

if TYPE_CHECKING:
    from bot.channels.slack import SlackChannel
    from bot.public_web import PublicPage
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
HostOption = Annotated[
    str,
    typer.Option(
        envvar="ENGAGEBOT_HOST",
        help="Address to listen on: 127.0.0.1 (the default) is this machine only, behind a "
        "reverse proxy; 0.0.0.0 is every interface.",
    ),
]
LOCAL = "127.0.0.1"


@serve_app.callback()
def serve_all(ctx: typer.Context, port: PortOption = None, host: HostOption = LOCAL) -> None:
    """Serve every configured channel on one port: Slack (POST /slack/events), Teams
    (POST /api/messages)."""
    if ctx.invoked_subcommand is not None:
        return
    from bot.app import (
        SetupError,
        build_channels,
        build_core,
        build_public,
        slack_missing,
        teams_configured,
        teams_missing,
    )

    settings = _settings()
    if slack_missing(settings) and not teams_configured(settings):
        fail(
            "No channel is configured. For Slack, set "
            f"{' and '.join(slack_missing(settings))}; for Teams, set "
            f"{' and '.join(teams_missing(settings))} (see docs/slack.md and docs/teams.md)."
        )
    where = _address(host, port or settings.port)
    app_ctx = context(serving=True)
    _check_setup(settings, app_ctx)
    metrics = Metrics(app_ctx)
    public = build_public(settings, app_ctx, processes=True)  # boots while the core's do
    core = MeteredCore(build_core(settings, app_ctx), metrics)
    try:
        try:
            channels = build_channels(settings, core, app_ctx)
        except SetupError as err:
            fail(f"engagebot: {err}")
        _run(settings, app_ctx, channels, where, metrics, public)
    finally:
        core.close()


@serve_app.command("slack")
def serve_slack(
    socket: Annotated[
        bool, typer.Option("--socket", help="Socket Mode (needs SLACK_APP_TOKEN), no public URL.")
    ] = False,
    port: PortOption = None,
    host: HostOption = LOCAL,
) -> None:
    """Serve Slack alone: every request on POST /slack/events (or over Socket Mode)."""
    from bot.app import SetupError, build_core, build_public, build_slack, slack_missing

    settings = _settings()
    missing = slack_missing(settings, socket=socket)
    if missing:
        fail(f"Set {' and '.join(missing)} in the environment (see docs/slack.md).")
    where = None if socket else _address(host, port or settings.port)
    app_ctx = context(serving=True)
    _check_setup(settings, app_ctx)
    metrics = Metrics(app_ctx)
    public = None if where is None else build_public(settings, app_ctx, processes=True)
    core = MeteredCore(build_core(settings, app_ctx), metrics)
    try:
        try:
            channel = build_slack(settings, core, app_ctx)
        except SetupError as err:
            fail(f"engagebot: {err}")
        if where is None:
            _socket_mode(settings, app_ctx, channel)
        else:
            _run(settings, app_ctx, [channel], where, metrics, public)
    finally:
        core.close()


@serve_app.command("teams")
def serve_teams(port: PortOption = None, host: HostOption = LOCAL) -> None:
    """Serve Microsoft Teams alone: every activity on POST /api/messages."""
    from bot.app import build_core, build_public, build_teams, teams_missing

    settings = _settings()
    missing = teams_missing(settings)
    if missing:
        fail(
            f"Set {' and '.join(missing)} in the environment, or TEAMS_ANONYMOUS=1 for a local "
            "try-out (see docs/teams.md)."
        )
    where = _address(host, port or settings.port)
    app_ctx = context(serving=True)
    metrics = Metrics(app_ctx)
    public = build_public(settings, app_ctx, processes=True)
    core = MeteredCore(build_core(settings, app_ctx), metrics)
    try:
        _run(settings, app_ctx, [build_teams(settings, core)], where, metrics, public)
    finally:
        core.close()


@serve_app.command("public")
def serve_public(port: PortOption = None, host: HostOption = LOCAL) -> None:
    """Serve the public engagement page alone: /engage/ (and /engage/<org>/ for each council)."""
    settings = _settings()
    if not settings.public_url and not ipaddress_is_loopback(host):
        fail(
            "Set ENGAGEBOT_PUBLIC_URL to the page's public address (e.g. "
            "https://engage.council.gov.uk): the feed, the open data and e-mails link to it, and "
            "the address a visitor's browser sends can't be trusted. Or serve this machine only: "
            "--host 127.0.0.1."
        )
    where = _address(host, port or settings.port)
    app_ctx = context(serving=True)
    _run(settings, app_ctx, [], where, Metrics(app_ctx), reminders=False)


def _address(host: str, port: int) -> tuple[str, int]:
    """Check the address can be listened on before anything starts (no database upgrade, no
    worker, no reminder sweep): a busy port is one line, not a traceback after a sweep."""
    import errno
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError, OverflowError) as err:
        fail(f"engagebot: can't listen on '{host}' port {port} ({err}). Nothing was started.")
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                fail(
                    f"engagebot: port {port} on {host} is in use (is engagebot already "
                    "running?). Nothing was started. Stop the other program, or choose "
                    "another port with --port or PORT."
                )
            fail(f"engagebot: can't listen on {host}:{port} ({err.strerror}). Nothing was started.")
    if not ipaddress_is_loopback(host):
        say(
            f"engagebot: warning: listening on {host}, so other machines can reach it directly. "
            "In production keep the default (127.0.0.1) behind a reverse proxy that holds "
            "the TLS certificate (docs/operations.md).",
            err=True,
        )
    return host, port


def ipaddress_is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from outside


def _check_setup(settings: Settings, ctx: AppContext) -> None:
    """Before any worker starts: a token key that is missing or wrong is said in one line."""
    from bot.app import SetupError, slack_oauth

    try:
        slack_oauth(settings, ctx)
    except SetupError as err:
        fail(f"engagebot: {err}")


def _settings() -> Settings:
    import logging

    from bot import logs

    settings = load_settings()
    logs.configure(settings.log_level, settings.log_format)
    if settings.fixed_now is not None:
        logging.getLogger("engagebot").warning(
            "ENGAGEBOT_NOW is set: the clock starts at %s and runs on from there (a "
            "rehearsal). Unset it in production.",
            settings.fixed_now.isoformat(timespec="minutes"),
        )
    return settings


def _start_reminders(
    settings: Settings, ctx: AppContext, channels: list[Channel], metrics: Metrics | None = None
) -> None:
    """The scheduler sweeps and sends through every channel that can send first (Slack, then
    Teams): each person by the first of them they have a chat id on."""
    from bot.app import teams_sender
    from bot.channels.slack import SlackChannel, SlackSender
    from bot.channels.teams import TeamsChannel
    from reminders.delivery import Sender
    from reminders.scheduler import start

    senders: list[Sender] = []
    for channel in channels:
        if isinstance(channel, SlackChannel):
            senders.append(SlackSender(channel.client, channel.tokens))
        elif isinstance(channel, TeamsChannel):
            senders.append(teams_sender(settings, ctx))
    if metrics is not None:  # each delivery counted for /metrics
        senders = [MeteredSender(sender, metrics) for sender in senders]
    if senders:
        start(ctx, settings.policy(), senders, settings.sweep_minutes)


def _run(
    settings: Settings,
    ctx: AppContext,
    channels: list[Channel],
    address: tuple[str, int],
    metrics: Metrics,
    public: PublicPage | None = None,
    *,
    reminders: bool = True,
) -> None:
    """Serve `channels`, the public engagement page and /metrics on one port."""
    import logging
    from functools import partial

    from bot.app import build_public, settle_heap, start_mail
    from bot.server import serve
    from models.db import readiness

    public = public or build_public(settings, ctx, processes=True)
    _check_slack(settings, channels)
    if reminders:
        _start_reminders(settings, ctx, channels, metrics)
    public.wake = start_mail(settings, ctx) if settings.mail_on else None
    if not settings.public_url:
        logging.getLogger("engagebot").warning(
            "ENGAGEBOT_PUBLIC_URL is not set: the public page's feed and open data link to the "
            "address this server listens on. Set it to the page's public address."
        )
    public.wait_until_ready()
    settle_heap()
    host, port = address
    served = [*channels, public, metrics]
    names = ", ".join(c.name for c in served)
    paths = {
        "slack": "Slack: /slack/events"
        + (", install: /slack/install" if _installs(channels) else ""),
        "teams": "Teams: /api/messages",
    }
    where = ", ".join(
        [*(paths[c.name] for c in channels if c.name in paths), "page: /engage/", "/metrics"]
    )
    shown = f"[{host}]" if ":" in host else host
    say(f"engagebot serves {names} on http://{shown}:{port} ({where})")
    serve(served, host=host, port=port, ready=partial(readiness, ctx.engine))


def _check_slack(settings: Settings, channels: list[Channel]) -> None:
    """Ask Slack who the bot is before serving. If it does not answer, say so in one line and
    serve anyway: /healthz and the other channels keep working, Slack requests are still
    acknowledged and their updates saved, and Slack is asked again every minute."""
    from bot.channels.slack import SlackChannel

    for channel in channels:
        if isinstance(channel, SlackChannel) and settings.slack_bot_token:
            problem = channel.identity.check(settings.slack_api_url)
            if problem:
                say(
                    f"engagebot: {problem}. Serving anyway; Slack's replies wait until it "
                    "answers (asked again every minute).",
                    err=True,
                )


def _installs(channels: list[Channel]) -> bool:
    """Slack is installed by link here (/slack/install)."""
    from bot.channels.slack import SlackChannel

    return any(isinstance(c, SlackChannel) and c.installs is not None for c in channels)


def _socket_mode(settings: Settings, ctx: AppContext, channel: SlackChannel) -> None:
    import asyncio
    import contextlib

    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    problem = channel.identity.check(settings.slack_api_url)
    if problem:  # Socket Mode is a connection to Slack: nothing to serve without it
        fail(f"{problem}. Socket Mode needs Slack: start again once it answers.")
    _start_reminders(settings, ctx, [channel])

    async def connect() -> None:
        await AsyncSocketModeHandler(channel.app, settings.slack_app_token).start_async()  # type: ignore[no-untyped-call]

    say("engagebot is connected to Slack over Socket Mode. Ctrl-C stops it.")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how it is stopped
        asyncio.run(connect())
