"""Configuration from the environment (or a .env file), read once by the composition root."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str = Field("sqlite:///engagebot.db", alias="DATABASE_URL")
    timezone: str = Field("Europe/London", alias="ENGAGEBOT_TIMEZONE")
    # Fixes the clock, for tests and rehearsals: an ISO time such as 2026-11-23T09:30.
    fixed_now: datetime | None = Field(None, alias="ENGAGEBOT_NOW")

    port: int = Field(3000, alias="PORT")
    slack_bot_token: str = Field("", alias="SLACK_BOT_TOKEN")
    slack_signing_secret: str = Field("", alias="SLACK_SIGNING_SECRET")
    slack_app_token: str = Field("", alias="SLACK_APP_TOKEN")  # xapp-…, for Socket Mode
    slack_api_url: str = Field("https://slack.com/api/", alias="SLACK_API_URL")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone, with the zone's name in the message
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
