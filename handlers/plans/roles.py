"""Roles as people write them: one team spelled three ways is found, reported and, once
someone confirms, merged into one role, its other spellings remembered for the next import.

Nothing is merged without a person saying so: "Community Engagement Steering Group" and
"Community Engagement Strategy Steering Group" may be one group or two, and only the council
knows. The names are compared word by word whatever their order and punctuation
(rapidfuzz's token sort ratio), so "Corporate & Organisational Policy Team (HBC)" meets
"HBC Corporate and Organisational Policy Team".
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from handlers.plans.people import PeopleError, find_role, role_key
from models.tables import ActionOwner, Role, RoleAlias, RoleHolder, id_of

ALIKE = 85  # token sort ratio from which two role names are reported as perhaps one role


@dataclass(frozen=True)
class Spelling:
    """A role as the plans name it, with how many actions it owns and people hold it."""

    name: str
    actions: int
    holders: int


@dataclass(frozen=True)
class AlikeRoles:
    """Roles whose names look like one role; `into` is the one to keep (the most used)."""

    into: Spelling
    others: tuple[Spelling, ...]

    def merge_command(self) -> str:
        names = " ".join(f'"{other.name}"' for other in self.others)
        return f'engagebot roles merge {names} --into "{self.into.name}"'


def alike_roles(session: Session, among: set[str] | None = None) -> list[AlikeRoles]:
    """Groups of roles whose names look alike; with `among`, only groups holding one of those
    role names (the roles a plan just imported)."""
    roles = list(session.exec(select(Role).order_by(col(Role.name))).all())
    keys = [r.key for r in roles]
    wanted = {role_key(name) for name in among} if among is not None else set(keys)
    queries = [i for i, key in enumerate(keys) if key in wanted]
    parent = list(range(len(roles)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    # Every query against every role at once, in C++: a plan of thousands of roles stays quick.
    scores = process.cdist(
        [keys[i] for i in queries], keys, scorer=fuzz.token_sort_ratio, score_cutoff=ALIKE
    )
    for row, i in enumerate(queries):
        for j in scores[row].nonzero()[0]:
            if i != j and _numbers(keys[i]) == _numbers(keys[int(j)]):
                parent[root(int(j))] = root(i)
    groups: dict[int, list[Role]] = {}
    for i, role in enumerate(roles):
        groups.setdefault(root(i), []).append(role)
    found = []
    for members in groups.values():
        if len(members) < 2:
            continue
        spellings = sorted(
            (_spelling(session, r) for r in members),
            key=lambda s: (-s.actions, -s.holders, -len(s.name), s.name),
        )
        found.append(AlikeRoles(spellings[0], tuple(spellings[1:])))
    return found


def _numbers(key: str) -> list[str]:
    """The numbers in a role's name: "Officer 6" and "Officer 10" are two roles, not a slip."""
    return sorted(word for word in key.split() if any(c.isdigit() for c in word))


def _spelling(session: Session, role: Role) -> Spelling:
    actions = select(func.count()).select_from(ActionOwner).where(ActionOwner.role_id == role.id)
    holders = select(func.count()).select_from(RoleHolder).where(RoleHolder.role_id == role.id)
    return Spelling(role.name, session.exec(actions).one(), session.exec(holders).one())


def merge(session: Session, merged_name: str, into_name: str) -> tuple[Role, Role, int]:
    """Merge the role `merged_name` into `into_name`: its actions and holders move over, its
    name becomes an alias of the other. Returns (merged, kept, actions moved)."""
    merged, kept = _named(session, merged_name), _named(session, into_name)
    if merged.id == kept.id:
        raise PeopleError(f"'{merged.name}' and '{into_name}' are already one role.")
    owned = select(ActionOwner.action_id).where(ActionOwner.role_id == kept.id)
    both = list(session.exec(owned).all())
    mine = select(ActionOwner.action_id).where(ActionOwner.role_id == merged.id)
    moved = len(list(session.exec(mine).all()))
    # An action owned by both keeps the kept role once; the rest move over.
    session.exec(
        delete(ActionOwner).where(
            col(ActionOwner.role_id) == merged.id, col(ActionOwner.action_id).in_(both)
        )
    )
    session.exec(
        update(ActionOwner).where(col(ActionOwner.role_id) == merged.id).values(role_id=kept.id)
    )
    held = select(RoleHolder.person_id).where(RoleHolder.role_id == kept.id)
    holding = list(session.exec(held).all())
    session.exec(
        delete(RoleHolder).where(
            col(RoleHolder.role_id) == merged.id, col(RoleHolder.person_id).in_(holding)
        )
    )
    session.exec(
        update(RoleHolder).where(col(RoleHolder.role_id) == merged.id).values(role_id=kept.id)
    )
    session.exec(
        update(RoleAlias).where(col(RoleAlias.role_id) == merged.id).values(role_id=kept.id)
    )
    session.add(RoleAlias(role_id=id_of(kept), name=merged.name, key=merged.key))
    session.flush()
    session.delete(merged)
    session.flush()
    return merged, kept, moved


def _named(session: Session, name: str) -> Role:
    role = find_role(session, name)
    if role is None:
        raise PeopleError(
            f"No role called '{name}'. 'engagebot roles list' lists them, with their spellings."
        )
    return role


def aliases_of(session: Session, role: Role) -> list[str]:
    """The other spellings merged into `role`."""
    query = select(RoleAlias.name).where(RoleAlias.role_id == role.id).order_by(col(RoleAlias.name))
    return list(session.exec(query).all())
