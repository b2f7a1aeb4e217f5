"""The database tables: plans and their actions, roles and people, history, register, bookkeeping.

Notes and target revisions are append-only: nothing in the product updates or deletes them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Status(StrEnum):
    """Where an action stands; the words councils use in their progress columns."""

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    PARTIALLY_COMPLETE = "partially complete"
    DELAYED = "delayed"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_closed(self) -> bool:
        return self in (Status.COMPLETE, Status.WITHDRAWN)


class TargetKind(StrEnum):
    DATE = "date"
    RECURRING = "recurring"
    ONGOING = "ongoing"
    MILESTONES = "milestones"
    NONE = "none"
    UNCLEAR = "unclear"


class Organisation(SQLModel, table=True):
    """A council (or a team) with its own plans, people and register; nothing crosses them."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True)  # "default", "south-ribble"
    name: str = ""
    created_at: datetime
    # How its public engagement page looks and what it says about itself (`engagebot orgs
    # set`): logo, colours, contact, languages, the accessibility statement's facts. Read and
    # checked by handlers/public/branding.py.
    public: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # Counts changes to its published register (handlers/plans/register.py's `touch`): the
    # public page reads this one number per request to know whether what it keeps is current.
    public_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # england, wales, scotland or northern_ireland: whose law the toolkit gives; "" not set yet
    nation: str = Field(default="", sa_column_kwargs={"server_default": ""})


