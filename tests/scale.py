"""A council of any size, written straight into a migrated database: plans, themes, roles and
the people who hold them, actions with owners, progress notes and revised targets, published
activities. For the statement-count tests (10 and 1,000 actions) and bench/bench_scale.py
(1,000 to 100,000 actions, and ten councils).

Only SQLAlchemy Core over the reflected tables, and only tables every schema since 0008 has,
so the bench can fill a database made by older code the same way.

The shape grows the way councils do: more plans, roles and officers, not more actions per
officer. An officer holds one role of about 25 actions; the first plan holds half of them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, insert, select
from sqlalchemy.engine import Engine

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0)
STATUSES = (
    ("COMPLETE", 30),
    ("WITHDRAWN", 5),
    ("IN_PROGRESS", 30),
    ("DELAYED", 10),
    ("PARTIALLY_COMPLETE", 10),
    ("NOT_STARTED", 15),
)
ACTIONS_PER_ROLE = 25
PLANS = 5
THEMES = 8
OFFICER = "officer0@org{org}.example.org"  # holds role 0 of council `org`: "my actions"
CHAIR = "chair@org{org}.example.org"  # admin of every plan: the summary, overdue
SLACK_TEAM = "T0ORG{org}"


@dataclass(frozen=True)
class Council:
    org_id: int
    slug: str
    plans: list[str]  # plan names, biggest first
    officer: str  # e-mail
    officer_slack: str
    chair: str
    chair_slack: str
    team: str  # the Slack workspace bound to it
    officers: int  # people holding a role, Slack ids U{org:02d}{n:06d} for n below this


def fill(
    engine: Engine,
    actions: int,
    *,
    councils: int = 1,
    published: int = 0,
    roles: int | None = None,
) -> list[Council]:
    """`councils` organisations of `actions` actions each (the first is the default one), and
    `published` public activities in the first. `roles`: so many roles and officers whatever
    the size (default: one per 25 actions)."""
    meta = MetaData()
    meta.reflect(engine)
    made = []
    for number in range(councils):
        with engine.begin() as db:
            shown = published if not number else 0
            made.append(_council(db, meta.tables, number, actions, shown, roles))
    return made


def _council(db: Any, t: Any, number: int, size: int, published: int, roles: int | None) -> Council:
    rng = random.Random(number * 7919 + size)
    org = _organisation(db, t, number)
    team = SLACK_TEAM.format(org=org)
    db.execute(insert(t["orgbinding"]), [{"org_id": org, "platform": "slack", "external_id": team}])
    roles = roles or max(4, size // ACTIONS_PER_ROLE)
    role_ids = _ids(
        db,
        t["role"],
        [
            {"org_id": org, "name": f"Role {i} officer", "key": f"role {i} officer"}
            for i in range(roles)
        ],
    )
    people = [
        {"org_id": org, "name": f"Officer {i}", "email": f"officer{i}@org{org}.example.org"}
        for i in range(roles)
    ]
    people.append({"org_id": org, "name": "Chair", "email": CHAIR.format(org=org)})
    person_ids = _ids(db, t["person"], people)
    chair = person_ids[-1]
    db.execute(
        insert(t["roleholder"]),
        [
            {"role_id": r, "person_id": p, "deputy": False}
            for r, p in zip(role_ids, person_ids, strict=False)
        ],
    )
    db.execute(
        insert(t["chatidentity"]),
        [
            {"org_id": org, "person_id": p, "platform": "slack", "user_id": f"U{org:02d}{i:06d}"}
            for i, p in enumerate(person_ids)
        ],
    )
    plan_names = [f"plan-{p}" for p in range(PLANS)]
    plan_ids = _ids(
        db,
        t["plan"],
        [
            {
                "org_id": org,
                "name": name,
                "title": f"Plan {p} of council {org}",
                "source_file": "",
                "chat_channel": "",
                "private": p == PLANS - 1,
                "columns": {},
                "created_at": NOW,
            }
            for p, name in enumerate(plan_names)
        ],
    )
    db.execute(insert(t["planadmin"]), [{"plan_id": p, "person_id": chair} for p in plan_ids])
    themes = {
        p: _ids(
            db,
            t["theme"],
            [
                {"plan_id": p, "position": i, "title": f"Theme {i}", "description": ""}
                for i in range(THEMES)
            ],
        )
        for p in plan_ids
    }
    _actions(db, t, rng, size, plan_ids, themes, role_ids)
    if published:
        _published(db, t, rng, org, published)
    return Council(
        org,
        "default" if number == 0 else f"council-{number}",
        plan_names,
        OFFICER.format(org=org),
        f"U{org:02d}{0:06d}",
        CHAIR.format(org=org),
        f"U{org:02d}{len(person_ids) - 1:06d}",
        team,
        roles,
    )


def _organisation(db: Any, t: Any, number: int) -> int:
    if number == 0:
        found = db.execute(
            select(t["organisation"].c.id).where(t["organisation"].c.slug == "default")
        )
        return int(found.scalar_one())
    row = {"slug": f"council-{number}", "name": f"Council {number}", "created_at": NOW}
    return _ids(db, t["organisation"], [row])[0]


def _actions(
    db: Any,
    t: Any,
    rng: random.Random,
    size: int,
    plans: list[int],
    themes: dict[int, list[int]],
    roles: list[int],
) -> None:
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    # The first plan holds half the actions; the others share the rest.
    where = [plans[0] if i < size // 2 else plans[1 + i % (len(plans) - 1)] for i in range(size)]
    rows = []
    for i in range(size):
        due = TODAY + timedelta(days=rng.randint(-700, 500))
        rows.append(
            {
                "plan_id": where[i],
                "theme_id": rng.choice(themes[where[i]]),
                "ref": f"A{i}",
                "ref_generated": False,
                "position": i,
                "recommendation": f"Recommendation {i}: " + "engage residents " * 6,
                "action": f"Agreed action {i}",
                "priority": 1 + i % 3,
                "measure": "",
                "extra": {},
                "status": rng.choice(statuses),
                "target_text": due.strftime("%d %B %Y"),
                "target_kind": "DATE",
                "target_date": due,
                "target_start": None,
                "recurrence": "",
                "milestones": [],
                "target_problem": "",
                "next_nudge_on": None,
                "created_at": NOW - timedelta(days=800),
                "updated_at": NOW - timedelta(days=rng.randint(0, 400)),
            }
        )
    ids = _ids(db, t["action"], rows)
    owners, notes, revisions = [], [], []
    for i, action in enumerate(ids):
        first = roles[(i // ACTIONS_PER_ROLE) % len(roles)]
        owners.append({"action_id": action, "role_id": first, "position": 0})
        if i % 3 == 0 and len(roles) > 1:
            second = roles[(i // ACTIONS_PER_ROLE + 1) % len(roles)]
            owners.append({"action_id": action, "role_id": second, "position": 1})
        for n in range(2):
            when = NOW - timedelta(days=rng.randint(1, 500), minutes=n)
            notes.append(
                {
                    "action_id": action,
                    "created_at": when,
                    "author_id": None,
                    "author_name": f"Officer {i}",
                    "text": f"Progress note {n} on A{i}.",
                    "status": None,
                    "revised_target": None,
                    "source": "import",
                    "source_key": None,
                }
            )
        if i % 10 == 0:
            old, new = rows[i]["target_date"] - timedelta(days=90), rows[i]["target_date"]
            revisions.append(
                {
                    "action_id": action,
                    "revised_at": NOW - timedelta(days=30),
                    "old_date": old,
                    "new_date": new,
                    "old_text": "",
                    "new_text": "",
                    "note_id": None,
                    "by_name": "Chair",
                }
            )
    for table, batch in (
        ("actionowner", owners),
        ("progressnote", notes),
        ("targetrevision", revisions),
    ):
        for start in range(0, len(batch), 5000):
            db.execute(insert(t[table]), batch[start : start + 5000])


def _published(db: Any, t: Any, rng: random.Random, org: int, count: int) -> None:
    rows = []
    for i in range(count):
        start = TODAY + timedelta(days=rng.randint(-400, 200))
        rows.append(
            {
                "org_id": org,
                "title": f"Consultation {i} on the local plan",
                "level": "consult",
                "lead_name": "",
                "lead_id": None,
                "planned_start": start,
                "planned_end": start + timedelta(days=42),
                "audience": "residents",
                "area": f"Ward {i % 21}",
                "status": "open" if start <= TODAY else "planned",
                "legal_advice": False,
                "budget": "",
                "participation": "",
                "findings": "",
                "you_said_we_did": "",
                "created_at": NOW,
                "published": True,
                "summary": "What we are asking and why. " * 4,
                "who_can_take_part": "Anyone",
                "how_to_take_part": "Online or at the library.",
                "topic": f"Topic {i % 9}",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
                "public_updated_at": NOW,
            }
        )
    for start in range(0, len(rows), 5000):
        db.execute(insert(t["consultation"]), rows[start : start + 5000])


def _ids(db: Any, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` and give back their ids, in order."""
    before = db.execute(select(table.c.id).order_by(table.c.id.desc()).limit(1)).scalar() or 0
    for start in range(0, len(rows), 5000):
        db.execute(insert(table), rows[start : start + 5000])
    found = db.execute(select(table.c.id).where(table.c.id > before).order_by(table.c.id))
    ids = [int(i) for i in found.scalars()]
    assert len(ids) == len(rows)
    return ids
