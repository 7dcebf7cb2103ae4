"""The durable inbox: Redis Streams, many web processes, many workers, nothing lost.

```
 web process                Redis ({inbox} hash tag)            worker process
 submit ─ Lua: dedupe ──► s:0 … s:N-1 (one consumer group) ◄── XREADGROUP / XAUTOCLAIM
          + XADD          seen:<entry> owner:<n> tries dead     per conversation, in order
 2xx only after it returned
```

- **Journal before ack.** `submit` is one script: drop a re-delivered entry (its id is
  remembered for `DEDUPE_TTL_SECONDS`), refuse when the partition is full, else
  `XADD`. Any Redis failure is `InboxUnavailable`: the channel answers 503.
- **Order per conversation.** A conversation always hashes to the same partition, and
  each partition has one owner at a time: a worker holds it with a lease it renews.
  The owner reads its partitions' entries in order and hands each conversation's
  entries to the engine one by one; different conversations run concurrently.
- **Fair share.** Workers announce themselves; each takes about partitions/workers
  and gives back what is more, so a new worker gets work within seconds.
- **Takeover.** A worker that dies stops renewing; within `INBOX_LEASE_SECONDS` its
  partitions are free, and whoever takes one first claims what the dead worker had
  read but not finished (`XAUTOCLAIM`), then reads on. The engine recognises an entry
  decided before and only finishes its effects.
- **Poison.** Every attempt at an entry is counted in Redis; after
  `INBOX_MAX_ATTEMPTS` the entry moves to the dead-letter stream (`switchboard inbox
  dead`, `switchboard inbox retry ID`) and the customer is told.
- **Drain.** On SIGTERM the worker stops reading, gives the entries in hand the grace
  period, leaves the rest un-acknowledged for the next owner, and releases its leases.

Every key shares the `{inbox}` hash tag, so on a Redis Cluster they live on one node
and a worker reads all its partitions with one blocking `XREADGROUP`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import random
import secrets
import socket
import time
import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError, ResponseError

from bot.errors import InboxFull, InboxUnavailable
from bot.events import Entry
from bot.inbox import Handler, Inbox, Superseded, batch, joinable
from bot.store.redis_store import Client

log = logging.getLogger(__name__)

GROUP = "workers"
_SUBMIT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
if redis.call('XLEN', KEYS[2]) >= tonumber(ARGV[2]) then return -1 end
redis.call('XADD', KEYS[2], '*', 'entry', ARGV[3])
redis.call('SET', KEYS[1], '1', 'EX', ARGV[1])
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True, slots=True)
class Journaled:
    """An entry as read from its partition."""

    partition: int
    stream_id: str
    entry: Entry | None  # None: the stored text is not an entry (it goes to the dead letters)
    raw: str

    @property
    def key(self) -> str:
        """Unique across partitions (a stream id is unique only within its stream)."""
        return f"{self.partition}:{self.stream_id}"


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str
    partition: int
    reason: str
    attempts: int
    entry: str


def _batch(queue: Sequence[Journaled]) -> list[Journaled]:
    """The entries at the head of a conversation's queue that make one turn."""
    readable = []
    for item in queue:
        if item.entry is None:
            break
        readable.append(item.entry)
    if not readable:
        return [queue[0]]
    return list(queue)[: batch(readable)]


async def _finish(tasks: Iterable[asyncio.Task[None]], wait: float) -> None:
    """Give tasks `wait` seconds to end by themselves, then cancel what is left."""
    tasks = list(tasks)
    if not tasks:
        return
    _, left = await asyncio.wait(tasks, timeout=wait) if wait > 0 else ((), set(tasks))
    for task in left:
        task.cancel()
    if left:
        await asyncio.wait(left, timeout=5.0)


def partition_of(conversation_id: str, partitions: int) -> int:
    """Stable across processes and restarts (Python's `hash` is not)."""
    return zlib.crc32(conversation_id.encode()) % partitions


class StreamKeys:
    def __init__(self, prefix: str) -> None:
        self._base = f"{prefix}{{inbox}}"

    def stream(self, partition: int) -> str:
        return f"{self._base}:s:{partition}"

    def seen(self, entry_id: str) -> str:
        return f"{self._base}:seen:{entry_id}"

    def owner(self, partition: int) -> str:
        return f"{self._base}:owner:{partition}"

    @property
    def workers(self) -> str:
        return f"{self._base}:workers"

    @property
    def tries(self) -> str:
        return f"{self._base}:tries"

    @property
    def dead(self) -> str:
        return f"{self._base}:dead"


