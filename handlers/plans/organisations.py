"""Organisations (councils) and the chat workspaces bound to them.

Each Slack workspace (team id) or Teams tenant belongs to at most one organisation; an event
from a workspace that is not bound is refused before anything is read.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import Session, col, select

from models.scoping import DEFAULT_SLUG
from models.tables import Organisation, OrgBinding, id_of

CONSOLE = "console"  # the terminal chat belongs to the organisation the operator names
NOT_SET_UP = (
    "This workspace isn't set up for engagebot here, so I can't help with it. "
    "Please ask your council's engagebot administrator."
)


def not_set_up(session: Session, option: str, workspace: str) -> str:
    """The refusal for an unbound workspace, with the exact command that binds it (`option`
    is the `orgs bind` option that names the platform's workspaces)."""
    if not workspace:
        return NOT_SET_UP
    orgs = all_orgs(session)
    slug = orgs[0].slug if len(orgs) == 1 else "ORGANISATION"
    command = f"engagebot orgs bind {slug} {option} {workspace[:100]}"
    return f"{NOT_SET_UP} They can set it up with: {command}"


class OrgError(ValueError):
    """A request about organisations that cannot be carried out, in words an operator can use."""


def all_orgs(session: Session) -> list[Organisation]:
    return list(session.exec(select(Organisation).order_by(col(Organisation.id))))


def find(session: Session, slug: str) -> Organisation:
    """The organisation called `slug`, or an error listing the known ones."""
    org = session.exec(select(Organisation).where(Organisation.slug == slug.strip())).first()
    if org is None:
        known = ", ".join(o.slug for o in all_orgs(session))
        raise OrgError(f"There is no organisation called '{slug}'. Known: {known}.")
    return org


def default_slug(session: Session) -> str:
    """The organisation to use when none is named: the only one, else 'default'."""
    orgs = all_orgs(session)
    return orgs[0].slug if len(orgs) == 1 else DEFAULT_SLUG


def resolve(session: Session, platform: str, workspace: str, local: int | str | None) -> int | None:
    """The organisation an event belongs to, or None if its workspace is not set up."""
    if platform == CONSOLE:
        if isinstance(local, int):
            return local
        slug = local or default_slug(session)
        found = session.exec(select(Organisation.id).where(Organisation.slug == slug)).first()
        return found
    query = select(OrgBinding.org_id).where(
        OrgBinding.platform == platform, OrgBinding.external_id == workspace
    )
    return session.exec(query).first() if workspace else None


def add(session: Session, slug: str, name: str, now: datetime) -> Organisation:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", slug):
        raise OrgError(
            f"'{slug}' can't be an organisation's short name: use lower-case letters, digits "
            "and hyphens, e.g. south-ribble."
        )
    if session.exec(select(Organisation).where(Organisation.slug == slug)).first():
        raise OrgError(f"There is already an organisation called '{slug}'.")
    org = Organisation(slug=slug, name=name or slug, created_at=now)
    session.add(org)
    session.flush()
    return org


def bind(session: Session, slug: str, platform: str, external_id: str) -> Organisation:
    """Say that a workspace (team id, tenant id) belongs to organisation `slug`."""
    org = find(session, slug)
    external_id = external_id.strip()
    if not external_id:
        raise OrgError("Give the workspace's id.")
    taken = session.exec(
        select(OrgBinding).where(
            OrgBinding.platform == platform, OrgBinding.external_id == external_id
        )
    ).first()
    if taken is not None and taken.org_id != org.id:
        owner = session.get(Organisation, taken.org_id)
        held_by = owner.slug if owner else "?"
        raise OrgError(
            f"{platform} workspace {external_id} already belongs to '{held_by}': unbind it first."
        )
    if taken is None:
        session.add(OrgBinding(org_id=id_of(org), platform=platform, external_id=external_id))
    return org


def unbind(session: Session, platform: str, external_id: str) -> bool:
    found = session.exec(
        select(OrgBinding).where(
            OrgBinding.platform == platform, OrgBinding.external_id == external_id.strip()
        )
    ).first()
    if found is not None:
        session.delete(found)
    return found is not None


def bindings(session: Session, org: Organisation) -> list[OrgBinding]:
    return list(session.exec(select(OrgBinding).where(OrgBinding.org_id == org.id)))
