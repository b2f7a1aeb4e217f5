"""'attach to consultation 12': documents sent with the message go on the activity's page.

The activity's lead or the engagement team may attach (as they may publish). Each file is
checked from its bytes (PDF, Word or OpenDocument; size limit) and refused with the reason;
those that pass are attached in the turn's one transaction.
"""

from __future__ import annotations

from pydantic import BaseModel

from handlers.chat.flow import Flow, command
from handlers.chat.messages import Turn, say
from handlers.chat.request import Request
from handlers.flows.publish import may_publish
from handlers.plans.documents import FORMATS, DocumentError, Upload, attach, human_size
from models.tables import Consultation

NAME = "attach"
HOW = (
    "Send the document with your message: add a PDF or Word file to a message that says "
    "'attach to consultation {id}' (and, if you like, 'as <title>')."
)


def start(req: Request, entry_id: int, title: str) -> Turn:
    entry = req.session.get(Consultation, entry_id)
    if entry is None:
        return say(
            f"There is no register entry {entry_id}. 'engagebot consultations list' lists them.",
            private=True,
        )
    if not may_publish(req, entry):
        return say(
            f"Only the lead of '{entry.title}' or the engagement team can attach documents to "
            "it, so nothing was attached.",
            private=True,
        )
    if not req.msg.files:
        return say(HOW.format(id=entry_id), private=True)
    done, refused = [], []
    for file in req.msg.files:
        try:
            document = attach(
                req.session, entry, Upload(file.name, file.content),
                title=title if len(req.msg.files) == 1 else "",
                by=req.who.name if req.who else "", now=req.ctx.now(),
                limit=req.ctx.attachment_limit,
            )  # fmt: skip
        except DocumentError as err:
            refused.append(str(err))
            continue
        kind = FORMATS.get(document.media_type, document.media_type)
        done.append(f"'{document.title}' ({kind}, {human_size(document.size)})")
    lines = []
    if done:
        where = " on its public page" if entry.published else " (shown once it is published)"
        lines.append(f"Attached {', '.join(done)} to '{entry.title}'{where}.")
    lines += refused
    return say("\n".join(lines), private=True)


_WHAT = r"(?:the )?(?:consultation|engagement|activity|register entry|entry)?\s*#?"

FLOW: Flow[BaseModel] = Flow(
    name=NAME,
    entries=(
        command(
            rf"attach(?: (?:this|these|it|them|the documents?|documents?))?(?: to)? {_WHAT}"
            r"(?P<id>\d{1,9})(?:\s+(?:as|titled|called)\s+(?P<title>.+))?",
            lambda r, m: start(r, int(m["id"]), m["title"] or ""),
        ),
    ),
)
