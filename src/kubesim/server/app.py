"""The HTTPS server around an Emulator, on the caller's event loop."""

from __future__ import annotations

import socket

from aiohttp import web

from kubesim.server.emulator import Emulator
from kubesim.server.pipeline import Pipeline


def make_app(emu: Emulator) -> web.Application:
    app = web.Application(client_max_size=emu.config.max_request_bytes)
    # The bound coroutine method, not the instance: aiohttp deprecates non-coroutine handlers.
    app.router.add_route("*", "/{tail:.*}", Pipeline(emu).__call__)
    return app


class Server:
    """Serves an Emulator over TLS; `url` is known once started."""

    def __init__(self, emu: Emulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emu = emu
        self.host = host
        self.port = port
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> str:
        """Bind, start the controllers and serve; returns the base URL."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        port = sock.getsockname()[1]
        runner = web.AppRunner(make_app(self.emu), access_log=None, handle_signals=False)
        await runner.setup()
        context = self.emu.ca.server_context(self.emu.serving)
        await web.SockSite(runner, sock, ssl_context=context, backlog=512).start()
        self._runner = runner
        self.emu.controllers.start()
        host = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"https://{host}:{port}"
        return self.url

    async def stop(self) -> None:
        self.emu.controllers.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
