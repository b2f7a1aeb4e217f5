"""The public engagement page's routes: `/engage/` and `/engage/<org-slug>/`, no login.

Each request's work (its database reads, the drawing of the page and its compression) runs off
the event loop: under `engagebot serve` in a worker process of its own (`processes`), since a
long list drawn in a thread of the server holds the interpreter lock the loop needs, and every
chat platform's acknowledgement would wait behind it (1.4 ms p99 became 110 ms while two
residents loaded 5,000 activities); in tests, in a small thread pool. Either way the work is
handed a `PageRequest`, the parts of the HTTP request a page reads. One transaction per
request, confined to the organisation in the path (models/scoping.py), so no page shows
another council's entries. How an answer becomes a response (304s, compression, caching
headers) is bot/public_http.py.

Absolute addresses (the feed's ids and links, the open data's `url`, canonical links, e-mail
links) come from ENGAGEBOT_PUBLIC_URL, never from the request's Host header; without it (a
server on this machine only: `serve public` insists) from the address the server is bound to.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from multidict import CIMultiDict, MultiDict
from sqlalchemy import select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from bot.public_http import PRIVATE, Answer, Kept, Later, Prepared, etag_of, prepare
from bot.worker import call
from handlers.chat.context import AppContext
from handlers.plans.branding import Branding, branding_of
from handlers.plans.organisations import default_slug
from handlers.public import feed, opendata, page
from handlers.public.entries import Catalogue, Filters, Listing
from handlers.public.page import STATIC, rendering_version
from handlers.public.paging import (
    DATA_MOST,
    DATA_SIZE,
    FEED_SIZE,
    LIST_SIZE,
    OutOfRange,
    page_number,
    paged,
)
from handlers.public.site import Site
from handlers.subscriptions import subscribe as subscriptions
from handlers.subscriptions.links import Links
from models.db import UnknownOrganisation, reason, transaction, unavailable
from models.scoping import ALL, org_of
from models.tables import Document, Organisation

log = logging.getLogger(__name__)

PREFIX = "/engage"
STATIC_CACHE = "public, max-age=86400"
_FORM_FIELDS = ("email", "kind", "value", "area", "topic", "lang", "List-Unsubscribe")


class NotFound(LookupError):
    """No such organisation or activity (unpublished looks the same as missing)."""


@dataclass(frozen=True)
class PageRequest:
    """What a page reads of an HTTP request, named as aiohttp names it; plain data, so it can
    be handed to a worker process."""

    method: str
    path: str
    path_qs: str
    match_info: dict[str, str]
    query: MultiDict[str]
    headers: CIMultiDict[str]
    bound: tuple[str, int] | None  # the address the server was reached on (see _origin)

    @classmethod
    def of(cls, request: web.Request) -> PageRequest:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        return cls(
            request.method,
            request.path,
            request.path_qs,
            dict(request.match_info),
            MultiDict(request.query),
            CIMultiDict(request.headers),
            (str(sockname[0]), int(sockname[1])) if sockname else None,
        )


@dataclass
class Call:
    """One request as its work sees it, in the request's transaction."""

    session: Session
    site: Site
    req: PageRequest
    form: dict[str, str]
    slug: str
    org_version: int | None = None  # the organisation's public_version (see Catalogue)
    after: list[Callable[[], None]] = field(default_factory=list)  # run once committed

    @property
    def query(self) -> dict[str, str]:
        return dict(self.req.query)


