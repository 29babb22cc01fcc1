"""The playground's web server: the page, one training session per browser tab, frames over a WebSocket.

Routes::

    GET  /                                  the page (static/index.html); /static/... its script and style
    GET  /api/limits                        the limits and choices the page states and offers
    WS   /ws/{session}                      one tab's session: settings and commands in, frames out
    POST /api/sessions/{session}/upload     a CSV file as the request body (text), at most 1 MB
    GET  /api/sessions/{session}/model      the trained network as a glassnet model file
    GET  /api/sessions/{session}/snippet    Python that reproduces the run

The page makes up a random session id per tab and opens ``/ws/{id}``. The HTTP handlers are in
:mod:`.routes`, the WebSocket's in :mod:`.sockets`; all the numbers come from glassnet's engine through
:class:`~glassnet.playground.session.PlaygroundSession` (trained by :meth:`Trainer.step`) and
:mod:`.views` (what is drawn).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .config import LIMITS

try:
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
except ImportError as _missing:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'the glassnet playground needs starlette and uvicorn; install them with pip install "glassnet[playground]"'
    ) from _missing

from .guard import HostGuard
from .routes import STATIC, HttpRoutes
from .sockets import SessionManager, SocketHandler

__all__ = ["create_app", "serve", "SessionManager"]


def create_app(
    *,
    max_sessions: int = 16,
    fps: float = 12.0,
    heartbeat_timeout: float = 30.0,
    max_upload_bytes: int = LIMITS["max_upload_bytes"],
    host: str | None = None,
    port: int | None = None,
) -> Starlette:
    """The playground as an ASGI app (serve it with uvicorn, or test it with starlette's TestClient).

    ``max_sessions`` caps the tabs trained at once; ``fps`` is the frame rate while training;
    ``heartbeat_timeout`` ends a session whose page has sent nothing (not even a ping) for that long;
    ``max_upload_bytes`` caps a CSV upload. ``app.state.sessions`` is the SessionManager.
    Requests must be addressed (Host header) to a loopback name or ``host``, at ``port`` when given
    (:class:`~glassnet.playground.guard.HostGuard`: no DNS rebinding).
    """
    if max_sessions < 1 or fps <= 0 or heartbeat_timeout <= 0 or max_upload_bytes < 1:
        raise InputError("max_sessions, fps, heartbeat_timeout and max_upload_bytes must be positive")
    manager = SessionManager(max_sessions)
    limits = {**LIMITS, "max_sessions": max_sessions, "max_upload_bytes": max_upload_bytes}
    http = HttpRoutes(manager, limits, max_upload_bytes)
    routes = [
        Route("/", http.index),
        Route("/api/limits", http.get_limits),
        Route("/api/sessions/{session_id}/upload", http.upload, methods=["POST"]),
        Route("/api/sessions/{session_id}/model", http.model),
        Route("/api/sessions/{session_id}/snippet", http.snippet),
        WebSocketRoute("/ws/{session_id}", SocketHandler(manager, limits, 1.0 / fps, heartbeat_timeout).endpoint),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(HostGuard, host=host, port=port)])
    app.state.sessions = manager
    return app


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, **options: Any) -> None:
    """Run the playground at ``http://host:port/`` until interrupted (Ctrl+C). Binds 127.0.0.1 by default.

    ``options`` go to :func:`create_app` (max_sessions, fps, heartbeat_timeout, max_upload_bytes).
    """
    try:
        import uvicorn
    except ImportError:
        raise ImportError(
            'the glassnet playground needs uvicorn; install it with pip install "glassnet[playground]"'
        ) from None
    app = create_app(host=host, port=port, **options)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    print(f"glassnet playground: open {url} in a browser (Ctrl+C stops it)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}, so other machines can reach the playground", flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_max_size=1 << 20)
