"""The live side of the playground: one session per WebSocket, its commands, and the frame loop.

A session lives exactly as long as its WebSocket: when the tab closes (or sends nothing, not even a
ping, for ``heartbeat_timeout`` seconds) its training stops and its memory goes. While playing, a worker
thread trains a few mini-batches per frame (:func:`train_frame`) and frames go out at a steady rate.

Messages in: ``config`` (the settings), ``step``, ``play`` (playing, speed), ``pause``, ``reset``,
``set_weight`` (layer, row, column, value), ``race`` (steps),
``backward`` (part, index; index None clears the choice), ``ping``. Messages out: ``hello``, ``data``,
``frame``, ``backward``, ``race``, ``state``, ``pong``, ``error`` (field, message) and ``fatal``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import re
import time
from typing import Any
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect

from ..errors import DivergenceError, InputError
from . import views
from .config import ConfigError, short_repr
from .race import race
from .session import PlaygroundSession

__all__ = ["SessionManager", "SessionsFull", "Live", "SocketHandler", "train_frame", "SPEEDS"]

log = logging.getLogger("glassnet.playground")
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_MESSAGE_CHARS = 256_000           # a settings message with 1000 drawn points is ~40 kB
MAX_DEPTH = 8                          # the deepest message the page sends nests 4 deep ({config: {points: [[]]}})
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
        self.last_frame: dict | None = None  # the last frame sent: shown again when the run diverges

    async def send(self, message: dict) -> None:
        await self.send_text(views.encode(self.core, message))

    async def send_text(self, text: str) -> None:
        async with self.send_lock:
            await self.websocket.send_text(text)


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
            except (WebSocketDisconnect, OSError):
                raise   # the socket went away mid-reply: the endpoint cleans up
            except InputError as e:  # the reply carries the settings still in force, for the page to restore
                field = e.field if isinstance(e, ConfigError) else "config"
                await live.send({"type": "error", "field": field, "message": str(e),
                                 "config": live.core.config or None})
            except Exception as e:  # a bug must not end the session without a word: log it, tell the page
                if type(e) is RuntimeError:   # starlette's "cannot send once closed": the socket is gone
                    raise
                log.exception("the playground could not handle a message")
                await live.send({"type": "error", "field": "message", "message": "the server could not handle "
                                 "that message (its log has the details); the session goes on"})

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
                    frame["playing"] = live.playing
                    text = views.encode(live.core, frame)
                except DivergenceError as e:
                    await self.diverged(live, e)
                    continue
                live.last_frame = frame
            await live.send_text(text)
            await asyncio.sleep(max(0.0, self.interval - (loop.time() - started)))

    async def diverged(self, live: Live, error: DivergenceError) -> None:
        """Stop playing, show the last finite frame again and say why (the page offers Reset)."""
        live.playing = False
        live.wake.clear()
        if live.last_frame is not None:
            await live.send({**live.last_frame, "playing": False})
        await live.send({"type": "error", "field": "learning_rate", "diverged": True, "epoch": error.epoch,
                         "message": str(error), "config": live.core.config})

    async def handle(self, live: Live, message: dict) -> None:
        """One message from the page."""
        kind = message.get("type")
        if kind == "ping":
            await live.send({"type": "pong"})
            return
        try:
            if kind in ("play", "pause"):
                await live.send(_play(live, message) if kind == "play" else _pause(live))
                return
            async with live.lock:
                texts = []
                for r in await _change(live, kind, message):
                    if r.get("type") == "frame":
                        r["playing"] = live.playing
                    texts.append(views.encode(live.core, r))
                    if r.get("type") == "frame":
                        live.last_frame = r
        except DivergenceError as e:
            await self.diverged(live, e)
            return
        for text in texts:
            await live.send_text(text)


def _parse(text: str | None) -> dict:
    """A message from the page: a JSON object, within the size limit."""
    if text is None:
        raise ConfigError("message", "messages must be JSON text, not binary")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ConfigError("message", f"message too long ({len(text):,} characters; the limit is {MAX_MESSAGE_CHARS:,})")
    too_deep = ConfigError("message", f"message nested too deep (arrays and objects at most {MAX_DEPTH} levels)")
    try:
        message = json.loads(text)
    except RecursionError:   # json's parser stops (safely) at Python's recursion limit
        raise too_deep from None
    except ValueError:  # JSONDecodeError is a ValueError, as is an integer of more than 4,300 digits
        raise ConfigError("message", "messages must be JSON, with numbers of at most 4,300 digits") from None
    if _depth(message) > MAX_DEPTH:
        raise too_deep
    if not isinstance(message, dict):
        raise ConfigError("message", "messages must be JSON objects")
    return message


def _depth(value: object) -> int:
    """How deep the lists and dicts of parsed JSON nest (walked without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth)
            if depth <= MAX_DEPTH:
                todo.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _play(live: Live, message: dict) -> dict:
    speed = message.get("speed", live.speed)
    if speed not in SPEEDS:
        raise ConfigError("speed", f"speed must be one of {SPEEDS} epochs per second (0: as fast as it goes)")
    live.speed = speed
    if live.core.network is None:
        raise ConfigError("config", "nothing to train yet: the settings have not been accepted")
    if live.core.diverged is not None:
        raise live.core.diverged
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
    if core.diverged is not None and (kind == "step" or (kind == "backward" and message.get("index") is not None)):
        raise core.diverged
    if kind == "step":
        live.playing = False
        await asyncio.to_thread(core.step)
        return [views.frame(core)]
    if kind == "reset":
        core.reset()
        return [views.frame(core)]
    if kind == "race":
        return [await asyncio.to_thread(race, core, message.get("steps"))]
    if kind == "set_weight":
        core.set_weight(message.get("layer"), message.get("row"), message.get("column"), message.get("value"))
        return [views.frame(core)]
    if kind == "backward":
        if message.get("index") is None:
            core.selected = None
            return [{"type": "backward", "index": None}]
        b = views.backward(core, message.get("part", "train"), message.get("index"))
        core.selected = (b["part"], b["index"])
        return [b]
    raise ConfigError("message", f"unknown message type {short_repr(kind)}")
