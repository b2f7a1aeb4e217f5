"""The HTTP server: one WSGI app, served by waitress, with each channel's endpoint on its path."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def router(routes: dict[str, WSGIApp]) -> WSGIApp:
    """Send each request to the app registered for its path; /healthz answers for load balancers."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        handler = routes.get(path)
        if handler is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found"]
        return handler(environ, start_response)

    return app


def make_server(
    app: WSGIApp, host: str = "0.0.0.0", port: int = 3000, threads: int = 8
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server, not yet running: call .run(), or .close() to stop it."""
    from waitress.server import create_server

    server: BaseWSGIServer | MultiSocketServer = create_server(
        app, host=host, port=port, threads=threads, ident="engagebot"
    )
    return server
