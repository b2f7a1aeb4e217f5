"""The production samples under deploy/ agree with the code they deploy."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.channels.slack import PATH as SLACK_PATH
from bot.channels.teams import PATH as TEAMS_PATH
from bot.settings import Settings

DEPLOY = Path(__file__).parents[1] / "deploy"


def test_every_setting_in_the_sample_environment_file_is_one_engagebot_reads() -> None:
    known = {field.alias for field in Settings.model_fields.values()}
    lines = (DEPLOY / "engagebot.env.example").read_text(encoding="utf-8").splitlines()
    names = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert names and set(names) <= known, set(names) - known
    assert "ENGAGEBOT_NOW" not in names  # a rehearsal clock has no place in production


def test_the_settings_sample_passes_engagebots_own_checks() -> None:
    lines = (DEPLOY / "engagebot.env.example").read_text(encoding="utf-8").splitlines()
    values = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    settings = Settings(**{k: v for k, v in values.items() if v})  # type: ignore[arg-type]
    assert settings.log_format == "json"


def test_the_unit_runs_engagebot_serve_on_its_instance_port_with_hardening() -> None:
    unit = (DEPLOY / "engagebot@.service").read_text(encoding="utf-8")
    assert re.search(r"^ExecStart=\S+/engagebot serve --port %i$", unit, re.M)
    assert "EnvironmentFile=/etc/engagebot/engagebot.env" in unit
    for hardening in ("NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes"):
        assert hardening in unit


def test_both_proxies_pass_the_chat_endpoints_and_keep_the_probes_inside() -> None:
    for name in ("Caddyfile", "nginx.conf"):
        proxy = (DEPLOY / name).read_text(encoding="utf-8")
        assert SLACK_PATH.lstrip("/") in proxy and TEAMS_PATH.lstrip("/") in proxy, name
        assert "127.0.0.1:3001" in proxy and "127.0.0.1:3002" in proxy, name
    assert "health_uri /readyz" in (DEPLOY / "Caddyfile").read_text(encoding="utf-8")


@pytest.mark.skipif(
    not (shutil.which("nginx") and shutil.which("openssl")),
    reason="nginx is not installed (apt-get install nginx; .ci/run does)",
)
def test_the_nginx_sample_passes_nginx_t(tmp_path: Path) -> None:
    """As Debian 12's nginx 1.22 reads it, with a throwaway certificate in place of the real."""
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=engagebot.council.example", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    site = site.replace("/etc/ssl/engagebot/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/engagebot/privkey.pem", str(key))
    (tmp_path / "engagebot.conf").write_text(site, encoding="utf-8")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/engagebot.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        ["nginx", "-t", "-c", str(main), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr
    assert "[warn]" not in checked.stderr and "[emerg]" not in checked.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd is not installed")
def test_the_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """As systemd reads it, with ExecStart pointing at this machine's engagebot."""
    installed = Path(sys.executable).parent / "engagebot"
    unit = (DEPLOY / "engagebot@.service").read_text(encoding="utf-8")
    assert "/opt/engagebot/venv/bin/engagebot" in unit
    instance = tmp_path / "engagebot@3001.service"
    instance.write_text(unit.replace("/opt/engagebot/venv/bin/engagebot", str(installed)))
    checked = subprocess.run(
        ["systemd-analyze", "verify", str(instance)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    problems = [line for line in checked.stderr.splitlines() if str(instance) in line]
    assert problems == []  # an unknown key is only a warning: none at all
