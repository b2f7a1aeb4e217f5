"""A forgotten person leaves no byte behind: whatever they did (chatted in Teams alone and in a
steering group's channel, in a Slack DM, left an update half-way, said an action was not
theirs, could not be reached by a reminder), after `engagebot
people forget` none of their identifiers (e-mail, name, Teams and Slack ids) is anywhere in the
SQLite file or its write-ahead log: not in a table, a free page, or an old log frame.

Each example is a new officer with new identifiers and some of those footprints, made through
the conversation core as the channels call it; counted: identifiers still found (failed)."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from typer.testing import CliRunner

from bot.cli import app
from bot.conversation import Conversation
from handlers.chat.clock import FixedClock
from handlers.chat.context import AppContext
from handlers.chat.messages import Incoming, Reply
from handlers.chat.outbound import Recipient, Sent, Unreachable
from handlers.importing.importer import import_file
from handlers.plans.people import assign, make_admin
from models.db import make_engine, transaction
from reminders.delivery import deliver
from reminders.policy import Policy
from reminders.sweep import sweep
from tests.conftest import BLACKPOOL, CHAIR, LONDON, NOW, SLACK_TEAM, TEAMS_TENANT
from tests.reliability.profile import examples
from tests.reliability.tally import TALLY

ROLE = "Community Engagement & Partnership Manager"
CATEGORY = "database: a forgotten person, every byte gone (file and WAL)"
ROOM = "19:steering@thread.tacv2"


class Officer:
    """An officer with identifiers of their own, and the core they talk to."""

    def __init__(self, ctx: AppContext, name: str) -> None:
        self.ctx = ctx
        self.core = Conversation(ctx)
        self.name = name
        self.email = f"{name.lower().replace(' ', '.')}@example.org"
        self.aad = str(uuid.uuid4())
        self.slack = "U" + uuid.uuid4().hex[:10].upper()

    def marks(self) -> list[str]:
        return [self.email, self.name.lower(), self.aad, self.slack.lower()]

    def teams(self, text: str, *, room: bool = False) -> list[Reply]:
        conversation = f"{ROOM};messageid=1" if room else f"a:personal-{self.aad}"
        address = {
            "scope": "room" if room else "personal",
            "service_url": "https://smba.example/",
            "conversation": conversation,
            "tenant": TEAMS_TENANT,
            "user": f"29:{self.aad}",
        }
        return self.core.handle(
            Incoming(
                channel="teams",
                workspace=TEAMS_TENANT,
                conversation=conversation,
                user=self.aad,
                text=text,
                place=ROOM if room else conversation,
                address=address,
                event_id=uuid.uuid4().hex,
            )
        )

    def slack_dm(self, text: str) -> list[Reply]:
        dm = "D" + self.slack[1:]
        return self.core.handle(
            Incoming("slack", SLACK_TEAM, dm, self.slack, text, place=dm, event_id=uuid.uuid4().hex)
        )


class Blocked:
    """A platform that refuses to deliver to them (they blocked the bot)."""

    via = "teams"

    def send(self, to: Recipient, reply: Reply) -> Sent:
        raise Unreachable(f"{to.name} can't be reached in Teams (HTTP 403)")

    def update(self, sent: Sent, reply: Reply) -> None:
        raise Unreachable("gone")


def _unreachable(officer: Officer) -> None:
    assert isinstance(officer.ctx.clock, FixedClock)
    officer.ctx.clock.advance(timedelta(days=7))
    sweep(officer.ctx, Policy(), "teams")
    deliver(officer.ctx, Blocked())


FOOTPRINTS: dict[str, Callable[[Officer], object]] = {
    "Teams, their own chat": lambda o: o.teams("my actions"),
    "Teams, the steering group's channel": lambda o: o.teams("what's overdue?", room=True),
    "Slack DM, an update left half-way": lambda o: (o.slack_dm("update R4"), o.slack_dm("delayed")),
    "not mine (a notice to the chair)": lambda o: o.teams("notmine R4"),
    "a reminder that could not reach them": _unreachable,
}


@pytest.fixture(scope="module")
def blackpool_db(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("forget") / "blackpool.db"
    shutil.copy(template_db, path)
    engine = make_engine(f"sqlite:///{path}")
    import_file(AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON), BLACKPOOL)
    with transaction(engine) as session:
        make_admin(session, "blackpool-audit-2019", email=CHAIR, name="Cllr Pat Doyle")
    engine.dispose()
    return path


def _database_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + "-wal")
    return b"".join(p.read_bytes() for p in (path, wal) if p.exists()).lower()


NAMES = ["Samira Haddad", "Gwen Price-Jones", "Tomasz Nowak", "Aoife Byrne", "Kwame Mensah"]


@examples(1, 60)
@example(name=NAMES[0], done=sorted(FOOTPRINTS))  # every footprint at once, in every run
@given(
    name=st.sampled_from(NAMES),
    done=st.lists(st.sampled_from(sorted(FOOTPRINTS)), min_size=1, unique=True),
)
def test_a_forgotten_person_leaves_no_byte_behind(
    blackpool_db: Path, name: str, done: list[str]
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="forget-"))
    path = folder / "engagebot.db"
    shutil.copy(blackpool_db, path)
    engine = make_engine(f"sqlite:///{path}")
    ctx = AppContext(engine=engine, clock=FixedClock(NOW), tz=LONDON)
    try:
        officer = Officer(ctx, name)
        with transaction(engine) as session:
            assign(
                session,
                ROLE,
                name=name,
                email=officer.email,
                chat={"teams": officer.aad, "slack": officer.slack},
            )
        for footprint in done:
            FOOTPRINTS[footprint](officer)
        assert [m for m in officer.marks() if m.encode() in _database_bytes(path)]
        result = CliRunner().invoke(
            app,
            ["people", "forget", officer.email, "--yes"],
            env={"DATABASE_URL": f"sqlite:///{path}", "ENGAGEBOT_NOW": NOW.isoformat()},
            catch_exceptions=False,
        )
        left = [m for m in officer.marks() if m.encode() in _database_bytes(path)]
        TALLY.record(CATEGORY, tried=1, failed=int(bool(left) or result.exit_code != 0))
        assert result.exit_code == 0, result.output
        assert left == [], (done, left)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
