"""An organisation's public face: how its engagement page looks and what it says about itself.

Kept as JSON on the organisation (`Organisation.public`) and set with `engagebot orgs set`;
read back through `Branding`, which checks it, so a value that would fail WCAG (a header
colour white text cannot be read on) or break a page never gets stored.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from handlers.language.text import one_line
from models.tables import Organisation

LANGUAGES = ("en", "cy")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_EMAIL = re.compile(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,30}")
WHITE_ON = 4.5  # WCAG 1.4.3: the header's white text needs this contrast on its colour


class Accessibility(BaseModel):
    """The facts the accessibility statement needs that only the council knows."""

    contact_email: str = ""  # where to ask for an accessible format or report a problem
    contact_phone: str = ""
    prepared_on: date | None = None
    reviewed_on: date | None = None
    tested_on: date | None = None
    tested_by: str = ""  # e.g. "the council's digital team"
    known_issues: str = ""  # what does not meet the standard, in plain words


class Branding(BaseModel):
    """How an organisation's public page looks; every field has a safe default."""

    name_cy: str = ""  # the council's name in Welsh
    colour: str = "#0b0c0c"  # the header's background (its text is white)
    accent: str = "#1d70b8"  # the bar under the header
    contact_email: str = ""
    contact_phone: str = ""
    contact_url: str = ""  # the council's own website
    languages: list[str] = Field(default_factory=lambda: ["en"])  # the first is the default
    accessibility: Accessibility = Field(default_factory=Accessibility)

    @field_validator("colour")
    @classmethod
    def _readable_header(cls, value: str) -> str:
        if not _HEX.fullmatch(value):
            raise ValueError(f"'{value}' is not a colour like #1d70b8")
        ratio = contrast(value, "#ffffff")
        if ratio < WHITE_ON:
            raise ValueError(
                f"white text on {value} has a contrast of {ratio:.1f}:1; the header needs "
                f"{WHITE_ON}:1 (WCAG 1.4.3). Choose a darker colour"
            )
        return value.lower()

    @field_validator("accent")
    @classmethod
    def _hex(cls, value: str) -> str:
        if not _HEX.fullmatch(value):
            raise ValueError(f"'{value}' is not a colour like #1d70b8")
        return value.lower()

    @field_validator("contact_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not _EMAIL.fullmatch(value):
            raise ValueError(f"'{value}' doesn't look like an e-mail address")
        return value

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if value and not _PHONE.fullmatch(value):
            raise ValueError(f"'{value}' doesn't look like a phone number")
        return value

    @field_validator("contact_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not re.fullmatch(r"https?://[^\s<>\"']+", value):
            raise ValueError(f"'{value}' is not a web address (https://…)")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        if not value or any(v not in LANGUAGES for v in value) or len(set(value)) != len(value):
            raise ValueError("languages are 'en', 'cy,en' or 'en,cy' (the first is the default)")
        return value

    @property
    def welsh(self) -> bool:
        return "cy" in self.languages


def branding_of(org: Organisation | None) -> Branding:
    """The organisation's branding; anything stored that no longer passes the checks is
    dropped field by field, so a page always renders."""
    stored: dict[str, Any] = dict(org.public or {}) if org is not None else {}
    try:
        return Branding.model_validate(stored)
    except ValidationError as err:
        bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        kept = {k: v for k, v in stored.items() if k not in bad}
        try:
            return Branding.model_validate(kept)
        except ValidationError:
            return Branding()


class BrandingError(ValueError):
    """A value `orgs set` cannot store, in words an operator can act on."""


def change(org: Organisation, changes: dict[str, Any]) -> Branding:
    """Apply `changes` (field names of Branding; "accessibility.x" for the statement's facts)
    to the organisation, all or nothing."""
    current = branding_of(org).model_dump(mode="json")
    for name, value in changes.items():
        if isinstance(value, str) and name not in ("accessibility.known_issues",):
            value = one_line(value)
        if name.startswith("accessibility."):
            current["accessibility"][name.split(".", 1)[1]] = (
                value or None if "_on" in name else value
            )
        else:
            current[name] = value
    try:
        branding = Branding.model_validate(current)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BrandingError(f"{where}: {first['msg'].removeprefix('Value error, ')}") from None
    kept = {k: v for k, v in (org.public or {}).items() if k not in Branding.model_fields}
    org.public = {**kept, **branding.model_dump(mode="json")}  # e.g. the logo's hash stays
    return branding


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
