"""`engagebot teams package`: the app package (a .zip) a council's Teams admin uploads.

The package holds manifest.json (Teams app manifest schema v1.19), color.png (192×192) and
outline.png (32×32, white on transparent); the icons are drawn here, at package time. The bot's
commands come from the product's own help list, so Teams suggests what the bot understands.
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.root import fail, group

teams_app = group("teams", "Microsoft Teams: the app package a Teams admin uploads.")

SCHEMA = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.19/MicrosoftTeams.schema.json"
MANIFEST_VERSION = "1.19"
SCOPES = ("personal", "team", "groupChat")
ACCENT = (0x1F, 0x6F, 0x8B)  # the bubble's background in color.png, and the accent colour
COLOR_ICON, OUTLINE_ICON = "color.png", "outline.png"
COLOR_SIZE, OUTLINE_SIZE = 192, 32

# Teams' limits (app manifest reference, schema v1.19).
MAX_SHORT_NAME, MAX_FULL_NAME, MAX_DEVELOPER_NAME = 30, 100, 32
MAX_SHORT_DESCRIPTION, MAX_FULL_DESCRIPTION, MAX_URL = 80, 4000, 2048
MAX_COMMANDS, MAX_COMMAND_TITLE, MAX_COMMAND_DESCRIPTION = 10, 32, 128
# Help lines left out of Teams' command menu (it holds 10): "cancel" only makes sense in the
# middle of a conversation, so it is typed, never picked from the menu.
NOT_IN_MENU = {"cancel"}

# Shown until the council gives its own: Teams displays them on the app's details page.
PLACEHOLDERS = {
    "--developer-name": "Your council",
    "--website": "https://council.example.org/engagebot",
    "--privacy-url": "https://council.example.org/engagebot/privacy",
    "--terms-url": "https://council.example.org/engagebot/terms",
}

SHORT_DESCRIPTION = (
    "Community-engagement action plans, reminders and the consult-or-engage toolkit."
)
FULL_DESCRIPTION = (
    "engagebot keeps your council's community-engagement action plans: the recommendations, "
    "agreed actions, responsible officers and target dates. It reminds officers before their "
    "actions fall due, takes progress updates in chat, posts status summaries for the steering "
    "group, and walks you through the consult-or-engage toolkit one question at a time. "
    "Say 'help' to the bot for what it understands."
)

GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
SEMVER = re.compile(r"\d+\.\d+\.\d+")
HOST = re.compile(r"(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:\d+)?")


def _opt(help: str) -> Any:
    return typer.Option(help=help)


@teams_app.command("package")
def package(
    out: Annotated[Path, _opt("The .zip to write.")] = Path("engagebot-teams.zip"),
    app_id: Annotated[
        str | None,
        typer.Option(
            envvar="TEAMS_APP_ID",
            help="The bot's Microsoft app id, a GUID (default: $TEAMS_APP_ID).",
        ),
    ] = None,
    name: Annotated[str, _opt(f"The app's short name (≤{MAX_SHORT_NAME}).")] = "engagebot",
    short_description: Annotated[
        str, _opt(f"One line (≤{MAX_SHORT_DESCRIPTION}).")
    ] = SHORT_DESCRIPTION,
    developer_name: Annotated[str | None, _opt("The council, as Teams shows it.")] = None,
    website: Annotated[str | None, _opt("The council's page about the bot (https).")] = None,
    privacy_url: Annotated[str | None, _opt("The privacy notice (https).")] = None,
    terms_url: Annotated[str | None, _opt("The terms of use (https).")] = None,
    domain: Annotated[
        str | None, _opt("The bot's own host name, e.g. engagebot.council.gov.uk (optional).")
    ] = None,
) -> None:
    """Write the Teams app package: manifest.json, color.png and outline.png in one .zip."""
    if not app_id:
        fail(
            "No Teams app id: give --app-id or set TEAMS_APP_ID to the bot's Microsoft app id "
            "(a GUID such as 00000000-0000-0000-0000-000000000000, from the Azure bot resource)."
        )
    if not GUID.fullmatch(app_id.strip()):
        fail(
            f"'{app_id}' is not a Teams app id: it must be the bot's Microsoft app id, a GUID "
            "such as 00000000-0000-0000-0000-000000000000 (--app-id or TEAMS_APP_ID)."
        )
    given = {
        "--developer-name": developer_name,
        "--website": website,
        "--privacy-url": privacy_url,
        "--terms-url": terms_url,
    }
    developer = {flag: value or PLACEHOLDERS[flag] for flag, value in given.items()}
    manifest = build_manifest(
        app_id=app_id.strip(),
        name=name,
        short_description=short_description,
        developer=developer,
        domain=domain,
    )
    files = {COLOR_ICON: color_icon(), OUTLINE_ICON: outline_icon()}
    problems = check(manifest, files)
    if problems:
        fail(
            "The package would not be accepted by Teams:\n" + "\n".join(f"- {p}" for p in problems)
        )
    write_package(out, manifest, files)
    placeholders = [flag for flag, value in given.items() if not value]
    if placeholders:
        typer.echo(
            f"Warning: placeholder {', '.join(placeholders)} used; Teams shows these to everyone. "
            "Give the council's own before uploading for real.",
            err=True,
        )
    typer.echo(
        f"Wrote {out}. Upload it in the Teams admin centre (Teams apps > Manage apps > Upload)."
    )


def build_manifest(
    *,
    app_id: str,
    name: str,
    short_description: str,
    developer: dict[str, str],
    domain: str | None,
) -> dict[str, Any]:
    """The app manifest; the bot's id is the app's id, its commands the help list's."""
    from importlib.metadata import PackageNotFoundError, version

    from handlers.flows.commands import HELP_LINES

    try:
        app_version = version("engagebot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        app_version = "1.0.0"
    commands = [
        {"title": title, "description": what}
        for title, what in HELP_LINES
        if title not in NOT_IN_MENU
    ]
    return {
        "$schema": SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": app_version,
        "id": app_id,
        "developer": {
            "name": developer["--developer-name"],
            "websiteUrl": developer["--website"],
            "privacyUrl": developer["--privacy-url"],
            "termsOfUseUrl": developer["--terms-url"],
        },
        "name": {"short": name, "full": f"{name}: community-engagement action plans"},
        "description": {"short": short_description, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": list(SCOPES),
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [{"scopes": [scope], "commands": commands} for scope in SCOPES],
            }
        ],
        "validDomains": [domain] if domain else [],
    }


