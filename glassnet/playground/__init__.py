"""The browser playground: train a network and look inside it, live, in a web page.

Start it with ``glassnet playground`` (or ``python -m glassnet playground``), or from Python::

    from glassnet.playground import serve
    serve()            # http://127.0.0.1:8765/

It needs the optional extra: ``pip install "glassnet[playground]"`` (starlette, uvicorn, websockets).
The page is plain HTML, CSS and JavaScript shipped in ``static/``; every number it shows comes from
glassnet's engine, run in Python: :mod:`.config` (the settings and their limits), :mod:`.uploads` (CSV
files), :mod:`.session` (data, network, training through ``Trainer.step``), :mod:`.views` (frames and the
backward view, from one trace), :mod:`.snippet` (the model file and the Python that reproduces a run),
and the web side: :mod:`.server` (the app), :mod:`.routes` (HTTP) and :mod:`.sockets` (the WebSocket).
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app", "serve"]


def create_app(**options: Any):
    """The playground's ASGI app; see :func:`glassnet.playground.server.create_app`."""
    from .server import create_app as _create_app

    return _create_app(**options)


def serve(host: str = "127.0.0.1", port: int = 8765, open_browser: bool = False, **options: Any) -> None:
    """Serve the playground at ``http://host:port/`` until Ctrl+C; see :func:`glassnet.playground.server.serve`."""
    from .server import serve as _serve

    _serve(host, port, open_browser=open_browser, **options)
