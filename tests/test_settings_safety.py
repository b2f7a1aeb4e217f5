"""Settings that could be turned against the council: where the bot token goes, and a clock
fixed for a rehearsal left on a server."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import build_context
from bot.settings import Settings
from tests.slack_harness import SECRET
from tests.test_serve import _env, _free_port

NOW = "2026-11-23T10:00"


def _engagebot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=_env(**env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "url",
    ["http://slack.example.org/api/", "ftp://127.0.0.1/api/", "//evil.example/api/"],
)
def test_a_dotenv_cannot_send_the_bot_token_over_plain_http(
    tmp_path: Path, db_url: str, url: str
) -> None:
    # A .env left in the working directory, as an attacker or a careless copy would leave it.
    (tmp_path / ".env").write_text(f"SLACK_API_URL={url}\n", encoding="utf-8")
    done = _engagebot(
        "serve",
        "slack",
        "--port",
        str(_free_port()),
        cwd=tmp_path,
        DATABASE_URL=db_url,
        SLACK_BOT_TOKEN="xoxb-secret",
        SLACK_SIGNING_SECRET=SECRET,
    )
    assert done.returncode == 1
    assert "configuration problem: SLACK_API_URL" in done.stderr and "https://" in done.stderr
    assert "SLACK_API_URL" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "url", ["https://slack.com/api/", "http://127.0.0.1:8765/api/", "http://localhost/api/"]
)
def test_https_or_this_machine_is_accepted(url: str) -> None:
    assert Settings(SLACK_API_URL=url).slack_api_url == url


def test_a_fixed_clock_under_serve_runs_on_and_is_warned_about(tmp_path: Path, db_url: str) -> None:
    settings = Settings(DATABASE_URL=db_url, ENGAGEBOT_NOW=datetime.fromisoformat(NOW))
    served = build_context(settings, serving=True)
    first = served.now()
    time.sleep(0.05)
    assert served.now() > first  # claims go stale and locks expire, as on a real day
    assert first.isoformat().startswith("2026-11-23T10:00")
    command = build_context(settings)  # a one-off command keeps the fixed time
    assert command.now() == command.now()

    done = _engagebot("serve", "--port", "1", cwd=tmp_path, DATABASE_URL=db_url, ENGAGEBOT_NOW=NOW)
    # No channel configured, so it stops at once, but only after the warning.
    assert "ENGAGEBOT_NOW is set" in done.stderr and "Unset it in production" in done.stderr
