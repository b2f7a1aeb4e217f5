"""Residents subscribe by e-mail on the public page, confirm, and hear of what they asked for:
one e-mail per event, through a real SMTP server (aiosmtpd on this machine), with one-click
unsubscribe (RFC 8058). Their address is personal data: exported and erased on request.
"""

from __future__ import annotations

import email
import json
import re
import socket
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select
from typer.testing import CliRunner, Result

from bot.cli import app
from handlers.chat.context import AppContext
from models.db import transaction
from models.tables import Consultation, Outbox
from reminders.mail import MailUncertain, deliver, status
from tests.conftest import NOW
from tests.public_site import LIBRARY, PLAY_AREA, Page, add_register, publish_register, serve_page

RESIDENT = "resident@example.net"


@dataclass
class Inbox:
    """What the SMTP server received; `refuse` answers the next messages with 451."""

    received: list[Message] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        self.received.append(email.message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"

    def take(self) -> list[Message]:
        taken, self.received = self.received, []
        return taken


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Site:
    page: Page
    mail: Callable[..., Result]  # `engagebot mail send` (and other commands) with SMTP set up

    def post(self, path: str, **form: str) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(form).encode()
        status, headers, raw = self.page.fetch(path, data=body)
        return status, headers, raw.decode()


@pytest.fixture
def site(
    ctx: AppContext, cli: Callable[..., Result], db_url: str, smtp: tuple[Inbox, int]
) -> Iterator[Site]:
    add_register(ctx)
    publish_register(cli)
    with serve_page(ctx, mail=True) as page:
        env = {
            "DATABASE_URL": db_url,
            "ENGAGEBOT_NOW": NOW.isoformat(),
            "ENGAGEBOT_SMTP_HOST": "127.0.0.1",
            "ENGAGEBOT_SMTP_PORT": str(smtp[1]),
            "ENGAGEBOT_SMTP_SECURITY": "none",
            "ENGAGEBOT_MAIL_FROM": "engage@blackpool.gov.uk",
            "ENGAGEBOT_PUBLIC_URL": page.url,
            "ENGAGEBOT_COUNCIL_NAME": "Blackpool Council",
        }

        def run(*args: str, later: timedelta = timedelta()) -> Result:
            moment = {"ENGAGEBOT_NOW": (NOW + later).isoformat()}
            return CliRunner().invoke(app, list(args), env={**env, **moment})

        yield Site(page, run)


def link_in(message: Message, kind: str) -> str:
    text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    found = re.search(rf"(http://127\.0\.0\.1:\d+/engage/{kind}/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def subscribe_and_confirm(site: Site, inbox: Inbox, **form: str) -> None:
    status, headers, _ = site.post("/engage/subscribe", email=RESIDENT, **form)
    assert status == 200  # followed the 303 to "check your e-mail"
    sent = site.mail("mail", "send")
    assert "1 sent" in sent.output, sent.output
    (confirmation,) = inbox.take()
    assert "List-Unsubscribe" not in confirmation  # nothing to unsubscribe from yet
    url = link_in(confirmation, "confirm").removeprefix(site.page.url)
    assert "Confirm subscription" in site.page.get(url)[2]  # a link alone changes nothing
    assert "Subscription confirmed" in site.post(url)[2]


def test_a_resident_subscribes_confirms_and_hears_once_of_a_new_activity_in_their_area(
    site: Site, smtp: tuple[Inbox, int], ctx: AppContext, cli: Callable[..., Result]
) -> None:
    inbox, _ = smtp
    _, _, form = site.page.get("/engage/subscribe")
    assert '<input type="radio" id="kind-area" name="kind" value="area"' in form
    status, _, bad = site.post("/engage/subscribe", email="not an address", kind="area")
    assert "Enter an e-mail address in the correct format" in bad and 'href="#email"' in bad
    subscribe_and_confirm(site, inbox, kind="area", area="Hallgate")
    subscribe_and_confirm(site, inbox, kind="topic", topic="Libraries")
    assert "2 confirmed" in cli("subscribers", "list").output

    with transaction(ctx.engine) as session:  # a new activity: in Hallgate, about Libraries
        session.add(
            Consultation(
                title="Hallgate library opening hours",
                level="consult",
                planned_start=NOW.date(),
                planned_end=NOW.date() + timedelta(days=30),
                status="open",
                area="Hallgate",
                created_at=NOW,
            )  # fmt: skip
        )
    published = site.mail("consultations", "publish", "5", "--summary", "When should it open?",
                    "--who", "Everyone", "--how", "https://consult.blackpool.gov.uk/hours",
                    "--topic", "Libraries", "--contact-name", "The library service",
                    "--contact-email", "libraries@blackpool.gov.uk",
                    later=timedelta(minutes=1))  # fmt: skip
    assert published.exit_code == 0, published.output
    sent = site.mail("mail", "send", later=timedelta(minutes=2))
    assert "1 queued, 1 sent" in sent.output, sent.output
    (news,) = inbox.take()  # one e-mail, though both subscriptions match
    assert news["To"] == RESIDENT and news["Subject"] == "New: Hallgate library opening hours"
    assert news["From"] == "Blackpool Council <engage@blackpool.gov.uk>"
    unsubscribe = re.sub(r"\s+", "", news["List-Unsubscribe"]).strip("<>")  # unfolded
    assert news["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"{site.page.url}/engage/activities/5" in news.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "0 queued, 0 sent" in site.mail("mail", "send", later=timedelta(minutes=3)).output

    # The mail client's unsubscribe button: one POST, no page, no questions.
    path = unsubscribe.removeprefix(site.page.url)
    status, _, done = site.post(path, **{"List-Unsubscribe": "One-Click"})
    assert status == 200 and "You have unsubscribed" in done
    assert "1 confirmed" in cli("subscribers", "list").output


def test_a_resident_hears_what_we_did_after_the_activity_they_followed(
    site: Site, smtp: tuple[Inbox, int], cli: Callable[..., Result]
) -> None:
    inbox, _ = smtp
    html = site.page.get(f"/engage/activities/{LIBRARY}")[2]
    assert "Get an e-mail when we publish what we did" in html
    assert "Get an e-mail" not in site.page.get(f"/engage/activities/{PLAY_AREA}")[2]  # done
    subscribe_and_confirm(site, inbox, kind="activity", value=str(LIBRARY))
    site.mail("consultations", "update", str(LIBRARY), "--status", "closed",
              "--you-said-we-did", "We kept the library open three days a week.",
              later=timedelta(minutes=1))  # fmt: skip
    site.mail("mail", "send", later=timedelta(minutes=2))
    (outcome,) = inbox.take()
    assert outcome["Subject"] == "We did: Closing Hallgate library"
    assert "three days a week" in outcome.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_a_server_that_says_try_later_gets_the_message_later_and_only_once(
    site: Site, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    inbox.refuse = 1
    site.post("/engage/subscribe", email=RESIDENT, kind="all")
    first = site.mail("mail", "send")
    assert "0 sent, 1 to try again" in first.output and inbox.take() == []
    assert "1 failing" in site.mail("mail", "status").output
    assert "0 sent" in site.mail("mail", "send", later=timedelta(minutes=1)).output  # backing off
    assert "1 sent" in site.mail("mail", "send", later=timedelta(minutes=6)).output
    assert len(inbox.take()) == 1
    assert "0 sent" in site.mail("mail", "send", later=timedelta(minutes=30)).output


def test_asking_again_and_again_sends_one_confirmation_and_says_nothing_of_who_is_known(
    site: Site, smtp: tuple[Inbox, int]
) -> None:
    inbox, _ = smtp
    answers = {site.post("/engage/subscribe", email=RESIDENT, kind="all")[2] for _ in range(3)}
    assert len(answers) == 1 and "Check your e-mail" in answers.pop()
    site.mail("mail", "send")
    assert len(inbox.take()) == 1


class CutOff:
    """An SMTP connection lost while the message was being handed over."""

    sender = "engage@blackpool.gov.uk"

    def send(self, message: object) -> None:
        raise MailUncertain("connection reset during DATA")


def test_an_e_mail_cut_off_mid_send_is_never_sent_twice(site: Site, ctx: AppContext) -> None:
    site.post("/engage/subscribe", email=RESIDENT, kind="all")
    report = deliver(ctx.engine, CutOff(), ctx.now, "blackpool.gov.uk")
    assert report.uncertain == 1
    assert status(ctx.engine, ctx.now())["cut_off"] == 1
    later = lambda: ctx.now() + timedelta(hours=2)  # noqa: E731
    assert deliver(ctx.engine, CutOff(), later, "blackpool.gov.uk").uncertain == 0


def test_a_subscribers_address_is_exported_and_erased_on_request(
    site: Site, smtp: tuple[Inbox, int], cli: Callable[..., Result], ctx: AppContext
) -> None:
    inbox, _ = smtp
    subscribe_and_confirm(site, inbox, kind="area", area="Moor Park")
    held = json.loads(cli("export", "--person", RESIDENT).output)
    assert (
        held["subscriptions"][0]["value"] == "Moor Park" and "token" not in held["subscriptions"][0]
    )
    everything = json.loads(cli("export").output)
    assert [s["email"] for s in everything["subscriptions"]] == [RESIDENT]
    assert (
        "Erased resident@example.net: 1 subscription"
        in cli("subscribers", "forget", RESIDENT, "--yes").output
    )
    assert json.loads(cli("subscribers", "export", RESIDENT).output)["subscriptions"] == []
    with transaction(ctx.engine) as session:
        rows = session.exec(select(Outbox)).all()
        assert not any(RESIDENT in json.dumps(row.reply) for row in rows)
