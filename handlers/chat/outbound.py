"""What the core asks of a channel beyond answering: send first, update a sent message, and
say who a platform user is. Console, Slack and Teams each implement these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from handlers.chat.messages import Reply
from handlers.chat.state import ConversationKey


class SendError(Exception):
    """Theirs to retry: the platform failed or is busy; the message stays queued and is
    tried again later, with a growing back-off."""

    code: str = ""  # the platform's own error code, when it gave one (Slack's "not_in_channel")


class Unreachable(SendError):
    """The person's: they can't be reached on this platform (no id, never wrote to the bot,
    blocked or removed it). The message is held until they next write; retrying before
    that would not help."""


class CredentialsRefused(SendError):
    """Ours to fix: the platform refused engagebot's own credentials (an expired client
    secret, a revoked token). Every message is held, not lost; operators and admins are told
    once, by a path that needs no such credentials; sending is tried again every run."""

    def __init__(self, message: str, workspace: str = "") -> None:
        super().__init__(message)
        self.workspace = workspace  # "" when one set of credentials serves every workspace


class Rejected(SendError):
    """Ours to fix: the platform refused the message itself (malformed, too big): a bug,
    logged as one. Kept and tried again with back-off, so a fixed release still sends it."""


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
        """Deliver, or raise SendError (try again later), Unreachable (not until they write),
        CredentialsRefused (ours: hold everything) or Rejected (ours: a bug)."""
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
