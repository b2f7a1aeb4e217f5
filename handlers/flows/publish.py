"""'publish consultation 12': put a register entry on the public engagement page from chat.

The bot asks for each public field the entry still lacks (what it is about, who can take part,
how, the topic, the named contact), checks each answer, shows what the public will see, and
publishes only when told to. Nothing is written until then: the answers wait in the flow's data.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import col, select

from handlers.chat import intents
from handlers.chat.flow import Flow, command
from handlers.chat.messages import Choice, Field, Intent, Item, Reply, Turn, say
from handlers.chat.request import Request
from handlers.chat.state import Next
from handlers.language.quantities import plural
from handlers.plans.register import PUBLIC_FIELDS, missing_to_publish, public_problem, publish
from handlers.plans.register import set_public as store
from models.scoping import org_of
from models.tables import Consultation, Organisation, PlanAdmin

NAME = intents.PUBLISH
CONTACT = "contact"  # an e-mail address or a phone number, whichever is given
QUESTIONS = {
    "summary": "What is it about? A sentence or two for residents, in plain words.",
    "who_can_take_part": "Who can take part? e.g. 'Anyone who lives or works in the borough'.",
    "how_to_take_part": "How can people take part? A link to the survey, or a few words.",
    "topic": "Which topic is it filed under on the page? e.g. Libraries, Parks, Budget.",
    "contact_name": "Who is the named contact? e.g. 'The engagement team' or a name.",
    CONTACT: "The contact's public e-mail address or phone number?",
}
YES = ("publish", "yes", "y", "yes please", "go ahead")


class Step(StrEnum):
    ASK = "ask"  # waiting for the answer to the first question in `asking`
    CONFIRM = "confirm"  # shown what the public will see; waiting for "publish"


class PublishData(BaseModel):
    entry: int
    asking: list[str] = []
    answers: dict[str, str] = {}


def may_publish(req: Request, entry: Consultation) -> bool:
    """The activity's lead, or the engagement team (anyone who administers a plan)."""
    if req.who is None:
        return False
    if entry.lead_id is not None and entry.lead_id == req.who.id:
        return True
    query = select(PlanAdmin).where(col(PlanAdmin.person_id) == req.who.id)
    return req.session.exec(query).first() is not None


def _entry(req: Request, entry_id: int) -> tuple[Consultation | None, str]:
    entry = req.session.get(Consultation, entry_id)
    if entry is None:
        return (
            None,
            f"There is no register entry {entry_id}. 'engagebot consultations list' lists them.",
        )
    if not may_publish(req, entry):
        return None, (
            f"Only the lead of '{entry.title}' or the engagement team can publish it, so "
            "nothing was changed."
        )
    return entry, ""


def start(req: Request, entry_id: int) -> Turn:
    entry, problem = _entry(req, entry_id)
    if entry is None:
        return say(problem, private=True)
    data = PublishData(entry=entry_id, asking=_to_ask(entry))
    if not data.asking:
        return _preview(req, entry, data)
    intro = (
        f"Let's put '{entry.title}' on the public page. I need {plural(len(data.asking), 'thing')}."
    )
    return _ask(data, intro)


def _to_ask(entry: Consultation) -> list[str]:
    labels = {label: name for name, (label, _) in PUBLIC_FIELDS.items()}
    asking = [labels[label] for label in missing_to_publish(entry) if label in labels]
    if not (entry.contact_email.strip() or entry.contact_phone.strip()):
        asking.append(CONTACT)
    return asking


def _ask(data: PublishData, before: str = "") -> Turn:
    question = QUESTIONS[data.asking[0]]
    text = f"{before}\n{question}".strip()
    cancel = Choice("Cancel", Intent(NAME, Step.ASK, "cancel"), way_out=True)
    reply = Reply(text, choices=(cancel,), private=True)
    return Turn((reply,), Next(NAME, Step.ASK, data))


def _field_of(name: str, answer: str) -> str:
    if name != CONTACT:
        return name
    return "contact_email" if "@" in answer else "contact_phone"


