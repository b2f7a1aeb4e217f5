"""Neutral replies and forms as Slack Block Kit, escaped and within Block Kit's limits.

Slack rejects a whole message when one limit is broken, so every piece is cut to size here:
long text is split into several sections or truncated with a pointer to the rest.
"""

from __future__ import annotations

import re
from typing import Any

from handlers.chat.messages import Choice, Field, Form, Input, Intent, Item, Menu, Reply, menu

MAX_BLOCKS = 50  # per message (App Home allows 100)
MAX_HOME_BLOCKS = 100
MAX_SECTION = 3000
MAX_FIELD = 2000
MAX_FIELDS = 10
MAX_BUTTONS = 25
MAX_BUTTON_LABEL = 75
MAX_VALUE = 2000
MAX_FALLBACK = 3000  # the notification text; Slack allows more, but nobody reads it
MAX_OPTION = 75
MORE = "…"

Block = dict[str, Any]
# A button's action_id is "do:FLOW:VERB:N" (what it asks for; N keeps ids in a block apart),
# its value what it is about, and its block_id "NAME~CARD" (the kept message it is on).
ACTION_PREFIX = "do:"
HOME_PREFIX = "home:"  # the same intents, pressed on the Home tab: answered in the person's DM
CARD_MARK = "~"


def escape(text: str) -> str:
    """Slack's three control characters, so user text can't ping (<!channel>) or link (<@U1>)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(MORE)] + MORE


def plain(text: str, limit: int = MAX_BUTTON_LABEL) -> dict[str, Any]:
    return {"type": "plain_text", "text": cut(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = MAX_SECTION) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": cut(text, limit) or " "}


def sections(text: str) -> list[Block]:
    """Escaped text as as many sections as it needs, split at line ends where possible."""
    chunks: list[str] = []
    rest = escape(text)
    while rest:
        if len(rest) <= MAX_SECTION:
            chunks.append(rest)
            break
        split = rest.rfind("\n", 0, MAX_SECTION)
        split = split if split > MAX_SECTION // 2 else MAX_SECTION
        # never split inside an escape such as &amp;
        amp = rest.rfind("&", split - 5, split)
        split = amp if amp > 0 and ";" not in rest[amp:split] else split
        chunks.append(rest[:split])
        rest = rest[split:].lstrip("\n")
    return [{"type": "section", "text": mrkdwn(chunk)} for chunk in chunks]


def action_id(intent: Intent, index: int | str) -> str:
    return f"{ACTION_PREFIX}{intent.flow}:{intent.verb}:{index}"


def block_id(name: str, card: str) -> str:
    return f"{name}{CARD_MARK}{card}" if card else name


def button(choice: Choice, index: int) -> Block:
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id(choice.intent, index),
        "text": plain(choice.label),
        "value": choice.intent.key[:MAX_VALUE],
    }
    if choice.style != "default":
        element["style"] = choice.style
    return element


def buttons(choices: tuple[Choice, ...], name: str, card: str = "") -> Block:
    elements = [button(c, i) for i, c in enumerate(choices[:MAX_BUTTONS])]
    return {"type": "actions", "block_id": block_id(name, card), "elements": elements}


def select_menu(options: Menu, card: str) -> Block:
    """A long list of options as one select menu, with the way out as buttons beside it."""
    select = {
        "type": "static_select",
        "action_id": action_id(options.intent, "menu"),
        "placeholder": plain("Choose…"),
        "options": [_option(c) for c in options.options[:100]],
    }
    ways_out = [button(c, i) for i, c in enumerate(options.buttons[: MAX_BUTTONS - 1])]
    return {"type": "actions", "block_id": block_id("menu", card), "elements": [select, *ways_out]}


def pressed_intent(
    action: dict[str, Any], prefix: str = ACTION_PREFIX
) -> tuple[Intent, str] | None:
    """The intent a pressed button (or a chosen menu option) carries, and its words."""
    action_id = str(action.get("action_id", ""))
    flow, _, rest = action_id.removeprefix(prefix).partition(":")
    verb = rest.rpartition(":")[0]
    if not action_id.startswith(prefix) or not verb:
        return None
    chosen = action.get("selected_option") or {}
    if chosen:
        return Intent(flow, verb, str(chosen.get("value", ""))), str(
            (chosen.get("text") or {}).get("text", "")
        )
    label = str((action.get("text") or {}).get("text", ""))
    return Intent(flow, verb, str(action.get("value", ""))), label


def card_of(action: dict[str, Any]) -> str:
    """The kept message a pressed button was on (from its block's id)."""
    return str(action.get("block_id", "")).partition(CARD_MARK)[2]


def field_block(fields: tuple[Field, ...]) -> Block:
    shown = [
        mrkdwn(f"*{escape(f.label)}*\n{escape(f.value)}", MAX_FIELD) for f in fields[:MAX_FIELDS]
    ]
    return {"type": "section", "fields": shown}


def item_blocks(item: Item, index: int, card: str = "") -> list[Block]:
    head = f"*{escape(item.heading)}*" + (f"\n{escape(item.body)}" if item.body else "")
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(head)}]
    if item.fields:
        blocks.append(field_block(item.fields))
    if item.choices:
        blocks.append(buttons(item.choices, f"item-{index}", card))
    return blocks