class StreamInbox(Inbox):
    def __init__(
        self,
        client: Client,
        *,
        prefix: str,
        partitions: int = 16,
        max_pending: int = 10_000,
        concurrency: int = 64,
        dedupe_ttl: int = 86400,
        lease_seconds: float = 10.0,
        max_attempts: int = 5,
        retry_seconds: float = 1.0,
    ) -> None:
        self._redis = client
        self._keys = StreamKeys(prefix)
        self._partitions = partitions
        self._per_partition = max(1, math.ceil(max_pending / partitions))
        self._slots = asyncio.Semaphore(concurrency)
        self._dedupe_ttl = dedupe_ttl
        self._lease_ms = int(lease_seconds * 1000)
        self._max_attempts = max_attempts
        self._retry_seconds = retry_seconds
        self._submit = client.register_script(_SUBMIT)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._handler: Handler | None = None
        self._owned: set[int] = set()
        self._leaving: set[int] = set()  # being given back: read no more from them
        self._queues: dict[str, deque[Journaled]] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._newer: dict[str, asyncio.Event] = {}  # conversations being answered now
        self._in_hand: dict[int, int] = {}
        self._pending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._changed = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._stop = asyncio.Event()

    # -- the web side ------------------------------------------------------------

    async def submit(self, entry: Entry) -> bool:
        if self._stopping:
            raise InboxUnavailable("shutting down")
        partition = partition_of(entry.conversation_id, self._partitions)
        try:
            taken = await self._submit(
                keys=[self._keys.seen(entry.id), self._keys.stream(partition)],
                args=[self._dedupe_ttl, self._per_partition, entry.to_json()],
            )
        except RedisError as exc:
            raise InboxUnavailable(f"the inbox could not be written: {exc}") from exc
        if taken == -1:
            raise InboxFull(f"partition {partition} holds {self._per_partition} entries")
        return bool(taken)

    @property
    def pending(self) -> int:
        return self._pending

    async def backlog(self) -> int:
        """Entries journaled and not yet finished, in every partition."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for partition in range(self._partitions):
                pipe.xlen(self._keys.stream(partition))
            lengths = await pipe.execute()
        return int(sum(lengths))

    async def join(self) -> None:
        """Until every journaled entry is finished (by this or any worker)."""
        while True:
            await self._idle.wait()
            if not await self.backlog():
                return
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05):
                    await self._changed.wait()

    # -- the worker side ------------------------------------------------------------

    def start(self, handler: Handler) -> None:
        self._handler = handler
        self._tasks = [
            asyncio.create_task(self._membership(), name="inbox-membership"),
            asyncio.create_task(self._read(), name="inbox-reader"),
        ]

    async def drain(self, grace: float) -> None:
        self._stopping = True
        self._stop.set()
        # The loops end at their next turn (a read blocks at most a second); cancelling
        # is only the fallback, since redis-py may swallow a cancel inside a command.
        await _finish(self._tasks, 3.0)
        workers = list(self._workers.values())
        if workers:
            _, unfinished = await asyncio.wait(workers, timeout=grace)
            if unfinished:
                log.warning(
                    "shutdown: %d conversations handed back unfinished; another worker "
                    "takes them over",
                    len(unfinished),
                )
                await _finish(unfinished, 0)
        with contextlib.suppress(RedisError):
            for partition in list(self._owned):
                await self._release(keys=[self._keys.owner(partition)], args=[self.worker_id])
            await self._redis.zrem(self._keys.workers, self.worker_id)
        self._owned.clear()
        self._handler = None

    async def _membership(self) -> None:
        """Announce this worker, keep its leases, take its fair share and give back extra."""
        tick = self._lease_ms / 4000
        while not self._stop.is_set():
            try:
                await self._rebalance()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("inbox: could not renew partitions", exc_info=True)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(tick * (0.8 + random.random() * 0.4)):
                    await self._stop.wait()

    async def _rebalance(self) -> None:
        now_ms = int(time.time() * 1000)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self._keys.workers, {self.worker_id: now_ms})
            pipe.zremrangebyscore(self._keys.workers, 0, now_ms - 2 * self._lease_ms)
            pipe.zcard(self._keys.workers)
            _, _, workers = await pipe.execute()
        for partition in sorted(self._owned):
            kept = await self._renew(
                keys=[self._keys.owner(partition)], args=[self.worker_id, self._lease_ms]
            )
            if not kept:
                log.warning("inbox: lost partition %d to another worker", partition)
                self._drop(partition)
        share = math.ceil(self._partitions / max(int(workers), 1))
        active = self._owned - self._leaving
        if len(active) < share:
            await self._acquire(share - len(active))
        elif len(active) > share:
            for partition in sorted(active)[share:]:
                self._leaving.add(partition)
        for partition in list(self._leaving):
            if not self._in_hand.get(partition):
                await self._release(keys=[self._keys.owner(partition)], args=[self.worker_id])
                self._drop(partition)

    async def _acquire(self, wanted: int) -> None:
        start = zlib.crc32(self.worker_id.encode()) % self._partitions
        for step in range(self._partitions):
            if wanted <= 0:
                return
            partition = (start + step) % self._partitions
            if partition in self._owned:
                continue
            owner = self._keys.owner(partition)
            if await self._redis.set(owner, self.worker_id, nx=True, px=self._lease_ms):
                self._owned.add(partition)
                wanted -= 1
                await self._take_over(partition)

    async def _take_over(self, partition: int) -> None:
        """Before reading new entries, claim what earlier owners read and did not finish."""
        stream = self._keys.stream(partition)
        with contextlib.suppress(ResponseError):  # BUSYGROUP: it exists already
            await self._redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
        cursor = "0-0"
        claimed = 0
        while True:
            reply = await self._redis.xautoclaim(
                stream, GROUP, self.worker_id, min_idle_time=0, start_id=cursor, count=100
            )
            cursor, rows = reply[0], reply[1]
            self._dispatch(partition, rows)
            claimed += len(rows)
            if cursor in ("0-0", b"0-0"):
                break
        if claimed:
            log.info("inbox: took over %d unfinished entries of partition %d", claimed, partition)

    def _drop(self, partition: int) -> None:
        self._owned.discard(partition)
        self._leaving.discard(partition)
        # Entries not started yet stay in the partition's pending list for its next owner.
        for key, queue in list(self._queues.items()):
            kept = deque(
                item for i, item in enumerate(queue) if i == 0 or item.partition != partition
            )
            dropped = len(queue) - len(kept)
            if dropped:
                self._queues[key] = kept
                self._finished(dropped, partition)

    async def _read(self) -> None:
        while not self._stop.is_set():
            readable = sorted(self._owned - self._leaving)
            if not readable:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.2):
                        await self._stop.wait()
                continue
            streams: dict[Any, Any] = {self._keys.stream(p): ">" for p in readable}
            try:
                replies: Any = await self._redis.xreadgroup(
                    GROUP, self.worker_id, streams, count=200, block=1000
                )
            except asyncio.CancelledError:
                raise
            except ResponseError as exc:
                if "NOGROUP" in str(exc):
                    for partition in readable:
                        await self._take_over(partition)
                    continue
                log.warning("inbox: reading failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            except Exception as exc:
                log.warning("inbox: reading failed: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for stream, rows in replies or ():
                self._dispatch(int(str(stream).rsplit(":", 1)[1]), rows)

    def _dispatch(self, partition: int, rows: Sequence[tuple[Any, Any]]) -> None:
        for stream_id, fields in rows:
            if not fields:
                continue  # deleted meanwhile
            raw = str(fields.get("entry", ""))
            try:
                entry: Entry | None = Entry.from_json(raw)
            except (ValueError, KeyError, TypeError):
                entry = None
            key = entry.conversation_id if entry is not None else f"?{stream_id}"
            self._queues.setdefault(key, deque()).append(
                Journaled(partition, str(stream_id), entry, raw)
            )
            self._in_hand[partition] = self._in_hand.get(partition, 0) + 1
            self._pending += 1
            self._idle.clear()
            if key in self._newer and entry is not None and joinable(entry):
                self._newer[key].set()
            if key not in self._workers:
                self._workers[key] = asyncio.create_task(self._work(key), name=f"inbox:{key}")

    async def _work(self, key: str) -> None:
        try:
            while queue := self._queues.get(key):
                items = _batch(queue)
                newer = self._newer[key] = asyncio.Event()
                try:
                    superseded = await self._handle(items, newer)
                finally:
                    self._newer.pop(key, None)
                if superseded:
                    continue  # decided again, with what came meanwhile
                for item in items:
                    current = self._queues.get(key)
                    if current and current[0] is item:
                        current.popleft()
                        self._finished(1, item.partition)
        finally:
            self._queues.pop(key, None)
            self._workers.pop(key, None)

    def _finished(self, count: int, partition: int) -> None:
        self._pending -= count
        self._in_hand[partition] = self._in_hand.get(partition, 0) - count
        self._changed.set()
        if not self._pending:
            self._idle.set()

    async def _handle(self, items: Sequence[Journaled], newer: asyncio.Event) -> bool:
        """Process a batch until it is done or dead; never lets an error out. True when
        a newer message superseded it before its commit (nothing is acknowledged then).

        Every attempt is counted in Redis first (on the batch's first entry), so an
        entry that kills its worker every time still reaches the dead letters after
        `INBOX_MAX_ATTEMPTS`.
        """
        handler = self._handler
        if handler is None:
            raise RuntimeError("the inbox hands entries out only once started")
        head = items[0]
        attempts = 0
        while True:
            try:
                attempts = int(await self._redis.hincrby(self._keys.tries, head.key, 1))
                if head.entry is None:
                    await self._bury(head, "not an entry", attempts)
                    return False
                if attempts > self._max_attempts:
                    for item in items:
                        await self._bury(item, "failed on every attempt", attempts - 1)
                    await handler.abandon(head.entry)
                    return False
                entries = [item.entry for item in items if item.entry is not None]
                async with self._slots:
                    await handler.process(entries, newer)
                for item in items:
                    await self._done(self._keys.stream(item.partition), item)
                return False
            except Superseded:
                # Not a failure: the attempt does not count.
                await self._redis.hincrby(self._keys.tries, head.key, -1)
                return True
            except asyncio.CancelledError:
                raise  # handed back: it stays pending for the next owner
            except Exception as exc:
                log.warning(
                    "inbox: entry %s (%s) failed on attempt %d of %d: %s",
                    head.stream_id,
                    head.entry.conversation_id if head.entry else "?",
                    attempts,
                    self._max_attempts,
                    exc,
                    exc_info=attempts <= 1,
                )
            delay = min(self._retry_seconds * 2 ** max(attempts - 1, 0), 30.0)
            await asyncio.sleep(delay * (0.75 + random.random() / 2))

    async def _done(self, stream: str, item: Journaled) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(stream, GROUP, item.stream_id)
            pipe.xdel(stream, item.stream_id)
            pipe.hdel(self._keys.tries, item.key)
            await pipe.execute()

    async def _bury(self, item: Journaled, reason: str, attempts: int) -> None:
        log.error("inbox: entry %s moved to the dead letters: %s", item.stream_id, reason)
        stream = self._keys.stream(item.partition)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(
                self._keys.dead,
                {
                    "entry": item.raw,
                    "partition": str(item.partition),
                    "reason": reason,
                    "attempts": str(attempts),
                },
                maxlen=10_000,
                approximate=True,
            )
            pipe.xack(stream, GROUP, item.stream_id)
            pipe.xdel(stream, item.stream_id)
            pipe.hdel(self._keys.tries, item.key)
            await pipe.execute()

    # -- dead letters ------------------------------------------------------------------

    async def dead_letters(self, limit: int = 50) -> list[DeadLetter]:
        rows: Any = await self._redis.xrevrange(self._keys.dead, count=limit)
        return [
            DeadLetter(
                str(row_id),
                int(fields.get("partition", 0)),
                str(fields.get("reason", "")),
                int(fields.get("attempts", 0)),
                str(fields.get("entry", "")),
            )
            for row_id, fields in rows
        ]

    async def retry(self, dead_id: str) -> bool:
        """Put a dead letter back in its partition, with its attempts counted afresh."""
        rows: Any = await self._redis.xrange(self._keys.dead, dead_id, dead_id)
        if not rows:
            return False
        _, fields = rows[0]
        raw = str(fields["entry"])
        partition = int(fields.get("partition", 0))
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self._keys.stream(partition), {"entry": raw})
            pipe.xdel(self._keys.dead, dead_id)
            await pipe.execute()
        return True