def check(manifest: dict[str, Any], files: dict[str, bytes]) -> list[str]:
    """What Teams would reject, each problem saying what to change; empty when all is well."""
    problems: list[str] = []

    def length(value: object, limit: int, what: str, fix: str) -> None:
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{what} is missing ({fix}).")
        elif len(value) > limit:
            problems.append(f"{what} is {len(value)} characters; Teams allows {limit} ({fix}).")

    def https(value: object, what: str, fix: str) -> None:
        length(value, MAX_URL, what, fix)
        if isinstance(value, str) and value and not value.startswith("https://"):
            problems.append(f"{what} must be an https:// address ({fix}).")

    required = ("manifestVersion", "version", "id", "developer", "name", "description", "icons")
    for key in (*required, "accentColor", "bots"):
        if key not in manifest:
            problems.append(f"manifest.json has no '{key}'.")
    if problems:
        return problems
    if not GUID.fullmatch(manifest["id"]):
        problems.append("id must be a GUID (--app-id).")
    if not SEMVER.fullmatch(manifest["version"]):
        problems.append(f"version '{manifest['version']}' must be MAJOR.MINOR.PATCH.")
    dev = manifest["developer"]
    length(dev.get("name"), MAX_DEVELOPER_NAME, "developer.name", "--developer-name")
    https(dev.get("websiteUrl"), "developer.websiteUrl", "--website")
    https(dev.get("privacyUrl"), "developer.privacyUrl", "--privacy-url")
    https(dev.get("termsOfUseUrl"), "developer.termsOfUseUrl", "--terms-url")
    length(manifest["name"].get("short"), MAX_SHORT_NAME, "name.short", "--name")
    length(manifest["name"].get("full"), MAX_FULL_NAME, "name.full", "a shorter --name")
    short, full = manifest["description"].get("short"), manifest["description"].get("full")
    length(short, MAX_SHORT_DESCRIPTION, "description.short", "--short-description")
    length(full, MAX_FULL_DESCRIPTION, "description.full", "the full description")
    if isinstance(short, str) and short and isinstance(full, str) and short in full:
        problems.append("description.short must not be repeated in description.full.")
    if not re.fullmatch(r"#[0-9A-Fa-f]{6}", str(manifest["accentColor"])):
        problems.append("accentColor must be an HTML colour such as #1F6F8B.")
    for bot in manifest["bots"]:
        if bot.get("botId") != manifest["id"]:
            problems.append("bots[0].botId must be the app id.")
        for commands in bot.get("commandLists", []):
            problems += _command_problems(commands)
    for host in manifest.get("validDomains", []):
        if not HOST.fullmatch(host):
            problems.append(
                f"validDomains: '{host}' must be a host name only, no https:// or path."
            )
    icons = manifest["icons"]
    sizes = {"color": (COLOR_SIZE, False), "outline": (OUTLINE_SIZE, True)}
    for kind, (size, transparent) in sizes.items():
        data = files.get(icons.get(kind, ""))
        if data is None:
            problems.append(f"icons.{kind}: the package has no '{icons.get(kind)}'.")
        else:
            problems += _icon_problems(f"icons.{kind}", data, size, transparent)
    return problems


