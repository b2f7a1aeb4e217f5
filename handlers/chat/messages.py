"""What handlers take in and give back: plain values that know nothing of any chat platform.

All text here is plain text, never markup: each channel escapes it for its own format, so a
user's words shown back can never ping a channel or break a layout.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

from handlers.chat.state import ConversationKey, Next


@dataclass(frozen=True)
class IncomingFile:
    """A file sent with a message (a document to attach): its name and its bytes, as the
    channel fetched them from the platform."""

    name: str
    content: bytes


@dataclass(frozen=True)
class Incoming:
    """One thing a user said or pressed, in any channel; the channel fills in every field."""

    channel: str  # the channel's name
    workspace: str  # the platform's workspace or tenant; "local" for the console
    conversation: str  # the DM, room or thread the message came from (the channel's own shape)
    user: str  # the platform's id for the user
    text: str = ""
    choice: str | None = None  # the value of a button the user pressed
    event_id: str | None = None  # the platform's id for this event, for de-duplication
    email: str | None = None  # the user's e-mail, when the platform tells us
    place: str = ""  # the room it was said in, threads aside: plans are linked to rooms
    # Where this was said, in the channel's own terms, for platforms that can only message
    # someone where they spoke before: kept for the user (scope "personal") or the room.
    address: dict[str, str] | None = None
    files: tuple[IncomingFile, ...] = ()  # documents sent with the message

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.channel, self.workspace, self.conversation, self.user)


Style = Literal["default", "primary", "danger"]

# How a command or a button names an action: "#15" (its id: what buttons carry, whatever its
# plan is called), "R4", or "plan name:R4" (buttons sent before ids; a plan name may have
# spaces). A regular expression, for the commands that take an action.
ACTION_KEY = r"#\d+|[^\s:][^:]*:\S+|\S+"


@dataclass(frozen=True)
class Choice:
    """A button (or numbered option in the console); pressing it sends `value` back."""

    label: str
    value: str
    style: Style = "default"


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Item:
    """One entry in a list, e.g. an action with its details and its own buttons."""

    heading: str
    body: str = ""
    fields: tuple[Field, ...] = ()
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class Image:
    """A picture sent with a reply, e.g. the summary's chart."""

    filename: str
    title: str
    png: bytes


@dataclass(frozen=True)
class Reply:
    text: str
    items: tuple[Item, ...] = ()
    choices: tuple[Choice, ...] = ()
    note: str = ""  # small print under the message
    private: bool = False  # only the asker should see it
    fields: tuple[Field, ...] = field(default=())
    broadcast: bool = False  # meant for everyone where it was asked (a summary in a channel)
    image: Image | None = None


@dataclass(frozen=True)
class Turn:
    """What a handler did with one message: its replies, and where the conversation goes next."""

    replies: tuple[Reply, ...]
    next: Next | None = None  # None: the conversation is over


def say(
    text: str,
    *,
    items: tuple[Item, ...] = (),
    choices: tuple[Choice, ...] = (),
    note: str = "",
    private: bool = False,
) -> Turn:
    """A one-reply turn that ends the conversation."""
    return Turn((Reply(text, items=items, choices=choices, note=note, private=private),))


InputKind = Literal["select", "text", "long_text", "date"]


@dataclass(frozen=True)
class Input:
    """One question on a form (a Slack modal, a Teams card); answers come back by `name`."""

    name: str
    label: str
    kind: InputKind = "text"
    options: tuple[Choice, ...] = ()
    optional: bool = False
    initial: str = ""
    hint: str = ""
    max_length: int | None = None


@dataclass(frozen=True)
class Form:
    """A set of questions answered at once, for channels that can show them together."""

    name: str  # the handler that takes the answers, e.g. "update"
    key: str  # what the form is about, e.g. "blackpool-audit-2019:R1"
    title: str
    submit: str
    intro: str
    inputs: tuple[Input, ...]


@dataclass(frozen=True)
class Submitted:
    """The result of a submitted form: per-input problems to show, or what was done."""

    errors: dict[str, str] = field(default_factory=dict)
    turn: Turn | None = None


def reply_to_json(reply: Reply) -> dict[str, object]:
    """A reply as plain JSON, to keep in the outbox until it is delivered."""

    def choices(items: tuple[Choice, ...]) -> list[dict[str, str]]:
        return [{"label": c.label, "value": c.value, "style": c.style} for c in items]

    def fields(items: tuple[Field, ...]) -> list[dict[str, str]]:
        return [{"label": f.label, "value": f.value} for f in items]

    return {
        "text": reply.text,
        "items": [
            {
                "heading": i.heading,
                "body": i.body,
                "fields": fields(i.fields),
                "choices": choices(i.choices),
            }
            for i in reply.items
        ],
        "choices": choices(reply.choices),
        "note": reply.note,
        "private": reply.private,
        "fields": fields(reply.fields),
        "broadcast": reply.broadcast,
        "image": _image_json(reply.image),
    }


def _image_json(image: Image | None) -> dict[str, str] | None:
    if image is None:
        return None
    data = base64.b64encode(image.png).decode("ascii")
    return {"filename": image.filename, "title": image.title, "png": data}


def reply_from_json(data: dict[str, Any]) -> Reply:
    def choices(items: list[dict[str, Any]]) -> tuple[Choice, ...]:
        return tuple(Choice(**c) for c in items)

    def fields(items: list[dict[str, Any]]) -> tuple[Field, ...]:
        return tuple(Field(**f) for f in items)

    items = tuple(
        Item(
            heading=i["heading"],
            body=i.get("body", ""),
            fields=fields(i.get("fields", [])),
            choices=choices(i.get("choices", [])),
        )
        for i in data.get("items", [])
    )
    return Reply(
        text=data.get("text", ""),
        items=items,
        choices=choices(data.get("choices", [])),
        note=data.get("note", ""),
        private=data.get("private", False),
        fields=fields(data.get("fields", [])),
        broadcast=data.get("broadcast", False),
        image=_image(data.get("image")),
    )


def _image(data: dict[str, str] | None) -> Image | None:
    if not data:
        return None
    return Image(data["filename"], data["title"], base64.b64decode(data["png"]))