Work = Callable[["PublicPage", Call], Answer | Later]


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
        mail: bool = False,
        wake: Callable[[], None] | None = None,
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
        self.catalogue = Catalogue(self.feedback)
        self.kept = Kept()
        self.mail = mail  # e-mail subscriptions are offered (an SMTP server is set up)
        self.wake = wake  # asks the mail job to run now (a confirmation is waiting)
        self.woken = False  # in a worker process: this request asked for the mail job

    def mount(self, app: web.Application) -> None:
        for base in (PREFIX, PREFIX + "/{org:[a-z0-9][a-z0-9-]{0,62}}"):
            app.router.add_get(base, self._slash)
            for path, work in GETS:
                app.router.add_get(base + path, self._handler(work))
            for path, work in POSTS:
                app.router.add_post(base + path, self._handler(work))
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
            form: dict[str, str] = {}
            if request.method == "POST":
                posted = await request.post()
                form = {k: str(v)[:500] for k, v in posted.items() if k in _FORM_FIELDS}
            ready = await self._dispatch(work.__name__, PageRequest.of(request), form)
            return web.Response(status=ready.status, body=ready.body, headers=ready.headers)

        return handle

    async def _dispatch(self, name: str, req: PageRequest, form: dict[str, str]) -> Prepared:
        """Page `name`'s response, worked out in the pool (a process's own PublicPage, or this
        one in a thread). A process that died is replaced; its request is told to come back."""
        loop = asyncio.get_running_loop()
        if self._processes is None:
            ready: Prepared = await loop.run_in_executor(
                self.pool, self._run, WORKS[name], req, form
            )
            return ready
        pool = self.pool
        try:
            ready, woken = await loop.run_in_executor(pool, call, "answer", name, req, form)
        except BrokenProcessPool:
            if self.pool is pool:
                log.warning("a public page worker died; starting another")
                pool.shutdown(wait=False, cancel_futures=True)
                self.pool = self._processes()
            answer = Answer(503, "html", page.unavailable(self._plain_site(req)))
            return prepare(answer, req.headers, self.kept)
        if woken and self.wake is not None:
            self.wake()  # the mail job runs in this process, not the worker's
        return ready

    def answer(self, name: str, req: PageRequest, form: dict[str, str]) -> tuple[Prepared, bool]:
        """In a worker process: page `name`'s response for `req`, here and now, compressed and
        as bytes, so nothing of a long page is left to the event loop; and whether it asked for
        the mail job (which runs in the server) to run now."""
        self.woken = False
        return self._run(WORKS[name], req, form), self.woken

    def _wake(self) -> None:
        self.woken = True
        if self.wake is not None:
            self.wake()

    # -- one request's work, in a worker process or a thread ---------------------------------

    def _run(self, work: Work, req: PageRequest, form: dict[str, str]) -> Prepared:
        after: list[Callable[[], None]] = []
        try:
            default = self._default_org()
            slug = req.match_info.get("org") or default
            with transaction(self.ctx.engine, slug) as session:
                org = _organisation(session)
                site = self._site(org, req, form, slug == default)
                try:
                    version = org.public_version if org is not None else None
                    result = work(self, Call(session, site, req, form, slug, version, after))
                    ready = prepare(result, req.headers, self.kept)
                except (NotFound, OutOfRange):
                    gone = Answer(404, "html", page.not_found(site), cache="public, max-age=60")
                    ready = prepare(gone, req.headers, self.kept)
        except UnknownOrganisation:
            answer = Answer(404, "html", page.not_found(self._plain_site(req)))
            return prepare(answer, req.headers, self.kept)
        except Exception as error:
            if not unavailable(error):
                raise
            log.warning("public page: database unavailable: %s", reason(error))
            answer = Answer(503, "html", page.unavailable(self._plain_site(req)))
            return prepare(answer, req.headers, self.kept)
        for step in after:
            step()
        return ready

    def _default_org(self) -> str:
        if self.org:
            return self.org
        with transaction(self.ctx.engine, ALL) as session:
            return default_slug(session)

    def _site(
        self,
        org: Organisation | None,
        req: PageRequest,
        form: dict[str, str],
        default: bool,
    ) -> Site:
        brand = branding_of(org)
        asked = form.get("lang") or req.query.get("lang", "")
        lang = asked if asked in brand.languages else brand.languages[0]
        name = org.name if org else ""
        if self.council and default:
            name = self.council  # the deployment's own council, however its page is reached
        if lang == "cy" and brand.name_cy:
            name = brand.name_cy
        base = _base(req)
        return Site(
            council=name or "Your council",
            base=base,
            logo=self._logo_path(org, base, default),
            branding=brand,
            lang=lang,
            root=self.public_url,
            here=req.path_qs.removeprefix(base) if req.path.startswith(base) else "",
            mail=self.mail,
            css_version=rendering_version(),
        )

    def _logo_path(self, org: Organisation | None, base: str, default: bool) -> str:
        stored = str((org.public or {}).get("logo_sha256", "")) if org is not None else ""
        if stored:
            return f"{base}logo?v={stored[:10]}"
        return f"{base}logo" if default and self.logo is not None else ""

    def _plain_site(self, req: PageRequest) -> Site:
        """For a page with no organisation to name (unknown, or the database away): the
        deployment's council only on its own page."""
        council = "" if req.match_info.get("org") else self.council
        return Site(council=council, base=_base(req), root=self.public_url)

    def _origin(self, req: PageRequest) -> str:
        """The public address; without ENGAGEBOT_PUBLIC_URL, the address this server is bound
        to (never the Host header: a client chooses that)."""
        if self.public_url:
            return self.public_url
        if not req.bound:
            return "http://127.0.0.1"
        host, port = req.bound
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def _links(self, call: Call) -> Links:
        return Links(self._origin(call.req) + call.site.base, call.site.default_lang)

    def _listing(self, call: Call) -> Listing:
        return self.catalogue.listing(call.session, self.ctx.today(), call.org_version)

    # -- pages ----------------------------------------------------------------------------

    def index(self, call: Call) -> Later:
        listing = self._listing(call)
        filters = Filters.from_query(call.query)
        number = page_number(call.query.get("page"))
        site = call.site

        def href(n: int) -> str:
            return site.url("", **vars(filters), page=n if n > 1 else "")

        def render() -> Answer:
            found = [e for e in listing.entries if filters.keep(e)]
            pages = paged(found, number, LIST_SIZE, href)
            body = page.index(site, pages, filters, listing.areas, listing.topics)
            return Answer(200, "html", body)

        tag = etag_of("index", listing.version, _site_key(site), filters, number)
        return Later("html", tag, listing.modified, render)

    def activity(self, call: Call) -> Later:
        listing = self._listing(call)
        entry = listing.get(int(call.req.match_info["id"]))
        if entry is None:
            raise NotFound()
        site = call.site
        tag = etag_of("activity", entry.id, listing.version, _site_key(site))
        return Later(
            "html",
            tag,
            max(entry.updated, listing.modified),
            lambda: Answer(200, "html", page.activity(site, entry)),
        )

    def document(self, call: Call) -> Answer:
        entry = self._listing(call).get(int(call.req.match_info["id"]))
        doc_id = int(call.req.match_info["doc"])
        if entry is None or not any(d.id == doc_id for d in entry.documents):
            raise NotFound()
        found = call.session.get(Document, doc_id)
        if found is None or found.consultation_id != entry.id:
            raise NotFound()
        return Answer(
            200,
            found.media_type,
            found.content,
            filename=found.filename,
            etag=f'"{found.sha256[:32]}"',
            modified=found.created_at.replace(tzinfo=found.created_at.tzinfo or UTC),
            cache="public, max-age=3600",
        )

    def atom(self, call: Call) -> Later:
        listing = self._listing(call)
        number = page_number(call.query.get("page"))
        site, root = call.site, self._origin(call.req)

        def feed_url(n: int) -> str:
            return root + site.url("feed.atom", page=n if n > 1 else "")

        def render() -> Answer:
            pages = paged(feed.newest_first(listing.entries), number, FEED_SIZE, feed_url)
            body = feed.atom(
                site.council,
                pages,
                feed_url=feed_url,
                page_url=root + site.url(""),
                entry_url=lambda e: root + site.entry_path(e.id),
                now=self.ctx.now(),
                newest=max((e.updated for e in listing.entries), default=None),
                lang=site.lang,
            )
            return Answer(200, "atom", body)

        tag = etag_of("atom", listing.version, _site_key(site), root, number)
        return Later("atom", tag, listing.modified, render)

    def csv(self, call: Call) -> Later:
        return self._data(call, "csv")

    def json(self, call: Call) -> Later:
        return self._data(call, "json")

    def _data(self, call: Call, fmt: str) -> Later:
        listing = self._listing(call)
        filters = Filters.from_query(call.query)
        number = page_number(call.query.get("page"))
        size = min(page_number(call.query.get("per_page") or str(DATA_SIZE)), DATA_MOST)
        site, root = call.site, self._origin(call.req)

        def href(n: int) -> str:
            query = {**vars(filters), "page": n if n > 1 else "", "per_page": ""}
            if size != DATA_SIZE:
                query["per_page"] = size
            return root + Site(site.council, site.base).url(f"activities.{fmt}", **query)

        def render() -> Answer:
            found = [e for e in listing.entries if filters.keep(e)]
            pages = paged(found, number, size, href)
            rows = [opendata.record(e, root + site.entry_path(e.id)) for e in pages.items]
            links = _link_header(pages.previous, pages.next, href)
            headers = {"Link": links} if links else {}
            if fmt == "csv":
                body = opendata.to_csv(rows)
                return Answer(200, "csv", body, filename="activities.csv", headers=headers)
            paging = {
                "page": pages.number,
                "pages": pages.count,
                "total": pages.total,
                "next": href(pages.next) if pages.next else None,
                "previous": href(pages.previous) if pages.previous else None,
            }
            return Answer(
                200, "json", opendata.to_json(site.council, rows, paging), headers=headers
            )

        tag = etag_of(fmt, listing.version, _site_key(site), root, filters, number, size)
        return Later(fmt, tag, listing.modified, render)

    def accessibility(self, call: Call) -> Later:
        site = call.site
        today = self.ctx.today()

        def render() -> Answer:
            body = page.accessibility(site, site.branding.accessibility, today)
            return Answer(200, "html", body)

        return Later("html", etag_of("a11y", _site_key(site), today), None, render)

    def brand_css(self, call: Call) -> Answer:
        site = call.site
        return Answer(
            200, "css", page.brand_css(site), etag=etag_of("brand", site.brand_version),
            cache=STATIC_CACHE,
        )  # fmt: skip

    def favicon(self, call: Call) -> Answer:
        site = call.site
        return Answer(
            200, "svg", page.favicon(site), etag=etag_of("icon", site.brand_version),
            cache=STATIC_CACHE,
        )  # fmt: skip

    def css(self, call: Call) -> Answer:
        body = (STATIC / "engage.css").read_bytes()
        return Answer(200, "css", body, etag=etag_of("css"), cache=STATIC_CACHE)

    def org_logo(self, call: Call) -> Answer:
        stored = call.session.exec(
            orm_select(Document).where(
                col(Document.role) == "logo", col(Document.consultation_id).is_(None)
            )
        ).first()
        if stored is not None:
            return Answer(
                200, stored.media_type, stored.content, etag=f'"{stored.sha256[:32]}"',
                cache=STATIC_CACHE,
            )  # fmt: skip
        if self.logo is None or not self.logo.is_file() or not call.site.logo:
            raise NotFound()
        kind = mimetypes.guess_type(self.logo.name)[0] or "application/octet-stream"
        return Answer(200, kind, self.logo.read_bytes(), cache=STATIC_CACHE)

    # -- e-mail subscriptions ---------------------------------------------------------------

    def _mail_on(self) -> None:
        if not self.mail:
            raise NotFound()

    def subscribe_form(self, call: Call) -> Later:
        self._mail_on()
        listing, site = self._listing(call), call.site

        def render() -> Answer:
            body = page.subscribe(site, listing.areas, listing.topics, {}, {})
            return Answer(200, "html", body)

        return Later("html", etag_of("subscribe", listing.version, _site_key(site)), None, render)

    def subscribe(self, call: Call) -> Answer:
        self._mail_on()
        listing, site, form = self._listing(call), call.site, call.form
        kind = form.get("kind", "all")
        value = form.get(kind, "") if kind in ("area", "topic") else form.get("value", "")
        asked = subscriptions.ask(
            call.session,
            email=form.get("email", ""),
            kind=kind,
            value=value,
            lang=site.lang,
            listing=listing,
            council=site.council,
            links=self._links(call),
            now=self.ctx.now().astimezone(UTC),
            reply_to=site.branding.contact_email,
        )
        if asked.errors:
            if kind == "activity" and "kind" not in asked.errors:
                entry = listing.get(int(value)) if value.isdigit() else None
                if entry is not None:
                    return Answer(200, "html", page.activity(site, entry), cache=PRIVATE)
            shown = {**form, "kind": kind}
            body = page.subscribe(site, listing.areas, listing.topics, shown, asked.errors)
            return Answer(200, "html", body, cache=PRIVATE)
        call.after.append(self._wake)
        return _see_other(site.url("subscribe/sent"))

    def subscribe_sent(self, call: Call) -> Answer:
        self._mail_on()
        body = page.message(
            call.site,
            "Check your e-mail",
            [
                "We have sent you an e-mail with a link to confirm your subscription.",
                "If it does not arrive in a few minutes, check your spam folder.",
            ],
            panel=True,
        )
        return Answer(200, "html", body, cache=PRIVATE)

    def confirm_page(self, call: Call) -> Answer:
        found = subscriptions.by_token(call.session, call.req.match_info["token"])
        if found is None:
            return self._expired(call)
        body = page.message(
            call.site,
            "Confirm your subscription",
            ["Press the button to start your e-mails."],
            button="Confirm subscription",
            action=call.req.path_qs,
        )
        return Answer(200, "html", body, cache=PRIVATE)

    def confirm(self, call: Call) -> Answer:
        now = self.ctx.now().astimezone(UTC)
        found = subscriptions.confirm(call.session, call.req.match_info["token"], now)
        if found is None:
            return self._expired(call)
        body = page.message(
            call.site,
            "Subscription confirmed",
            [
                "You will get an e-mail each time there is news you asked for.",
                "Every e-mail has a link to stop them.",
            ],
            panel=True,
        )
        return Answer(200, "html", body, cache=PRIVATE)

    def unsubscribe_page(self, call: Call) -> Answer:
        body = page.message(
            call.site,
            "Stop these e-mails",
            ["Press the button and we will not e-mail you about this again."],
            button="Unsubscribe",
            action=call.req.path_qs,
        )
        return Answer(200, "html", body, cache=PRIVATE)

    def unsubscribe(self, call: Call) -> Answer:
        """The page's button, or a mail client's one-click POST (RFC 8058): either way, done."""
        subscriptions.unsubscribe(call.session, call.req.match_info["token"])
        body = page.message(
            call.site,
            "You have unsubscribed",
            ["We will not send you these e-mails again."],
            panel=True,
        )
        return Answer(200, "html", body, cache=PRIVATE)

    def _expired(self, call: Call) -> Answer:
        body = page.message(
            call.site,
            "This link has expired",
            ["Links to confirm a subscription work for 7 days.", "You can subscribe again."],
        )
        return Answer(404, "html", body, cache=PRIVATE)


