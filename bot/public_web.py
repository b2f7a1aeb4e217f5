"""The public engagement page's routes: `/engage/` and `/engage/<org-slug>/`, read-only, no login.

Each request's work (its database reads and the drawing of the page) runs off the event loop:
under `engagebot serve` in a worker process of its own (`processes`), since a long list drawn
in a thread of the server holds the interpreter lock the loop needs, and every chat platform's
acknowledgement would wait behind it (1.4 ms p99 became 110 ms while two residents loaded 5,000
activities); in tests, in a small thread pool. Either way the work is handed a `PageRequest`,
the parts of the HTTP request a page reads. One transaction per request, confined to the
organisation in the path (models/scoping.py), so no page shows another council's entries.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from aiohttp import web
from multidict import CIMultiDict, MultiDict
from sqlmodel import Session

from bot.worker import call
from handlers.chat.context import AppContext
from handlers.plans.organisations import default_slug
from handlers.public import entries, feed, opendata, page
from handlers.public.entries import Filters, PublicEntry
from handlers.public.page import STATIC, Site
from models.db import UnknownOrganisation, reason, transaction, unavailable
from models.scoping import ALL, org_of
from models.tables import Organisation

log = logging.getLogger(__name__)

PREFIX = "/engage"
HEADERS = {
    # Nothing on the page runs script, so nothing may; and nobody may frame it.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "public, max-age=300",
}
TYPES = {
    "html": "text/html",
    "atom": "application/atom+xml",
    "csv": "text/csv",
    "json": "application/json",
}


@dataclass(frozen=True)
class Answer:
    """What a page request produced: a status, a kind (a key of TYPES) and the body."""

    status: int
    kind: str
    body: str | bytes
    filename: str = ""


class NotFound(LookupError):
    """No such organisation or activity (unpublished looks the same as missing)."""


@dataclass(frozen=True)
class PageRequest:
    """What a page reads of an HTTP request, named as aiohttp names it; plain data, so it can
    be handed to a worker process."""

    path: str
    match_info: dict[str, str]
    query: MultiDict[str]
    headers: CIMultiDict[str]
    scheme: str
    host: str

    @classmethod
    def of(cls, request: web.Request) -> PageRequest:
        return cls(
            request.path,
            dict(request.match_info),
            MultiDict(request.query),
            CIMultiDict(request.headers),
            request.scheme,
            request.host,
        )


Work = Callable[[Session, Site, PageRequest], Answer]


class PublicPage:
    """The page as a server component: `mount` adds its routes to the one aiohttp app."""

    name = "public"

    def __init__(
        self,
        ctx: AppContext,
        *,
        council: str = "",
        logo: Path | None = None,
        org: str = "",
        public_url: str = "",
        feedback_days: int = 28,
        threads: int = 2,
        processes: Callable[[], Executor] | None = None,
    ) -> None:
        self.ctx = ctx
        self.council = council  # the default page's council name (else the organisation's)
        self.logo = logo
        self.org = org  # the organisation `/engage/` shows ("" : the only one, else default)
        self.public_url = public_url.rstrip("/")
        self.feedback = timedelta(days=feedback_days)  # "we did" is promised within this
        # `processes` makes the pool of worker processes, each with its own PublicPage (see
        # bot.app.build_public); without it, the work runs in threads of this process.
        self._processes = processes
        self.booting: Future[int] | None = None  # the worker processes' start, until awaited
        self.pool: Executor = (
            processes()
            if processes is not None
            else ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engagebot-public")
        )

    def mount(self, app: web.Application) -> None:
        for base in (PREFIX, PREFIX + "/{org:[a-z0-9][a-z0-9-]{0,62}}"):
            app.router.add_get(base, self._slash)
            app.router.add_get(base + "/", self._handler(self.index))
            app.router.add_get(base + "/activities/{id:[0-9]{1,9}}", self._handler(self.activity))
            app.router.add_get(base + "/feed.atom", self._handler(self.atom))
            app.router.add_get(base + "/activities.csv", self._handler(self.csv))
            app.router.add_get(base + "/activities.json", self._handler(self.json))
            app.router.add_get(base + "/engage.css", self._css)
            app.router.add_get(base + "/logo", self._logo)
        app.on_shutdown.append(self._close)

    def wait_until_ready(self, seconds: float = 120) -> None:
        """Wait for the worker processes to have started (they boot beside the core's)."""
        if self.booting is not None:
            self.booting.result(timeout=seconds)

    async def _close(self, _app: web.Application) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    # -- the edge -------------------------------------------------------------------------

    async def _slash(self, request: web.Request) -> web.StreamResponse:
        raise web.HTTPMovedPermanently(request.path + "/")

    def _handler(self, work: Work) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handle(request: web.Request) -> web.StreamResponse:
            return _response(await self._dispatch(work.__name__, PageRequest.of(request)))

        return handle

    async def _dispatch(self, name: str, req: PageRequest) -> Answer:
        """Page `name`'s answer, worked out in the pool (a process's own PublicPage, or this
        one in a thread). A process that died is replaced; its request is told to come back."""
        loop = asyncio.get_running_loop()
        if self._processes is None:
            return await loop.run_in_executor(self.pool, self.answer, name, req)
        pool = self.pool
        try:
            return await loop.run_in_executor(pool, call, "answer", name, req)
        except BrokenProcessPool:
            if self.pool is pool:
                log.warning("a public page worker died; starting another")
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._processes()
            return Answer(503, "html", page.unavailable(self._plain_site(req)))

    def answer(self, name: str, req: PageRequest) -> Answer:
        """Page `name` (index, activity, atom, csv, json) for `req`, here and now; its body as
        bytes, so not even the encoding of a long page is left to the event loop."""
        work: Work = {
            "index": self.index,
            "activity": self.activity,
            "atom": self.atom,
            "csv": self.csv,
            "json": self.json,
        }[name]
        answer = self._run(work, req)
        if isinstance(answer.body, str):
            return replace(answer, body=answer.body.encode())
        return answer

    async def _css(self, _request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "engage.css", headers=HEADERS)

    async def _logo(self, _request: web.Request) -> web.StreamResponse:
        if self.logo is None or not self.logo.is_file():
            raise web.HTTPNotFound()
        kind = mimetypes.guess_type(self.logo.name)[0] or "application/octet-stream"
        return web.FileResponse(self.logo, headers={**HEADERS, "Content-Type": kind})

    # -- one request's work, in a thread --------------------------------------------------

    def _run(self, work: Work, req: PageRequest) -> Answer:
        try:
            default = self._default_org()
            slug = req.match_info.get("org") or default
            with transaction(self.ctx.engine, slug) as session:
                return work(session, self._site(session, req, slug == default), req)
        except (UnknownOrganisation, NotFound):
            return Answer(404, "html", page.not_found(self._plain_site(req)))
        except Exception as error:
            if not unavailable(error):
                raise
            log.warning("public page: database unavailable: %s", reason(error))
            return Answer(503, "html", page.unavailable(self._plain_site(req)))

    def _default_org(self) -> str:
        if self.org:
            return self.org
        with transaction(self.ctx.engine, ALL) as session:
            return default_slug(session)

    def _site(self, session: Session, req: PageRequest, default: bool) -> Site:
        org = session.get(Organisation, org_of(session))
        name = org.name if org else ""
        if self.council and default:
            name = self.council  # the deployment's own council, however its page is reached
        logo = f"{_base(req)}logo" if self.logo is not None else ""
        return Site(council=name or "Your council", base=_base(req), logo=logo)

    def _plain_site(self, req: PageRequest) -> Site:
        return Site(council=self.council or "Your council", base=f"{PREFIX}/")

    def index(self, session: Session, site: Site, req: PageRequest) -> Answer:
        found, filters, areas, topics = self._chosen(session, req)
        return Answer(200, "html", page.index(site, found, filters, areas, topics))

    def activity(self, session: Session, site: Site, req: PageRequest) -> Answer:
        entry = entries.one(session, int(req.match_info["id"]), self.ctx.today(), self.feedback)
        if entry is None:
            raise NotFound()
        return Answer(200, "html", page.activity(site, entry))

    def atom(self, session: Session, site: Site, req: PageRequest) -> Answer:
        every = entries.published(session, self.ctx.today(), self.feedback)
        root = self._absolute(req, site.base)
        body = feed.atom(
            site.council,
            every,
            feed_url=f"{root}feed.atom",
            page_url=root,
            entry_url=lambda e: self._absolute(req, site.entry_path(e.id)),
            now=self.ctx.now(),
        )
        return Answer(200, "atom", body)

    def csv(self, session: Session, site: Site, req: PageRequest) -> Answer:
        found, *_ = self._chosen(session, req)
        rows = [opendata.record(e, self._entry_url(req, site, e)) for e in found]
        return Answer(200, "csv", opendata.to_csv(rows), filename="activities.csv")

    def json(self, session: Session, site: Site, req: PageRequest) -> Answer:
        found, *_ = self._chosen(session, req)
        rows = [opendata.record(e, self._entry_url(req, site, e)) for e in found]
        return Answer(200, "json", opendata.to_json(site.council, rows))

    def _chosen(
        self, session: Session, req: PageRequest
    ) -> tuple[list[PublicEntry], Filters, list[str], list[str]]:
        """The published entries the query asks for, the filters, and the areas and topics."""
        every = entries.published(session, self.ctx.today(), self.feedback)
        filters = Filters.from_query(dict(req.query))
        areas, topics = entries.choices(every)
        return [e for e in every if filters.keep(e)], filters, areas, topics

    def _entry_url(self, req: PageRequest, site: Site, entry: PublicEntry) -> str:
        return self._absolute(req, site.entry_path(entry.id))

    def _absolute(self, req: PageRequest, path: str) -> str:
        root = self.public_url or f"{req.scheme}://{req.host}"
        return root + path


def _base(req: PageRequest) -> str:
    org = req.match_info.get("org")
    return f"{PREFIX}/{org}/" if org else f"{PREFIX}/"


def _response(answer: Answer) -> web.Response:
    headers = dict(HEADERS)
    if answer.filename:
        headers["Content-Disposition"] = f'attachment; filename="{answer.filename}"'
    if answer.status == 503:
        headers["Retry-After"] = "120"
        headers["Cache-Control"] = "no-store"
    body = answer.body.encode() if isinstance(answer.body, str) else answer.body
    return web.Response(
        status=answer.status,
        body=body,
        content_type=TYPES[answer.kind],
        charset="utf-8",
        headers=headers,
    )
