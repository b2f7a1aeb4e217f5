"""A fake of Microsoft's token service, as the Agents SDK's `MsalAuth` is asked for a bot token:
it issues tokens, or refuses as MSAL reports an expired client secret (the SDK then raises
ValueError "Failed to acquire token …"). Set it as a `TeamsSender`'s `provider`."""

from __future__ import annotations

EXPIRED = (
    "Failed to acquire token. {'error': 'invalid_client', 'error_description': 'AADSTS7000222: "
    "The provided client secret keys for app 00000000-0000-0000-0000-0000000b0700 are expired.'}"
)


class TokenService:
    def __init__(self) -> None:
        self.refusing = False  # the client secret has expired
        self.issued: list[str] = []

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        if self.refusing:
            raise ValueError(EXPIRED)
        token = f"token-{len(self.issued) + 1}"
        self.issued.append(token)
        return token
