"""The Redis store: state that survives restarts and is shared by every process.

Keys, all under one prefix (`REDIS_PREFIX`):

| key | type | holds |
|---|---|---|
| `conv:{conversation}` | string | the conversation, JSON |
| `ticket:{id}` | string | the ticket, JSON |
| `tx:{ticket}` | list | transcript turns, JSON, capped with LTRIM |
| `seen:{key}` | string | a dedupe claim, with its TTL |
| `lock:{conversation}` | string | the conversation's lock (redis-py's token lock) |
| `log:{name}` | stream | capped append-only logs (handoffs, audit) |
| `flag:{name}` | string | process-wide switches |
| `ref:{kind}:{key}` | string | lookups such as a Slack thread → its ticket |
| `due:{queue}` | sorted set | durable timers (the handoff SLA), scored by due time |

Conversations, tickets, transcripts and refs expire `RETENTION_DAYS` after their last
write. One save is one round trip (a MULTI pipeline).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.exceptions import LockError, LockNotOwnedError

from bot.errors import LockTimeout
from bot.model import Conversation, Ticket, Turn
from bot.store.base import Store

log = logging.getLogger(__name__)

_LOG_MAXLEN = 10_000


class RedisStore(Store):
    kind = "redis"

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "switchboard:",
        max_turns: int = 200,
        lock_timeout: float = 120.0,
        retention_seconds: int = 90 * 86400,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._max_turns = max_turns
        self._lock_timeout = lock_timeout
        self._retention = retention_seconds

    @classmethod
    def from_url(
        cls, url: str, *, max_connections: int = 20, pool_timeout: float = 5.0, **options: Any
    ) -> RedisStore:
        """A store on its own connection pool of at most `max_connections`.

        The pool blocks: a command that finds every connection busy waits up to
        `pool_timeout` seconds for one, as a database pool would. redis-py's default pool
        raises `MaxConnectionsError` at once instead, which turned a burst of turns into
        failed turns while Redis itself was idle.
        """
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=pool_timeout,
            decode_responses=True,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        )
        return cls(Redis.from_pool(pool), **options)

    def key(self, kind: str, name: str) -> str:
        return f"{self._prefix}{kind}:{name}"

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        raw = await self._redis.get(self.key("conv", conversation_id))
        return None if raw is None else Conversation.from_json(json.loads(raw))

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        raw = await self._redis.get(self.key("ticket", ticket_id))
        return None if raw is None else Ticket.from_json(json.loads(raw))

    async def save(
        self,
        conversation: Conversation,
        ticket: Ticket | None = None,
        turns: Sequence[Turn] = (),
    ) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(
                self.key("conv", conversation.id),
                json.dumps(conversation.to_json()),
                ex=self._retention,
            )
            if ticket is not None:
                pipe.set(
                    self.key("ticket", ticket.id), json.dumps(ticket.to_json()), ex=self._retention
                )
                if turns:
                    tx = self.key("tx", ticket.id)
                    pipe.rpush(tx, *(json.dumps(turn.to_json()) for turn in turns))
                    pipe.ltrim(tx, -self._max_turns, -1)
                    pipe.expire(tx, self._retention)
            await pipe.execute()

    async def transcript(self, ticket_id: str, limit: int | None = None) -> list[Turn]:
        if limit is not None and limit <= 0:
            return []
        start = 0 if limit is None else -limit
        raws = await self._redis.lrange(self.key("tx", ticket_id), start, -1)
        return [Turn.from_json(json.loads(raw)) for raw in raws]

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        return bool(await self._redis.set(self.key("seen", key), "1", nx=True, ex=ttl_seconds))

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[None]:
        # The lock expires after `lock_timeout` so a crashed process cannot wedge a
        # conversation; a waiter gives up after the same time.
        lock = self._redis.lock(
            self.key("lock", conversation_id),
            timeout=self._lock_timeout,
            sleep=0.02,
            blocking_timeout=self._lock_timeout,
            thread_local=False,
        )
        try:
            acquired = await lock.acquire()
        except LockError:
            acquired = False
        if not acquired:
            raise LockTimeout(
                f"conversation {conversation_id} stayed locked for {self._lock_timeout}s"
            )
        try:
            yield
        finally:
            try:
                await lock.release()
            except LockNotOwnedError:
                log.warning(
                    "lock of %s expired before the turn ended; raise LOCK_TIMEOUT_SECONDS",
                    conversation_id,
                )

    async def append_log(self, name: str, entry: dict[str, Any]) -> None:
        await self._redis.xadd(
            self.key("log", name),
            {"entry": json.dumps(entry)},
            maxlen=_LOG_MAXLEN,
            approximate=True,
        )

    async def read_log(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        rows = await self._redis.xrevrange(self.key("log", name), count=limit)
        return [json.loads(fields["entry"]) for _, fields in rows or () if fields]

    async def put_ref(self, kind: str, key: str, value: str) -> None:
        await self._redis.set(self.key("ref", f"{kind}:{key}"), value, ex=self._retention)

    async def get_ref(self, kind: str, key: str) -> str | None:
        value = await self._redis.get(self.key("ref", f"{kind}:{key}"))
        return None if value is None else str(value)

    async def schedule(self, queue: str, key: str, due: datetime) -> None:
        await self._redis.zadd(self.key("due", queue), {key: due.timestamp()})

    async def cancel(self, queue: str, key: str) -> None:
        await self._redis.zrem(self.key("due", queue), key)

    async def take_due(self, queue: str, until: datetime, limit: int = 100) -> list[str]:
        name = self.key("due", queue)
        candidates = await self._redis.zrangebyscore(
            name, "-inf", until.timestamp(), start=0, num=limit
        )
        if not candidates:
            return []
        # Every process polls; ZREM answers 1 to exactly one of them per timer.
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in candidates:
                pipe.zrem(name, str(key))
            removed = await pipe.execute()
        return [str(key) for key, won in zip(candidates, removed, strict=True) if won]

    async def get_flag(self, name: str) -> str | None:
        value = await self._redis.get(self.key("flag", name))
        return None if value is None else str(value)

    async def set_flag(self, name: str, value: str | None) -> None:
        if value is None:
            await self._redis.delete(self.key("flag", name))
        else:
            await self._redis.set(self.key("flag", name), value)
