"""Roles and the people who hold them: who someone is in chat, and what they may update."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from sqlalchemy import or_
from sqlmodel import Session, col, select

from handlers.chat import addresses
from models.tables import (
    Action,
    ActionOwner,
    ChatIdentity,
    Person,
    Plan,
    PlanAdmin,
    Role,
    RoleAlias,
    RoleHolder,
    ScheduledSummary,
    id_of,
)

log = logging.getLogger(__name__)


class PeopleError(ValueError):
    """A request about people or roles that cannot be carried out, in words a user can act on."""


def role_key(name: str) -> str:
    """Role names match whatever the case, spacing or punctuation: '&' and 'and' are one."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def _by_key(session: Session, key: str) -> Role | None:
    """The role with this normalised name, or the one it was merged into (a `RoleAlias`)."""
    role = session.exec(select(Role).where(Role.key == key)).first()
    if role is None:
        alias = session.exec(select(RoleAlias).where(RoleAlias.key == key)).first()
        role = session.get(Role, alias.role_id) if alias is not None else None
    return role


def get_or_create_role(session: Session, name: str) -> Role:
    key = role_key(name)
    role = _by_key(session, key)
    if role is None:
        role = Role(name=" ".join(name.split()), key=key)
        session.add(role)
        session.flush()
    return role


def find_role(session: Session, name: str) -> Role | None:
    """A role by its name, or by a unique part of it ('partnership manager')."""
    key = role_key(name)
    exact = _by_key(session, key)
    if exact is not None or not key:
        return exact
    matches = session.exec(select(Role).where(col(Role.key).contains(key))).all()
    return matches[0] if len(matches) == 1 else None


def identify(session: Session, platform: str, user: str, email: str | None = None) -> Person | None:
    """The person behind a chat identity: by their id on that platform, then by e-mail.

    Matched by e-mail, the id they write from becomes theirs (so the platform need not be
    asked again, and reminders go where they are): an id stored earlier that no longer
    works (a new account, an id typed in by hand) is replaced, their history kept."""
    query = (
        select(Person)
        .join(ChatIdentity)
        .where(ChatIdentity.platform == platform, ChatIdentity.user_id == user)
    )
    person = session.exec(query).first()
    if person is None and email:
        person = session.exec(select(Person).where(Person.email == email.lower())).first()
        if person is not None:
            old = link(session, person, platform, user)
            if old is not None:
                log.info(
                    "%s's %s id is now %s (was %s): matched by e-mail",
                    person.name or person.email,
                    platform,
                    user,
                    old,
                )
    return person


def find_person(session: Session, who: str) -> Person | None:
    """A person by e-mail or exact name, as the local operator types them (`chat --as`)."""
    query = select(Person).where(or_(col(Person.email) == who.lower(), col(Person.name) == who))
    return session.exec(query).first()


def chat_ids(session: Session, person: Person) -> dict[str, str]:
    """A person's ids by platform."""
    rows = session.exec(select(ChatIdentity).where(ChatIdentity.person_id == person.id)).all()
    return {row.platform: row.user_id for row in rows}


def chat_id(session: Session, person: Person, platform: str) -> str | None:
    return chat_ids(session, person).get(platform)


def link(session: Session, person: Person, platform: str, user: str) -> str | None:
    """Make `user` the person's one id on `platform`; the id it replaces, if any. The same
    identity row is kept (what the person did stays theirs); the old id's delivery address
    goes with it, so nothing is left pointing at them under an id that is not theirs."""
    rows = session.exec(
        select(ChatIdentity).where(
            ChatIdentity.person_id == person.id, ChatIdentity.platform == platform
        )
    ).all()
    if not rows:
        session.add(ChatIdentity(person_id=id_of(person), platform=platform, user_id=user))
        session.flush()
        return None
    kept, *extra = rows
    for duplicate in extra:  # one id per platform: older data may hold more
        session.delete(duplicate)
    old = kept.user_id
    if old == user:
        return None
    kept.user_id = user
    session.add(kept)
    addresses.drop_personal(session, platform, old)
    session.flush()
    return old