def _command_problems(commands: dict[str, Any]) -> list[str]:
    scope = "/".join(commands.get("scopes", [])) or "?"
    listed: Sequence[dict[str, str]] = commands.get("commands", [])
    problems = []
    if len(listed) > MAX_COMMANDS:
        problems.append(
            f"commandLists ({scope}): {len(listed)} commands; Teams allows {MAX_COMMANDS} "
            "(shorten HELP_LINES in handlers/flows/commands.py)."
        )
    for cmd in listed:
        if not 1 <= len(cmd["title"]) <= MAX_COMMAND_TITLE:
            problems.append(
                f"command '{cmd['title']}' ({scope}): titles are 1 to {MAX_COMMAND_TITLE} "
                "characters (HELP_LINES in handlers/flows/commands.py)."
            )
        if not 1 <= len(cmd["description"]) <= MAX_COMMAND_DESCRIPTION:
            problems.append(
                f"command '{cmd['title']}' ({scope}): descriptions are 1 to "
                f"{MAX_COMMAND_DESCRIPTION} characters (HELP_LINES in handlers/flows/commands.py)."
            )
    return problems


def _icon_problems(what: str, png: bytes, size: int, transparent: bool) -> list[str]:
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return [f"{what} must be a PNG."]
    width, height, _, colour_type = struct.unpack(">IIBB", png[16:26])
    problems = []
    if (width, height) != (size, size):
        problems.append(f"{what} is {width}×{height}; Teams needs {size}×{size}.")
    if transparent and colour_type != 6:
        problems.append(f"{what} must have a transparent background (RGBA).")
    return problems


def write_package(out: Path, manifest: dict[str, Any], files: dict[str, bytes]) -> None:
    """The three files at the top of the zip (Teams ignores folders), dated for reproducibility."""
    entries = {
        "manifest.json": json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
        **files,
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)


# The icon: a speech bubble with three dots, drawn in a unit square.


def _in_bubble(x: float, y: float) -> bool:
    """The bubble: a rounded rectangle with a tail at bottom left, the dots cut out."""
    left, top, right, bottom, r = 0.12, 0.18, 0.88, 0.68, 0.14
    cx, cy = min(max(x, left + r), right - r), min(max(y, top + r), bottom - r)
    body = (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    # tail: the triangle (0.26, 0.62), (0.46, 0.62), (0.22, 0.86)
    tail = 0.62 <= y <= 0.86 and 0.26 - (y - 0.62) / 6 <= x <= 0.46 - (y - 0.62) * 1.0
    dot = any((x - dx) ** 2 + (y - 0.43) ** 2 <= 0.06**2 for dx in (0.31, 0.5, 0.69))
    return (body or tail) and not dot


def _coverage(size: int) -> list[list[float]]:
    """How much of each pixel the bubble covers, sampled at a few points (smooth edges)."""
    samples = max(2, 96 // size)
    step = 1 / (size * samples)
    offsets = [(i + 0.5) * step for i in range(samples)]
    return [
        [
            sum(_in_bubble(px / size + ox, py / size + oy) for ox in offsets for oy in offsets)
            / samples**2
            for px in range(size)
        ]
        for py in range(size)
    ]


def _png(size: int, pixel: Callable[[float], bytes], colour_type: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    rows = b"".join(b"\x00" + b"".join(pixel(c) for c in row) for row in _coverage(size))
    header = struct.pack(">IIBBBBB", size, size, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def color_icon() -> bytes:
    """192×192, full colour: a white bubble on the accent colour."""
    return _png(
        COLOR_SIZE,
        lambda c: bytes(round(a + (255 - a) * c) for a in ACCENT),
        colour_type=2,
    )


def outline_icon() -> bytes:
    """32×32: the bubble in white on a transparent background."""
    return _png(OUTLINE_SIZE, lambda c: bytes((255, 255, 255, round(255 * c))), colour_type=6)
