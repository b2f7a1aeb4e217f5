"""Neutral replies and forms as Teams messages: plain text, or an Adaptive Card 1.5.

A reply with nothing but text goes as a plain message; anything with items, buttons, fields or a
picture goes as a card. Every user's words are escaped where Teams reads markdown, and each
message is kept under `MAX_BYTES` (Teams refuses bigger ones): items that don't fit are counted.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from handlers.chat.messages import Choice, Field, Form, Input, Intent, Item, Menu, Reply, menu

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
MAX_BYTES = 80 * 1024  # per message, JSON as sent
MAX_TEXT = 4000  # one TextBlock; longer text is split into several
MAX_LABEL = 60  # a button's title
MORE = "…"

Element = dict[str, Any]

_MARKDOWN = re.compile(r"([\\`*_~\[\]()#>|{}!<])")
_LIST_START = re.compile(r"^(\s*)([-+]|\d+[.)])(\s)", re.MULTILINE)
_STYLE = {"primary": "positive", "danger": "destructive"}
# What a button's Action.Submit data carries. Never `key`: the card renderer (Teams, the Agents
# Playground) reserves it, and a card whose data has one sends nothing when pressed.
FLOW, VERB, ABOUT, CARD, LABEL = "flow", "verb", "about", "card", "label"
ANSWER = "answer"  # the input holding a menu's chosen option
CHOOSE = "Choose"  # the button under a menu


def escape(text: str) -> str:
    """Markdown a card's TextBlock would act on, made literal: no links, emphasis or lists."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}{m.group(3)}", escaped)


def escape_message(text: str) -> str:
    """A plain message's text: Teams reads it as markdown with some HTML, so both are escaped."""
    html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = re.sub(r"([\\`*_~\[\]()#|{}!])", r"\\\1", html)
    escaped = _LIST_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}{m.group(3)}", escaped)
    return escaped.replace("\n", "\n\n")  # Teams joins single line breaks


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(MORE)] + MORE


def text_blocks(text: str, **style: Any) -> list[Element]:
    """One TextBlock per line (Teams joins lines inside a block), each escaped and wrapped."""
    blocks: list[Element] = []
    gap = False
    for line in text.split("\n"):
        if not line.strip():
            gap = True
            continue
        while line:
            chunk, line = line[:MAX_TEXT], line[MAX_TEXT:]
            block: Element = {"type": "TextBlock", "text": escape(chunk), "wrap": True, **style}
            if blocks and not gap:
                block["spacing"] = "None"
            blocks.append(block)
            gap = False
    return blocks


def fact_set(fields: tuple[Field, ...]) -> Element:
    facts = [{"title": escape(cut(f.label, 200)), "value": escape(f.value)} for f in fields]
    return {"type": "FactSet", "facts": facts}


def intent_data(intent: Intent, card: str, label: str) -> dict[str, str]:
    """A button's data: its intent, the card it is on, and its words for the conversation."""
    return {FLOW: intent.flow, VERB: intent.verb, ABOUT: intent.key, CARD: card, LABEL: label}


def pressed_intent(value: dict[str, Any]) -> Intent | None:
    """The intent a pressed button (or a menu's Choose, with its answer) carries."""
    flow, verb = value.get(FLOW), value.get(VERB)
    if not isinstance(flow, str) or not isinstance(verb, str) or not verb:
        return None
    about = value.get(ANSWER) if ANSWER in value else value.get(ABOUT)
    return Intent(flow, verb, "" if about is None else str(about))


def submit(choice: Choice, card: str = "", *, inputs: bool = True) -> Element:
    action: Element = {
        "type": "Action.Submit",
        "title": cut(choice.label, MAX_LABEL) or " ",
        "data": intent_data(choice.intent, card, choice.label),
    }
    if choice.style in _STYLE:
        action["style"] = _STYLE[choice.style]
    if not inputs:  # a way out beside a menu: it neither needs nor sends the menu's answer
        action["associatedInputs"] = "none"
    return action


def action_set(choices: tuple[Choice, ...], card: str = "") -> Element:
    return {"type": "ActionSet", "actions": [submit(c, card) for c in choices]}


def menu_elements(options: Menu, card: str) -> tuple[Element, list[Element]]:
    """A long list of options as one choice set (every option in full, none hidden behind
    "…"), with a Choose button and the way out beside it."""
    choice_set: Element = {
        "type": "Input.ChoiceSet",
        "id": ANSWER,
        "style": "expanded",
        "wrap": True,
        "isRequired": True,
        "errorMessage": "Pick one of these first.",
        "choices": [{"title": cut(c.label, 500), "value": c.intent.key} for c in options.options],
    }
    choose: Element = {
        "type": "Action.Submit",
        "title": CHOOSE,
        "style": "positive",
        "data": intent_data(options.intent, card, ""),
    }
    return choice_set, [choose] + [submit(c, card, inputs=False) for c in options.buttons]


def item_container(item: Item, card: str = "") -> Element:
    items: list[Element] = [
        {"type": "TextBlock", "text": escape(item.heading), "wrap": True, "weight": "Bolder"}
    ]
    if item.body:
        items += text_blocks(item.body)
    if item.fields:
        items.append(fact_set(item.fields))
    if item.choices:
        items.append(action_set(item.choices, card))
    return {"type": "Container", "separator": True, "spacing": "Medium", "items": items}


def more_block(left: int) -> Element:
    text = f"…and {left} more. Say 'my actions' to me in a chat to see them all."
    return {"type": "TextBlock", "text": escape(text), "wrap": True, "isSubtle": True}


def card(body: list[Element], actions: list[Element] | None = None) -> dict[str, Any]:
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    return content


def attachment(content: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_TYPE, "content": content}


