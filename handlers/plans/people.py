"""Roles and the people who hold them: who someone is in chat, and what they may update."""

from __future__ import annotations

import re

from sqlalchemy import or_
from sqlmodel import Session, col, select

from models.tables import Action, ActionOwner, Person, Plan, PlanAdmin, Role, RoleHolder, id_of


class PeopleError(ValueError):
    """A request about people or roles that cannot be carried out, in words a user can act on."""


def role_key(name: str) -> str:
    """Role names match whatever the case, spacing or punctuation: '&' and 'and' are one."""
    text = name.lower().replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", text))


def get_or_create_role(session: Session, name: str) -> Role:
    key = role_key(name)
    role = session.exec(select(Role).where(Role.key == key)).first()
    if role is None:
        role = Role(name=" ".join(name.split()), key=key)
        session.add(role)
        session.flush()
    return role


def find_role(session: Session, name: str) -> Role | None:
    """A role by its name, or by a unique part of it ('partnership manager')."""
    key = role_key(name)
    exact = session.exec(select(Role).where(Role.key == key)).first()
    if exact is not None or not key:
        return exact
    matches = session.exec(select(Role).where(col(Role.key).contains(key))).all()
    return matches[0] if len(matches) == 1 else None


def identify(session: Session, channel: str, user: str, email: str | None = None) -> Person | None:
    """The person behind a chat identity, matched by platform id, then by e-mail."""
    if channel == "slack":
        person = session.exec(select(Person).where(Person.slack_id == user)).first()
    elif channel == "teams":
        person = session.exec(select(Person).where(Person.teams_id == user)).first()
    else:  # the console: --as takes an e-mail address or a name
        person = session.exec(
            select(Person).where(or_(col(Person.email) == user.lower(), col(Person.name) == user))
        ).first()
    if person is None and email:
        person = session.exec(select(Person).where(Person.email == email.lower())).first()
        _remember_chat_id(session, person, channel, user)
    return person


def _remember_chat_id(session: Session, person: Person | None, channel: str, user: str) -> None:
    """Matched by e-mail: keep the chat id, so the platform need not be asked again."""
    if person is None:
        return
    if channel == "slack" and person.slack_id is None:
        person.slack_id = user
    elif channel == "teams" and person.teams_id is None:
        person.teams_id = user
    session.add(person)


def roles_of(session: Session, person: Person) -> list[Role]:
    """Roles a person holds or deputises for."""
    query = select(Role).join(RoleHolder).where(RoleHolder.person_id == person.id)
    return list(session.exec(query).all())


def owner_roles(session: Session, action: Action) -> list[Role]:
    query = select(Role).join(ActionOwner).where(ActionOwner.action_id == action.id)
    return list(session.exec(query.order_by(col(ActionOwner.position), col(Role.name))).all())


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
    slack_id: str | None = None,
    teams_id: str | None = None,
    deputy: bool = False,
) -> tuple[Role, Person]:
    """Record that a person holds (or deputises for) a role; the person is found or created."""
    if not (email or slack_id or teams_id):
        raise PeopleError("Give at least one of --email, --slack or --teams to say who it is.")
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise PeopleError(f"'{email}' does not look like an e-mail address.")
    role = find_role(session, role_name)
    if role is None:
        raise PeopleError(f"No role called '{role_name}'. {_role_hint(session)}")
    person = _find_or_create_person(session, name, email, slack_id, teams_id)
    link = session.get(RoleHolder, (role.id, person.id))
    if link is None:
        session.add(RoleHolder(role_id=id_of(role), person_id=id_of(person), deputy=deputy))
    else:
        link.deputy = deputy
    session.flush()
    return role, person


def _find_or_create_person(
    session: Session, name: str, email: str | None, slack_id: str | None, teams_id: str | None
) -> Person:
    conditions = []
    if email:
        conditions.append(col(Person.email) == email.lower())
    if slack_id:
        conditions.append(col(Person.slack_id) == slack_id)
    if teams_id:
        conditions.append(col(Person.teams_id) == teams_id)
    found = session.exec(select(Person).where(or_(*conditions))).all()
    if len(found) > 1:
        raise PeopleError("Those details belong to different people already; check them.")
    person = found[0] if found else Person()
    person.name = name or person.name or (email or slack_id or teams_id or "")
    person.email = email.lower() if email else person.email
    person.slack_id = slack_id or person.slack_id
    person.teams_id = teams_id or person.teams_id
    session.add(person)
    session.flush()
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
    person = _find_or_create_person(session, name, email, None, None)
    if session.get(PlanAdmin, (plan.id, person.id)) is None:
        session.add(PlanAdmin(plan_id=plan.id, person_id=id_of(person)))
    return person
