"""Who may talk to the app: a Host allow-list (DNS rebinding) and an optional access token."""

from __future__ import annotations

import hmac
import os
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Hosts a browser on this machine uses; more with ``TRADEAREA_ALLOWED_HOSTS``.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
TOKEN_COOKIE = "tradearea_token"


def allowed_hosts() -> tuple[str, ...]:
    """Return the host names the app answers to (``TRADEAREA_ALLOWED_HOSTS``, comma-separated)."""
    extra = os.environ.get("TRADEAREA_ALLOWED_HOSTS", "")
    names = [name.strip().lower() for name in extra.split(",") if name.strip()]
    return LOOPBACK_HOSTS + tuple(names)


def host_name(value: str) -> str:
    """Return the host of a ``Host`` header or an ``Origin`` URL, without port or brackets."""
    value = value.strip().lower()
    if "://" in value:
        return (urlsplit(value).hostname or "").lower()
    if value.startswith("["):  # [::1]:8501
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same_token(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


class AccessGuard:
    """ASGI middleware in front of Streamlit: refuse foreign hosts and, if set, require a token.

    Every HTTP request and WebSocket handshake must carry a ``Host`` (and, when sent, an
    ``Origin``) among :func:`allowed_hosts`, so a page of another site cannot reach the app by
    pointing its own name at 127.0.0.1 (DNS rebinding). When ``TRADEAREA_APP_TOKEN`` is set
    (``tradearea app --share``), a request must also carry the token: once as ``?token=...``
    (which sets an HttpOnly cookie and redirects), then by the cookie, or as
    ``Authorization: Bearer <token>``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.hosts = frozenset(allowed_hosts())
        self.token = os.environ.get("TRADEAREA_APP_TOKEN") or None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        if host_name(headers.get("host", "")) not in self.hosts or (
            "origin" in headers and host_name(headers["origin"]) not in self.hosts
        ):
            await _refuse(scope, send, 403, "Host not allowed (see docs/safety.md, section 8).")
            return
        if self.token is None:
            await self.app(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if scope["type"] == "http" and _same_token(query.get("token", [None])[0], self.token):
            await _set_cookie_and_redirect(scope, send, self.token)
            return
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except CookieError:  # a malformed cookie header is simply no token
            cookie = SimpleCookie()
        given = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else None
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if not _same_token(given, self.token):
            await _refuse(scope, send, 401, "Access token required: open the link with ?token=...")
            return
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, send: Send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _set_cookie_and_redirect(scope: Scope, send: Send, token: str) -> None:
    cookie = f"{TOKEN_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/"
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [
                (b"location", (scope.get("root_path", "") + scope.get("path", "/")).encode()),
                (b"set-cookie", cookie.encode()),
                (b"content-length", b"0"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b""})