def image_element(png: bytes, title: str) -> Element:
    data = base64.b64encode(png).decode("ascii")
    return {"type": "Image", "url": f"data:image/png;base64,{data}", "altText": title}


def needs_card(reply: Reply) -> bool:
    return bool(
        reply.items or reply.choices or reply.fields or reply.image or reply.note or reply.chosen
    )


def summary_text(reply: Reply) -> str:
    """What notifications and screen readers show for a card."""
    return cut(reply.text or (reply.items[0].heading if reply.items else ""), 200)


def message(reply: Reply) -> dict[str, Any]:
    """The activity fields (text, attachments) for one reply, within `MAX_BYTES`."""
    if not needs_card(reply):
        text = escape_message(reply.text)
        budget = MAX_BYTES - 200
        if _size(text) > budget:  # a very long plain reply: cut, with a pointer to the rest
            text = _cut_to(text, budget - 100) + "\n\n" + escape_message("…(cut: too long)")
        return {"type": "message", "text": text, "textFormat": "markdown"}
    return {
        "type": "message",
        "summary": summary_text(reply),
        "attachments": [attachment(reply_card(reply))],
    }


def reply_card(reply: Reply, budget: int = MAX_BYTES - 1024) -> dict[str, Any]:
    """A reply as an Adaptive Card; items that would take it past `budget` are counted."""
    head = text_blocks(reply.text) if reply.text else []
    if reply.fields:
        head.append(fact_set(reply.fields))
    tail: list[Element] = []
    if reply.image is not None:
        tail.append(image_element(reply.image.png, reply.image.title))
    if reply.note:
        tail += text_blocks(reply.note, isSubtle=True, size="Small")
    if reply.chosen:  # a pressed card: what was chosen, in place of its buttons
        tail += text_blocks(f"✓ {reply.chosen}", weight="Bolder")
    options = menu(reply.choices)
    if options is not None:
        choice_set, actions = menu_elements(options, reply.card)
        tail.insert(0, choice_set)
    else:
        actions = [submit(c, reply.card) for c in reply.choices]
    body = list(head)
    used = _size(card(head + tail, actions))
    if used > budget:  # the text alone is too long: keep what fits
        head = _fit_blocks(head, budget - _size(card(tail, actions)) - 400)
        body, used = list(head), _size(card(head + tail, actions))
    for index, item in enumerate(reply.items):
        container = item_container(item, reply.card)
        size = _size(container) + 1
        if used + size > budget - 400:  # room for "and N more"
            body.append(more_block(len(reply.items) - index))
            break
        body.append(container)
        used += size
    return card(body + tail, actions)


def form_card(
    form: Form, errors: dict[str, str] | None = None, values: dict[str, str] | None = None
) -> dict[str, Any]:
    """A form as a card: its inputs, and a Submit that carries the form's name and key."""
    body = text_blocks(form.title, weight="Bolder", size="Medium")
    body += text_blocks(form.intro) if form.intro else []
    for spec in form.inputs:
        body.append(_input(spec, (values or {}).get(spec.name)))
        problem = (errors or {}).get(spec.name)
        if problem:
            body += text_blocks(problem, color="Attention", spacing="None")
    action = {
        "type": "Action.Submit",
        "title": cut(form.submit, MAX_LABEL),
        "style": "positive",
        "data": {"form": form.name, ABOUT: form.key},
    }
    return card(body, [action])


def form_done(form: Form, values: dict[str, str]) -> dict[str, Any]:
    """A submitted form card: what was sent, and no button to send it again."""
    body = text_blocks(form.title, weight="Bolder", size="Medium")
    facts = tuple(Field(i.label, _shown(i, values.get(i.name, ""))) for i in form.inputs)
    body.append(fact_set(tuple(f for f in facts if f.value)))
    body += text_blocks("✓ Sent", weight="Bolder")
    return card(body)


def _shown(spec: Input, value: str) -> str:
    """An answer as the form showed it: an option's words rather than its value."""
    return next((c.label for c in spec.options if c.value == value), value)


def _input(spec: Input, value: str | None) -> Element:
    initial = spec.initial if value is None else value
    element: Element
    if spec.kind == "select":
        element = {
            "type": "Input.ChoiceSet",
            "style": "compact",
            "choices": [{"title": cut(c.label, 200), "value": c.value} for c in spec.options],
        }
    elif spec.kind == "date":
        element = {"type": "Input.Date"}
    else:
        element = {"type": "Input.Text", "isMultiline": spec.kind == "long_text"}
        if spec.max_length:
            element["maxLength"] = spec.max_length
        if spec.hint:
            element["placeholder"] = cut(spec.hint, 200)
    element |= {"id": spec.name, "label": spec.label, "isRequired": not spec.optional}
    if not spec.optional:
        element["errorMessage"] = f"{spec.label} is needed."
    if initial:
        element["value"] = initial
    return element


def form_values(value: dict[str, Any]) -> dict[str, str]:
    """A submitted form card's inputs as {input name: text} (its routing data left out)."""
    return {
        k: "" if v is None else str(v)
        for k, v in value.items()
        if k not in ("form", "key", "choice", FLOW, VERB, ABOUT, CARD, LABEL)
    }


def _size(node: Any) -> int:
    return len(json.dumps(node, ensure_ascii=False).encode("utf-8"))


def _cut_to(text: str, budget: int) -> str:
    data = text.encode("utf-8")[:budget]
    return data.decode("utf-8", errors="ignore")


def _fit_blocks(blocks: list[Element], budget: int) -> list[Element]:
    kept: list[Element] = []
    used = 0
    for block in blocks:
        size = _size(block) + 1
        if used + size > budget:
            kept.append({"type": "TextBlock", "text": escape("…(cut: too long)"), "wrap": True})
            break
        kept.append(block)
        used += size
    return kept
