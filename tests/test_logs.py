"""What `engagebot serve` writes to its log: one line per record, no secrets, no bodies."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import httpx
import pytest

from bot import logs
from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import SECRET
from tests.test_serve import _env, _free_port, _wait_until_up

TOKEN = "xoxb-1234567890-0987654321-SeCrEtSeCrEtSeCrEt"


@pytest.fixture
def out() -> Iterator[StringIO]:
    """Logging configured as `serve` does, into a string; put back as it was afterwards."""
    root, sdk = logging.getLogger(), logging.getLogger("slack_sdk")
    saved = (root.handlers[:], root.level, sdk.level)
    yield StringIO()
    root.handlers[:], root.level = saved[0], saved[1]
    sdk.setLevel(saved[2])


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_serve_logs_json_lines_and_a_forged_5_mb_body_adds_at_most_one(
    tmp_path: Path, db_url: str
) -> None:
    port = _free_port()
    log_file = tmp_path / "serve.log"
    with FakeSlack() as slack, log_file.open("w") as log:
        env = _env(
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            ENGAGEBOT_WORKERS="1",
            ENGAGEBOT_LOG_FORMAT="json",
        )
        command = [sys.executable, "-m", "bot", "serve", "slack", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=log)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            time.sleep(0.5)
            before = len(_lines(log_file))
            headers = {
                "X-Slack-Request-Timestamp": str(int(time.time())),
                "X-Slack-Signature": "v0=0",
            }
            for size in (900_000, 5_000_000):  # under and over the 1 MB a request may be
                body = "payload=" + "A" * size
                answer = httpx.post(f"{url}/slack/events", content=body, headers=headers)
                assert answer.status_code in (401, 413)
            time.sleep(0.5)
            added = _lines(log_file)[before:]
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert len(added) <= 2, added  # at most one line for each forged request
    everything = log_file.read_text(encoding="utf-8")
    assert TOKEN not in everything and "SeCrEt" not in everything
    assert log_file.stat().st_size < 50_000  # no body reached the log
    for line in _lines(log_file):
        if line.startswith("{"):
            entry = json.loads(line)
            assert {"time", "level", "logger", "message"} <= entry.keys()


def test_a_bug_keeps_its_traceback_on_the_same_line_and_secrets_are_masked(
    out: StringIO,
) -> None:
    logs.configure("INFO", "text", stream=out)
    log = logging.getLogger("engagebot.test")
    log.warning("calling Slack with %s", TOKEN)
    log.info("database at postgresql+psycopg://engagebot:hunter2@db.internal/engagebot")
    log.info("Authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl")
    try:
        raise RuntimeError("a genuine bug\nover two lines")
    except RuntimeError:
        log.exception("turn failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    assert TOKEN not in out.getvalue() and "hunter2" not in out.getvalue()
    assert "postgresql+psycopg://engagebot:***@db.internal" in lines[1]
    assert "Bearer …" in lines[2] and "eyJ" not in lines[2]
    assert "turn failed | Traceback" in lines[3] and "RuntimeError: a genuine bug" in lines[3]


def test_json_lines_carry_the_traceback_in_its_own_field(out: StringIO) -> None:
    logs.configure("INFO", "json", stream=out)
    try:
        {}["missing"]
    except KeyError:
        logging.getLogger("engagebot.test").exception("turn failed")
    [line] = out.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["message"] == "turn failed" and entry["level"] == "ERROR"
    assert "KeyError: 'missing'" in entry["traceback"]


def test_logging_follows_standard_error_when_a_harness_swaps_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CLI harness (a test runner, an embedding program) swaps standard error in and out
    and closes its own: records logged afterwards reach the standard error of their time, never
    "--- Logging error --- I/O operation on closed file" in someone else's output."""
    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    logs.configure("INFO")
    first.close()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("engagebot.db").info("database created at 0016")
    assert "database created at 0016" in second.getvalue()
    assert "Logging error" not in second.getvalue()
