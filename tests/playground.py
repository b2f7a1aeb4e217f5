"""Microsoft's Agents Playground (npm `@microsoft/m365agentsplayground`) as the Teams client:
its web page, driven headless with Playwright and the system Chromium, renders the bot's cards as
Teams does, and its bundled server is the Bot Connector the bot replies to.

`.ci/run` installs it (`npm install --prefix ~/.cache/engagebot/playground …`); the tests find
it there, or at ENGAGEBOT_PLAYGROUND (its cli.js), and are skipped, saying why, without it or
without Chromium. Nothing here reaches past 127.0.0.1: the page's requests elsewhere (fonts,
telemetry) are refused, and the Playground runs with its telemetry off.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE = "@microsoft/m365agentsplayground"
INSTALLED = Path.home() / ".cache" / "engagebot" / "playground"
CLI = INSTALLED / "node_modules" / PACKAGE / "cli.js"
TENANT = "00000000-0000-0000-0000-0000000000001"  # the tenant the Playground names
USER = "alexw@example.com"  # its user, Alex Wilber
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 40_000  # a reply under a fully loaded CI machine (about 3 s when quiet)


def cli_path() -> Path | None:
    """The Playground's cli.js, if it is installed."""
    named = os.environ.get("ENGAGEBOT_PLAYGROUND", "")
    for path in (Path(named) if named else None, CLI):
        if path is not None and path.is_file():
            return path
    return None


def chromium_path() -> str | None:
    for name in (os.environ.get("ENGAGEBOT_CHROMIUM", ""), "chromium", "chromium-browser"):
        found = shutil.which(name) if name else None
        if found:
            return found
    return None


def missing() -> str:
    """Why the Playground tests cannot run here ("" when they can)."""
    if shutil.which("node") is None:
        return "no Node.js: apt-get install -y nodejs npm (.ci/run does, as root)"
    if cli_path() is None:
        return (
            f"the Agents Playground is not installed: npm install --prefix {INSTALLED} "
            f"{PACKAGE} (.ci/run does), or set ENGAGEBOT_PLAYGROUND to its cli.js"
        )
    if chromium_path() is None:
        return "no Chromium: apt-get install -y chromium (.ci/run does, as root)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    return ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def playground(bot_url: str) -> Iterator[str]:
    """The Playground's server pointed at the bot's /api/messages; yields the page's address."""
    cli = cli_path()
    assert cli is not None, missing()
    port = free_port()
    home = tempfile.mkdtemp(prefix="playground-")  # its own working folder: the default config
    command = ["node", str(cli), "-e", f"{bot_url}/api/messages", "-c", "msteams"]
    command += ["-p", str(port), "--disable-telemetry"]
    env = {**os.environ, "BROWSER": "none"}  # never try to open a desktop browser
    process = subprocess.Popen(
        command, cwd=home, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for_listening(process, port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


def _wait_for_listening(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"the Playground stopped: {output[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the Playground did not start within 30 s")


@contextmanager
def browser_page(url: str) -> Iterator[Any]:
    """Headless Chromium on a fresh profile, showing the Playground at `url`."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=chromium_path(),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1300, "height": 1000},
        )
        context.route(re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).*"), _refuse)
        page = context.pages[0] if context.pages else context.new_page()
        page.set_default_timeout(WAIT_MS)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(url)
        try:
            yield Chat(page, errors)
        finally:
            context.close()
            shutil.rmtree(profile, ignore_errors=True)


def _refuse(route: Any) -> None:
    """Only this machine: anything else the page asks for is refused, never fetched."""
    if urlsplit(route.request.url).scheme in ("data", "blob"):
        route.continue_()
    else:
        route.abort()


@dataclass
class Chat:
    """The Playground's page, as a person uses it: pick a chat, type, press card buttons."""

    page: Any
    errors: list[str]

    def open(self, name: str) -> None:
        """Switch to a chat in the left-hand list: "Personal Chat", "Group Chat", "General"."""
        self.page.get_by_role("treeitem", name=name).first.click()
        self.box().wait_for()

    def box(self) -> Any:
        """Where a message is typed (a rich-text editor)."""
        return self.page.locator("[data-lexical-editor='true']").last

    def say(self, text: str) -> None:
        box = self.box()
        box.fill(text)
        box.press("Enter")

    def answer(self, text: str) -> None:
        """Say `text` and wait for the bot's next card (a question with its buttons)."""
        cards = self.page.locator(".ac-adaptiveCard")
        before = cards.count()
        self.say(text)
        deadline = time.monotonic() + WAIT_MS / 1000
        while cards.count() <= before:
            if time.monotonic() > deadline:
                raise AssertionError(f"no answer to {text!r}; errors: {self.errors}")
            time.sleep(0.05)

    def mention(self, bot: str, text: str) -> None:
        """'@bot text' in a channel or group chat: the mention picked from the pop-up, as a
        person does, so the message carries it as Teams sends it."""
        box = self.box()
        box.click()
        box.type("@" + bot.split(" ")[0])
        self.page.get_by_role("menuitem", name=bot).click()
        box.type(" " + text)
        box.press("Enter")

    def wait_for(self, text: str, count: int = 1) -> Any:
        """The newest card holding `text`, once there are `count` of them."""
        found = self.page.locator(".ac-adaptiveCard").filter(has_text=text)
        plain = self.page.get_by_text(text, exact=False)
        deadline = time.monotonic() + WAIT_MS / 1000
        while time.monotonic() < deadline:
            if found.count() >= count:
                return found.last
            if plain.count() >= count:  # a plain message, or a card still being drawn
                time.sleep(0.3)
                return found.last if found.count() >= count else plain.last
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear {count} time(s); errors: {self.errors}")

    def press(self, card: Any, title: str) -> None:
        """Press the button `title` on a card."""
        card.get_by_role("button", name=title, exact=True).click()

    def pick(self, card: Any, option: str) -> None:
        """Pick `option` in a form's drop-down (a compact choice set)."""
        card.get_by_role("combobox").first.click()
        self.page.get_by_role("option", name=option, exact=True).click()

    def choose(self, card: Any, option: str) -> None:
        """Pick `option` in a card's menu (a choice set) and press Choose."""
        card.get_by_role("radio", name=option, exact=True).check()
        self.press(card, "Choose")
