"""The buttons that code below the flows puts on messages (a listed action's, a reminder's, a
summary's, the health check's reminder), as intents the flows declare: typed data, never chat
commands. The flows take their names from here; a test checks every one is declared."""

from __future__ import annotations

from handlers.chat.messages import Intent

COMMANDS = "commands"
UPDATE = "update"
REMINDER = "reminder"
SUMMARY = "summary"
HEALTHCHECK = "healthcheck"
CONSULT = "consult"
PUBLISH = "publish"

START = "start"  # a flow's way in from a button, about its key (an action, a plan, an entry)


def add_update(key: str) -> Intent:
    """Update the action `key` names (`button_key`): a form where the channel has one."""
    return Intent(UPDATE, START, key)


def reminder(verb: str, key: str) -> Intent:
    """A reminder's button about one action: complete, newdate, snooze or notmine."""
    return Intent(REMINDER, verb, key)


def full_summary(plan: str) -> Intent:
    return Intent(SUMMARY, "full", plan)


def summary(plan: str) -> Intent:
    """The status summary of `plan` (or of the plans linked to the room, or all one may see)."""
    return Intent(SUMMARY, "show", plan)


def health_check(team: str = "") -> Intent:
    return Intent(HEALTHCHECK, START, team)


def my_actions() -> Intent:
    return Intent(COMMANDS, "mine")


def show_help() -> Intent:
    return Intent(COMMANDS, "help")


def consult() -> Intent:
    return Intent(CONSULT, START)


def publish(entry: int) -> Intent:
    return Intent(PUBLISH, START, str(entry))
