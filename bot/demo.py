"""The demo: three councils' real action plans, with made-up officers holding their roles and a
few months of their progress, on a fixed clock at which the plans are current.

Everything comes from bot/demo_data/: the plans as the councils published them (Blackpool's
2019 audit, Ashfield's 2020 strategy timetable, Halton's 2012 action plan), each council an
organisation of its own; `people.csv` (who holds which role, who administers a plan);
`progress.csv` (updates officers gave before the demo's day, so actions are in every state);
`role_merges.csv` (Halton's teams written several ways, merged as its engagement team confirmed).
"""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.importing.importer import ImportReport, import_file
from handlers.plans.organisations import add
from handlers.plans.people import assign, make_admin
from handlers.plans.progress import Update, parse_status, record_update
from handlers.plans.roles import merge
from models.db import transaction
from models.scoping import ALL
from models.tables import Action, Organisation, Person, Plan

DEMO_DIR = Path(__file__).parent / "demo_data"
LONDON = ZoneInfo("Europe/London")
# The demo's day: Blackpool's revised targets (30 September 2020) are a fortnight away and
# Ashfield's timetable has begun, so a reminder is waiting and every state has actions.
DEMO_NOW = datetime(2020, 9, 10, 9, 30, tzinfo=LONDON)
DEMO_USER = "sam.patel@example.org"  # holds the role that owns most of Blackpool's actions


def demo_clock() -> FixedClock:
    return FixedClock(DEMO_NOW)


def clock_line() -> str:
    return (
        f"Demo clock: {DEMO_NOW:%A} {DEMO_NOW.day} {DEMO_NOW:%B %Y, %H:%M} (fixed, so that the "
        "councils' 2019-2020 plans are current)."
    )


def load_demo(ctx: AppContext) -> list[ImportReport]:
    """Load the councils, their plans, people and progress into `ctx`'s (empty) database."""
    reports = []
    for row in _rows("councils.csv"):
        org = _organisation(ctx, row["org"], row["council"], row["nation"])
        scoped = replace(ctx, org=org)
        reports.append(import_file(scoped, DEMO_DIR / row["plan_file"], plan_name=row["plan"]))
    _merge_roles(ctx)
    _people(ctx)
    _progress(ctx)
    return reports


def _rows(name: str) -> list[dict[str, str]]:
    with (DEMO_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _organisation(ctx: AppContext, slug: str, name: str, nation: str) -> int:
    with transaction(ctx.engine, ALL) as session:
        org = session.exec(select(Organisation).where(Organisation.slug == slug)).first()
        if org is None:
            org = add(session, slug, name, ctx.now())
        org.name = name
        org.nation = nation  # whose law "should I consult?" gives
        session.add(org)
        session.flush()
        return org.id or 0


def _merge_roles(ctx: AppContext) -> None:
    for row in _rows("role_merges.csv"):
        with transaction(ctx.engine, row["org"]) as session:
            merge(session, row["merge"], row["into"])


def _people(ctx: AppContext) -> None:
    for row in _rows("people.csv"):
        with transaction(ctx.engine, row["org"]) as session:
            if row["role"]:
                assign(
                    session,
                    row["role"],
                    name=row["name"],
                    email=row["email"],
                    chat={"slack": row["slack"], "teams": row["teams"]},
                    deputy=row["deputy"] == "yes",
                )
            for plan_name in filter(None, row["admin_of"].split(";")):
                make_admin(session, plan_name, email=row["email"], name=row["name"])


def _progress(ctx: AppContext) -> None:
    """The updates officers gave before the demo's day, as they would have in chat."""
    for row in _rows("progress.csv"):
        with transaction(ctx.engine, row["org"]) as session:
            plan = session.exec(select(Plan).where(Plan.name == row["plan"])).one()
            action = session.exec(
                select(Action).where(Action.plan_id == plan.id, Action.ref == row["ref"])
            ).one()
            author = session.exec(select(Person).where(Person.email == row["by"])).one()
            when = datetime.fromisoformat(row["when"]).replace(tzinfo=LONDON)
            new_date = date.fromisoformat(row["new_date"]) if row["new_date"] else None
            update = Update(parse_status(row["status"]), row["note"], new_date)
            record_update(session, action, update, author=author, now=when, source="chat")


def org_of(ctx: AppContext, who: str) -> int | None:
    """The organisation of the demo person `who` (an e-mail or a name), for `chat --as`."""
    with transaction(ctx.engine, ALL) as session:
        person = session.exec(
            select(Person).where((Person.email == who.lower()) | (Person.name == who))
        ).first()
        return person.org_id if person is not None else None
