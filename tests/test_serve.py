"""`engagebot serve` and `engagebot serve slack`, the real commands in their own processes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.fakes.slack_api import FakeSlack
from tests.slack_harness import SECRET, payload, signed_headers

ROOT = Path(__file__).resolve().parents[1]  # this checkout's code, whatever is installed


def _env(**values: str) -> dict[str, str]:
    """The environment without Slack settings, importing this checkout first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_"))}
    path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return {**env, "PYTHONPATH": path, **values}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("engagebot serve did not start")


@pytest.mark.parametrize("channels", [["slack"], []], ids=["serve slack", "serve"])
def test_serve_answers_a_slash_command(tmp_path: Path, db_url: str, channels: list[str]) -> None:
    port = _free_port()
    with FakeSlack() as slack:
        env = _env(
            DATABASE_URL=db_url,
            ENGAGEBOT_NOW="2026-11-23T10:00",
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
        )
        command = [sys.executable, "-m", "bot", "serve", *channels, "--port", str(port)]
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
            workers = _children(process.pid)
            assert len(workers) == 3  # the core's two (ENGAGEBOT_WORKERS), the public page's
        finally:
            process.terminate()
            process.wait(timeout=20)
        assert _all_gone(workers), "the core's workers outlived the server"


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (Linux /proc), multiprocessing's tracker aside."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def _all_gone(pids: list[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(Path(f"/proc/{pid}").exists() for pid in pids):
            return True
        time.sleep(0.2)
    return False


def test_serve_slack_without_its_secrets_says_which_are_missing(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "slack"],
        env=_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET" in result.stderr


def test_serve_with_no_channel_configured_says_what_to_set(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve"],
        env=_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", SLACK_BOT_TOKEN="xoxb-test"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "No channel is configured" in result.stderr
    assert "SLACK_SIGNING_SECRET" in result.stderr


def test_the_cores_workers_do_not_outlive_a_killed_server(tmp_path: Path, db_url: str) -> None:
    """The public page is drawn in a worker of its own: if it dies, a resident is told to come
    back, and the next request is drawn by its successor. Then the server is killed outright:
    none of its workers outlives it."""
    port = _free_port()
    log = tmp_path / "serve.log"
    with FakeSlack() as slack, log.open("wb") as written:
        env = _env(
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
        )
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=written)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            assert httpx.get(f"{url}/engage/", timeout=30).status_code == 200
            core = {int(pid) for pid in re.findall(r"pid (\d+)", log.read_text())}
            [public] = set(_children(process.pid)) - core
            os.kill(public, signal.SIGKILL)
            assert _all_gone([public])
            assert httpx.get(f"{url}/engage/", timeout=30).status_code in (200, 503)
            assert httpx.get(f"{url}/engage/", timeout=30).status_code == 200
            workers = _children(process.pid)
            assert len(workers) == 3 and public not in workers
        finally:
            process.kill()  # no clean shutdown: the workers must notice on their own
            process.wait(timeout=10)
        assert _all_gone(workers)


def test_serve_answers_slack_and_teams_on_one_port(tmp_path: Path, db_url: str) -> None:
    from tests.conftest import TEAMS_TENANT
    from tests.fakes.teams_connector import FakeConnector
    from tests.teams_harness import activity

    port = _free_port()
    with FakeSlack() as slack, FakeConnector() as teams:
        env = _env(
            DATABASE_URL=db_url,
            ENGAGEBOT_NOW="2026-11-23T10:00",
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=slack.api_url,
            TEAMS_ANONYMOUS="1",
        )
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            hello = activity(
                "personal_message",
                id="1",
                service_url=teams.service_url,
                tenant=TEAMS_TENANT,
                user="u-1",
                name="Someone",
                text="help",
            )
            assert httpx.post(f"{url}/api/messages", json=hello).status_code == 202
            teams.wait_for("send")
            assert "my actions" in teams.texts()
        finally:
            process.terminate()
            _, err = process.communicate(timeout=20)
        assert b"TEAMS_ANONYMOUS=1" in err and b"WARNING" in err


def _slack_down(kind: str, slack: FakeSlack) -> str:
    """SLACK_API_URL for a Slack that is down in the way `kind` says."""
    from tests.fakes.slack_api import Failure

    if kind == "refusing connections":
        return f"http://127.0.0.1:{_free_port()}/api/"  # nothing listens there
    if kind == "answering 503":
        slack.fail("auth.test", Failure(503, {"ok": False, "error": "service_unavailable"}))
    else:
        slack.fail("auth.test", Failure(200, {"ok": False, "error": "invalid_auth"}))
    return slack.api_url


@pytest.mark.parametrize("kind", ["refusing connections", "answering 503", "invalid_auth"])
def test_serve_with_slack_down_says_so_in_one_line_and_keeps_serving(
    tmp_path: Path, db_url: str, kind: str
) -> None:
    port = _free_port()
    with FakeSlack() as slack:
        env = _env(
            DATABASE_URL=db_url,
            SLACK_BOT_TOKEN="xoxb-test",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=_slack_down(kind, slack),
            ENGAGEBOT_WORKERS="1",
        )
        command = [sys.executable, "-m", "bot", "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_up(url, process)
            form = payload("slash_command", user="U0SOMEONE", text="help", response_url="")
            body = urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
            answered = httpx.post(f"{url}/slack/events", content=body, headers=headers)
            assert answered.status_code == 200  # acknowledged, not a 500
            assert httpx.get(f"{url}/healthz").text == "ok"
            time.sleep(1)  # the work after the acknowledgement, which fails to reach Slack
            assert process.poll() is None, "engagebot serve died"
        finally:
            process.terminate()
            _, err = process.communicate(timeout=20)
    said = [line for line in err.decode().splitlines() if line.startswith("engagebot:")]
    assert len(said) == 1, err.decode()
    expected = {
        "refusing connections": "could not be reached",
        "answering 503": "answered 503",
        "invalid_auth": "refused the bot token (invalid_auth): check SLACK_BOT_TOKEN",
    }[kind]
    assert expected in said[0] and "Serving anyway" in said[0]
    assert "Traceback" not in err.decode()
