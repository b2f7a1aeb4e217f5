"""The composition root: settings in, a ready context out. Nothing else builds engines or clocks."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Executor
from functools import partial
from typing import TYPE_CHECKING

from bot.settings import Settings
from handlers.chat.clock import Clock, FixedClock, RehearsalClock, SystemClock
from handlers.chat.context import AppContext
from models.db import make_engine, upgrade

if TYPE_CHECKING:
    from sqlmodel import Session

    from bot.channels.slack import SlackChannel, SlackSender
    from bot.channels.slack_install import OAuthSetup, SlackTokens
    from bot.channels.teams import TeamsAuth, TeamsChannel, TeamsSender
    from bot.conversation import Conversation
    from bot.core import Core, CoreInProcesses
    from bot.mail import SmtpTransport
    from bot.public_web import PublicPage
    from bot.server import Channel
    from handlers.chat.installations import Installed
    from handlers.subscriptions.links import Links
    from models.tables import Organisation
    from reminders.mail import MailReport


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
        attachment_limit=settings.attachment_limit,
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


class SetupError(ValueError):
    """A setting the product cannot start with, in one line that says how to fix it."""


def slack_installs(settings: Settings) -> bool:
    """Slack is installed by link (OAuth), in as many workspaces as install it."""
    return bool(settings.slack_client_id or settings.slack_client_secret)


def slack_missing(settings: Settings, *, socket: bool = False) -> list[str]:
    """The settings Slack still needs, by their environment names."""
    if socket:  # Socket Mode apps are not installed by link: one workspace, one token
        needed = [("SLACK_BOT_TOKEN", settings.slack_bot_token)]
        needed.append(("SLACK_APP_TOKEN", settings.slack_app_token))
    elif slack_installs(settings):
        needed = [
            ("SLACK_CLIENT_ID", settings.slack_client_id),
            ("SLACK_CLIENT_SECRET", settings.slack_client_secret),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        ]  # ENGAGEBOT_TOKEN_KEY is checked, and explained, by slack_oauth
    else:
        needed = [
            ("SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("SLACK_SIGNING_SECRET", settings.slack_signing_secret),
        ]
    return [name for name, value in needed if not value]


def slack_oauth(settings: Settings, ctx: AppContext) -> OAuthSetup | None:
    """How installs by link are kept, or None for a one-token set-up. Raises SetupError when
    the key that seals the tokens is missing, malformed, or not the one they were sealed with."""
    if not slack_installs(settings):
        return None
    from functools import partial

    from bot.channels.slack_install import PLATFORM, OAuthSetup
    from handlers.chat.installations import Installations
    from handlers.chat.sealing import Sealer, SealError

    if not settings.token_key:
        raise SetupError(
            "ENGAGEBOT_TOKEN_KEY is not set: it encrypts each Slack workspace's tokens at "
            "rest. Make one with `engagebot keys new` and keep it with your other secrets."
        )
    try:
        sealer = Sealer(settings.token_key)
    except SealError as err:
        raise SetupError(
            f"ENGAGEBOT_TOKEN_KEY is wrong: {err}. Make one with `engagebot keys new`."
        ) from None
    installations = Installations(ctx.engine, sealer, PLATFORM)
    problem = installations.key_problem()
    if problem:
        raise SetupError(
            f"ENGAGEBOT_TOKEN_KEY is wrong: {problem}. Set the key they were saved with "
            "(a new key may come first: NEW,OLD)."
        )
    return OAuthSetup(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        installations=installations,
        admit=partial(_admit, ctx, create=settings.slack_new_workspaces == "create"),
        clock=ctx.now,
        redirect_uri=settings.slack_redirect_uri,
    )


def _admit(ctx: AppContext, session: Session, installed: Installed, *, create: bool) -> str:
    """The organisation a newly installed Slack workspace belongs to ("" while it waits)."""
    from handlers.plans.organisations import admit

    admission = admit(
        session,
        installed.platform,
        installed.workspace,
        installed.name,
        installed.installer_user_id,
        ctx.now(),
        create=create,
    )
    return admission.org


def slack_tokens(settings: Settings, oauth: OAuthSetup | None) -> SlackTokens | None:
    """Each installed workspace's token, for reminders and e-mail look-ups (None: one token)."""
    if oauth is None:
        return None
    from bot.channels.slack import make_client
    from bot.channels.slack_install import SlackTokens

    fallback = (
        make_client(settings.slack_bot_token, settings.slack_api_url)
        if settings.slack_bot_token
        else None
    )
    return SlackTokens(
        oauth.installations,
        lambda token: make_client(token, settings.slack_api_url),
        oauth.clock,
        oauth.client_id,
        oauth.client_secret,
        fallback,
    )


