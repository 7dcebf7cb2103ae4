"""The inbox seam: channels hand events here and acknowledge the provider at once.

A channel never calls the engine. It calls `Inbox.submit`, which journals the
event and returns; workers take events out and run the engine on them. The
memory inbox below is the embedded implementation: per-conversation FIFO queues
in this process, so one conversation's messages are handled in arrival order,
one at a time, while different conversations run concurrently (up to
`WORKER_CONCURRENCY`). A Redis Streams inbox with separate worker processes is
planned behind the same interface; it is not built yet.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable

from bot.errors import InboxFull
from bot.model import Inbound

log = logging.getLogger(__name__)

Handler = Callable[[Inbound], Awaitable[None]]


class Inbox(ABC):
    @abstractmethod
    def submit(self, event: Inbound) -> None:
        """Accept an event for processing or raise `InboxFull`. Never blocks."""

    @abstractmethod
    async def drain(self, grace: float) -> None:
        """Stop accepting, finish what is queued within `grace` seconds, cancel the rest."""

    @property
    @abstractmethod
    def pending(self) -> int:
        """Events accepted and not yet finished."""

    @abstractmethod
    async def join(self) -> None:
        """Return once every accepted event is finished (at once when none is pending)."""


class MemoryInbox(Inbox):
    def __init__(self, handler: Handler, *, max_pending: int, concurrency: int) -> None:
        self._handler = handler
        self._max_pending = max_pending
        self._slots = asyncio.Semaphore(concurrency)
        self._queues: dict[str, deque[Inbound]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @property
    def pending(self) -> int:
        return self._pending

    def submit(self, event: Inbound) -> None:
        if self._closed:
            raise InboxFull("shutting down")
        if self._pending >= self._max_pending:
            raise InboxFull(f"{self._pending} events are waiting")
        key = event.address.conversation_id
        self._queues.setdefault(key, deque()).append(event)
        self._pending += 1
        self._idle.clear()
        if key not in self._workers:
            task = asyncio.create_task(self._work(key), name=f"inbox:{key}")
            self._workers[key] = task

    async def _work(self, key: str) -> None:
        queue = self._queues[key]
        try:
            while queue:
                event = queue[0]
                try:
                    async with self._slots:
                        await self._handler(event)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # The engine has its own boundary; reaching here is a bug in it.
                    log.exception("unhandled error for conversation %s", key)
                finally:
                    queue.popleft()
                    self._pending -= 1
                    if not self._pending:
                        self._idle.set()
        finally:
            del self._queues[key]
            del self._workers[key]

    async def join(self) -> None:
        await self._idle.wait()

    async def drain(self, grace: float) -> None:
        self._closed = True
        workers = list(self._workers.values())
        if not workers:
            return
        _, unfinished = await asyncio.wait(workers, timeout=grace)
        for task in unfinished:
            task.cancel()
        if unfinished:
            log.warning("shutdown: %d conversations were cut off mid-turn", len(unfinished))
            await asyncio.wait(unfinished)