def reply_blocks(reply: Reply, limit: int = MAX_BLOCKS) -> list[Block]:
    """The blocks of one reply; if there are too many items, the rest are counted, not shown."""
    head = sections(reply.text) if reply.text else []
    if reply.fields:
        head.append(field_block(reply.fields))
    tail: list[Block] = []
    options = menu(reply.choices)
    if options is not None:
        tail.append(select_menu(options, reply.card))
    elif reply.choices:
        tail.append(buttons(reply.choices, "choices", reply.card))
    if reply.note:
        tail.append({"type": "context", "elements": [mrkdwn(escape(reply.note))]})
    if reply.chosen:  # a pressed message: what was chosen, in place of its buttons
        tail.append({"type": "section", "text": mrkdwn(f"✓ *{escape(reply.chosen)}*")})
    body: list[Block] = []
    room = limit - len(head) - len(tail) - 1  # one left for "and N more"
    for index, item in enumerate(reply.items):
        blocks = [{"type": "divider"}, *item_blocks(item, index, reply.card)]
        if len(body) + len(blocks) > room:
            left = len(reply.items) - index
            body.append(_more(left))
            break
        body += blocks
    return (head + body + tail)[:limit]


def _more(left: int) -> Block:
    text = f"…and {left} more. Say 'my actions' in a DM, or open the bot's Home tab, to see all."
    return {"type": "context", "elements": [mrkdwn(text)]}


def fallback_text(reply: Reply) -> str:
    """The plain `text` Slack shows in notifications and to screen readers."""
    return cut(escape(reply.text or (reply.items[0].heading if reply.items else " ")), MAX_FALLBACK)


def message(reply: Reply) -> dict[str, Any]:
    return {"text": fallback_text(reply), "blocks": reply_blocks(reply)}


def home_view(replies: list[Reply]) -> dict[str, Any]:
    """The Home tab: the replies one under another. Block ids are made unique across them
    (Slack refuses a view with two alike), and buttons keep their intents under `home:`, so
    the channel answers them as Home tab presses."""
    blocks: list[Block] = [{"type": "header", "text": plain("Your actions", 150)}]
    for index, reply in enumerate(replies):
        if index:
            blocks.append({"type": "divider"})
        for block in reply_blocks(reply, MAX_HOME_BLOCKS - len(blocks)):
            if "block_id" in block:
                block = {**block, "block_id": f"{block['block_id']}-r{index}"}
            blocks.append(block)
    buttons_seen = 0
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                flow, verb = element["action_id"].removeprefix(ACTION_PREFIX).split(":")[:2]
                element["action_id"] = f"{HOME_PREFIX}{flow}:{verb}:{buttons_seen}"
                buttons_seen += 1
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def modal(form: Form) -> dict[str, Any]:
    """A form as a modal; `private_metadata` carries what it is about, checked on submission."""
    blocks: list[Block] = sections(form.intro)[:3]
    blocks += [_input_block(i) for i in form.inputs]
    return {
        "type": "modal",
        "callback_id": f"form-{form.name}",
        "private_metadata": form.key[:3000],
        "title": plain(form.title, 24),
        "submit": plain(form.submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks,
    }


def _input_block(spec: Input) -> Block:
    element: dict[str, Any]
    if spec.kind == "select":
        options = [_option(c) for c in spec.options[:100]]
        element = {"type": "static_select", "action_id": spec.name, "options": options}
        initial = [
            o for o, c in zip(options, spec.options, strict=False) if c.value == spec.initial
        ]
        if initial:
            element["initial_option"] = initial[0]
    elif spec.kind == "date":
        element = {"type": "datepicker", "action_id": spec.name}
        if spec.initial:
            element["initial_date"] = spec.initial  # YYYY-MM-DD
    else:
        element = {
            "type": "plain_text_input",
            "action_id": spec.name,
            "multiline": spec.kind == "long_text",
        }
        if spec.max_length:
            element["max_length"] = min(spec.max_length, 3000)
        if spec.initial:
            element["initial_value"] = spec.initial[: element.get("max_length", 3000)]
    block: Block = {
        "type": "input",
        "block_id": spec.name,
        "label": plain(spec.label, 2000),
        "element": element,
        "optional": spec.optional,
    }
    if spec.hint:
        block["hint"] = plain(spec.hint, 2000)
    return block


def _option(choice: Choice) -> dict[str, Any]:
    return {"text": plain(choice.label, MAX_OPTION), "value": choice.intent.key[:150]}


def submitted_values(state: dict[str, Any]) -> dict[str, str]:
    """A modal's `view.state.values` as {input name: text}."""
    values: dict[str, str] = {}
    for block_id, actions in state.get("values", {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind == "static_select":
                chosen = element.get("selected_option") or {}
                values[block_id] = chosen.get("value", "")
            elif kind == "datepicker":
                values[block_id] = element.get("selected_date") or ""
            else:
                values[block_id] = element.get("value") or ""
    return values


_LINK = re.compile(r"<([^<>|]+)(?:\|([^<>]*))?>")


def plain_text(mrkdwn_text: str) -> str:
    """A Slack message's text as plain words: links as their label (and address), mentions
    as @id or #channel, and Slack's three escapes undone. For a note taken from a message."""

    def one(match: re.Match[str]) -> str:
        target, label = match[1], match[2]
        if target.startswith(("@", "#")):
            return label and target[0] + label or target
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return f"{label} ({target})" if label and label != target else target

    text = _LINK.sub(one, mrkdwn_text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
