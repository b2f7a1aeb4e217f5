"""`engagebot teams package`: the .zip a council's Teams admin uploads."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import Result

from handlers.flows.commands import HELP_LINES

Cli = Callable[..., Result]
APP_ID = "6f1c2b9e-3a4d-4e5f-8a7b-1c2d3e4f5a6b"


@pytest.fixture(autouse=True)
def no_app_id_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)


def package(cli: Cli, tmp_path: Path, *args: str) -> tuple[Result, zipfile.ZipFile]:
    out = tmp_path / "engagebot-teams.zip"
    result = cli("teams", "package", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return result, zipfile.ZipFile(out)


def test_the_package_holds_the_manifest_and_two_icons(cli: Cli, tmp_path: Path) -> None:
    _, zf = package(cli, tmp_path, "--app-id", APP_ID)
    assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]


def test_the_manifest_names_the_bot_its_scopes_and_the_help_list(cli: Cli, tmp_path: Path) -> None:
    _, zf = package(cli, tmp_path, "--app-id", APP_ID)
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["manifestVersion"] == "1.19"
    assert manifest["$schema"].endswith("/teams/v1.19/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    assert manifest["validDomains"] == []
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False
    assert bot["isNotificationOnly"] is False
    expected = [
        {"title": title, "description": what} for title, what in HELP_LINES if title != "cancel"
    ]
    assert [c["scopes"] for c in bot["commandLists"]] == [["personal"], ["team"], ["groupChat"]]
    for commands in bot["commandLists"]:
        assert commands["commands"] == expected
        assert len(commands["commands"]) <= 10


def test_the_councils_details_go_in_and_placeholders_are_warned_about(
    cli: Cli, tmp_path: Path
) -> None:
    result, zf = package(cli, tmp_path, "--app-id", APP_ID)
    assert "placeholder --developer-name, --website, --privacy-url, --terms-url" in result.output
    _, zf = package(
        cli,
        tmp_path,
        "--app-id",
        APP_ID,
        "--name",
        "Engage Halton",
        "--short-description",
        "Halton's engagement action plans, in Teams.",
        "--developer-name",
        "Halton Borough Council",
        "--website",
        "https://www3.halton.gov.uk/engagebot",
        "--privacy-url",
        "https://www3.halton.gov.uk/privacy",
        "--terms-url",
        "https://www3.halton.gov.uk/terms",
        "--domain",
        "engagebot.halton.gov.uk",
    )
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["name"]["short"] == "Engage Halton"
    assert manifest["description"]["short"] == "Halton's engagement action plans, in Teams."
    assert manifest["developer"] == {
        "name": "Halton Borough Council",
        "websiteUrl": "https://www3.halton.gov.uk/engagebot",
        "privacyUrl": "https://www3.halton.gov.uk/privacy",
        "termsOfUseUrl": "https://www3.halton.gov.uk/terms",
    }
    assert manifest["validDomains"] == ["engagebot.halton.gov.uk"]


def test_the_icons_are_192_colour_and_32_white_on_transparent(cli: Cli, tmp_path: Path) -> None:
    _, zf = package(cli, tmp_path, "--app-id", APP_ID)
    color = Image.open(io.BytesIO(zf.read("color.png")))
    assert color.size == (192, 192)
    assert len(color.convert("RGB").getcolors(maxcolors=192 * 192) or []) > 2  # drawn, not blank
    outline = Image.open(io.BytesIO(zf.read("outline.png"))).convert("RGBA")
    assert outline.size == (32, 32)
    pixels = [pixel for _, pixel in outline.getcolors(maxcolors=32 * 32) or []]
    assert {p[:3] for p in pixels} == {(255, 255, 255)}
    assert outline.getpixel((0, 0))[3] == 0  # the corners are transparent
    assert any(p[3] == 255 for p in pixels)  # and the bubble is solid


def test_the_app_id_can_come_from_the_environment(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    _, zf = package(cli, tmp_path)
    assert json.loads(zf.read("manifest.json"))["id"] == APP_ID


def test_without_an_app_id_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "engagebot-teams.zip"
    result = cli("teams", "package", "--out", str(out))
    assert result.exit_code == 1
    assert "No Teams app id: give --app-id or set TEAMS_APP_ID" in result.output
    assert not out.exists()


def test_an_app_id_that_is_not_a_guid_is_refused(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "engagebot-teams.zip"
    result = cli("teams", "package", "--out", str(out), "--app-id", "engagebot")
    assert result.exit_code == 1
    assert "'engagebot' is not a Teams app id" in result.output
    assert "GUID" in result.output
    assert not out.exists()


def test_what_teams_would_reject_is_explained(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "engagebot-teams.zip"
    result = cli(
        "teams",
        "package",
        "--out",
        str(out),
        "--app-id",
        APP_ID,
        "--name",
        "Community Engagement Assistant Bot",
        "--short-description",
        "x" * 81,
        "--website",
        "http://council.example.org",
        "--domain",
        "https://engagebot.council.gov.uk/",
    )
    assert result.exit_code == 1
    assert "name.short is 34 characters; Teams allows 30 (--name)" in result.output
    assert "description.short is 81 characters; Teams allows 80" in result.output
    assert "developer.websiteUrl must be an https:// address (--website)" in result.output
    assert "validDomains: 'https://engagebot.council.gov.uk/' must be a host name" in result.output
    assert not out.exists()
