"""What the provider fakes share: serving on 127.0.0.1 and waiting for what they record.

`LocalServer` is the base of `FakeSlack`, `FakeTelegram` and `FakeTwilio`. It runs a
subclass's aiohttp routes on an ephemeral port, for ``async with`` or `LocalServer.start` and
`LocalServer.close`, and gives `LocalServer.wait_for`, which waits until a predicate over the
fake holds. A subclass adds its routes in `LocalServer._add_routes`, describes its last
requests in `LocalServer._summary` (for the timeout message), sets ``_changed`` whenever it
records something a test may wait for, and releases what it holds besides the server
(sockets, client sessions, tasks) in `LocalServer._stopping`.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Final, Self, TypeVar

from aiohttp import web

_T = TypeVar("_T")

_HOST: Final = "127.0.0.1"
_SHUTDOWN_TIMEOUT: Final = 2.0
_POLL_INTERVAL: Final = 0.05


class LocalServer(ABC):
    """A fake's HTTP server on 127.0.0.1 (an ephemeral port), and its change signal."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()
        """Set by the subclass on each record; `wait_for` checks its predicate again then."""
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    # -- for subclasses

    @abstractmethod
    def _add_routes(self, router: web.UrlDispatcher) -> None:
        """Add the fake's handlers to a new application's `router`."""

    @abstractmethod
    def _summary(self, last: int = 8) -> str:
        """The `last` requests (or ``"none"``), for the message of a `wait_for` timeout."""

    async def _stopping(self) -> None:
        """Release what the fake holds besides the server, before the server stops.

        Most fakes hold nothing else.
        """
        return None

    def _url(self, path: str = "") -> str:
        """``http://127.0.0.1:PORT`` followed by `path`; raises when the fake is not running."""
        if self._port is None:
            name = type(self).__name__
            raise RuntimeError(f"{name} is not running; use `async with {name}()`")
        return f"http://{_HOST}:{self._port}{path}"

    # -- waiting

    # The deadline belongs to the polling, like asyncio.wait_for's; a caller's own
    # asyncio.timeout would end the wait without the message naming the predicate.
    async def wait_for(
        self,
        predicate: Callable[[Self], _T],
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> _T:
        """Wait until ``predicate(self)`` is truthy and return its value.

        Checked after everything the fake records (each request, and each callback where the
        fake sends them) and at least every 50 ms; raises `TimeoutError` naming the
        predicate and the last requests when `timeout` seconds pass first.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._changed.clear()
            result = predicate(self)
            if result:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"{type(self).__name__}: {_describe(predicate)} still false after "
                    f"{timeout} s; last requests: {self._summary()}"
                )
            try:
                async with asyncio.timeout(min(remaining, _POLL_INTERVAL)):
                    await self._changed.wait()
            except TimeoutError:
                pass

    # -- lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Serve on an ephemeral port of 127.0.0.1 (`_port`)."""
        if self._runner is not None:
            raise RuntimeError(f"{type(self).__name__} is already running")
        app = web.Application()
        self._add_routes(app.router)
        # Signals belong to the test runner, not to a fake; and `close` waits for handlers
        # still running only this long (aiohttp's default is a minute), so that a stuck one
        # cannot hold up the rest of the run.
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, _HOST, 0)
            await site.start()
            self._port = int(runner.addresses[0][1])
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def close(self) -> None:
        """Stop serving and wait for the handlers still running."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self._stopping()
        await runner.cleanup()
        self._port = None


def _describe(predicate: Callable[..., object]) -> str:
    name = getattr(predicate, "__qualname__", repr(predicate))
    code = getattr(predicate, "__code__", None)
    if code is not None:
        return f"{name} ({Path(code.co_filename).name}:{code.co_firstlineno})"
    return str(name)
