"""The playground's plain HTTP routes: the page, its limits, a CSV upload and the two downloads."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response

from . import snippet as take_home
from .config import COSTS, DATASETS, DEFAULT_CONFIG, HIDDEN_ACTIVATIONS, OPTIMIZERS, ConfigError
from .sockets import SPEEDS, Live, SessionManager
from .uploads import read_upload

__all__ = ["HttpRoutes", "STATIC"]

STATIC = Path(__file__).parent / "static"


class HttpRoutes:
    """The HTTP handlers, sharing the app's sessions and limits."""

    def __init__(self, manager: SessionManager, limits: dict, max_upload_bytes: int) -> None:
        self.manager = manager
        self.limits = limits
        self.max_upload_bytes = max_upload_bytes

    async def index(self, request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def get_limits(self, request: Request) -> Response:
        return JSONResponse({
            "limits": self.limits,
            "datasets": DATASETS,
            "activations": HIDDEN_ACTIVATIONS,
            "costs": COSTS,
            "optimizers": OPTIMIZERS,
            "speeds": SPEEDS,
            "defaults": DEFAULT_CONFIG,
            "sessions": len(self.manager.sessions),
        })

    async def upload(self, request: Request) -> Response:
        """A CSV file as the request body (UTF-8 text, at most ``max_upload_bytes``); ?name= and ?target=."""
        live = self.manager.get(request.path_params["session_id"])
        if live is None:
            return _no_session()
        body = await self._body(request)
        if isinstance(body, Response):
            return body
        filename = request.query_params.get("name", "upload.csv")
        target = request.query_params.get("target") or None
        try:
            parsed = await asyncio.to_thread(read_upload, body, filename, target)
        except ConfigError as e:
            return JSONResponse({"error": str(e), "field": e.field}, status_code=400)
        async with live.lock:
            summary = live.core.set_upload(parsed)
        return JSONResponse(summary)

    async def _body(self, request: Request) -> str | Response:
        """The request's text, read no further than the limit; or the error response to send."""
        limit = self.max_upload_bytes
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
            return b"".join(chunks).decode("utf-8-sig")
        except UnicodeDecodeError:
            return JSONResponse({"error": "the file is not UTF-8 text; save it as CSV (UTF-8)", "field": "upload"},
                                status_code=400)

    async def model(self, request: Request) -> Response:
        """The trained network as a glassnet model file."""
        live = self._live_with_network(request)
        if isinstance(live, Response):
            return live
        async with live.lock:
            data, name = await asyncio.to_thread(take_home.model_file, live.core)
        return Response(data, media_type="application/octet-stream",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    async def snippet(self, request: Request) -> Response:
        """Python that reproduces the run."""
        live = self._live_with_network(request)
        if isinstance(live, Response):
            return live
        async with live.lock:
            text = take_home.snippet(live.core)
        return PlainTextResponse(text, media_type="text/x-python",
                                 headers={"Content-Disposition": 'attachment; filename="playground_run.py"'})

    def _live_with_network(self, request: Request) -> Live | Response:
        """The request's session if it has a network to hand out, else the error response to send."""
        live = self.manager.get(request.path_params["session_id"])
        if live is None:
            return _no_session()
        if live.core.network is None:
            return JSONResponse({"error": "no network yet"}, status_code=409)
        return live


def _no_session() -> Response:
    return JSONResponse({"error": "no such session: reload the page"}, status_code=404)