_ID, _TOKEN = "{id:[0-9]{1,9}}", "{token:[A-Za-z0-9_-]{1,64}}"
GETS: tuple[tuple[str, Work], ...] = (
    ("/", PublicPage.index),
    (f"/activities/{_ID}", PublicPage.activity),
    (
        f"/activities/{_ID}/documents/{{doc:[0-9]{{1,9}}}}/{{name:[^/]{{1,120}}}}",
        PublicPage.document,
    ),
    ("/feed.atom", PublicPage.atom),
    ("/activities.csv", PublicPage.csv),
    ("/activities.json", PublicPage.json),
    ("/accessibility", PublicPage.accessibility),
    ("/brand.css", PublicPage.brand_css),
    ("/favicon.svg", PublicPage.favicon),
    ("/logo", PublicPage.org_logo),
    ("/engage.css", PublicPage.css),
    ("/subscribe", PublicPage.subscribe_form),
    ("/subscribe/sent", PublicPage.subscribe_sent),
    (f"/confirm/{_TOKEN}", PublicPage.confirm_page),
    (f"/unsubscribe/{_TOKEN}", PublicPage.unsubscribe_page),
)
POSTS: tuple[tuple[str, Work], ...] = (
    ("/subscribe", PublicPage.subscribe),
    (f"/confirm/{_TOKEN}", PublicPage.confirm),
    (f"/unsubscribe/{_TOKEN}", PublicPage.unsubscribe),
)
# Each page's work by name: a worker process is asked for a page by its name.
WORKS: dict[str, Work] = {work.__name__: work for _, work in (*GETS, *POSTS)}