class OrgBinding(SQLModel, table=True):
    """A chat workspace (a Slack team id, a Teams tenant id) that belongs to an organisation."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organisation.id", index=True)
    platform: str  # the channel's name
    external_id: str


class Plan(SQLModel, table=True):
    """One strategy or audit action plan."""

    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    name: str = Field(index=True)
    title: str = ""
    source_file: str = ""
    chat_channel: str = ""  # where the steering group talks, for summaries and escalation
    private: bool = False
    # The sheet's own column headers, by idea ({"recommendation": "What?", ...}), so the board
    # report shows the plan as the committee knows it.
    columns: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )
    # The first day of the plan's first year, so "Year 1" and "Years 2-3" can be given dates.
    starts_on: date | None = None
    created_at: datetime


class Theme(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("plan_id", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    position: int
    title: str
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))


class Action(SQLModel, table=True):
    """One row of an action plan: what was recommended, what was agreed, by when."""

    __table_args__ = (
        UniqueConstraint("plan_id", "ref"),
        # "Overdue": the most overdue first, counted and listed from the index alone.
        Index("ix_action_due", "target_date", "plan_id", "position", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    theme_id: int | None = Field(default=None, foreign_key="theme.id")
    ref: str
    ref_generated: bool = False
    position: int
    recommendation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    action: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    priority: int | None = None
    measure: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: Status = Status.NOT_STARTED
    # The target as written, and what was understood of it (see handlers/language/targets.py).
    target_text: str = ""
    target_kind: TargetKind = TargetKind.NONE
    target_date: date | None = Field(default=None, index=True)
    target_start: date | None = None
    recurrence: str = ""
    milestones: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    target_problem: str = ""
    # The next day the reminder sweep must look at this action (None: work it out again).
    # Indexed, so a sweep reads only what is due, whatever the size of the plans.
    next_nudge_on: date | None = Field(default=None, index=True)
    created_at: datetime
    updated_at: datetime


class Role(SQLModel, table=True):
    """A job title that owns actions ("Director of Public Health"); people come and go."""

    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    name: str
    key: str = Field(index=True)  # normalised name, for matching


class RoleAlias(SQLModel, table=True):
    """Another spelling of a role, merged into it ("HBC Community Development" into "HBC
    Community Development Team"): a plan imported again with that spelling finds the role."""

    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    role_id: int = Field(foreign_key="role.id", index=True)
    name: str  # as it was written
    key: str = Field(index=True)  # normalised, as Role.key


class ActionOwner(SQLModel, table=True):
    action_id: int = Field(foreign_key="action.id", primary_key=True)
    role_id: int = Field(foreign_key="role.id", primary_key=True, index=True)
    position: int = Field(
        default=0, sa_column_kwargs={"server_default": "0"}
    )  # as the plan lists them


class Person(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("org_id", "email"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    name: str = ""
    email: str | None = Field(default=None, index=True)


class ChatIdentity(SQLModel, table=True):
    """A person's id on one chat platform, e.g. a Slack member id or a Teams user id."""

    __table_args__ = (UniqueConstraint("org_id", "platform", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str  # the channel's name
    user_id: str


class DeliveryAddress(SQLModel, table=True):
    """How to reach a chat user (or a room) on a platform that can only answer where it was
    spoken to: what the platform told us when they last wrote, in its own terms."""

    __table_args__ = (UniqueConstraint("platform", "owner"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # the channel's name
    owner: str  # the user's id on that platform, or a room's id
    address: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime
    # The platform refused to deliver here (blocked, removed, left): not tried again until
    # they write to the bot, which refreshes the address.
    unreachable_since: datetime | None = None


class RoleHolder(SQLModel, table=True):
    """Who holds a role now; a deputy stands in when the holder is away."""

    role_id: int = Field(foreign_key="role.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    deputy: bool = False


class PlanAdmin(SQLModel, table=True):
    """People who may update any action in a plan (the engagement team, the chair)."""

    plan_id: int = Field(foreign_key="plan.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True)


class ProgressNote(SQLModel, table=True):
    """One dated entry in an action's progress history. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    created_at: datetime
    author_id: int | None = Field(default=None, foreign_key="person.id")
    author_name: str = ""
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: Status | None = None  # the status this note set, if it set one
    revised_target: date | None = None
    source: str = ""  # import, console, slack, teams, reminder
    # A platform's event id: the same event delivered twice records one note.
    source_key: str | None = Field(default=None, unique=True)


class TargetRevision(SQLModel, table=True):
    """A target date moved, and by whom; the board wants to see that it was. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    revised_at: datetime
    old_date: date | None = None
    new_date: date | None = None
    old_text: str = ""
    new_text: str = ""
    note_id: int | None = Field(default=None, foreign_key="progressnote.id")
    by_name: str = ""


class Consultation(SQLModel, table=True):
    """One consultation or engagement activity in the council's register."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    title: str
    level: str = ""
    lead_name: str = ""
    lead_id: int | None = Field(default=None, foreign_key="person.id")
    planned_start: date | None = None
    planned_end: date | None = None
    audience: str = ""
    area: str = ""
    status: str = "planned"
    legal_advice: bool = False
    budget: str = ""
    participation: str = ""
    findings: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    you_said_we_did: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime
    # The public engagement page (handlers/public/): only published entries appear, and only
    # these fields with the title, dates, area, participation and findings. The lead's name
    # never does: `contact_name` is the one person the council chooses to name.
    published: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    summary: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    who_can_take_part: str = Field(default="", sa_column_kwargs={"server_default": ""})
    how_to_take_part: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    topic: str = Field(default="", sa_column_kwargs={"server_default": ""})
    contact_name: str = Field(default="", sa_column_kwargs={"server_default": ""})
    contact_email: str = Field(default="", sa_column_kwargs={"server_default": ""})
    contact_phone: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # When the public fields last changed: the Atom feed's <updated>.
    public_updated_at: datetime | None = None
    # Counts every change the public page shows (with the time above), so the page knows when
    # what it keeps rendered is out of date even when two changes share a second.
    public_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # When it first went on the page, and when "we did" was first written there: the events
    # residents subscribe to (handlers/subscriptions/).
    first_published_at: datetime | None = None
    we_did_at: datetime | None = None
    # The public fields in Welsh, where given: {"title": "…", "summary": "…"} (field names as
    # above; handlers/plans/register.py's WELSH_FIELDS).
    welsh: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class Document(SQLModel, table=True):
    """A file on the public page: a document attached to an activity, or an organisation's
    logo (`consultation_id` None). The bytes live here, so every instance serves the same."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id", index=True)
    role: str = "attachment"  # "attachment" or "logo"
    title: str = ""
    title_cy: str = ""
    filename: str
    media_type: str  # checked from the bytes, not the name
    size: int
    sha256: str
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime
    added_by: str = ""  # the officer's name, for the team (never shown to the public)


class Subscription(SQLModel, table=True):
    """A resident's e-mail subscription: to new activities in an area or topic (or all), or to
    one activity's outcome. Personal data: `engagebot subscribers forget` erases it."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    email: str = Field(index=True)  # lower-cased
    kind: str  # "all", "area", "topic" or "activity"
    value: str = ""  # the area or topic, or the activity's number
    lang: str = "en"  # the language they subscribed in: their e-mails are in it
    token: str = Field(unique=True, index=True)  # in the confirm and unsubscribe links
    created_at: datetime
    confirmed_at: datetime | None = None


class SubscriptionNotice(SQLModel, table=True):
    """One e-mail decided for one event (a new activity, an outcome) to one address: the key
    is unique, so nobody gets two for the same event, however many subscriptions match."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    key: str = Field(unique=True, index=True)  # event, activity and a hash of the address
    address_hash: str = Field(index=True)
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id")
    event: str  # "new" or "outcome"
    outbox_id: int | None = Field(default=None, foreign_key="outbox.id")
    created_at: datetime


class ConversationState(SQLModel, table=True):
    """Where a conversation stands, so a restart or a second instance carries on."""

    __table_args__ = (UniqueConstraint("org_id", "channel", "workspace", "conversation", "user"),)

    id: int | None = Field(default=None, primary_key=True)
    # The console's operator may talk to two councils as the same person: two conversations.
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    channel: str
    workspace: str
    conversation: str
    user: str
    flow: str
    step: str
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime


class SentReminder(SQLModel, table=True):
    """A nudge claimed by a sweep, keyed so that it goes out at most once.

    The key (action, occurrence, kind, person) is inserted before the message is sent; a row
    with no `sent_at` whose claim is old was interrupted, and the next sweep sends it.
    """

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    kind: str = ""
    action_id: int | None = Field(default=None, foreign_key="action.id", index=True)
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    due_on: date | None = None
    claimed_at: datetime
    sent_at: datetime | None = None


class ReminderResponse(SQLModel, table=True):
    """A button pressed on a reminder: "Snooze a week" or "Not mine". Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str  # "snooze" or "not_mine"
    until: date | None = None  # for a snooze
    created_at: datetime


class Outbox(SQLModel, table=True):
    """A message to deliver: written in the transaction that decided to send it, sent after.

    Reminders, escalations and notices go through here, so a crash between deciding and
    sending loses nothing: the next delivery run sends what is still unsent.
    """

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    via: str = Field(index=True)  # the name of the channel that delivers it
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    chat_channel: str = ""  # a channel to post in, instead of a person
    kind: str = ""  # "reminder", "escalation", "notice"
    reply: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Where the conversation stands once this is delivered (a reminder waits for the officer's
    # reply about its actions): a flow state as JSON, restored where the message lands.
    follow_up: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime
    claimed_at: datetime | None = None
    sent_at: datetime | None = None
    message_id: str = ""  # the platform's id of the message sent, to update it later
    failures: int = 0
    # Why the last try failed, in words (a person's or an operator's to act on), until sent.
    problem: str = Field(default="", sa_column_kwargs={"server_default": ""})


class PlatformAccess(SQLModel, table=True):
    """A chat platform refusing engagebot's own credentials (an expired client secret, a
    revoked token): its messages are held meanwhile. One row while refused; gone once the
    platform accepts the credentials again. Not an organisation's: credentials are the
    deployment's (for per-workspace tokens, `workspace` says whose)."""

    __table_args__ = (UniqueConstraint("platform", "workspace"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # the channel's name
    workspace: str = ""  # "" when one set of credentials serves every workspace
    problem: str = ""  # what the platform said, for the operators
    refused_since: datetime


class Card(SQLModel, table=True):
    """A message with buttons as it was sent, kept so that a press updates it from here, on
    any instance and after any restart; its id (unguessable) is carried by its buttons."""

    id: str = Field(primary_key=True, max_length=32)
    reply: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(index=True)
    chosen: str = ""  # what was pressed on it, once it was
    chosen_at: datetime | None = None


class HandledEvent(SQLModel, table=True):
    """A chat platform's event id, stored with the turn it caused: a redelivery is ignored."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    handled_at: datetime


class SummaryPost(SQLModel, table=True):
    """A summary shown: the next one reports what changed since."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    scope: str = Field(index=True)  # a plan's name, or "*" for all plans
    chat_channel: str = ""
    posted_at: datetime


class ScheduledSummary(SQLModel, table=True):
    """A chair's standing order: post the summary to a channel weekly, or before meetings."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    plan_id: int | None = Field(default=None, foreign_key="plan.id")
    via: str  # "slack", "console"
    chat_channel: str
    weekday: int | None = None  # 0 = Monday, for a weekly summary
    meeting_dates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime
    active: bool = True


class FlowchartWalk(SQLModel, table=True):
    """One walk through the consult-or-engage toolkit: who, when, the answers and the outcome."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    flowchart: str
    version: str
    person_id: int | None = Field(default=None, foreign_key="person.id")
    who_name: str = ""
    channel: str = ""
    answers: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str = ""
    level: str = ""
    started_at: datetime
    finished_at: datetime | None = None
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id")


class HealthCheck(SQLModel, table=True):
    """One health check (a yearly self-assessment) of an organisation or one of its teams.

    The answers are kept as they are given, so a check can be left and carried on later:
    {"inform.example.1": "Library leaflet", "consult.planning": 3, …} (the question keys of
    handlers/toolkit/healthcheck.py). An example skipped is kept as "".
    """

    __table_args__ = (UniqueConstraint("org_id", "team_key", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    team: str = ""  # as first written; "" is the whole organisation
    team_key: str = ""  # the team, normalised for matching
    year: str  # the financial year, "2026/27"
    guidance: str = ""  # the guidance's name and version, e.g. "halton-health-check 2013"
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    who_name: str = ""
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None = None


class ChatInstallation(SQLModel, table=True):
    """A chat app installed in a workspace through its install link (OAuth): the bot's
    credentials there. Tokens are sealed (encrypted) with the deployment's key before they are
    stored. Removed, and nothing else, when the app is uninstalled or its tokens revoked.

    A workspace is (enterprise_id, team_id); an organisation-wide install has no team_id.
    Absent ids are "", not NULL, so the unique constraint holds.
    """

    __table_args__ = (UniqueConstraint("platform", "enterprise_id", "team_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str  # the channel's name
    app_id: str = ""
    enterprise_id: str = ""
    enterprise_name: str = ""
    team_id: str = ""
    team_name: str = ""
    is_enterprise_install: bool = False
    bot_id: str = ""
    bot_user_id: str = ""
    bot_scopes: str = ""  # comma-separated, as the platform gives them
    bot_token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    bot_refresh_token: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    bot_token_expires_at: int | None = None  # seconds since the epoch, when tokens rotate
    installer_user_id: str = ""
    installed_at: datetime


class OAuthState(SQLModel, table=True):
    """A one-time `state` handed to a browser starting an install, checked on its return."""

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(unique=True, index=True)
    expires_at: datetime


class WorkspaceRequest(SQLModel, table=True):
    """A workspace that installed the app and belongs to no organisation yet: an operator
    approves it into one (`engagebot orgs approve`), so it never joins a council by itself."""

    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str
    external_id: str  # the workspace's id (a team id, or an enterprise id for a whole org)
    name: str = ""
    requested_by: str = ""  # the installing user's id on the platform
    requested_at: datetime


class ReminderSetting(SQLModel, table=True):
    """When a person likes their reminders: a time of day, or none until a date (snoozed)."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int | None = Field(
        default=None, foreign_key="organisation.id", index=True, nullable=False
    )
    person_id: int = Field(foreign_key="person.id", unique=True, index=True)
    remind_at: time | None = None  # None: when the deployment sends them (ENGAGEBOT_REMIND_AT)
    snoozed_until: date | None = None  # no reminders before this day
    updated_at: datetime


def id_of(row: SQLModel) -> int:
    """The primary key of a row that has been flushed (a programming error if it has not)."""
    value = getattr(row, "id", None)
    if value is None:
        raise ValueError(f"{type(row).__name__} has no id yet: flush it first")
    return int(value)