def slack_sender(settings: Settings, ctx: AppContext) -> SlackSender:
    """Reminders into Slack, each with its workspace's token."""
    from bot.channels.slack import SlackSender, make_client

    tokens = slack_tokens(settings, slack_oauth(settings, ctx))
    return SlackSender(make_client(settings.slack_bot_token, settings.slack_api_url), tokens)


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
    if settings.slack_bot_token or slack_installs(settings):
        from bot.channels.slack import SlackDirectory, make_client

        client = make_client(settings.slack_bot_token, settings.slack_api_url)
        tokens = slack_tokens(settings, slack_oauth(settings, ctx))
        conversation.add_directory("slack", SlackDirectory(client, tokens=tokens))
    if teams_configured(settings):
        from bot.channels.teams import TeamsDirectory

        conversation.add_directory("teams", TeamsDirectory(teams_auth(settings)))
    return conversation


def worker_conversation(database_url: str) -> Conversation:
    """A core worker process's own core (bot/core.py): settings from the same environment,
    the schema already upgraded by the server that started it."""
    return build_conversation(Settings(), _worker_context(database_url))


def _worker_context(database_url: str) -> AppContext:
    """A worker process's context: settings and logging from the same environment as its
    server's, the schema already upgraded by the server."""
    from bot import logs

    settings = Settings()
    logs.configure(settings.log_level, settings.log_format)
    return AppContext(
        engine=make_engine(database_url),
        clock=make_clock(settings, serving=True),
        tz=settings.tz,
        flowchart=settings.consult_flowchart,
        attachment_limit=settings.attachment_limit,
        public_url=settings.public_url,
    )


def build_core(settings: Settings, ctx: AppContext) -> CoreInProcesses:
    """The core in worker processes over the same database, started (all at once) and ready;
    how long that took and each worker's memory go to the log."""
    import logging
    import time

    from bot.core import CoreInProcesses

    started = time.monotonic()
    url = ctx.engine.url.render_as_string(hide_password=False)
    core = CoreInProcesses(
        worker_conversation, (url,), workers=settings.workers, stall_seconds=settings.stall_seconds
    )
    core.warm_up()
    sizes = ", ".join(
        f"pid {pid} {mb:.0f} MB" if mb is not None else f"pid {pid}" for pid, mb in core.memory()
    )
    logging.getLogger("engagebot").info(
        "%d core workers ready in %.1f s: %s", settings.workers, time.monotonic() - started, sizes
    )
    return core