def _organisation(session: Session) -> Organisation | None:
    """The session's organisation, read with one plain query (asked on every request)."""
    table = Organisation.__table__  # type: ignore[attr-defined]
    columns = ("id", "slug", "name", "created_at", "public", "public_version")
    query = select(*(table.c[name] for name in columns)).where(table.c.id == org_of(session))
    row = session.connection().execute(query).first()
    return Organisation(**dict(zip(columns, row, strict=True))) if row is not None else None


def _site_key(site: Site) -> tuple[Any, ...]:
    """What of the site a rendered page depends on, for its ETag."""
    brand: Branding = site.branding
    return (
        site.council,
        site.base,
        site.logo,
        brand.model_dump_json(),
        site.lang,
        site.root,
        site.mail,
    )


def _link_header(previous: int | None, following: int | None, href: Callable[[int], str]) -> str:
    links = []
    if previous:
        links.append(f'<{href(previous)}>; rel="prev"')
    if following:
        links.append(f'<{href(following)}>; rel="next"')
    return ", ".join(links)


def _see_other(location: str) -> Answer:
    return Answer(303, "html", "", cache=PRIVATE, headers={"Location": location})


def _base(req: PageRequest) -> str:
    org = req.match_info.get("org")
    return f"{PREFIX}/{org}/" if org else f"{PREFIX}/"
