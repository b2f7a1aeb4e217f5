"""The terminal channel: type to the bot, read its replies. Also the harness the tests drive."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.conversation import Conversation
from handlers.chat.messages import Choice, Incoming, IncomingFile, Reply

# Control characters (ANSI escapes included) would let text repaint the officer's terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    return _CONTROL.sub("", text)


# "attach ~/docs/plan.pdf to consultation 12": in a terminal a file is sent by naming it.
_ATTACH = re.compile(r"^\s*attach\s+(?:\"([^\"]+)\"|(\S+))\s+(to\b.*)$", re.IGNORECASE | re.DOTALL)
_MOST = 100 * 1024 * 1024  # the handler enforces the real limit; this only guards memory


def with_file(msg: Incoming) -> Incoming:
    """A message naming a file on this machine carries the file, as a chat upload would."""
    found = _ATTACH.match(msg.text)
    if found is None:
        return msg
    path = Path(found.group(1) or found.group(2)).expanduser()
    if not path.is_file() or path.stat().st_size > _MOST:
        return msg
    upload = IncomingFile(path.name, path.read_bytes())
    return replace(msg, text=f"attach {found.group(3)}", files=(upload,))


class ConsoleChannel:
    """One person's chat in a terminal; buttons become numbered options."""

    def __init__(self, conversation: Conversation, user: str) -> None:
        self.conversation = conversation
        self.user = user
        self.renderer = Renderer()

    def send(self, text: str) -> str:
        """Say `text` to the bot and return what it shows back."""
        option = self._option(text)
        msg = self._incoming(text)
        if option is not None:  # its number, or its words typed out: as if pressed
            msg = replace(msg, text=option.label, intent=option.intent)
        else:
            msg = with_file(msg)
        replies = self.conversation.handle(msg)
        return self.render(replies + self.conversation.pending(msg))

    def inbox(self) -> str:
        """Messages that arrived while the user was away (reminders), or ''."""
        return self.render(self.conversation.pending(self._incoming("")))

    def _incoming(self, text: str) -> Incoming:
        return Incoming(
            channel="console",
            workspace="local",
            conversation=f"console:{self.user}",
            user=self.user,
            text=text,
            email=self.user if "@" in self.user else None,
            place="console",
        )

    def run(self, lines: Iterable[str], out: TextIO, prompt: str = "you> ") -> None:
        """The interactive loop: read a line, print the reply, until end of input or 'quit'."""
        waiting = self.inbox()
        if waiting:
            out.write(waiting + "\n")
        out.write(prompt)
        out.flush()
        for line in lines:
            text = line.strip()
            if text.lower() in ("exit", "bye"):
                break
            if text:
                out.write(self.send(text) + "\n")
            out.write(prompt)
            out.flush()
        out.write("\nBye.\n")

    def render(self, replies: list[Reply]) -> str:
        """Text for the terminal; the options it numbers are the ones a number then picks."""
        return self.renderer.render(replies)

    def _option(self, text: str) -> Choice | None:
        return self.renderer.option_for(text)


def _is_number(text: str) -> bool:
    stripped = text.strip()
    return stripped.isascii() and stripped.isdigit()


def render_replies(replies: list[Reply]) -> str:
    """Replies as the console shows them, outside a chat (e.g. `engagebot remind --now`)."""
    return Renderer().render(replies)


class Renderer:
    """Plain text with numbered options; remembers the options so '2' can pick one."""

    def __init__(self) -> None:
        self.options: list[Choice] = []

    def render(self, replies: list[Reply]) -> str:
        self.options = []
        return "\n".join(self._render_reply(r) for r in replies)

    def _render_reply(self, reply: Reply) -> str:
        lines = [clean(reply.text)]
        lines += [f"  {clean(f.label)}: {clean(f.value)}" for f in reply.fields]
        for item in reply.items:
            lines.append(f"  • {clean(item.heading)}")
            lines += [f"    {clean(line)}" for line in item.body.splitlines() if line.strip()]
            lines += [f"    {clean(f.label)}: {clean(f.value)}" for f in item.fields]
            lines += self._inline(self._options(item.choices, indent=""), indent="    ")
        lines += self._options(reply.choices, indent="  ")
        if reply.note:
            lines.append(f"  ({clean(reply.note)})")
        return "\n".join(lines)

    def _options(self, choices: tuple[Choice, ...], indent: str) -> list[str]:
        rendered = []
        for choice in choices:
            self.options.append(choice)
            rendered.append(f"{indent}[{len(self.options)}] {clean(choice.label)}")
        return rendered

    @staticmethod
    def _inline(options: list[str], indent: str, width: int = 100) -> list[str]:
        """An item's buttons side by side, as they sit under it in Slack or Teams: a list of
        seven actions is seven lines of buttons, not thirty-five."""
        lines: list[str] = []
        for option in options:
            if lines and len(lines[-1]) + 2 + len(option) <= width:
                lines[-1] += "  " + option
            else:
                lines.append(indent + option)
        return lines

    def option_for(self, text: str) -> Choice | None:
        """A number typed for a numbered option, or an option's label typed out."""
        stripped = text.strip()
        if _is_number(stripped) and 1 <= int(stripped) <= len(self.options):
            return self.options[int(stripped) - 1]
        return next((c for c in self.options if c.label.lower() == stripped.lower()), None)
