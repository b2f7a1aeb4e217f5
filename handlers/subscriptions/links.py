"""Where an e-mail's links point: the organisation's public page at ENGAGEBOT_PUBLIC_URL."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Links:
    """Absolute addresses under one organisation's page, e.g. https://x.gov.uk/engage/."""

    home: str  # ends in '/'
    default_lang: str = "en"
    council: str = ""  # the name the page shows (ENGAGEBOT_COUNCIL_NAME), if not the org's

    def _lang(self, lang: str) -> str:
        return "" if lang == self.default_lang else f"?lang={lang}"

    def page(self, lang: str = "en") -> str:
        return self.home + self._lang(lang)

    def activity(self, entry_id: int, lang: str = "en") -> str:
        return f"{self.home}activities/{entry_id}{self._lang(lang)}"

    def confirm(self, token: str, lang: str = "en") -> str:
        return f"{self.home}confirm/{token}{self._lang(lang)}"

    def unsubscribe(self, token: str, lang: str = "en") -> str:
        return f"{self.home}unsubscribe/{token}{self._lang(lang)}"
