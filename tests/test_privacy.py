"""A private plan's name is never shown to someone who is not one of its members: not in a
list of plans matching a summary request, not on a button offering to update an action."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from handlers.chat.context import AppContext
from handlers.importing.importer import import_file
from models.db import transaction
from models.tables import Plan
from tests.conftest import RUTH, SAM, STRANGER, Chat

SECRET_PLAN = "blackpool-restructure-2027"  # private: only its members may know it exists


@pytest.fixture
def two_plans(blackpool: AppContext, tmp_path: Path) -> AppContext:
    """The public Blackpool plan (Sam holds R4's role there), and a private plan with refs R4
    and R16 too, whose roles only Ruth holds among the people the bot knows."""
    sheet = tmp_path / "restructure.csv"
    sheet.write_text(
        "Ref,Recommendation,Responsible officer,Target Date\n"
        "R4,Merge the two directorates,Chief Executive,31/03/2027\n"
        "R16,Move public health under the new directorate,Director of Public Health,31/03/2027\n",
        encoding="utf-8",
    )
    import_file(blackpool, sheet, plan_name=SECRET_PLAN, title="Directorate restructure")
    with transaction(blackpool.engine) as session:
        secret = session.exec(select(Plan).where(Plan.name == SECRET_PLAN)).one()
        secret.private = True
        session.add(secret)
    return blackpool


def test_a_summary_request_matching_two_plans_names_only_the_visible_one(
    two_plans: AppContext, chat_as: Chat
) -> None:
    answer = chat_as(SAM).send("summary blackpool")
    assert SECRET_PLAN not in answer and "restructure" not in answer.lower()
    assert "status on 23 November 2026" in answer  # the one plan Sam may see, summarised
    stranger = chat_as(STRANGER).send("summary blackpool")
    assert SECRET_PLAN not in stranger and "restructure" not in stranger.lower()
    # Ruth is a member of both: she is asked which one.
    assert SECRET_PLAN in chat_as(RUTH).send("summary blackpool")


@pytest.mark.parametrize("command", ["update R4", "complete R4", "snooze R4", "notmine R4"])
def test_an_action_offered_to_update_never_names_a_private_plan(
    two_plans: AppContext, chat_as: Chat, command: str
) -> None:
    """R4 is in both plans; Sam may update it only in the public one, a stranger in neither:
    neither is offered (or refused about) the private one."""
    for who in (SAM, STRANGER):
        answer = chat_as(who).send(command)
        assert SECRET_PLAN not in answer, (who, answer)
    assert SECRET_PLAN in chat_as(RUTH).send("update R16")  # her own action, in both plans
