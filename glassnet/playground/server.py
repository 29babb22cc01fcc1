"""The playground's web server: the page, one training session per browser tab, frames over a WebSocket.

Routes::

    GET  /                                  the page (static/index.html); /static/... its script and style
    GET  /api/limits                        the limits and choices the page states and offers
    WS   /ws/{session}                      one tab's session: settings and commands in, frames out
    POST /api/sessions/{session}/upload     a CSV file as the request body (text), at most 1 MB
    GET  /api/sessions/{session}/model      the trained network as a glassnet model file
    GET  /api/sessions/{session}/snippet    Python that reproduces the run

The page makes up a random session id per tab and opens ``/ws/{id}``. A session lives exactly as long as
its WebSocket: when the tab closes (or stops answering for ``heartbeat_timeout`` seconds; the page pings
every few seconds) its training stops and its memory goes. Training happens in a worker thread, a few
mini-batches per frame, and frames go out at a steady rate (``fps``). All the numbers come from
glassnet's engine through :class:`~glassnet.playground.session.PlaygroundSession`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import DivergenceError, InputError
from .session import (
    COSTS,
    DATASETS,
    DEFAULT_CONFIG,
    HIDDEN_ACTIVATIONS,
    LIMITS,
    OPTIMIZERS,
    ConfigError,
    PlaygroundSession,
    read_upload,
)

try:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
    from starlette.routing import Mount, Route, WebSocketRoute
    from starlette.staticfiles import StaticFiles
    from starlette.websockets import WebSocket, WebSocketDisconnect
except ImportError as _missing:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        'the glassnet playground needs starlette and uvicorn; install them with pip install "glassnet[playground]"'
    ) from _missing

__all__ = ["create_app", "serve", "SessionManager"]

STATIC = Path(__file__).parent / "static"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_MESSAGE_CHARS = 256_000           # a settings message with 1000 drawn points is ~40 kB
SPEEDS = (1, 5, 20, 100, 0)            # epochs per second the page offers; 0: as fast as the machine goes
TRAIN_BUDGET = 0.05                    # seconds of training per frame at most (keeps frames steady)


class SessionsFull(Exception):
    pass


class _Live:
    """A session on the server: the PlaygroundSession plus its WebSocket, lock and play state."""

    def __init__(self, session_id: str, websocket: WebSocket) -> None:
        self.id = session_id
        self.websocket = websocket
        self.core = PlaygroundSession()
        self.lock = asyncio.Lock()        # one change to the core at a time (the worker thread included)
        self.send_lock = asyncio.Lock()   # one message on the wire at a time
        self.playing = False
        self.speed = 20
        self.wake = asyncio.Event()
        self.last_seen = time.monotonic()

    async def send(self, message: dict) -> None:
        text = json.dumps(message, allow_nan=False, default=_jsonable)
        async with self.send_lock:
            await self.websocket.send_text(text)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


class SessionManager:
    """The sessions alive now, at most ``max_sessions`` of them."""

    def __init__(self, max_sessions: int) -> None:
        self.max_sessions = max_sessions
        self.sessions: dict[str, _Live] = {}

    def open(self, session_id: str, websocket: WebSocket) -> _Live:
        if session_id in self.sessions:
            raise KeyError(session_id)
        if len(self.sessions) >= self.max_sessions:
            raise SessionsFull
        live = self.sessions[session_id] = _Live(session_id, websocket)
        return live

    def close(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    def get(self, session_id: str) -> _Live | None:
        return self.sessions.get(session_id)


def _same_origin(headers) -> bool:
    """A browser sends Origin with every WebSocket; refuse pages served from elsewhere."""
    origin = headers.get("origin")
    if origin is None:   # not a browser (a test client, a script on this machine)
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


def create_app(
    *,
    max_sessions: int = 16,
    fps: float = 12.0,
    heartbeat_timeout: float = 30.0,
    max_upload_bytes: int = LIMITS["max_upload_bytes"],
) -> Starlette:
    """The playground as an ASGI app (serve it with uvicorn, or test it with starlette's TestClient).

    ``max_sessions`` caps the tabs trained at once; ``fps`` is the frame rate while training;
    ``heartbeat_timeout`` ends a session whose page has sent nothing (not even a ping) for that long;
    ``max_upload_bytes`` caps a CSV upload.
    """
    if max_sessions < 1 or fps <= 0 or heartbeat_timeout <= 0 or max_upload_bytes < 1:
        raise InputError("max_sessions, fps, heartbeat_timeout and max_upload_bytes must be positive")
    manager = SessionManager(max_sessions)
    limits = {**LIMITS, "max_sessions": max_sessions, "max_upload_bytes": max_upload_bytes}
    interval = 1.0 / fps

    # -- pages and facts ----------------------------------------------------------------------------------
    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def get_limits(request: Request) -> Response:
        return JSONResponse({
            "limits": limits,
            "datasets": DATASETS,
            "activations": HIDDEN_ACTIVATIONS,
            "costs": COSTS,
            "optimizers": OPTIMIZERS,
            "speeds": SPEEDS,
            "defaults": DEFAULT_CONFIG,
            "sessions": len(manager.sessions),
        })

    def _live(request: Request) -> _Live:
        live = manager.get(request.path_params["session_id"])
        if live is None:
            raise LookupError
        return live

    def _no_session() -> Response:
        return JSONResponse({"error": "no such session: reload the page"}, status_code=404)

    def _live_with_network(request: Request) -> _Live | Response:
        """The request's session if it has a network to hand out, else the error response to send."""
        try:
            live = _live(request)
        except LookupError:
            return _no_session()
        if live.core.network is None:
            return JSONResponse({"error": "no network yet"}, status_code=409)
        return live

    # -- upload, downloads --------------------------------------------------------------------------------
    async def upload(request: Request) -> Response:
        try:
            live = _live(request)
        except LookupError:
            return _no_session()
        limit = max_upload_bytes
        too_big = JSONResponse(
            {"error": f"the file is larger than the limit of {limit:,} bytes", "field": "upload"}, status_code=413
        )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return too_big
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return too_big
            chunks.append(chunk)
        try:
            text = b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the file is not UTF-8 text; save it as CSV (UTF-8)", "field": "upload"},
                                status_code=400)
        filename = request.query_params.get("name", "upload.csv")
        target = request.query_params.get("target") or None
        try:
            parsed = await asyncio.to_thread(read_upload, text, filename, target)
        except ConfigError as e:
            return JSONResponse({"error": str(e), "field": e.field}, status_code=400)
        async with live.lock:
            summary = live.core.set_upload(parsed)
        return JSONResponse(summary)

    async def model(request: Request) -> Response:
        live = _live_with_network(request)
        if isinstance(live, Response):
            return live
        async with live.lock:
            data, name = await asyncio.to_thread(live.core.model_file)
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def snippet(request: Request) -> Response:
        live = _live_with_network(request)
        if isinstance(live, Response):
            return live
        async with live.lock:
            text = live.core.snippet()
        return PlainTextResponse(text, media_type="text/x-python",
                                 headers={"Content-Disposition": 'attachment; filename="playground_run.py"'})

    # -- the live session ---------------------------------------------------------------------------------
    async def run_loop(live: _Live) -> None:
        """While playing: train a few batches in a worker thread, send a frame, keep the frame rate."""
        loop = asyncio.get_running_loop()
        while True:
            await live.wake.wait()
            started = loop.time()
            async with live.lock:
                if not live.playing or live.core.network is None:
                    live.wake.clear()
                    continue
                core, speed = live.core, live.speed
                try:
                    frame = await asyncio.to_thread(_train_frame, core, speed, interval)
                except DivergenceError as e:
                    live.playing = False
                    live.wake.clear()
                    frame = core.frame()
                    frame["playing"] = False
                    await live.send(frame)
                    await live.send({"type": "error", "field": "learning_rate", "message": str(e)})
                    continue
            frame["playing"] = live.playing
            await live.send(frame)
            await asyncio.sleep(max(0.0, interval - (loop.time() - started)))

    async def handle(live: _Live, message: dict) -> None:
        kind = message.get("type")
        if kind == "ping":
            await live.send({"type": "pong"})
            return
        if kind == "play":
            speed = message.get("speed", live.speed)
            if speed not in SPEEDS:
                raise ConfigError("speed", f"speed must be one of {SPEEDS} epochs per second (0: as fast as it goes)")
            live.speed = speed
            if live.core.network is None:
                raise ConfigError("config", "nothing to train yet: the settings have not been accepted")
            live.playing = bool(message.get("playing", True))
            if live.playing:
                live.wake.set()
            await live.send({"type": "state", "playing": live.playing, "speed": live.speed})
            return
        if kind == "pause":
            live.playing = False
            await live.send({"type": "state", "playing": False, "speed": live.speed})
            return
        async with live.lock:
            core = live.core
            if kind == "config":
                data = await asyncio.to_thread(core.configure, message.get("config"))
                reply: list[dict] = [data, core.frame()]
            elif core.network is None:
                raise ConfigError("config", "send the settings first")
            elif kind == "step":
                live.playing = False
                await asyncio.to_thread(core.step)
                reply = [core.frame()]
            elif kind == "reset":
                core.reset()
                reply = [core.frame()]
            elif kind == "backward":
                if message.get("index") is None:
                    core.selected = None
                    reply = [{"type": "backward", "index": None}]
                else:
                    b = core.backward(message.get("part", "train"), message.get("index"))
                    core.selected = (b["part"], b["index"])
                    reply = [b]
            else:
                raise ConfigError("message", f"unknown message type {kind!r}")
        for r in reply:
            if r.get("type") == "frame":
                r["playing"] = live.playing
            await live.send(r)

    async def websocket_endpoint(websocket: WebSocket) -> None:
        session_id = websocket.path_params["session_id"]
        if not SESSION_ID.fullmatch(session_id) or not _same_origin(websocket.headers):
            await websocket.close(code=1008)
            return
        await websocket.accept()
        try:
            live = manager.open(session_id, websocket)
        except SessionsFull:
            await websocket.send_text(json.dumps({
                "type": "fatal",
                "message": f"the playground is already running {max_sessions} sessions (its limit); "
                           "close another playground tab and reload this one",
            }))
            await websocket.close(code=1013)
            return
        except KeyError:
            await websocket.send_text(json.dumps({
                "type": "fatal", "message": "this session is open in another connection; reload the page",
            }))
            await websocket.close(code=1008)
            return
        runner = asyncio.create_task(run_loop(live))
        try:
            await live.send({"type": "hello", "session": session_id, "limits": limits})
            while True:
                try:
                    received = await asyncio.wait_for(websocket.receive(), timeout=heartbeat_timeout)
                except asyncio.TimeoutError:
                    break  # the page went quiet: treat the tab as gone
                if received["type"] == "websocket.disconnect":
                    break
                live.last_seen = time.monotonic()
                if runner.done():  # the frame loop ended (the client vanished mid-send)
                    break
                text = received.get("text")
                try:
                    if text is None:
                        raise ConfigError("message", "messages must be JSON text, not binary")
                    if len(text) > MAX_MESSAGE_CHARS:
                        raise ConfigError("message", f"message too long ({len(text):,} characters)")
                    try:
                        message = json.loads(text)
                    except json.JSONDecodeError:
                        raise ConfigError("message", "messages must be JSON") from None
                    if not isinstance(message, dict):
                        raise ConfigError("message", "messages must be JSON objects")
                    await handle(live, message)
                except ConfigError as e:
                    await live.send({"type": "error", "field": e.field, "message": str(e)})
                except DivergenceError as e:
                    await live.send({"type": "error", "field": "learning_rate", "message": str(e)})
                except InputError as e:
                    await live.send({"type": "error", "field": "config", "message": str(e)})
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client went away mid-stream; nothing to do but clean up
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
            manager.close(session_id)
            with contextlib.suppress(Exception):
                await websocket.close()

    routes = [
        Route("/", index),
        Route("/api/limits", get_limits),
        Route("/api/sessions/{session_id}/upload", upload, methods=["POST"]),
        Route("/api/sessions/{session_id}/model", model),
        Route("/api/sessions/{session_id}/snippet", snippet),
        WebSocketRoute("/ws/{session_id}", websocket_endpoint),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.sessions = manager
    return app


def _train_frame(core: PlaygroundSession, speed: int, interval: float) -> dict:
    """Train the batches one frame's share of ``speed`` epochs per second asks for (within a time budget)."""
    per_epoch = core.batches_per_epoch
    wanted = math.inf if speed == 0 else max(1, round(speed * per_epoch * interval))
    deadline = time.perf_counter() + min(TRAIN_BUDGET, interval * 0.8)
    done = 0
    while done < wanted:
        core.step()
        done += 1
        if done % 8 == 0 and time.perf_counter() > deadline:
            break
    return core.frame()


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
    app = create_app(**options)
    url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    print(f"glassnet playground: open {url} in a browser (Ctrl+C stops it)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {host}, so other machines can reach the playground", flush=True)
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_max_size=1 << 20)


def new_session_id() -> str:
    """A random session id, as the page makes one (for scripts and tests)."""
    return secrets.token_urlsafe(12)
