"""What the core asks of a channel beyond answering: send first, update a sent message, and
say who a platform user is. Console, Slack and Teams each implement these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from handlers.chat.messages import Reply
from handlers.chat.state import ConversationKey


class SendError(Exception):
    """The platform failed; the message stays queued and is tried again later."""


class Unreachable(SendError):
    """The person has no identity on this platform: retrying will not help."""


@dataclass(frozen=True)
class Recipient:
    """Who a queued message is for: a person (by their id on the platform) or a channel."""

    name: str  # for messages about the delivery, e.g. "Sam Patel has no id on this platform"
    user_id: str | None = None  # the person's id on the sending platform, if known
    email: str | None = None
    chat_channel: str = ""  # post here instead of to a person (a steering group's channel)
    # The person's workspace (Slack team, Teams tenant) when their organisation has exactly
    # one on this platform: a reply arrives from there, and must continue this conversation.
    workspace: str | None = None


@dataclass(frozen=True)
class Sent:
    """A delivered message: where a reply to it will arrive, and how to find it again."""

    key: ConversationKey | None  # the conversation a reply continues; None for a channel post
    message_id: str = ""  # the platform's id of the message, to update it later


class Sender(Protocol):
    """A chat platform's way of delivering a message nobody asked for (a reminder)."""

    via: str  # the channel's name, as queued messages name it

    def send(self, to: Recipient, reply: Reply) -> Sent:
        """Deliver, or raise SendError (try again later) or Unreachable (don't)."""
        ...

    def update(self, sent: Sent, reply: Reply) -> None:
        """Replace a message sent earlier, e.g. to show what was done about its buttons."""
        ...


class Directory(Protocol):
    """A platform's address book: the e-mail of one of its users, to match them to a person.

    `address` is where the user just wrote (`Incoming.address`), for platforms that look
    people up there; `workspace` is the workspace they wrote from, for platforms whose app
    holds a token per workspace."""

    def email_of(
        self, user: str, address: Mapping[str, str] | None = None, workspace: str = ""
    ) -> str | None: ...
