"""What handlers take in and give back: plain values that know nothing of any chat platform.

All text here is plain text, never markup: each channel escapes it for its own format, so a
user's words shown back can never ping a channel or break a layout.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
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
    choice: str | None = None  # a button's words, sent as if typed (buttons sent before intents)
    event_id: str | None = None  # the platform's id for this event, for de-duplication
    email: str | None = None  # the user's e-mail, when the platform tells us
    place: str = ""  # the room it was said in, threads aside: plans are linked to rooms
    # Where this was said, in the channel's own terms, for platforms that can only message
    # someone where they spoke before: kept for the user (scope "personal") or the room.
    address: dict[str, str] | None = None
    files: tuple[IncomingFile, ...] = ()  # documents sent with the message
    intent: Intent | None = None  # the pressed button's intent
    card: str = ""  # the card (kept message) the button was pressed on, if the channel knows it
    # The channel can show a form now (a Slack trigger, a Teams card): a flow may answer with one.
    forms: bool = False

    @property
    def key(self) -> ConversationKey:
        return ConversationKey(self.channel, self.workspace, self.conversation, self.user)


Style = Literal["default", "primary", "danger"]
SAY = "say"  # the verb of a button that sends its words as if typed (no flow of its own)


@dataclass(frozen=True)
class Intent:
    """What pressing a button asks for, as data the channels carry and the core routes by.

    `flow` is the flow that takes it; `verb` is one of that flow's actions (e.g. the update
    flow's "start") or the step the button answers (e.g. "status"); `key` is what it is about
    (an action's button key, "#15") or the answer ("complete"). A button with no flow sends
    `key` as if typed (`Choice(label, "words")`, the old way).
    """

    flow: str
    verb: str
    key: str = ""

    @property
    def words(self) -> bool:
        """A button that stands for typed words rather than a flow's action."""
        return not self.flow


# How a command or a button names an action: "#15" (its id: what buttons carry, whatever its
# plan is called), "R4", or "plan name:R4" (buttons sent before ids; a plan name may have
# spaces). A regular expression, for the commands that take an action.
ACTION_KEY = r"#\d+|[^\s:][^:]*:\S+|\S+"


@dataclass(frozen=True, init=False)
class Choice:
    """A button (or numbered option in the console); pressing it sends its `intent` back.

    `Choice(label, "words")` still works: a button that says "words" as if typed.
    `way_out` marks the choices that must stay in sight when a long list of options is shown
    as a menu ("Not sure", "None of these", "Cancel").
    """

    label: str
    intent: Intent
    style: Style = "default"
    way_out: bool = False

    def __init__(
        self, label: str, intent: Intent | str, style: Style = "default", *, way_out: bool = False
    ) -> None:
        object.__setattr__(self, "label", label)
        intent = intent if isinstance(intent, Intent) else Intent("", SAY, intent)
        object.__setattr__(self, "intent", intent)
        object.__setattr__(self, "style", style)
        object.__setattr__(self, "way_out", way_out)

    @property
    def value(self) -> str:
        """What the button is about, or its words (the console types them)."""
        return self.intent.key


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
    # The id this message is kept under (handlers/chat/cards.py), carried by its buttons so
    # a press can update it from the database, on any instance, after any restart.
    card: str = ""
    chosen: str = ""  # a pressed message: what was chosen, shown in place of its buttons


@dataclass(frozen=True)
class Turn:
    """What a handler did with one message: its replies, and where the conversation goes next.

    With `form`, a channel that can show forms (`Incoming.forms`) shows it instead, and the
    conversation stays where it was."""

    replies: tuple[Reply, ...]
    next: Next | None = None  # None: the conversation is over
    form: Form | None = None


@dataclass(frozen=True)
class Outcome:
    """What the core gives a channel for one message or press."""

    replies: tuple[Reply, ...] = ()
    form: Form | None = None  # a form to show (only to a channel that said it can)
    pressed: Reply | None = None  # the message whose button was pressed, as it now looks


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

    def choices(items: tuple[Choice, ...]) -> list[dict[str, object]]:
        return [choice_to_json(c) for c in items]

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
        "card": reply.card,
        "chosen": reply.chosen,
    }


def choice_to_json(choice: Choice) -> dict[str, object]:
    intent = choice.intent
    return {
        "label": choice.label,
        "flow": intent.flow,
        "verb": intent.verb,
        "key": intent.key,
        "style": choice.style,
        "way_out": choice.way_out,
    }


def choice_from_json(data: dict[str, Any]) -> Choice:
    """A choice kept as JSON; one queued before intents has only its words (`value`)."""
    if "value" in data:
        intent = Intent("", SAY, str(data["value"]))
    else:
        intent = Intent(str(data["flow"]), str(data["verb"]), str(data.get("key", "")))
    return Choice(
        str(data["label"]),
        intent,
        data.get("style", "default"),
        way_out=bool(data.get("way_out", False)),
    )


def _image_json(image: Image | None) -> dict[str, str] | None:
    if image is None:
        return None
    data = base64.b64encode(image.png).decode("ascii")
    return {"filename": image.filename, "title": image.title, "png": data}


def reply_from_json(data: dict[str, Any]) -> Reply:
    def choices(items: list[dict[str, Any]]) -> tuple[Choice, ...]:
        return tuple(choice_from_json(c) for c in items)

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
        card=data.get("card", ""),
        chosen=data.get("chosen", ""),
    )


def _image(data: dict[str, str] | None) -> Image | None:
    if not data:
        return None
    return Image(data["filename"], data["title"], base64.b64decode(data["png"]))


# -- how channels lay out a reply's buttons ------------------------------------------------

MAX_BUTTONS = 5  # more options than this go in a menu (a Teams choice set, a Slack select)
MAX_MENU_KEY = 150  # Slack's longest option value


@dataclass(frozen=True)
class Menu:
    """A long list of options shown as one menu, and the choices kept as buttons beside it."""

    options: tuple[Choice, ...]  # all answer the same step (one flow and verb): `key` differs
    buttons: tuple[Choice, ...]  # the way out ("Not sure", "None of these", "Cancel")

    @property
    def intent(self) -> Intent:
        """The intent every option shares; the chosen option's key completes it."""
        return replace(self.options[0].intent, key="")


def menu(choices: tuple[Choice, ...]) -> Menu | None:
    """More than `MAX_BUTTONS` options answering one step become a menu; None: show buttons."""
    options = tuple(c for c in choices if not c.way_out)
    if len(options) <= MAX_BUTTONS:
        return None
    first = options[0].intent
    same = all((c.intent.flow, c.intent.verb) == (first.flow, first.verb) for c in options)
    if not same or any(len(c.intent.key) > MAX_MENU_KEY for c in options):
        return None
    return Menu(options, tuple(c for c in choices if c.way_out))


def pressed(reply: Reply, intent: Intent, label: str = "") -> Reply:
    """A message after one of its buttons was pressed: no buttons left, what was chosen shown
    (with the heading of the item it was on, in a list); `label` if the button is not on it."""
    found = next((c for c in reply.choices if c.intent == intent), None)
    words = found.label if found else ""
    for item in reply.items if not words else ():
        on_item = next((c for c in item.choices if c.intent == intent), None)
        if on_item is not None:
            words = f"{on_item.label}: {item.heading}"
            break
    words = words or label or intent.key
    items = tuple(replace(i, choices=()) for i in reply.items)
    return replace(reply, items=items, choices=(), chosen=words)
