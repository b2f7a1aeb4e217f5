"""`engagebot keys new`: a key for ENGAGEBOT_TOKEN_KEY, which seals Slack tokens at rest."""

from __future__ import annotations

import typer

from bot.cli.root import group

keys_app = group("keys", "The key that encrypts chat tokens at rest (ENGAGEBOT_TOKEN_KEY).")


@keys_app.command("new")
def keys_new() -> None:
    """Print a new key. Keep it with your other secrets: without it, stored tokens are lost."""
    from handlers.chat.sealing import Sealer

    typer.echo(Sealer.new_key())