def roles_of(session: Session, person: Person) -> list[Role]:
    """Roles a person holds or deputises for."""
    query = select(Role).join(RoleHolder).where(RoleHolder.person_id == person.id)
    return list(session.exec(query).all())


def owner_roles(session: Session, action: Action) -> list[Role]:
    """The roles owning an action, as the plan lists them (from `prefetch_owners` if read)."""
    cached: dict[int, list[Role]] = session.info.get("owner_roles", {})
    if action.id in cached:
        return cached[action.id]
    query = select(Role).join(ActionOwner).where(ActionOwner.action_id == action.id)
    return list(session.exec(query.order_by(col(ActionOwner.position), col(Role.name))).all())


def prefetch_owners(session: Session, action_ids: list[int]) -> None:
    """The owners of many actions in two queries per 2,000, for `owner_roles` in a list.

    The links first, then their roles by key: joined in one query, SQLite may walk every role
    of the organisation (its index on org_id looks selective) to find a few actions' owners."""
    cached: dict[int, list[Role]] = session.info.setdefault("owner_roles", {})
    for start in range(0, len(action_ids), 2000):
        chunk = action_ids[start : start + 2000]
        query = select(ActionOwner).where(col(ActionOwner.action_id).in_(chunk))
        links = list(session.exec(query).all())
        wanted = sorted({link.role_id for link in links})
        roles = {r.id: r for r in session.exec(select(Role).where(col(Role.id).in_(wanted)))}
        links.sort(key=lambda link: (link.position, roles[link.role_id].name))
        cached.update((i, []) for i in chunk)
        for link in links:
            cached[link.action_id].append(roles[link.role_id])


def is_plan_admin(session: Session, person: Person, plan_id: int) -> bool:
    query = select(PlanAdmin).where(PlanAdmin.plan_id == plan_id, PlanAdmin.person_id == person.id)
    return session.exec(query).first() is not None


def may_update(session: Session, person: Person | None, action: Action) -> bool:
    """Only an action's role holders, their deputies and the plan's admins may update it."""
    if person is None:
        return False
    if is_plan_admin(session, person, action.plan_id):
        return True
    query = (
        select(RoleHolder)
        .join(ActionOwner, col(ActionOwner.role_id) == col(RoleHolder.role_id))
        .where(ActionOwner.action_id == action.id, RoleHolder.person_id == person.id)
    )
    return session.exec(query).first() is not None


def is_member(session: Session, person: Person, plan: Plan) -> bool:
    """Admins of the plan and holders (or deputies) of any role owning one of its actions."""
    if is_plan_admin(session, person, plan.id or 0):
        return True
    query = (
        select(RoleHolder.person_id)
        .join(ActionOwner, col(ActionOwner.role_id) == col(RoleHolder.role_id))
        .join(Action, col(Action.id) == col(ActionOwner.action_id))
        .where(Action.plan_id == plan.id, RoleHolder.person_id == person.id)
    )
    return session.exec(query).first() is not None


def may_see(session: Session, person: Person | None, plan: Plan, place: str = "") -> bool:
    """Anyone may see a public plan, as may anyone in its steering group's channel (`place`);
    a private plan elsewhere only its members. Who may not see a plan is never told its name."""
    if not plan.private or (plan.chat_channel and plan.chat_channel == place):
        return True
    return person is not None and is_member(session, person, plan)


def holders(session: Session, role: Role, *, deputies: bool = False) -> list[Person]:
    query = (
        select(Person)
        .join(RoleHolder)
        .where(RoleHolder.role_id == role.id, RoleHolder.deputy == deputies)
    )
    return list(session.exec(query).all())


