"""`switchboard worker`: the worker role alone, in a process of its own.

It builds the same app as `switchboard serve` (runtime, channels, their clients and
lifecycles) without the web role, starts it without listening anywhere, and
processes inbox entries until SIGTERM or SIGINT. Then it stops reading, gives the
entries in hand `SHUTDOWN_GRACE_SECONDS`, and leaves the rest to another worker.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import create_app
from bot.config import Settings

log = logging.getLogger(__name__)


async def run_worker(settings: Settings) -> None:
    app = create_app(settings, web_role=False, worker=True)
    runner = web.AppRunner(app, handle_signals=False)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await runner.setup()
    try:
        await stop.wait()
        log.info("worker: stopping")
    finally:
        await runner.cleanup()