def build_slack(settings: Settings, core: Core, ctx: AppContext) -> SlackChannel:
    """The Slack channel over the conversation core (installed by link when the app's OAuth
    credentials are set; raises SetupError if its token key is missing or wrong)."""
    from bot.channels.slack import SlackChannel, make_async_client, make_client

    oauth = slack_oauth(settings, ctx)
    return SlackChannel(
        core,
        make_client(settings.slack_bot_token, settings.slack_api_url),
        settings.slack_signing_secret,
        make_async_client(settings.slack_bot_token, settings.slack_api_url),
        oauth=oauth,
        tokens=slack_tokens(settings, oauth),
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


def build_channels(settings: Settings, core: Core, ctx: AppContext) -> list[Channel]:
    """Every channel whose settings are present, over one conversation core."""
    channels: list[Channel] = []
    if not slack_missing(settings):
        channels.append(build_slack(settings, core, ctx))
    if teams_configured(settings):
        channels.append(build_teams(settings, core))
    return channels


def build_public(
    settings: Settings,
    ctx: AppContext,
    wake: Callable[[], None] | None = None,
    *,
    processes: bool = False,
) -> PublicPage:
    """The public engagement page, served at /engage/ beside the channels; with `processes`,
    drawn in ENGAGEBOT_PUBLIC_WORKERS worker processes (started now), off the server's loop."""
    from bot.public_web import PublicPage

    pool = None
    if processes:
        url = ctx.engine.url.render_as_string(hide_password=False)
        pool = partial(_worker_pool, public_worker, (url,), settings.public_workers)
    page = PublicPage(
        ctx,
        council=settings.council_name,
        logo=settings.council_logo,
        org=settings.public_org,
        public_url=settings.public_url,
        feedback_days=settings.feedback_within_days,
        mail=settings.mail_on,
        wake=wake,
        processes=pool,
    )
    if processes:
        page.booting = page.pool.submit(os.getpid)  # boot it now, beside the core's workers
    return page


def public_worker(database_url: str) -> PublicPage:
    """A public page worker process's own page (bot/public_web.py), drawn in that process."""
    return build_public(Settings(), _worker_context(database_url))


def _worker_pool(factory: Callable[..., object], args: tuple[object, ...], size: int) -> Executor:
    """Worker processes that build `factory(*args)` and are called through bot.worker."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from bot.worker import name_of, start

    return ProcessPoolExecutor(
        max_workers=size,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=start,
        initargs=(os.getpid(), name_of(factory), args),
    )


def smtp_transport(settings: Settings) -> SmtpTransport:
    from bot.mail import SmtpTransport

    return SmtpTransport(
        settings.smtp_host,
        settings.smtp_port,
        security=settings.smtp_security,
        user=settings.smtp_user,
        password=settings.smtp_password,
        sender=settings.mail_from,
    )


def mail_links(settings: Settings, ctx: AppContext) -> Callable[[Organisation], Links | None]:
    """Where each organisation's e-mails link: its page under ENGAGEBOT_PUBLIC_URL."""
    from handlers.plans.branding import branding_of
    from handlers.plans.organisations import default_slug
    from handlers.subscriptions.links import Links
    from models.db import transaction
    from models.scoping import ALL

    def links_for(org: Organisation) -> Links | None:
        if not settings.public_url:
            return None
        with transaction(ctx.engine, ALL) as session:
            home = settings.public_org or default_slug(session)
        ours = org.slug == home
        path = "/engage/" if ours else f"/engage/{org.slug}/"
        council = settings.council_name if ours else ""
        return Links(settings.public_url + path, branding_of(org).languages[0], council)

    return links_for


def send_mail_now(settings: Settings, ctx: AppContext) -> MailReport:
    """One run of the residents' e-mail: queue what events call for, send what waits."""
    from reminders.mail import run

    domain = settings.mail_from.rpartition("@")[2] or "engagebot.invalid"
    return run(ctx.engine, smtp_transport(settings), mail_links(settings, ctx), ctx.now, domain)


def start_mail(settings: Settings, ctx: AppContext) -> Callable[[], None]:
    """Send residents' e-mail every ENGAGEBOT_MAIL_EVERY_SECONDS; returns 'run now'."""
    import logging

    from bot.mail import start_mail_job
    from models.db import reason, unavailable

    log = logging.getLogger("engagebot.mail")

    def job() -> None:
        try:
            report = send_mail_now(settings, ctx)
            if report.queued or report.sent or report.failed:
                log.info(
                    "mail: %s queued, %s sent, %s failed", report.queued, report.sent, report.failed
                )
        except Exception as err:
            if not unavailable(err):
                log.exception("sending residents' e-mail failed; the next run tries again")
                return
            log.warning("mail run stopped, database unavailable: %s", reason(err))

    return start_mail_job(settings.mail_every_seconds, job)


def settle_heap() -> None:
    """Call once start-up is done: the modules and caches loaded so far live as long as the
    process, so they are moved out of the cyclic garbage collector's generations. Without this,
    a collection triggered mid-request rescans them all (40 ms, on a 10,000-action summary)."""
    import gc

    gc.collect()
    gc.freeze()