def assign(
    session: Session,
    role_name: str,
    *,
    name: str = "",
    email: str | None = None,
    chat: Mapping[str, str] | None = None,
    deputy: bool = False,
) -> tuple[Role, Person]:
    """Record that a person holds (or deputises for) a role; the person is found or created.

    `chat` gives the person's ids on chat platforms, by platform name.
    """
    ids = {platform: user for platform, user in (chat or {}).items() if user}
    if not (email or ids):
        raise PeopleError("Give an e-mail address or a chat id to say who it is.")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise PeopleError(f"'{email}' does not look like an e-mail address.")
    role = find_role(session, role_name)
    if role is None:
        raise PeopleError(f"No role called '{role_name}'. {_role_hint(session)}")
    person = _find_or_create_person(session, name, email, ids)
    link = session.get(RoleHolder, (role.id, person.id))
    if link is None:
        session.add(RoleHolder(role_id=id_of(role), person_id=id_of(person), deputy=deputy))
    else:
        link.deputy = deputy
    session.flush()
    return role, person


def _find_or_create_person(
    session: Session, name: str, email: str | None, ids: Mapping[str, str]
) -> Person:
    found: dict[int, Person] = {}
    if email:
        by_email = session.exec(select(Person).where(Person.email == email.lower())).first()
        if by_email is not None:
            found[id_of(by_email)] = by_email
    for platform, user in ids.items():
        holder = identify(session, platform, user)
        if holder is not None:
            found[id_of(holder)] = holder
    if len(found) > 1:
        names = " and ".join(sorted(p.name or p.email or f"person {p.id}" for p in found.values()))
        raise PeopleError(
            f"Those details belong to different people already ({names}): an id is only ever "
            "one person's. Check them, or give only the e-mail and one id at a time."
        )
    person = next(iter(found.values())) if found else Person()
    person.name = name or person.name or (email or next(iter(ids.values()), ""))
    person.email = email.lower() if email else person.email
    session.add(person)
    session.flush()
    for platform, user in ids.items():
        link(session, person, platform, user)  # an admin's word replaces a stale id
    return person


def _role_hint(session: Session) -> str:
    names = [r.name for r in session.exec(select(Role).order_by(col(Role.name))).all()]
    if not names:
        return "There are no roles yet: import a plan first."
    return "Roles are: " + "; ".join(names[:20]) + ("; ..." if len(names) > 20 else ".")


def make_admin(session: Session, plan_name: str, *, email: str, name: str = "") -> Person:
    """Let a person update every action of a plan."""
    plan = session.exec(select(Plan).where(Plan.name == plan_name)).first()
    if plan is None or plan.id is None:
        raise PeopleError(f"There is no plan called '{plan_name}'. 'engagebot plans' lists them.")
    person = _find_or_create_person(session, name, email, {})
    if session.get(PlanAdmin, (plan.id, person.id)) is None:
        session.add(PlanAdmin(plan_id=plan.id, person_id=id_of(person)))
    return person


def admins_for(session: Session, person: Person) -> list[int]:
    """The admins (person ids) of every plan with an action `person` is asked about."""
    plans = (
        select(Action.plan_id)
        .join(ActionOwner, col(ActionOwner.action_id) == col(Action.id))
        .join(RoleHolder, col(RoleHolder.role_id) == col(ActionOwner.role_id))
        .where(RoleHolder.person_id == person.id)
    )
    query = select(PlanAdmin.person_id).where(col(PlanAdmin.plan_id).in_(plans)).distinct()
    return [i for i in session.exec(query).all() if i != person.id]


def room_admins(session: Session, room: str) -> list[int]:
    """The admins (person ids) of the plans that post to a room: linked to it, or with a
    scheduled summary there."""
    linked = select(Plan.id).where(Plan.chat_channel == room)
    scheduled = select(ScheduledSummary.plan_id).where(
        ScheduledSummary.chat_channel == room, col(ScheduledSummary.active)
    )
    query = (
        select(PlanAdmin.person_id)
        .where(or_(col(PlanAdmin.plan_id).in_(linked), col(PlanAdmin.plan_id).in_(scheduled)))
        .distinct()
    )
    return list(session.exec(query).all())
