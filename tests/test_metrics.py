"""`GET /metrics` on a real `engagebot serve`: turns handled in the worker processes and the
reminders its scheduler sent, counted in the server's own process, scraped as Prometheus does."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import Result

from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import SECRET, payload, signed_headers
from tests.test_serve import _env, _free_port, _wait_until_up


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = httpx.get(f"{url}/metrics", timeout=10)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


TIMED = ("engagebot_turn_seconds_count", (("channel", "slack"), ("kind", "message")))


def test_metrics_count_turns_replies_reminders_and_the_outbox(
    tmp_path: Path, cli: Callable[..., Result], db_url: str
) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "Ref,Agreed Action,Responsible officer,Target Date\n"
        "M1,Publish the engagement register,Engagement Manager,23/11/2026\n",  # due today
        encoding="utf-8",
    )
    cli("import", str(plan))
    cli("people", "assign", "Engagement Manager", "--name", "Sam Patel", "--slack", "U0SAM")
    port = _free_port()
    with FakeSlack() as slack:
        env = _env(
            DATABASE_URL=db_url,
            ENGAGEBOT_NOW="2026-11-23T10:00",  # a Monday in working hours: the sweep sends
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            ENGAGEBOT_WORKERS="1",  # one worker process: counted in the server all the same
        )
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        log = (tmp_path / "serve.log").open("w")
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            slack.wait_for("chat.postMessage")  # the reminder run at start-up
            for text in ("plans", "mine"):  # "help" is answered by the adapter itself
                form = payload(
                    "slash_command", user="U0SAM", text=text, response_url=slack.response_url()
                )
                body = urlencode(form)
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    **signed_headers(body),
                }
                assert httpx.post(f"{url}/slack/events", content=body, headers=headers).is_success
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                metrics = scrape(url)
                if metrics.get(TIMED) == 2:  # both turns over
                    break
                time.sleep(0.2)
        finally:
            process.terminate()
            process.wait(timeout=20)
    turns = ("channel", "slack"), ("kind", "message")
    assert metrics[("engagebot_turns_total", turns)] == 2  # run in the workers, counted here
    assert metrics[("engagebot_turn_seconds_count", turns)] == 2
    assert metrics[("engagebot_replies_total", (("channel", "slack"),))] >= 2
    assert metrics[("engagebot_reminders_total", (("outcome", "sent"), ("via", "slack")))] == 1
    assert metrics[("engagebot_reminder_send_seconds_count", (("via", "slack"),))] == 1
    assert metrics[("engagebot_reminders_queued", (("state", "waiting"),))] == 0
    assert metrics[("engagebot_outbox_oldest_seconds", ())] == 0
    events = (("method", "POST"), ("route", "/slack/events"), ("status", "200"))
    assert metrics[("engagebot_http_request_seconds_count", events)] == 2
