"""The playground's front door: only requests addressed to this playground's own name get in.

A page on another site can reach a server on this machine by DNS rebinding: its domain is made to resolve
to 127.0.0.1, so the browser sends the page's requests (and WebSockets) here, with the foreign name in the
``Host`` header. :class:`HostGuard` wraps the app and refuses every HTTP request (403) and WebSocket
(close code 1008) whose ``Host`` is not one of :func:`allowed_hosts`: the loopback names 127.0.0.1,
localhost and [::1], or the address the server was started with (``--host``). A server bound to every
interface (0.0.0.0 or ::) also takes any IP address as Host: a page that reached it by an IP address was
served by it, so that is no rebinding. Origin is checked separately, on the WebSocket (:mod:`.sockets`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["HostGuard", "allowed_hosts", "host_allowed"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARDS = ("0.0.0.0", "::")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(host: str | None = None) -> tuple[str, ...]:
    """The names (without a port) a request may be addressed to: the loopback names and ``host``."""
    names = list(LOOPBACK_NAMES)
    if host and host not in WILDCARDS:
        name = _bracketed(host.lower())
        if name not in names:
            names.append(name)
    return tuple(names)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return False
    return True


def host_allowed(header: str | None, host: str | None = None, port: int | None = None) -> bool:
    """Whether a ``Host`` header names this playground: an allowed name, with ``port`` (any port if None)."""
    if not header or len(header) > 300:
        return False
    header = header.strip().lower()
    if header.startswith("["):
        name, _, rest = header.partition("]")
        name += "]"
        given_port = rest[1:] if rest.startswith(":") else None
        if rest and given_port is None:
            return False
    else:
        name, colon, given_port_text = header.partition(":")
        given_port = given_port_text if colon else None
    if given_port is not None and not given_port.isdigit():
        return False
    if port is not None and int(given_port or 80) != port:
        return False
    if name in allowed_hosts(host):
        return True
    return host is not None and host in WILDCARDS and _is_ip(name)


class HostGuard:
    """ASGI middleware: refuse HTTP requests and WebSockets whose Host header is not this playground's."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], host: str | None = None,
                 port: int | None = None) -> None:
        self.app = app
        self.host = host
        self.port = port

    def _address(self) -> str:
        name = _bracketed(self.host) if self.host and self.host not in WILDCARDS else "127.0.0.1"
        return f"{name}:{self.port}" if self.port else name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), None)
        if host_allowed(header, self.host, self.port):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            # closing before accepting refuses the handshake (the browser sees 403); the reason fits 123 bytes
            await send({"type": "websocket.close", "code": 1008, "reason": "refused: wrong Host header"})
            return
        shown = repr(header[:60]) if header else "none"
        text = (f"refused: this request is addressed to the host {shown}, not to the glassnet playground's "
                f"address; open http://{self._address()}/ (a page on another site cannot use the playground)")
        body = text.encode("utf-8")
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode("ascii"))]})
        await send({"type": "http.response.body", "body": body})
