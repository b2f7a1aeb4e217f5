"""Organisations (councils) and the chat workspaces bound to them.

Each Slack workspace (team id) or Teams tenant belongs to at most one organisation; an event
from a workspace that is not bound is refused before anything is read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models.scoping import DEFAULT_SLUG
from models.tables import Organisation, OrgBinding, WorkspaceRequest, id_of

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


# -- workspaces that install the app by its link ------------------------------------------------


@dataclass(frozen=True)
class Admission:
    """What installing the app in a workspace did: which organisation serves it, if any yet."""

    org: str = ""  # the organisation's short name; "" while an operator has not approved it
    created: bool = False  # a new organisation was made for it

    @property
    def waiting(self) -> bool:
        return not self.org


def bound_to(session: Session, platform: str, workspace: str) -> str:
    """The short name of the organisation a workspace belongs to, or ""."""
    query = (
        select(Organisation.slug)
        .join(OrgBinding, col(OrgBinding.org_id) == col(Organisation.id))
        .where(OrgBinding.platform == platform, OrgBinding.external_id == workspace)
    )
    return session.exec(query).first() or ""


def admit(
    session: Session,
    platform: str,
    workspace: str,
    name: str,
    requested_by: str,
    now: datetime,
    *,
    create: bool = False,
) -> Admission:
    """A workspace has installed the app. One already bound keeps its organisation; a new one
    gets a new organisation of its own (`create`) or waits for an operator's approval. It never
    joins an existing organisation by itself."""
    slug = bound_to(session, platform, workspace)
    if slug:
        return Admission(slug)
    if create:
        org = add(session, _free_slug(session, name or workspace), name or workspace, now)
        bind(session, org.slug, platform, workspace)
        return Admission(org.slug, created=True)
    request = _request(session, platform, workspace)
    if request is None:
        request = WorkspaceRequest(platform=platform, external_id=workspace, requested_at=now)
    request.name, request.requested_by = name or request.name, requested_by or request.requested_by
    session.add(request)
    return Admission()


def pending(session: Session) -> list[WorkspaceRequest]:
    """Workspaces that installed the app and wait for an operator to approve them."""
    return list(session.exec(select(WorkspaceRequest).order_by(col(WorkspaceRequest.id))))


def approve(
    session: Session,
    workspace: str,
    *,
    into: str = "",
    new: str = "",
    name: str = "",
    now: datetime,
) -> Organisation:
    """Bind a waiting workspace to an existing organisation (`into`) or a new one (`new`)."""
    request = session.exec(
        select(WorkspaceRequest).where(WorkspaceRequest.external_id == workspace.strip())
    ).first()
    if request is None:
        raise OrgError(
            f"No workspace {workspace} is waiting for approval. "
            "`engagebot orgs pending` lists those that are."
        )
    if bool(into) == bool(new):
        raise OrgError("Say where it goes: --org SLUG (an existing one) or --new SLUG.")
    org = add(session, new, name or request.name, now) if new else find(session, into)
    bind(session, org.slug, request.platform, request.external_id)
    session.delete(request)
    return org


def refuse(session: Session, workspace: str) -> bool:
    """Drop a waiting workspace's request: its messages stay refused."""
    request = session.exec(
        select(WorkspaceRequest).where(WorkspaceRequest.external_id == workspace.strip())
    ).first()
    if request is not None:
        session.delete(request)
    return request is not None


def _request(session: Session, platform: str, workspace: str) -> WorkspaceRequest | None:
    query = select(WorkspaceRequest).where(
        WorkspaceRequest.platform == platform, WorkspaceRequest.external_id == workspace
    )
    return session.exec(query).first()


def _free_slug(session: Session, name: str) -> str:
    """A short name made from the workspace's name, not yet taken: "South Ribble BC" →
    "south-ribble-bc" (then "south-ribble-bc-2", …)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:50] or "workspace"
    taken = {o.slug for o in all_orgs(session)}
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


NATIONS = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
}


def nation_key(said: str) -> str | None:
    """A nation as people write it ("Wales", "northern-ireland", "NI"), as its key; else None."""
    words = " ".join(said.lower().replace("-", " ").replace("_", " ").split())
    aliases = {"ni": "northern_ireland", "n ireland": "northern_ireland", "cymru": "wales"}
    if words in aliases:
        return aliases[words]
    return next((key for key, name in NATIONS.items() if words == name.lower()), None)


def set_nation(session: Session, slug: str, said: str) -> Organisation:
    """Say which UK nation an organisation is in: its law is the one the toolkit gives."""
    nation = nation_key(said)
    if nation is None:
        raise OrgError(
            f"'{said}' is not a UK nation: give england, wales, scotland or northern-ireland."
        )
    org = find(session, slug)
    org.nation = nation
    session.add(org)
    return org


def nation_of(session: Session, org: int | str) -> str:
    """The organisation's nation key, or "" when nobody has said yet."""
    query = select(Organisation.nation)
    query = query.where(
        Organisation.id == org if isinstance(org, int) else Organisation.slug == org
    )
    return session.exec(query).first() or ""


def save_nation(session: Session, org: int | str, nation: str) -> None:
    """Record the nation an admin gave in chat (the organisation is the turn's own)."""
    query = select(Organisation)
    query = query.where(
        Organisation.id == org if isinstance(org, int) else Organisation.slug == org
    )
    found = session.exec(query).first()
    if found is not None and (nation in NATIONS or nation == ""):
        found.nation = nation
        session.add(found)
