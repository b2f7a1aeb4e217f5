"""Who publishes a page, in which language, and where it lives: what every template is given."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from handlers.plans.branding import Branding
from handlers.public.entries import Filters, PublicDocument
from handlers.public.words import HTML_LANG, NAMES


@dataclass(frozen=True)
class Site:
    """One request's view of an organisation's page. `base` is its path, ending in '/'."""

    council: str
    base: str
    logo: str = ""  # the logo's address, or "" for the council's name alone
    branding: Branding = field(default_factory=Branding)
    lang: str = "en"
    root: str = ""  # the public address (ENGAGEBOT_PUBLIC_URL) for canonical links, or ""
    here: str = ""  # this page's path under `base`, with its query, for the language links
    mail: bool = False  # e-mail subscriptions are on
    welsh_names: dict[str, str] = field(default_factory=dict)  # areas and topics in Welsh
    css_version: str = ""

    @property
    def default_lang(self) -> str:
        return self.branding.languages[0]

    @property
    def html_lang(self) -> str:
        return HTML_LANG[self.lang]

    def url(self, path: str, lang: str | None = None, **query: str | int) -> str:
        """A path under `base`, carrying the language when it is not the default."""
        lang = lang or self.lang
        pairs = {k: v for k, v in query.items() if v not in ("", None)}
        if lang != self.default_lang:
            pairs["lang"] = lang
        return self.base + path + (f"?{urlencode(pairs)}" if pairs else "")

    def entry_path(self, entry_id: int) -> str:
        return self.url(f"activities/{entry_id}")

    def document_path(self, entry_id: int, document: PublicDocument) -> str:
        return self.base + f"activities/{entry_id}/documents/{document.id}/{document.filename}"

    def data_path(self, fmt: str, filters: Filters) -> str:
        pairs = {k: v for k, v in vars(filters).items() if v}
        return self.base + f"activities.{fmt}" + (f"?{urlencode(pairs)}" if pairs else "")

    def name_of(self, english: str) -> str:
        """An area or topic in the page's language, where it has a Welsh name."""
        return self.welsh_names.get(english, english) if self.lang == "cy" else english

    @property
    def home(self) -> str:
        return (self.root + self.base) if self.root else self.base

    @property
    def canonical(self) -> str:
        """This page's public address (only from ENGAGEBOT_PUBLIC_URL, never the request)."""
        return f"{self.root}{self._here(self.lang)}" if self.root else ""

    @property
    def alternates(self) -> list[tuple[str, str]]:
        """This page in each language (hreflang), for a bilingual council."""
        if len(self.branding.languages) < 2:
            return []
        return [(HTML_LANG[c], self.root + self._here(c)) for c in self.branding.languages]

    @property
    def switches(self) -> list[tuple[str, str, str]]:
        """The language toggle: (code, name in that language, this page in it)."""
        if len(self.branding.languages) < 2:
            return []
        return [(c, NAMES[c], self._here(c)) for c in self.branding.languages]

    def _here(self, lang: str) -> str:
        path, _, query = self.here.partition("?")
        pairs = [p for p in query.split("&") if p and not p.startswith("lang=")]
        if lang != self.default_lang:
            pairs.append(f"lang={lang}")
        return self.base + path + ("?" + "&".join(pairs) if pairs else "")

    @property
    def brand_version(self) -> str:
        parts = (self.branding.colour, self.branding.accent)
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:10]
