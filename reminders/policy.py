"""When to nudge: the reminder policy, working days and bank holidays. Pure: no database, no I/O.

For each target occurrence T (a one-off target date, or one occurrence of a recurring target):
  - "lead-14", "lead-3": 14 and 3 working days before T;
  - "due": on T (the working day before, if T is a weekend or bank holiday);
  - "overdue-1", "overdue-2", …: every 7 days after T while the action is open
    (moved to the next working day);
  - "escalate": to the plan's chair, with the overdue nudge that follows the second one,
    i.e. a week after the second overdue nudge went unanswered.
Ongoing actions get "check" nudges on the first working day of each quarter.
Consultations get "closed" when they end, and "feedback" when the feedback period is nearly up;
one on the public page still without "we did" gets "we-did" when it is due, and once more later.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple, Protocol

from handlers.language.targets import Recurrence
from models.tables import Status, TargetKind

OVERDUE = "overdue"
ESCALATE = "escalate"
CHECK = "check"


@dataclass(frozen=True)
class Policy:
    """The reminder policy; every number here can be set in configuration."""

    lead_working_days: tuple[int, ...] = (14, 3)
    on_the_day: bool = True
    overdue_every_days: int = 7
    escalate_after: int = 2  # overdue nudges left unanswered before the chair is told
    send_from: time = time(9, 30)
    send_until: time = time(17, 0)  # never in the evening
    country: str = "GB"
    region: str = "ENG"  # England and Wales share bank holidays; SCT, NIR differ
    check_every_months: int = 3  # ongoing actions: a progress check each quarter
    feedback_within_days: int = 28  # consultations: publish "you said, we did" within this
    we_did_again_days: int = 28  # published, closed, still no "we did": ask the lead again
    snooze_days: int = 7
    calendar: WorkingCalendar = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "calendar", WorkingCalendar(self.country, self.region))

    def may_send_at(self, local: datetime) -> bool:
        """Only on working days, between send_from and send_until."""
        return (
            self.calendar.is_working(local.date())
            and self.send_from <= local.time() < self.send_until
        )


class WorkingCalendar:
    """Weekdays that are not bank holidays, from the `holidays` package."""

    def __init__(self, country: str, region: str) -> None:
        self.country, self.region = country, region

    @functools.cache  # noqa: B019 (a calendar lives as long as its policy)
    def _holidays(self, year: int) -> frozenset[date]:
        import holidays

        found = holidays.country_holidays(self.country, subdiv=self.region or None, years=year)
        return frozenset(found.keys())

    def is_working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays(day.year)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (the same few dates come up constantly)
    def on_or_before(self, day: date) -> date:
        while not self.is_working(day):
            day -= timedelta(days=1)
        return day

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def on_or_after(self, day: date) -> date:
        while not self.is_working(day):
            day += timedelta(days=1)
        return day

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def working_days_before(self, day: date, count: int) -> date:
        day = self.on_or_before(day)
        for _ in range(count):
            day = self.on_or_before(day - timedelta(days=1))
        return day


class Nudgeable(Protocol):
    """What the policy needs to know of an action."""

    id: int | None
    status: Status
    target_kind: TargetKind
    target_date: date | None
    recurrence: str
    milestones: list[str]
    created_at: datetime


class Slot(NamedTuple):  # a tuple: sweeps make tens of thousands, sorted by day
    """One nudge of one occurrence: goes out on `on`."""

    on: date
    kind: str
    occurrence: date

    def key(self, action_id: int) -> str:
        return f"action:{action_id}:{self.occurrence.isoformat()}:{self.kind}"


def occurrence_slots(target: date, policy: Policy, start: date, until: date) -> Iterator[Slot]:
    """The nudges of one target occurrence falling in [start, until], in date order."""
    cal = policy.calendar
    for days in sorted(policy.lead_working_days, reverse=True):
        yield Slot(cal.working_days_before(target, days), f"lead-{days}", target)
    if policy.on_the_day:
        yield Slot(cal.on_or_before(target), "due", target)
    every = policy.overdue_every_days
    # Jump straight to the first overdue nudge near `start`: an action overdue since 2019
    # must not walk through seven years of weeks.
    number = max(1, (start - target).days // every - 1)
    while True:
        on = cal.on_or_after(target + timedelta(days=every * number))
        if on > until:
            return
        yield Slot(on, f"{OVERDUE}-{number}", target)
        if number == policy.escalate_after + 1:
            yield Slot(on, ESCALATE, target)
        number += 1


def occurrences(action: Nudgeable, start: date, end: date) -> list[date]:
    """The target dates of an action that matter between `start` and `end`."""
    if action.target_kind == TargetKind.RECURRING and action.recurrence:
        recurrence = Recurrence.from_text(action.recurrence)
        return recurrence.occurrences(start, end)
    if action.target_kind == TargetKind.MILESTONES and action.milestones:
        return [date.fromisoformat(m) for m in action.milestones]
    return [action.target_date] if action.target_date else []


def check_slots(policy: Policy, start: date, end: date) -> Iterator[Slot]:
    """Quarterly (by default) progress checks for ongoing actions."""
    month = start.replace(day=1)
    while month <= end:
        if (month.month - 1) % policy.check_every_months == 0:
            on = policy.calendar.on_or_after(month)
            yield Slot(on, CHECK, month)
        month = (month + timedelta(days=32)).replace(day=1)


def slots_between(action: Nudgeable, start: date, end: date, policy: Policy) -> list[Slot]:
    """Every nudge of `action` falling on a day in [start, end], in date order."""
    if action.status.is_closed:
        return []
    if action.target_kind == TargetKind.ONGOING:
        return [s for s in check_slots(policy, start, end) if start <= s.on <= end]
    # Lead nudges come up to ~3 weeks before a target: look that far past `end`.
    horizon = end + timedelta(days=31)
    found: list[Slot] = []
    for target in occurrences(action, start - timedelta(days=3660), horizon):
        until = min(end, _next_after(action, target, horizon) or end)
        found += [s for s in occurrence_slots(target, policy, start, until) if start <= s.on <= end]
    return sorted(found)


def _next_after(action: Nudgeable, target: date, horizon: date) -> date | None:
    """A recurring target stops being chased as overdue once the next occurrence is near."""
    if action.target_kind != TargetKind.RECURRING:
        return None
    later = occurrences(action, target + timedelta(days=1), horizon + timedelta(days=400))
    return later[0] - timedelta(days=21) if later else None


LOOK_AHEAD = timedelta(days=40)


def due_and_next(
    action: Nudgeable, today: date, since: date, policy: Policy, updated: date | None = None
) -> tuple[list[Slot], date | None]:
    """Today's nudges, and the first day after today with another, worked out in one pass.

    Today's are the newest one missed since `since` (a catch-up, not a flood) and any
    escalation. `updated` is the day of the action's latest progress note: an occurrence of a
    recurring target counts as reported once a note has come in since its first reminder.
    """
    if action.status.is_closed:
        return [], None
    slots = slots_between(action, since, today + LOOK_AHEAD, policy)
    later = [s for s in slots if s.on > today]
    upcoming = later[0].on if later else next_nudge_on(action, today + LOOK_AHEAD, policy)
    due = [s for s in slots if s.on <= today and not _reported(action, s, updated, policy)]
    newest = [s for s in due if s.kind != ESCALATE][-1:]
    escalations = [s for s in due if s.kind == ESCALATE][-1:]
    return newest + escalations, upcoming


def _reported(action: Nudgeable, slot: Slot, updated: date | None, policy: Policy) -> bool:
    chased = slot.kind.startswith((OVERDUE, ESCALATE))
    if action.target_kind != TargetKind.RECURRING or not chased:
        return False
    if slot.occurrence < action.created_at.date():  # came and went before the plan was here
        return True
    first_nudge = policy.calendar.working_days_before(
        slot.occurrence, max(policy.lead_working_days, default=0)
    )
    return updated is not None and updated >= first_nudge


def next_nudge_on(action: Nudgeable, after: date, policy: Policy) -> date | None:
    """The first day after `after` when this action has a nudge, or None (never again)."""
    if action.status.is_closed:
        return None
    window = 40
    start = after + timedelta(days=1)
    while window <= 800:
        slots = slots_between(action, start, after + timedelta(days=window), policy)
        if slots:
            return slots[0].on
        window *= 2
    return None
