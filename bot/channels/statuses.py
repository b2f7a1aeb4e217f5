"""What a chat platform's answer means for a message engagebot sent, for every status it can
return, read the same way for reminders and for replies:

- sent (2xx);
- theirs to retry: the platform is busy or failing (408, 409, 412, 425, 429, every 5xx, a
  timeout, a dropped or refused connection, an answer no platform should give): tried again
  with back-off, and the message kept until it goes;
- ours to fix, credentials: the platform refused engagebot itself (Teams 401, a token the
  token service will not issue, a bot disabled by the tenant's admin; Slack invalid_auth,
  token_revoked, missing_scope…): every message is held, operators and admins are told once
  by a path that does not need those credentials, and sending is tried again each run;
- ours to fix, the message: refused as malformed or too big (400, 413, any other 4xx; Slack
  invalid_blocks, msg_too_long, an error Slack has not documented): a bug, logged at ERROR,
  the message kept and tried again with back-off so the release that fixes it sends it;
- the person's: they can't be reached there (Teams 403 not in the roster, blocked, 404 and 410
  conversation gone; Slack user_not_found, channel_not_found, is_archived…): held until they
  next write; their plans' admins are told once.
"""

from __future__ import annotations

import re
from enum import StrEnum

from handlers.chat.outbound import CredentialsRefused, Rejected, SendError, Unreachable


class Meaning(StrEnum):
    SENT = "sent"
    RETRY = "theirs to retry"
    CREDENTIALS = "ours to fix: credentials"
    MESSAGE = "ours to fix: the message"
    PERSON = "the person's"


RETRY_STATUSES = frozenset({408, 409, 412, 425, 429})

# Teams (the Bot Connector): the status, refined by the error code in the body where the
# same status means different things (learn.microsoft.com, "Bot API error codes").
TEAMS_BOT_DISABLED = frozenset({"BotDisabledByAdmin"})  # the tenant's admin: ours to sort out
TEAMS_PERSON_STATUSES = frozenset({403, 404, 410})

# Slack answers most failures with HTTP 200 and an error code (docs.slack.dev, each method's
# "Errors"); codes not listed here are taken as refusals of the message (ours to fix).
SLACK_CREDENTIALS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "org_login_required",
        "team_access_not_granted",
        "access_denied",
        "ekm_access_denied",
        "two_factor_setup_required",
        "team_is_restricted",
        "enterprise_is_restricted",
        "app_uninstalled",
    }
)
SLACK_PERSON = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "user_not_visible",
        "users_not_found",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "messages_tab_disabled",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
    }
)
_SLACK_CODE = re.compile(r"[a-z0-9_]{1,80}")
SLACK_RETRY = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)


def of_status(status: int) -> Meaning:
    """An HTTP status by itself (no body to refine it)."""
    if 200 <= status < 300:
        return Meaning.SENT
    if status >= 500 or status in RETRY_STATUSES or status < 200 or 300 <= status < 400:
        return Meaning.RETRY  # 1xx and 3xx are answers no API gives for a post: try again
    if status == 401:
        return Meaning.CREDENTIALS
    return Meaning.MESSAGE


def teams(status: int, code: str = "") -> Meaning:
    """A Bot Connector answer: its HTTP status and the error code in its body, if any."""
    if status == 403 and code in TEAMS_BOT_DISABLED:
        return Meaning.CREDENTIALS
    if status in TEAMS_PERSON_STATUSES:
        return Meaning.PERSON
    return of_status(status)


def slack(status: int, error: str = "") -> Meaning:
    """A Web API answer: its HTTP status and the error code Slack put in the body (Slack's
    codes are snake_case words; anything else there is not Slack's, e.g. the SDK's note that
    the body was not JSON)."""
    error = error if _SLACK_CODE.fullmatch(error) else ""
    if status in (401, 403) or error in SLACK_CREDENTIALS:
        return Meaning.CREDENTIALS
    if error in SLACK_PERSON:
        return Meaning.PERSON
    if error in SLACK_RETRY:
        return Meaning.RETRY
    by_status = of_status(status)
    if by_status != Meaning.SENT:
        return by_status
    # "ok": false with a 2xx: a code Slack documents for a bad request, or no code at all
    # (not Slack's answer: a proxy's page, a cut-off body), which is theirs to retry.
    return Meaning.MESSAGE if error else Meaning.RETRY


def failure(meaning: Meaning, text: str, workspace: str = "") -> SendError:
    """The exception delivery reads the meaning from (handlers/chat/outbound.py)."""
    if meaning == Meaning.CREDENTIALS:
        return CredentialsRefused(text, workspace)
    if meaning == Meaning.PERSON:
        return Unreachable(text)
    if meaning == Meaning.MESSAGE:
        return Rejected(text)
    return SendError(text)
