"""APScheduler runs two periodic jobs: sweep (queue what is due) then deliver (send the queue),
every few minutes; and, every 30 seconds, deliver alone (what became due meanwhile: a message
released because its person wrote again, a reply a platform would not take at first).

Nothing is kept in the scheduler itself: what is due comes from the database on every run, so
stopping the process loses nothing, and the first run after a start catches up.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete

from handlers.chat import cards
from handlers.chat.context import AppContext
from models.db import disk_full, reason, transaction, unavailable
from models.scoping import ALL
from models.tables import HandledEvent
from reminders.delivery import Sender, deliver
from reminders.healthchecks import nudge_health_checks
from reminders.policy import Policy
from reminders.summaries import post_scheduled
from reminders.sweep import sweep

log = logging.getLogger(__name__)


HANDLED_EVENTS_KEPT = timedelta(days=7)  # Slack retries within minutes; a week is plenty
DELIVER_SECONDS = 30  # between sweeps, messages that became due are sent this often


def run_once(ctx: AppContext, policy: Policy, sender: Sender | Sequence[Sender]) -> None:
    """One sweep and one delivery run; errors are logged and the next run tries again.

    With several senders (Slack and Teams), each person's messages go by the first platform,
    in the senders' order, they have a chat id on (reminders/sweep.py)."""
    senders = [sender] if not isinstance(sender, Sequence) else list(sender)
    try:
        forget_old_events(ctx)
        report = sweep(ctx, policy, ",".join(s.via for s in senders))
        post_scheduled(ctx, policy)
        nudge_health_checks(ctx, policy, ",".join(s.via for s in senders))
        for one in senders:
            sent = deliver(ctx, one, [s.via for s in senders if s is not one])
            log.info(
                "sweep: %s queued; %s: %s sent, %s failed",
                report.queued,
                one.via,
                sent.sent,
                sent.failed,
            )
    except OSError as err:  # a platform unreachable: queued messages wait for the next run
        log.warning("reminder run stopped, the next run will try again: %s", _reason(err))
    except Exception as err:
        if disk_full(err):
            log.error("reminder run stopped: the database's disk is full: %s", reason(err))
            return
        if not unavailable(err):
            log.exception("reminder sweep failed; the next run will try again")
            return
        log.warning(
            "reminder run stopped, database unavailable; the next run will try again: %s",
            reason(err),
        )


def deliver_waiting(ctx: AppContext, sender: Sender | Sequence[Sender]) -> None:
    """Between sweeps: send what became due (a back-off over, a message released because its
    person wrote again, a reply the platform would not take at first). Nothing to do costs
    one query."""
    senders = [sender] if not isinstance(sender, Sequence) else list(sender)
    try:
        for one in senders:
            sent = deliver(ctx, one, [s.via for s in senders if s is not one])
            if sent.sent or sent.failed or sent.unreachable:
                log.info("%s: %s sent, %s failed", one.via, sent.sent, sent.failed)
    except Exception as err:  # the next run tries again
        if unavailable(err) or isinstance(err, OSError):
            log.warning("delivery run stopped, the next run will try again: %s", err)
        else:
            log.exception("delivery run failed; the next run will try again")


def _reason(err: OSError) -> str:
    """One line for a connection failure (urllib wraps the socket's error in `reason`)."""
    return str(getattr(err, "reason", None) or err)


def forget_old_events(ctx: AppContext) -> int:
    """Event ids are kept to spot redeliveries; after a week nothing will be redelivered.
    Kept cards go too once their buttons are months out of date."""
    table = HandledEvent.__table__  # type: ignore[attr-defined]
    with transaction(ctx.engine, ALL) as session:
        result = session.connection().execute(
            delete(table).where(table.c.handled_at < ctx.now() - HANDLED_EVENTS_KEPT)
        )
        cards.forget_old(session, ctx.now())
        return int(result.rowcount or 0)


def start(
    ctx: AppContext, policy: Policy, sender: Sender | Sequence[Sender], every_minutes: int
) -> BackgroundScheduler:
    """Start sweeping now and every `every_minutes`; one run at a time, missed runs merged."""
    scheduler = BackgroundScheduler(timezone=ctx.tz)
    scheduler.add_job(
        run_once,
        "interval",
        minutes=every_minutes,
        args=[ctx, policy, sender],
        id="reminder-sweep",
        next_run_time=datetime.now(ctx.tz),
        coalesce=True,
        max_instances=1,
    )
    scheduler.add_job(
        deliver_waiting,
        "interval",
        seconds=DELIVER_SECONDS,
        args=[ctx, sender],
        id="deliver-waiting",
        coalesce=True,
        max_instances=1,
    )
    scheduler.start()
    return scheduler
