"""A chat platform refusing engagebot's own credentials (an expired Teams client secret, a
revoked Slack token): recorded once, the plans' admins told once by a way that does not need
those credentials, and forgotten when the platform accepts them again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from handlers.chat.messages import Reply
from handlers.chat.outbox import queue
from handlers.plans.people import chat_ids
from models.tables import OrgBinding, Person, PlanAdmin, PlatformAccess

CONSOLE = "console"  # `engagebot chat`: needs no platform's credentials at all


def refused(
    session: Session,
    platform: str,
    problem: str,
    now: datetime,
    *,
    workspace: str = "",
    others: Sequence[str] = (),
) -> bool:
    """Record that `platform` refuses our credentials. True when this is news: then every
    admin concerned has been sent a notice on one of the `others` (platforms that can send
    now) they are known on, or else in the console (`engagebot chat`)."""
    if _row(session, platform, workspace) is not None:
        return False
    session.add(
        PlatformAccess(platform=platform, workspace=workspace, problem=problem, refused_since=now)
    )
    notice = notice_refused(platform, problem)
    for admin in _admins(session, platform, workspace):
        via = _way_round(session, admin, others)
        queue(session, notice, via=via, kind="notice", now=now, person_id=admin.id)
    return True


def accepted(session: Session, platform: str, workspace: str = "") -> datetime | None:
    """`platform` accepts our credentials (again): since when they had been refused, if
    they had; the record goes."""
    row = _row(session, platform, workspace)
    if row is None:
        return None
    session.delete(row)
    return row.refused_since


def refusals(session: Session) -> list[PlatformAccess]:
    """Platforms refusing our credentials now, longest first."""
    query = select(PlatformAccess).order_by(col(PlatformAccess.refused_since))
    return list(session.exec(query).all())


def notice_refused(platform: str, problem: str) -> Reply:
    """For the plans' admins: the bot can't send on a platform at all, and nothing is lost."""
    name = platform.capitalize()
    return Reply(
        f"{name} is refusing engagebot's own credentials, so nothing can be sent there just "
        f"now ({problem}). Reminders and notices are kept and go out as soon as {name} "
        "accepts them again. Please tell your IT team: the fix is theirs, not the officers'."
    )


def _row(session: Session, platform: str, workspace: str) -> PlatformAccess | None:
    query = select(PlatformAccess).where(
        PlatformAccess.platform == platform, PlatformAccess.workspace == workspace
    )
    return session.exec(query).first()


def _admins(session: Session, platform: str, workspace: str) -> list[Person]:
    """Every plan admin; for one workspace's credentials, that workspace's organisation's."""
    query = select(Person).where(col(Person.id).in_(select(PlanAdmin.person_id)))
    if workspace:
        orgs = select(OrgBinding.org_id).where(
            OrgBinding.platform == platform, OrgBinding.external_id == workspace
        )
        query = query.where(col(Person.org_id).in_(orgs))
    return list(session.exec(query.order_by(col(Person.id))).all())


def _way_round(session: Session, admin: Person, others: Sequence[str]) -> str:
    """The first of the `others` platforms `admin` is known on, or else the console."""
    known = chat_ids(session, admin)
    return next((platform for platform in others if platform in known), CONSOLE)
