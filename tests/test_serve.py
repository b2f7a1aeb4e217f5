"""`engagebot serve slack`, the real command in its own process, answering a signed request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import SECRET, payload, signed_headers


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("engagebot serve slack did not start")


def test_serve_slack_answers_a_slash_command(tmp_path: Path, db_url: str) -> None:
    port = _free_port()
    with FakeSlack() as slack:
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "ENGAGEBOT_NOW": "2026-11-23T10:00",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
        }
        command = [sys.executable, "-m", "bot", "serve", "slack", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            form = payload(
                "slash_command", user="U0SOMEONE", text="help", response_url=slack.response_url()
            )
            body = urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
            assert (
                httpx.post(f"{url}/slack/events", content=body, headers=headers).status_code == 200
            )
            slack.wait_for("respond")
            assert "my actions" in slack.texts("respond")
            forged = httpx.post(
                f"{url}/slack/events",
                content=body,
                headers={**headers, "X-Slack-Signature": "v0=forged"},
            )
            assert forged.status_code == 401
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_serve_slack_without_its_secrets_says_which_are_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "slack"],
        env={**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in result.stderr