def on_answer(req: Request, data: PublishData) -> Turn:
    answer = " ".join(req.msg.text.split()) if data.asking[0] != "summary" else req.msg.text
    answer = answer.strip()
    if not answer:
        return _ask(data, "I need an answer to put it on the page (or say 'cancel').")
    field = _field_of(data.asking[0], answer)
    problem = public_problem(field, answer)
    if problem:
        return _ask(data, f"{problem} Nothing was saved yet.")
    data.answers[field] = answer
    data.asking = data.asking[1:]
    if data.asking:
        return _ask(data)
    entry, refused = _entry(req, data.entry)
    if entry is None:
        return say(refused, private=True)
    return _preview(req, entry, data)


def _preview(req: Request, entry: Consultation, data: PublishData) -> Turn:
    shown = {name: data.answers.get(name, getattr(entry, name)) for name in PUBLIC_FIELDS}
    fields = tuple(
        Field(label.split(" (")[0].capitalize(), shown[name])
        for name, (label, _) in PUBLIC_FIELDS.items()
        if shown[name]
    )
    reply = Reply(
        f"This is what the public page will show for '{entry.title}', with its dates and area. "
        "Publish it?",
        items=(Item(heading=entry.title, fields=fields),),
        choices=(
            Choice("Publish", Intent(NAME, Step.CONFIRM, "publish"), "primary"),
            Choice("Cancel", Intent(NAME, Step.CONFIRM, "cancel"), way_out=True),
        ),
        private=True,
    )
    return Turn((reply,), Next(NAME, Step.CONFIRM, data))


def on_confirm(req: Request, data: PublishData) -> Turn:
    if req.answer.lower() not in YES:
        return say("Not published. Nothing was changed.")
    entry, refused = _entry(req, data.entry)  # checked again: a role may have changed
    if entry is None:
        return say(refused, private=True)
    for name, value in data.answers.items():
        problem = store(entry, name, value, req.ctx.now())
        if problem:
            return say(f"{problem} Nothing was published.")
    missing = publish(entry, req.ctx.now())
    if missing:
        return say(f"It still needs {', '.join(missing)}, so it was not published.")
    req.session.add(entry)
    return say(
        f"Published register entry {entry.id}, '{entry.title}': it is on the public page at "
        f"{_link(req, entry)}"
    )


def unpublish(req: Request, entry_id: int) -> Turn:
    entry, problem = _entry(req, entry_id)
    if entry is None:
        return say(problem, private=True)
    publish(entry, req.ctx.now(), public=False)
    req.session.add(entry)
    return say(f"'{entry.title}' is no longer on the public page. Its public details are kept.")


def _link(req: Request, entry: Consultation) -> str:
    """The entry's public page: a whole address when the page's is known (a link people can
    follow from chat), else its path and how to make it whole."""
    org = req.session.get(Organisation, org_of(req.session))
    slug = f"{org.slug}/" if org else ""
    path = f"/engage/{slug}activities/{entry.id}"
    if req.ctx.public_url:
        return req.ctx.public_url.rstrip("/") + path
    return f"{path} (set ENGAGEBOT_PUBLIC_URL to the page's address for a whole link)"


def _start_from(req: Request, key: str) -> Turn:
    """The "Publish it" button of a new register entry."""
    if not key.isdigit() or len(key) > 9:
        return say("That button is out of date, so nothing was changed.", private=True)
    return start(req, int(key))


_WHAT = r"(?:the )?(?:consultation|engagement|activity|register entry|entry)?\s*#?"

FLOW = Flow(
    name=NAME,
    entries=(
        command(rf"publish {_WHAT}(?P<id>\d{{1,9}})", lambda r, m: start(r, int(m["id"]))),
        command(rf"unpublish {_WHAT}(?P<id>\d{{1,9}})", lambda r, m: unpublish(r, int(m["id"]))),
    ),
    data=PublishData,
    steps={Step.ASK: on_answer, Step.CONFIRM: on_confirm},
    free_text=frozenset({Step.ASK}),
    actions={intents.START: lambda r, key: _start_from(r, key)},
)
