"""The embedded inbox: per-conversation queues in this process.

One conversation's entries are handled in arrival order, one turn at a time (a run
of text messages is one turn), while different conversations run concurrently (up
to `WORKER_CONCURRENCY`). Nothing
outlives the process: this is the inbox of `switchboard serve` without Redis, where
nothing else outlives it either. An entry id seen within `dedupe_ttl` seconds is
recognised as a provider's retry. A handler that fails is not retried here (there
is nowhere safe to keep the entry): the customer is told at once instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque

from bot.errors import InboxFull
from bot.events import Entry
from bot.inbox import Handler, Inbox, Superseded, batch, joinable

log = logging.getLogger(__name__)


class MemoryInbox(Inbox):
    def __init__(self, *, max_pending: int, concurrency: int, dedupe_ttl: float = 86400) -> None:
        self._max_pending = max_pending
        self._slots = asyncio.Semaphore(concurrency)
        self._dedupe_ttl = dedupe_ttl
        self._seen: dict[str, float] = {}
        self._queues: dict[str, deque[Entry]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._newer: dict[str, asyncio.Event] = {}  # conversations being answered now
        self._handler: Handler | None = None
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    @property
    def pending(self) -> int:
        return self._pending

    async def submit(self, entry: Entry) -> bool:
        if self._closed:
            raise InboxFull("shutting down")
        moment = time.monotonic()
        until = self._seen.get(entry.id)
        if until is not None and until > moment:
            return False
        if self._pending >= self._max_pending:
            raise InboxFull(f"{self._pending} entries are waiting")
        if len(self._seen) > 10_000:
            self._seen = {key: at for key, at in self._seen.items() if at > moment}
        self._seen[entry.id] = moment + self._dedupe_ttl
        key = entry.conversation_id
        self._queues.setdefault(key, deque()).append(entry)
        self._pending += 1
        self._idle.clear()
        if key in self._newer and joinable(entry):
            self._newer[key].set()
        self._wake(key)
        return True

    def start(self, handler: Handler) -> None:
        self._handler = handler
        for key in list(self._queues):
            self._wake(key)

    def _wake(self, key: str) -> None:
        if self._handler is not None and key not in self._workers:
            self._workers[key] = asyncio.create_task(self._work(key), name=f"inbox:{key}")

    async def _work(self, key: str) -> None:
        handler = self._handler
        if handler is None:
            raise RuntimeError("the inbox hands entries out only once started")
        queue = self._queues[key]
        try:
            while queue:
                entries = [queue[i] for i in range(batch(queue))]
                newer = self._newer[key] = asyncio.Event()
                try:
                    async with self._slots:
                        await handler.process(entries, newer)
                except Superseded:
                    continue  # answered again, with what came meanwhile
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("entry %s of %s failed", entries[0].id, key)
                    await handler.abandon(entries[0])
                finally:
                    del self._newer[key]
                for _ in entries:
                    queue.popleft()
                self._pending -= len(entries)
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
