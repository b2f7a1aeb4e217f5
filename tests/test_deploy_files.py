"""The production samples under deploy/ agree with the code they deploy."""

from __future__ import annotations

import re
from pathlib import Path

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
