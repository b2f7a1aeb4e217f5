"""Replies rendered as Block Kit stay within Slack's limits, whatever their size."""

from __future__ import annotations

from bot.channels import slack_blocks as kit
from handlers.chat.messages import Choice, Field, Item, Reply


def _sections(blocks: list[dict[str, object]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]  # type: ignore[index]


def test_a_long_text_is_split_into_sections_of_at_most_3000_characters() -> None:
    text = ("An update from the steering group.\n" * 400).strip()
    blocks = kit.reply_blocks(Reply(text))
    assert all(len(s) <= 3000 for s in _sections(blocks))
    assert "".join(_sections(blocks)).replace("\n", "") == text.replace("\n", "")


def test_sixty_actions_fit_in_50_blocks_with_a_pointer_to_the_rest() -> None:
    items = tuple(
        Item(
            f"R{i}",
            "x" * 500,
            fields=(Field("Status", "Overdue"),),
            choices=(Choice("Add update", f"update plan:R{i}"),),
        )
        for i in range(60)
    )
    reply = Reply("You have 60 open actions.", items=items, choices=(Choice("Help", "help"),))
    blocks = kit.reply_blocks(reply)
    assert len(blocks) <= 50
    assert any("more" in str(b) and b["type"] == "context" for b in blocks)
    assert blocks[-1]["type"] == "actions"  # the reply's own buttons are kept


def test_button_labels_values_and_counts_are_cut_to_slacks_limits() -> None:
    choices = tuple(Choice("A very long label " * 10, "v" * 3000) for _ in range(30))
    block = kit.buttons(choices, "b")
    assert len(block["elements"]) == 25
    assert all(len(e["text"]["text"]) <= 75 for e in block["elements"])
    assert all(len(e["value"]) <= 2000 for e in block["elements"])


def test_fields_are_at_most_ten_of_2000_characters() -> None:
    fields = tuple(Field(f"F{i}", "y" * 5000) for i in range(14))
    block = kit.field_block(fields)
    assert len(block["fields"]) == 10
    assert all(len(f["text"]) <= 2000 for f in block["fields"])


def test_user_text_is_escaped_everywhere_it_is_shown() -> None:
    nasty = "<!channel> <@U123> & <https://evil.example|click>"
    reply = Reply(nasty, items=(Item(nasty, nasty, fields=(Field(nasty, nasty),)),), note=nasty)
    rendered = str(kit.message(reply))
    assert "<!channel>" not in rendered and "<@U123>" not in rendered
    assert "&lt;!channel&gt;" in rendered and "&amp;" in rendered


def test_the_home_tab_allows_up_to_100_blocks() -> None:
    items = tuple(Item(f"R{i}", "body") for i in range(80))
    view = kit.home_view([Reply("Your actions", items=items)])
    assert 50 < len(view["blocks"]) <= 100
