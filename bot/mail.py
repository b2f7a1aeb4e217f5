"""The SMTP server residents' e-mails go through (ENGAGEBOT_SMTP_…), with the one-job
scheduler that sends them (reminders/mail.py decides what and when).

Errors are sorted by what they mean for the message: the server could not be reached, or said
"try later" (4xx), before it had the message: try again; it refused for good (5xx): stop; the
connection was lost while it was being handed over: it may have gone, so it is not sent again.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage

from reminders.mail import MailRefused, MailRetry, MailUncertain

TIMEOUT = 30.0


class SmtpTransport:
    """One connection per message (a few a minute at most): simple, and nothing goes stale."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str = "starttls",
        user: str = "",
        password: str = "",
        sender: str,
        timeout: float = TIMEOUT,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.sender, self.timeout = user, password, sender, timeout

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                smtp.starttls(context=context)
        if self.user:
            smtp.login(self.user, self.password)
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            smtp = self._connect()
        except smtplib.SMTPAuthenticationError as err:
            raise MailRetry(f"the SMTP server refused our login ({err.smtp_code})") from None
        except (OSError, smtplib.SMTPException) as err:
            raise MailRetry(f"can't reach the SMTP server: {err}") from None
        try:
            _hand_over(smtp, message)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()


def _hand_over(smtp: smtplib.SMTP, message: EmailMessage) -> None:
    """MAIL, RCPT, then DATA: only a failure during DATA leaves the outcome unknown."""
    recipient = str(message["To"])
    try:
        smtp.ehlo_or_helo_if_needed()
        code, said = smtp.mail(str(smtp_sender(message)))
        _check(code, said)
        code, said = smtp.rcpt(recipient)
        _check(code, said)
    except smtplib.SMTPServerDisconnected as err:
        raise MailRetry(f"the SMTP server hung up: {err}") from None
    except OSError as err:
        raise MailRetry(f"the SMTP connection failed: {err}") from None
    try:
        code, said = smtp.data(message.as_bytes())
    except smtplib.SMTPDataError as err:
        _check(err.smtp_code, err.smtp_error)
        return
    except (smtplib.SMTPServerDisconnected, OSError) as err:
        raise MailUncertain(f"the connection was lost handing the message over: {err}") from None
    _check(code, said)


def smtp_sender(message: EmailMessage) -> str:
    from email.utils import parseaddr

    return parseaddr(str(message["From"]))[1]


def _check(code: int, said: bytes | str) -> None:
    text = said.decode(errors="replace") if isinstance(said, bytes) else str(said)
    if 200 <= code < 400:
        return
    if 400 <= code < 500:
        raise MailRetry(f"{code} {text}")
    raise MailRefused(f"{code} {text}")


def start_mail_job(every_seconds: int, job: Callable[[], object]) -> Callable[[], None]:
    """Run `job` every `every_seconds` in APScheduler's thread; returns a function that asks
    for a run now (a resident is waiting for their confirmation)."""
    from datetime import datetime

    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler()
    scheduler.add_job(
        job,
        "interval",
        seconds=every_seconds,
        id="public-mail",
        next_run_time=datetime.now(),
        coalesce=True,
        max_instances=1,
    )
    scheduler.start()

    def wake() -> None:
        scheduler.modify_job("public-mail", next_run_time=datetime.now())

    return wake
