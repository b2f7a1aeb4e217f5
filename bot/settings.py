"""Configuration from the environment (or a .env file), read once by the composition root."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

if TYPE_CHECKING:
    from reminders.policy import Policy


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Settings(BaseSettings):
    # An empty setting (`TEAMS_APP_ID=` in an env file) is as if it were not set.
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", populate_by_name=True, env_ignore_empty=True
    )

    database_url: str = Field("sqlite:///engagebot.db", alias="DATABASE_URL")
    timezone: str = Field("Europe/London", alias="ENGAGEBOT_TIMEZONE")
    # Fixes the clock, for tests and rehearsals: an ISO time such as 2026-11-23T09:30.
    fixed_now: datetime | None = Field(None, alias="ENGAGEBOT_NOW")

    # Logging (bot/logs.py): `text` lines for a terminal, `json` lines for a log collector.
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", alias="ENGAGEBOT_LOG_LEVEL"
    )
    log_format: Literal["text", "json"] = Field("text", alias="ENGAGEBOT_LOG_FORMAT")

    consult_flowchart: Path | None = Field(None, alias="CONSULT_FLOWCHART")
    port: int = Field(3000, alias="PORT")
    # Worker processes the conversation core runs in under `engagebot serve` (threads, for
    # Socket Mode). Each holds its own database connection and about 100 MB.
    workers: int = Field(2, alias="ENGAGEBOT_WORKERS", ge=1, le=32)
    # A worker with work waiting that finishes nothing for this long is taken for hung (stopped,
    # frozen) and replaced; only the conversations pinned to it wait that long (bot/core.py).
    stall_seconds: float = Field(60.0, alias="ENGAGEBOT_STALL_SECONDS", ge=1, le=3600)
    # Processes the public page is drawn in under `engagebot serve`, so a resident loading a
    # long list never delays the chat platforms' acknowledgements (bot/public_web.py).
    public_workers: int = Field(1, alias="ENGAGEBOT_PUBLIC_WORKERS", ge=1, le=8)
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")  # xapp-…, for Socket Mode
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")
    # Installing by link (OAuth, many workspaces): the app's credentials (Basic Information)
    # and the redirect URL set in OAuth & Permissions, if it has several.
    slack_client_id: str = Field("", alias="SLACK_CLIENT_ID")
    slack_client_secret: str = Field("", alias="SLACK_CLIENT_SECRET")
    slack_redirect_uri: str = Field("", alias="SLACK_REDIRECT_URI")
    # A workspace installing the app for the first time: waits for `engagebot orgs approve`
    # ("approve"), or becomes a new organisation of its own ("create").
    slack_new_workspaces: Literal["approve", "create"] = Field(
        "approve", alias="SLACK_NEW_WORKSPACES"
    )
    # Fernet key(s) sealing each workspace's tokens at rest; several, comma-separated, while
    # changing key (the first seals). `engagebot keys new` makes one.
    token_key: str = Field("", alias="ENGAGEBOT_TOKEN_KEY")
    # Microsoft Teams: the Azure Bot's app registration (see README, "Microsoft Teams").
    teams_app_id: str = Field("", alias="TEAMS_APP_ID")
    teams_app_password: str = Field("", alias="TEAMS_APP_PASSWORD")
    teams_tenant_id: str = Field("", alias="TEAMS_TENANT_ID")
    # Accept unauthenticated requests and reply without a token: local runs and tests only.
    teams_anonymous: bool = Field(False, alias="TEAMS_ANONYMOUS")

    # The public engagement page (`/engage/`): whose it is and how it looks.
    council_name: str = Field("", alias="ENGAGEBOT_COUNCIL_NAME")
    council_logo: Path | None = Field(None, alias="ENGAGEBOT_COUNCIL_LOGO")  # PNG, SVG or JPEG
    public_org: str = Field("", alias="ENGAGEBOT_PUBLIC_ORG")  # whose page `/engage/` is
    public_url: str = Field("", alias="ENGAGEBOT_PUBLIC_URL")  # e.g. https://engage.example.gov.uk
    # Documents attached to activities (PDF, Word, OpenDocument), each up to this size.
    attachment_max_mb: int = Field(20, alias="ENGAGEBOT_ATTACHMENT_MAX_MB", ge=1, le=100)

    # E-mail to residents who subscribe on the public page, through the council's SMTP relay.
    smtp_host: str = Field("", alias="ENGAGEBOT_SMTP_HOST")  # unset: no subscriptions offered
    smtp_port: int = Field(587, alias="ENGAGEBOT_SMTP_PORT", ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = Field(
        "starttls", alias="ENGAGEBOT_SMTP_SECURITY"
    )
    smtp_user: str = Field("", alias="ENGAGEBOT_SMTP_USER")
    smtp_password: str = Field("", alias="ENGAGEBOT_SMTP_PASSWORD")
    mail_from: str = Field("", alias="ENGAGEBOT_MAIL_FROM")  # e.g. engage@council.gov.uk
    mail_every_seconds: int = Field(60, alias="ENGAGEBOT_MAIL_EVERY_SECONDS", ge=5)

    # The reminder policy (see reminders/policy.py and the README).
    remind_lead_days: str = Field("14,3", alias="ENGAGEBOT_REMIND_LEAD_DAYS")
    remind_from: time = Field(time(9, 30), alias="ENGAGEBOT_REMIND_AT")
    remind_until: time = Field(time(17, 0), alias="ENGAGEBOT_REMIND_UNTIL")
    holiday_country: str = Field("GB", alias="ENGAGEBOT_HOLIDAY_COUNTRY")
    holiday_region: str = Field("ENG", alias="ENGAGEBOT_HOLIDAY_REGION")
    overdue_every_days: int = Field(7, alias="ENGAGEBOT_OVERDUE_EVERY_DAYS", ge=1)
    escalate_after: int = Field(2, alias="ENGAGEBOT_ESCALATE_AFTER", ge=1)
    check_every_months: int = Field(3, alias="ENGAGEBOT_CHECK_EVERY_MONTHS", ge=1, le=12)
    feedback_within_days: int = Field(28, alias="ENGAGEBOT_FEEDBACK_WITHIN_DAYS", ge=7)
    we_did_again_days: int = Field(28, alias="ENGAGEBOT_WE_DID_AGAIN_DAYS", ge=1)
    sweep_minutes: int = Field(15, alias="ENGAGEBOT_SWEEP_MINUTES", ge=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError("is not a time zone: give a name such as Europe/London") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            dialect = make_url(value).get_backend_name()
        except ArgumentError:
            dialect = ""
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(
                "must be sqlite:///path/to/engagebot.db or "
                "postgresql+psycopg://user:password@host/database"
            )
        return value

    @field_validator("consult_flowchart", "council_logo")
    @classmethod
    def _a_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"there is no file {value}")
        return value

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 0 < value < 65536:
            raise ValueError("must be a port number from 1 to 65535")
        return value

    @model_validator(mode="after")
    def _holidays_and_hours(self) -> Settings:
        import holidays

        try:
            holidays.country_holidays(
                self.holiday_country, subdiv=self.holiday_region or None, years=2026
            )
        except NotImplementedError as err:
            raise ValueError(
                f"ENGAGEBOT_HOLIDAY_COUNTRY={self.holiday_country} / "
                f"ENGAGEBOT_HOLIDAY_REGION={self.holiday_region}: {err}"
            ) from None
        if self.remind_until <= self.remind_from:
            raise ValueError(
                f"ENGAGEBOT_REMIND_UNTIL ({self.remind_until:%H:%M}) must be later than "
                f"ENGAGEBOT_REMIND_AT ({self.remind_from:%H:%M})"
            )
        return self

    @field_validator("slack_api_url")
    @classmethod
    def _safe_api_url(cls, value: str) -> str:
        """The bot token is sent to this address: only over TLS, or to this machine (the
        tests' fake Slack). A `.env` left in the working directory must not redirect it."""
        url = urlsplit(value)
        if (url.scheme == "https" and url.hostname) or (
            url.scheme == "http" and url.hostname in LOOPBACK
        ):
            return value
        raise ValueError(
            "must be an https:// address (the bot token is sent to it); plain http:// is "
            "accepted only for this machine (127.0.0.1, ::1 or localhost)"
        )

    @field_validator("remind_lead_days")
    @classmethod
    def _lead_days(cls, value: str) -> str:
        if not all(
            p.strip().isascii() and p.strip().isdigit() for p in value.split(",") if p.strip()
        ):
            raise ValueError("must be working-day counts separated by commas, e.g. 14,3")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str) -> str:
        url = urlsplit(value)
        if value and not (url.scheme in ("https", "http") and url.hostname and not url.query):
            raise ValueError("must be the page's address, e.g. https://engage.council.gov.uk")
        return value.rstrip("/")

    @field_validator("mail_from")
    @classmethod
    def _an_address(cls, value: str) -> str:
        local, at, domain = value.strip().partition("@")
        if value and not (local and at and "." in domain and " " not in value.strip()):
            raise ValueError("must be an e-mail address to send from, e.g. engage@council.gov.uk")
        return value.strip()

    @field_validator("slack_redirect_uri")
    @classmethod
    def _redirect(cls, value: str) -> str:
        url = urlsplit(value)
        if value and not (url.scheme in ("https", "http") and url.hostname):
            raise ValueError(
                "must be the redirect URL set in the Slack app's OAuth & Permissions, e.g. "
                "https://engagebot.council.gov.uk/slack/oauth_redirect"
            )
        return value

    @field_validator("token_key")
    @classmethod
    def _sealing_key(cls, value: str) -> str:
        from handlers.chat.sealing import Sealer, SealError

        if value.strip():
            try:
                Sealer(value)
            except SealError as err:
                raise ValueError(f"{err}; make one with `engagebot keys new`") from None
        return value

    @model_validator(mode="after")
    def _mail_safely(self) -> Settings:
        """A password is never sent over plain SMTP, except to this machine (tests, a local
        relay); and links in e-mails need the page's public address."""
        if not self.smtp_host:
            return self
        if self.smtp_security == "none" and self.smtp_host not in LOOPBACK and self.smtp_user:
            raise ValueError(
                "ENGAGEBOT_SMTP_SECURITY=none sends the password in clear: use starttls or tls "
                "(plain SMTP only to 127.0.0.1, ::1 or localhost)"
            )
        if not self.mail_from or "@" not in self.mail_from:
            raise ValueError("ENGAGEBOT_MAIL_FROM must be an e-mail address to send from")
        if not self.public_url:
            raise ValueError("ENGAGEBOT_PUBLIC_URL must be set: e-mails link to the page")
        return self

    @property
    def attachment_limit(self) -> int:
        return self.attachment_max_mb * 1024 * 1024

    @property
    def mail_on(self) -> bool:
        return bool(self.smtp_host)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def policy(self) -> Policy:
        from reminders.policy import Policy

        return Policy(
            lead_working_days=tuple(int(d) for d in self.remind_lead_days.split(",") if d.strip()),
            overdue_every_days=self.overdue_every_days,
            escalate_after=self.escalate_after,
            send_from=self.remind_from,
            send_until=self.remind_until,
            country=self.holiday_country,
            region=self.holiday_region,
            check_every_months=self.check_every_months,
            feedback_within_days=self.feedback_within_days,
            we_did_again_days=self.we_did_again_days,
        )
