"""The e-mails residents get, in the language they subscribed in, and their MIME form.

An e-mail is queued in the outbox as plain values (`Mail`), and turned into a message only when
sent, with the RFC 8058 one-click unsubscribe headers (List-Unsubscribe and
List-Unsubscribe-Post) on every e-mail but the confirmation itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from handlers.public.entries import PublicEntry
from handlers.public.words import Words
from handlers.subscriptions.links import Links

IGNORE = (
    "If you did not ask for this, ignore this e-mail: you will not hear from us again, and we "
    "delete your address within 7 days."
)


@dataclass(frozen=True)
class Mail:
    """One e-mail to one address, as the outbox keeps it until it is sent."""

    to: str
    subject: str
    text: str
    from_name: str
    lang: str = "en"
    unsubscribe: str = ""  # the one-click unsubscribe address (not on confirmations)
    reply_to: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mail:
        return cls(**{k: str(v) for k, v in data.items() if k in cls.__dataclass_fields__})


def what(kind: str, value: str, words: Words, title: str = "") -> str:
    """What a subscription is to, in a phrase: 'new activities in Hallgate'."""
    if kind == "area":
        return words("new activities in {area}").format(area=value)
    if kind == "topic":
        return words("new activities about {topic}").format(topic=value)
    if kind == "activity":
        return words("what we did after '{title}'").format(title=title or value)
    return words("every new activity")


def confirmation(
    to: str, council: str, about: str, url: str, lang: str, reply_to: str = ""
) -> Mail:
    words = Words(lang)
    text = "\n\n".join(
        [
            words("You asked {council} for e-mails about {about}.").format(
                council=council, about=about
            ),
            words("To start them, confirm your subscription:") + f"\n{url}",
            words(IGNORE),
        ]
    )
    subject = words("Confirm your e-mail subscription") + f": {council}"
    return Mail(to, subject, text, council, lang, "", reply_to)


def new_activity(
    to: str,
    council: str,
    entry: PublicEntry,
    about: str,
    links: Links,
    token: str,
    lang: str,
    reply_to: str = "",
) -> Mail:
    words = Words(lang)
    title = entry.local("title", lang)[0]
    lines = [words("{council} has published a new activity:").format(council=council), title]
    summary = entry.local("summary", lang)[0]
    if summary:
        lines.append(summary)
    dates = []
    if entry.opens:
        dates.append(f"{words('Opens')}: {words.date(entry.opens)}")
    if entry.closes:
        dates.append(f"{words('Closes')}: {words.date(entry.closes)}")
    if dates:
        lines.append("\n".join(dates))
    lines.append(words("Find out more and have your say:") + f"\n{links.activity(entry.id, lang)}")
    lines.append(_footer(words, about, links.unsubscribe(token, lang)))
    subject = words("New") + f": {title}"
    return Mail(
        to, subject, "\n\n".join(lines), council, lang, links.unsubscribe(token, lang), reply_to
    )


def outcome(
    to: str,
    council: str,
    entry: PublicEntry,
    about: str,
    links: Links,
    token: str,
    lang: str,
    reply_to: str = "",
) -> Mail:
    words = Words(lang)
    title = entry.local("title", lang)[0]
    lines = [
        words("{council} has published what it did after '{title}':").format(
            council=council, title=title
        ),
        entry.local("we_did", lang)[0],
        words("Read what people said and what we did:") + f"\n{links.activity(entry.id, lang)}",
        _footer(words, about, links.unsubscribe(token, lang)),
    ]
    subject = words("We did") + f": {title}"
    return Mail(
        to, subject, "\n\n".join(lines), council, lang, links.unsubscribe(token, lang), reply_to
    )


def _footer(words: Words, about: str, unsubscribe: str) -> str:
    return (
        "—\n"
        + words("You get this e-mail because you subscribed to {about}.").format(about=about)
        + "\n"
        + words("Stop these e-mails:")
        + f" {unsubscribe}"
    )


def to_message(mail: Mail, sender: str, message_id: str, now: datetime) -> EmailMessage:
    """The e-mail as MIME, ready for SMTP."""
    message = EmailMessage()
    message["From"] = formataddr((mail.from_name, sender))
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    if mail.reply_to:
        message["Reply-To"] = mail.reply_to
    if mail.unsubscribe:
        # RFC 8058: a mail client's "unsubscribe" button posts to this address, no page needed.
        message["List-Unsubscribe"] = f"<{mail.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(mail.text)
    message["Content-Language"] = "cy" if mail.lang == "cy" else "en-GB"  # after set_content
    return message
