"""The live side of the playground: one session per WebSocket, its commands, and the frame loop.

A session lives exactly as long as its WebSocket: when the tab closes (or sends nothing, not even a
ping, for ``heartbeat_timeout`` seconds) its training stops and its memory goes. While playing, a worker
thread trains a few mini-batches per frame (:func:`train_frame`) and frames go out at a steady rate.

Messages in: ``config`` (the settings), ``step``, ``play`` (playing, speed), ``pause``, ``reset``,
``backward`` (part, index; index None clears the choice), ``ping``. Messages out: ``hello``, ``data``,
``frame``, ``backward``, ``state``, ``pong``, ``error`` (field, message) and ``fatal``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import time
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import DivergenceError, InputError
from . import views
from .config import ConfigError
from .session import PlaygroundSession

__all__ = ["SessionManager", "SessionsFull", "Live", "SocketHandler", "train_frame", "SPEEDS"]

SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_MESSAGE_CHARS = 256_000           # a settings message with 1000 drawn points is ~40 kB
SPEEDS = (1, 5, 20, 100, 0)            # epochs per second the page offers; 0: as fast as the machine goes
TRAIN_BUDGET = 0.05                    # seconds of training per frame at most (keeps frames steady)


class SessionsFull(Exception):
    pass


class Live:
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
        self.sessions: dict[str, Live] = {}

    def open(self, session_id: str, websocket: WebSocket) -> Live:
        if session_id in self.sessions:
            raise KeyError(session_id)
        if len(self.sessions) >= self.max_sessions:
            raise SessionsFull
        live = self.sessions[session_id] = Live(session_id, websocket)
        return live

    def close(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    def get(self, session_id: str) -> Live | None:
        return self.sessions.get(session_id)


def _same_origin(headers: Any) -> bool:
    """A browser sends Origin with every WebSocket; refuse pages served from elsewhere."""
    origin = headers.get("origin")
    if origin is None:   # not a browser (a test client, a script on this machine)
        return True
    return urlsplit(origin).netloc == headers.get("host", "")


def train_frame(core: PlaygroundSession, speed: int, interval: float) -> dict:
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
    return views.frame(core)


class SocketHandler:
    """The ``/ws/{session_id}`` endpoint: opens a session, answers its messages, streams its frames."""

    def __init__(self, manager: SessionManager, limits: dict, interval: float, heartbeat_timeout: float) -> None:
        self.manager = manager
        self.limits = limits
        self.interval = interval
        self.heartbeat_timeout = heartbeat_timeout

    async def endpoint(self, websocket: WebSocket) -> None:
        session_id = websocket.path_params["session_id"]
        if not SESSION_ID.fullmatch(session_id) or not _same_origin(websocket.headers):
            await websocket.close(code=1008)
            return
        await websocket.accept()
        live = await self._open(session_id, websocket)
        if live is None:
            return
        runner = asyncio.create_task(self.run_loop(live))
        try:
            await live.send({"type": "hello", "session": session_id, "limits": self.limits})
            await self._receive(live, runner)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass  # the client went away mid-stream; nothing to do but clean up
        finally:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await runner
            self.manager.close(session_id)
            with contextlib.suppress(Exception):
                await websocket.close()

    async def _open(self, session_id: str, websocket: WebSocket) -> Live | None:
        """The new session, or None (after telling the page why and closing) when it cannot open."""
        try:
            return self.manager.open(session_id, websocket)
        except SessionsFull:
            message = (f"the playground is already running {self.manager.max_sessions} sessions (its limit); "
                       "close another playground tab and reload this one")
            code = 1013
        except KeyError:
            message, code = "this session is open in another connection; reload the page", 1008
        await websocket.send_text(json.dumps({"type": "fatal", "message": message}))
        await websocket.close(code=code)
        return None

    async def _receive(self, live: Live, runner: asyncio.Task) -> None:
        """Answer the page's messages until it goes away or goes quiet; a bad message ends nothing."""
        while True:
            try:
                received = await asyncio.wait_for(live.websocket.receive(), timeout=self.heartbeat_timeout)
            except asyncio.TimeoutError:
                return  # the page went quiet: treat the tab as gone
            if received["type"] == "websocket.disconnect" or runner.done():  # runner: the client vanished mid-send
                return
            try:
                await self.handle(live, _parse(received.get("text")))
            except ConfigError as e:
                await live.send({"type": "error", "field": e.field, "message": str(e)})
            except DivergenceError as e:
                await live.send({"type": "error", "field": "learning_rate", "message": str(e)})
            except InputError as e:
                await live.send({"type": "error", "field": "config", "message": str(e)})

    async def run_loop(self, live: Live) -> None:
        """While playing: train a few batches in a worker thread, send a frame, keep the frame rate."""
        loop = asyncio.get_running_loop()
        while True:
            await live.wake.wait()
            started = loop.time()
            async with live.lock:
                if not live.playing or live.core.network is None:
                    live.wake.clear()
                    continue
                try:
                    frame = await asyncio.to_thread(train_frame, live.core, live.speed, self.interval)
                except DivergenceError as e:
                    live.playing = False
                    live.wake.clear()
                    await live.send({**views.frame(live.core), "playing": False})
                    await live.send({"type": "error", "field": "learning_rate", "message": str(e)})
                    continue
            frame["playing"] = live.playing
            await live.send(frame)
            await asyncio.sleep(max(0.0, self.interval - (loop.time() - started)))

    async def handle(self, live: Live, message: dict) -> None:
        """One message from the page."""
        kind = message.get("type")
        if kind == "ping":
            await live.send({"type": "pong"})
        elif kind in ("play", "pause"):
            await live.send(_play(live, message) if kind == "play" else _pause(live))
        else:
            async with live.lock:
                reply = await _change(live, kind, message)
            for r in reply:
                if r.get("type") == "frame":
                    r["playing"] = live.playing
                await live.send(r)


def _parse(text: str | None) -> dict:
    """A message from the page: a JSON object, within the size limit."""
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
    return message


def _play(live: Live, message: dict) -> dict:
    speed = message.get("speed", live.speed)
    if speed not in SPEEDS:
        raise ConfigError("speed", f"speed must be one of {SPEEDS} epochs per second (0: as fast as it goes)")
    live.speed = speed
    if live.core.network is None:
        raise ConfigError("config", "nothing to train yet: the settings have not been accepted")
    live.playing = bool(message.get("playing", True))
    if live.playing:
        live.wake.set()
    return {"type": "state", "playing": live.playing, "speed": live.speed}


def _pause(live: Live) -> dict:
    live.playing = False
    return {"type": "state", "playing": False, "speed": live.speed}


async def _change(live: Live, kind: object, message: dict) -> list[dict]:
    """A message that changes the session (its lock held): the replies to send."""
    core = live.core
    if kind == "config":
        await asyncio.to_thread(core.configure, message.get("config"))
        return [views.data_message(core), views.frame(core)]
    if core.network is None:
        raise ConfigError("config", "send the settings first")
    if kind == "step":
        live.playing = False
        await asyncio.to_thread(core.step)
        return [views.frame(core)]
    if kind == "reset":
        core.reset()
        return [views.frame(core)]
    if kind == "backward":
        if message.get("index") is None:
            core.selected = None
            return [{"type": "backward", "index": None}]
        b = views.backward(core, message.get("part", "train"), message.get("index"))
        core.selected = (b["part"], b["index"])
        return [b]
    raise ConfigError("message", f"unknown message type {kind!r}")
