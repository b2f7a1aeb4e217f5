"""The command line as an IT team meets it: --version, -h, --json, '-', plain words, one-line
errors for every setting and a busy port, a server that says where it listens at once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.settings import Settings
from tests.conftest import BLACKPOOL, HALTON, NOW

Cli = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[1]


def test_version_and_short_help_work_everywhere() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--version"]).output.startswith("engagebot ")
    for command in ([], ["people"], ["people", "assign"], ["serve"], ["plans"], ["report"]):
        shown = runner.invoke(app, [*command, "-h"], prog_name="engagebot")
        assert shown.exit_code == 0, command
        assert shown.output.startswith("Usage: engagebot"), command


def test_every_listing_and_report_speaks_json(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    cli("people", "assign", "partnership manager", "--name", "Sam Patel", "--email", "s@x.org")
    listings = {
        ("plans",): lambda rows: rows[0]["actions"] == 17,
        ("actions", "list"): lambda rows: len(rows) == 17,
        ("people", "list"): lambda rows: (
            rows[0]["roles"] == ["Community Engagement & Partnership Manager"]
        ),
        ("orgs", "list"): lambda rows: rows[0]["slug"] == "default",
        ("consultations", "list"): lambda rows: rows == [],
        ("stats",): lambda data: "register_by_status" in data,
        ("summary",): lambda data: data["total"] == 17 and data["rag"] in ("red", "amber"),
        ("remind", "--dry-run"): lambda data: data["due"][0]["to"] == "Sam Patel",
        ("report", "--plan", "blackpool-audit-2019"): lambda data: len(data["groups"]) == 1,
        ("annual-report",): lambda data: len(data["sections"]) >= 5,
    }
    for command, holds in listings.items():
        result = cli(*command, "--json")
        assert result.exit_code == 0, (command, result.output)
        assert holds(json.loads(result.output)), command


def test_reports_go_to_standard_output_with_a_dash(cli: Cli) -> None:
    cli("import", str(BLACKPOOL))
    csv = cli("report", "--plan", "blackpool-audit-2019", "--format", "csv", "--out", "-")
    assert csv.exit_code == 0
    assert csv.stdout.splitlines()[0].startswith("Ref,") or "R1" in csv.stdout
    assert "Wrote standard output: 17 actions in 1 group." in csv.stderr
    docx = cli("report", "--plan", "blackpool-audit-2019", "--out", "-")
    assert docx.stdout_bytes.startswith(b"PK")  # a Word file is a zip
    exported = json.loads(cli("export", "--output", "-").stdout)
    assert exported["plans"][0]["name"] == "blackpool-audit-2019"


def test_counts_are_said_in_words_and_overdue_in_years_not_days(cli: Cli, tmp_path: Path) -> None:
    cli("import", str(BLACKPOOL))
    out = str(tmp_path / "r.md")
    one = cli("report", "--plan", "blackpool-audit-2019", "--format", "md", "--out", out)
    assert "17 actions in 1 group." in one.output  # not "1 groups"
    cli("import", str(HALTON))
    cli(
        "people",
        "assign",
        "HBC Research and Intelligence",
        "--name",
        "Jo Evans",
        "--email",
        "j@x.org",
    )
    due = cli("remind", "--dry-run").output
    assert "years overdue" in due and "overdue-" not in due
    summary = cli("summary").output
    assert "years overdue" in summary and " days" not in summary.split("By theme")[0]


# A bad value for every setting that can have one; the rest are free text (names, secrets).
BAD = {
    "DATABASE_URL": "mysql://db/engagebot",
    "ENGAGEBOT_TIMEZONE": "Europe/Londres",
    "ENGAGEBOT_NOW": "next tuesday",
    "ENGAGEBOT_LOG_LEVEL": "LOUD",
    "ENGAGEBOT_LOG_FORMAT": "xml",
    "CONSULT_FLOWCHART": "/no/such/flowchart.yaml",
    "PORT": "http",
    "ENGAGEBOT_WORKERS": "0",
    "SLACK_API_URL": "http://slack.example.org/api/",
    "TEAMS_ANONYMOUS": "perhaps",
    "ENGAGEBOT_COUNCIL_LOGO": "/no/such/logo.svg",
    "ENGAGEBOT_PUBLIC_URL": "engage.example.gov.uk",
    "ENGAGEBOT_REMIND_LEAD_DAYS": "14, three",
    "ENGAGEBOT_REMIND_AT": "half nine",
    "ENGAGEBOT_REMIND_UNTIL": "08:00",
    "ENGAGEBOT_HOLIDAY_COUNTRY": "XX",
    "ENGAGEBOT_HOLIDAY_REGION": "Narnia",
    "ENGAGEBOT_OVERDUE_EVERY_DAYS": "weekly",
    "ENGAGEBOT_ESCALATE_AFTER": "0",
    "ENGAGEBOT_CHECK_EVERY_MONTHS": "13",
    "ENGAGEBOT_FEEDBACK_WITHIN_DAYS": "3",
    "ENGAGEBOT_WE_DID_AGAIN_DAYS": "-1",
    "ENGAGEBOT_SWEEP_MINUTES": "0",
    "ENGAGEBOT_ATTACHMENT_MAX_MB": "lots",
    "ENGAGEBOT_MAIL_EVERY_SECONDS": "1",
    "ENGAGEBOT_MAIL_FROM": "engage at council",
    "ENGAGEBOT_SMTP_PORT": "smtp",
    "ENGAGEBOT_SMTP_SECURITY": "ssl3",
    "ENGAGEBOT_TOKEN_KEY": "not-a-key",
    "SLACK_NEW_WORKSPACES": "whoever",
    "SLACK_REDIRECT_URI": "slack/oauth_redirect",
    "ENGAGEBOT_STALL_SECONDS": "0",
    "ENGAGEBOT_PUBLIC_WORKERS": "0",
}
FREE_TEXT = {
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "TEAMS_APP_ID",
    "TEAMS_APP_PASSWORD",
    "TEAMS_TENANT_ID",
    "ENGAGEBOT_COUNCIL_NAME",
    "ENGAGEBOT_PUBLIC_ORG",
    "ENGAGEBOT_SMTP_HOST",
    "ENGAGEBOT_SMTP_USER",
    "ENGAGEBOT_SMTP_PASSWORD",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
}


def test_every_bad_setting_is_one_line_naming_it(db_url: str) -> None:
    names = {field.alias for field in Settings.model_fields.values()}
    assert names == set(BAD) | FREE_TEXT, "a new setting: give it a bad value here"
    runner = CliRunner()
    for name, value in BAD.items():
        env = {"DATABASE_URL": db_url, name: value}
        result = runner.invoke(app, ["plans"], env=env)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 1, (name, result.output)
        assert len(lines) == 1 and lines[0].startswith("engagebot: configuration problem"), name
        assert name in lines[0] or name.removeprefix("ENGAGEBOT_") in lines[0], lines[0]
        assert "Traceback" not in result.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _engagebot(*args: str, **env: str) -> subprocess.Popen[str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, "PYTHONPATH": path, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_busy_port_stops_serve_before_anything_starts(tmp_path: Path) -> None:
    database = tmp_path / "engagebot.db"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = str(other.getsockname()[1])
        process = _engagebot(
            "serve", "public", "--port", port, DATABASE_URL=f"sqlite:///{database}"
        )
        out, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.strip().splitlines() == [
        f"engagebot: port {port} on 127.0.0.1 is in use (is engagebot already running?). "
        "Nothing was started. Stop the other program, or choose another port with --port or PORT."
    ]
    assert "serves" not in out
    assert not database.exists()  # no migration, no reminder sweep: nothing touched the database


def test_serve_says_where_it_listens_at_once_and_warns_when_exposed(tmp_path: Path) -> None:
    port = _free_port()
    database = f"sqlite:///{tmp_path / 'engagebot.db'}"
    process = _engagebot(
        "serve",
        "public",
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        DATABASE_URL=database,
        ENGAGEBOT_PUBLIC_URL="https://engage.example.gov.uk",  # needed beyond this machine
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # under a pipe, as under journald: not held back
        assert first.startswith(f"engagebot serves public, metrics on http://0.0.0.0:{port}")
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    assert "warning: listening on 0.0.0.0, so other machines can reach it" in err
    assert "alembic" not in err  # one line says the database was created, not nine
    assert "database created at" in err


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is a POSIX thing")
def test_the_console_chat_has_line_editing(tmp_path: Path, db_url: str) -> None:
    import pty

    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "DATABASE_URL": db_url,
        "ENGAGEBOT_NOW": NOW.isoformat(),
    }
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--as", "someone@example.org"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        cwd=tmp_path,
    )
    os.close(follower)
    seen = b""

    def read_until(marker: bytes, within: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + within
        while marker not in seen and time.monotonic() < deadline:
            try:
                seen += os.read(leader, 4096)
            except OSError:
                break
        assert marker in seen, seen[-500:]

    try:
        read_until(b"you> ")
        os.write(leader, b"hlp\x1b[D\x1b[De\r")  # 'hlp', two steps left, 'e': "help"
        read_until(b"I keep the community-engagement action plans")
        os.write(leader, b"exit\r")
        process.wait(timeout=30)
    finally:
        process.kill()
        os.close(leader)
