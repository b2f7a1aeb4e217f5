"""A real delivering process (`engagebot remind --now`) is SIGKILLed mid-delivery, then the
next run recovers. Counted from what the fake Slack accepted: no officer's reminder is lost,
and only the message in flight at the kill (sent, not yet marked sent: the documented crash
window) may arrive twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from handlers.chat.context import AppContext
from tests.conftest import NOW
from tests.fakes.slack_api import Call, FakeSlack
from tests.reliability.officers import make_officers
from tests.reliability.profile import LONG, scale
from tests.reliability.tally import TALLY

ROOT = Path(__file__).resolve().parents[2]
CATEGORY = "fault: SIGKILL mid-delivery (remind --now)"
ITEM_13 = "item 13 (ops): a delivery run claims the whole outbox"
WINDOW = "duplicates allowed: the one message in flight per kill (documented crash window)"
IN_FLIGHT = 0.5  # seconds the fake Slack takes to accept each message: time to be killed in


def remind_now(db_url: str, api_url: str, at: str, folder: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    env |= {
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        "DATABASE_URL": db_url,
        "ENGAGEBOT_NOW": at,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_API_URL": api_url,
    }
    command = [sys.executable, "-m", "bot", "remind", "--now"]
    return subprocess.Popen(
        command, env=env, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def kill_mid_delivery(
    db_url: str, slack: FakeSlack, at: datetime, folder: Path, killed_at: int
) -> Call:
    """Run `remind --now` and SIGKILL it while its `killed_at`-th message is being posted (the
    fake has it, the process has not marked it sent); that message, once it has landed."""
    calls = len(slack.of("chat.postMessage"))
    slack.delays["chat.postMessage"] = IN_FLIGHT
    process = remind_now(db_url, slack.api_url, at.isoformat(), folder)
    try:
        in_flight = slack.wait_for("chat.postMessage", calls + killed_at, timeout=60)[-1]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    time.sleep(IN_FLIGHT + 0.2)  # the message in flight lands all the same
    slack.delays.clear()
    return in_flight


def test_a_killed_delivery_loses_nothing_and_doubles_only_the_message_in_flight(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    officers = make_officers(ctx, tmp_path, scale(5, 12), "slack")
    chooser = random.Random(None if LONG else 12)  # where the kill lands: fixed in CI
    with FakeSlack() as slack:
        for week in range(scale(1, 4)):
            at = NOW + timedelta(days=7 * week)
            before = len(slack.delivered())
            killed_at = chooser.randint(1, len(officers) - 1)
            in_flight = kill_mid_delivery(db_url, slack, at, tmp_path, killed_at)
            later = at + timedelta(minutes=11)  # the killed run's claim has gone stale
            second = remind_now(db_url, slack.api_url, later.isoformat(), tmp_path)
            _, err = second.communicate(timeout=60)
            reached = Counter(str(c.params["channel"]) for c in slack.delivered()[before:])
            lost = sum(1 for o in officers if reached[o.place] == 0)
            duplicated = sum(n - 1 for n in reached.values() if n > 1)
            failed = 1 if second.returncode != 0 else 0
            TALLY.record(
                CATEGORY,
                tried=len(officers),
                failed=failed,
                lost=lost,
                duplicated=duplicated,
                note=WINDOW,
            )
            assert second.returncode == 0, err.decode()
            assert lost == 0, reached
            twice = [place for place, n in reached.items() if n > 1]
            assert twice in ([], [in_flight.params["channel"]]), reached  # only the one in flight


@pytest.mark.xfail(reason=ITEM_13, strict=False)
def test_the_next_run_sends_what_a_killed_run_had_not_reached(
    ctx: AppContext, db_url: str, tmp_path: Path
) -> None:
    """A minute after the kill, not ten: only the message in flight may wait for its claim."""
    officers = make_officers(ctx, tmp_path, 4, "slack")
    category = "fault: SIGKILL, next run a minute later"
    TALLY.record(category, note="xfail: " + ITEM_13)
    with FakeSlack() as slack:
        in_flight = kill_mid_delivery(db_url, slack, NOW, tmp_path, killed_at=1)
        in_flight_place = in_flight.params["channel"]
        a_minute_later = (NOW + timedelta(minutes=1)).isoformat()
        second = remind_now(db_url, slack.api_url, a_minute_later, tmp_path)
        second.communicate(timeout=60)
        reached = Counter(str(c.params["channel"]) for c in slack.delivered())
    late = [o.place for o in officers if reached[o.place] == 0 and o.place != in_flight_place]
    TALLY.record(category, tried=len(officers), failed=len(late))  # late: sent 10 minutes on
    assert late == []
