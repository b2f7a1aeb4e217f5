"""The demo: the council papers' action plans, with made-up officers holding their roles."""

from __future__ import annotations

import csv
from pathlib import Path

from handlers.chat.context import AppContext
from handlers.importing.importer import ImportReport, import_file
from handlers.plans.people import assign, find_role, make_admin
from models.db import transaction

DEMO_DIR = Path(__file__).parent / "demo_data"
DEMO_USER = "sam.patel@example.org"  # holds the role that owns most demo actions


def load_demo(ctx: AppContext) -> list[ImportReport]:
    sheets = sorted(p for p in DEMO_DIR.glob("*.*") if p.suffix in (".csv", ".xlsx"))
    reports = [import_file(ctx, path) for path in sheets if path.stem != "people"]
    with transaction(ctx.engine, ctx.org) as session:
        for row in _people_rows():
            if row["role"] and find_role(session, row["role"]) is not None:
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
    return reports


def _people_rows() -> list[dict[str, str]]:
    with (DEMO_DIR / "people.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
