"""The Redis store: state that survives restarts and is shared by every process.

Keys, all under one prefix (`REDIS_PREFIX`). The keys of one conversation share the
hash tag `{<conversation>}`, so on a Redis Cluster they live in one slot and a commit
is one script on one node:

| key | type | holds |
|---|---|---|
| `{c}:conv` | string | the conversation, JSON |
| `{c}:ticket:{id}` | string | a ticket, JSON |
| `{c}:tx:{id}` | list | a ticket's transcript turns, JSON, capped with LTRIM |
| `{c}:lock` | string | the conversation's lock: its holder's token, with a lease |
| `{c}:done:{entry}` | string | an inbox entry already decided, for `DEDUPE_TTL_SECONDS` |
| `{c}:fx:{entry}` | string | the effects a decision left for the outbox, JSON |
| `{c}:fxd:{entry}` | hash | the effects already started, by position |
| `tref:{id}` | string | which conversation a ticket belongs to |
| `seen:{key}` | string | a dedupe claim, with its TTL |
| `log:{name}` | stream | capped append-only logs (handoffs, audit) |
| `flag:{name}` | string | process-wide switches |
| `ref:{kind}:{key}` | string | lookups such as a Slack thread → its ticket |
| `due:{queue}` | sorted set | durable timers (the handoff SLA), scored by due time |

Conversations, tickets, transcripts and refs expire `RETENTION_DAYS` after their last
write. A commit is one round trip: a Lua script that first checks that the caller's
lease is still the lock's token, then writes everything.

`export_customer` and `erase_customer` find a customer's conversations by their hash
tags (`SCAN` on every node), the rest with `CustomerNames`: one `SCAN` each over `ref:`,
`due:`, `flag:` and `log:`, and `tref:` by ticket id. Erasing deletes a conversation's
own keys in one script that checks the eraser's lease, as a commit does; the keys in
other slots (`tref:`, `ref:`, members of `due:`, entries of `log:`, `flag:`) one by one.
`seen:` claims hold provider ids only and expire within `DEDUPE_TTL_SECONDS`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import re
import secrets
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster

from bot.errors import LeaseLost, LockTimeout
from bot.model import Conversation, Ticket, Turn
from bot.store.base import (
    Change,
    CustomerNames,
    CustomerRecord,
    Lease,
    LogEntry,
    Ref,
    Snapshot,
    Store,
    Timer,
    customer_id,
    names_conversation,
)

log = logging.getLogger(__name__)

Client = Redis | RedisCluster

_LOG_MAXLEN = 10_000
_POLL = 0.02  # seconds between tries for a taken lock
_PAGE = 500  # keys read per round trip while looking for a customer's data
_GLOB = re.compile(r"([*?\[\]\\])")

# KEYS: lock, conversation, then the keys the plan's lists name, in order.
_COMMIT = """
local plan = cjson.decode(ARGV[2])
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
local keep = plan.retention
redis.call('SET', KEYS[2], plan.conversation, 'EX', keep)
local k = 3
for _, value in ipairs(plan.tickets) do
  redis.call('SET', KEYS[k], value, 'EX', keep)
  k = k + 1
end
for _, turns in ipairs(plan.turns) do
  redis.call('RPUSH', KEYS[k], unpack(turns))
  redis.call('LTRIM', KEYS[k], -plan.max_turns, -1)
  redis.call('EXPIRE', KEYS[k], keep)
  k = k + 1
end
for _ = 1, plan.done do
  redis.call('SET', KEYS[k], '1', 'EX', plan.done_ttl)
  k = k + 1
end
if plan.effects ~= cjson.null then
  redis.call('SET', KEYS[k], plan.effects, 'EX', plan.done_ttl)
end
return 1
"""
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: the lock, then the conversation's keys to delete (one slot: one hash tag).
_ERASE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""


def _glob(text: str) -> str:
    """`text` matched literally by a SCAN pattern."""
    return _GLOB.sub(r"\\\1", text)


class RedisStore(Store):
    kind = "redis"

    def __init__(
        self,
        client: Client,
        *,
        prefix: str = "switchboard:",
        max_turns: int = 200,
        lock_timeout: float = 120.0,
        lock_lease: float = 15.0,
        retention_seconds: int = 90 * 86400,
        done_ttl: int = 86400,
    ) -> None:
        self._redis = client
        self._prefix = prefix
        self._max_turns = max_turns
        self._lock_timeout = lock_timeout
        self._lease_ms = int(lock_lease * 1000)
        self._retention = retention_seconds
        self._done_ttl = done_ttl
        self._commit = client.register_script(_COMMIT)
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)
        self._erase = client.register_script(_ERASE)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        max_connections: int = 20,
        pool_timeout: float = 5.0,
        verify_tls: bool = True,
        cluster: bool = False,
        **options: Any,
    ) -> RedisStore:
        """A store on its own connection pool of at most `max_connections`.

        The pool blocks: a command that finds every connection busy waits up to
        `pool_timeout` seconds for one, as a database pool would. redis-py's default pool
        raises `MaxConnectionsError` at once instead, which turned a burst of turns into
        failed turns while Redis itself was idle. With `cluster`, `url` is any node of a
        Redis Cluster.
        """
        tls: dict[str, Any] = {}
        if url.startswith("rediss://") and not verify_tls:
            # Heroku's and others' managed Redis present a self-signed certificate.
            tls["ssl_cert_reqs"] = "none"
        if cluster:
            # A cluster client keeps a pool per node and finds the nodes itself; every
            # multi-key step here stays within one hash tag, so one node serves it.
            client: Client = RedisCluster.from_url(
                url,
                **tls,
                decode_responses=True,
                socket_connect_timeout=2,
                socket_timeout=5,
            )
            return cls(client, **options)
        pool = BlockingConnectionPool.from_url(
            url,
            **tls,
            max_connections=max_connections,
            timeout=pool_timeout,
            decode_responses=True,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
        )
        return cls(Redis.from_pool(pool), **options)

    @property
    def client(self) -> Client:
        """The connection pool, for the parts that keep their own keys (the inbox)."""
        return self._redis

    @property
    def prefix(self) -> str:
        return self._prefix

    def key(self, kind: str, name: str) -> str:
        return f"{self._prefix}{kind}:{name}"

    def _of(self, conversation_id: str, kind: str, name: str = "") -> str:
        """A key of one conversation; the braces make Redis Cluster keep them together."""
        tail = f"{kind}:{name}" if name else kind
        return f"{self._prefix}{{{conversation_id}}}:{tail}"

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()

    # -- state ---------------------------------------------------------------------

    async def load(self, conversation_id: str) -> Snapshot:
        conversation = await self.get_conversation(conversation_id)
        ticket = None
        if conversation is not None and conversation.ticket_id is not None:
            raw = await self._redis.get(
                self._of(conversation_id, "ticket", conversation.ticket_id)
            )
            ticket = None if raw is None else Ticket.from_json(json.loads(raw))
        return Snapshot(conversation, ticket)

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        raw = await self._redis.get(self._of(conversation_id, "conv"))
        return None if raw is None else Conversation.from_json(json.loads(raw))

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        conversation_id = await self._redis.get(self.key("tref", ticket_id))
        if conversation_id is None:
            return None
        raw = await self._redis.get(self._of(str(conversation_id), "ticket", ticket_id))
        return None if raw is None else Ticket.from_json(json.loads(raw))

    async def commit(self, change: Change, lease: Lease | None) -> None:
        cid = change.conversation.id
        keys = [self._of(cid, "lock"), self._of(cid, "conv")]
        keys += [self._of(cid, "ticket", t.id) for t in change.tickets]
        turns = [(tid, added) for tid, added in change.turns.items() if added]
        keys += [self._of(cid, "tx", tid) for tid, _ in turns]
        keys += [self._of(cid, "done", entry) for entry in change.entries]
        if change.effects is not None and change.entries:
            keys.append(self._of(cid, "fx", change.entries[0]))
        plan = {
            "conversation": json.dumps(change.conversation.to_json()),
            "tickets": [json.dumps(t.to_json()) for t in change.tickets],
            "turns": [[json.dumps(turn.to_json()) for turn in added] for _, added in turns],
            "done": len(change.entries),
            "effects": change.effects if change.entries else None,
            "retention": self._retention,
            "done_ttl": self._done_ttl,
            "max_turns": self._max_turns,
        }
        token = lease.token if lease is not None else ""
        if change.tickets:
            # Outside the script: a ticket id is looked up from anywhere (the admin API, a
            # Slack thread), so its pointer cannot live in the conversation's slot.
            async with self._redis.pipeline(transaction=False) as pipe:
                for ticket in change.tickets:
                    pipe.set(self.key("tref", ticket.id), cid, ex=self._retention)
                await pipe.execute()
        written = await self._commit(keys=keys, args=[token, json.dumps(plan)])
        if not written:
            raise LeaseLost(f"conversation {cid}: the lock is held by someone else now")

    async def transcript(
        self, ticket_id: str, limit: int | None = None, *, conversation_id: str | None = None
    ) -> list[Turn]:
        if limit is not None and limit <= 0:
            return []
        if conversation_id is None:
            found = await self._redis.get(self.key("tref", ticket_id))
            if found is None:
                return []
            conversation_id = str(found)
        start = 0 if limit is None else -limit
        raws = await self._redis.lrange(self._of(conversation_id, "tx", ticket_id), start, -1)
        return [Turn.from_json(json.loads(raw)) for raw in raws]

    # -- the outbox's ledger -----------------------------------------------------------

    async def is_done(self, conversation_id: str, entry_id: str) -> bool:
        return bool(await self._redis.exists(self._of(conversation_id, "done", entry_id)))

    async def pending_effects(self, conversation_id: str, entry_id: str) -> str | None:
        raw = await self._redis.get(self._of(conversation_id, "fx", entry_id))
        return None if raw is None else str(raw)

    async def start_effect(self, conversation_id: str, entry_id: str, index: int) -> bool:
        key = self._of(conversation_id, "fxd", entry_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, str(index), "1")
            pipe.expire(key, self._done_ttl)
            first, _ = await pipe.execute()
        return bool(first)

    async def finish_effects(self, conversation_id: str, entry_id: str) -> None:
        await self._redis.delete(
            self._of(conversation_id, "fx", entry_id), self._of(conversation_id, "fxd", entry_id)
        )

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        return bool(await self._redis.set(self.key("seen", key), "1", nx=True, ex=ttl_seconds))

    # -- the conversation's lock -----------------------------------------------------

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[Lease]:
        return self._hold(conversation_id)

    @asynccontextmanager
    async def _hold(self, conversation_id: str) -> AsyncIterator[Lease]:
        key = self._of(conversation_id, "lock")
        lease = Lease(conversation_id, secrets.token_hex(16))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._lock_timeout
        while not await self._redis.set(key, lease.token, nx=True, px=self._lease_ms):
            if loop.time() >= deadline:
                raise LockTimeout(
                    f"conversation {conversation_id} stayed locked for {self._lock_timeout}s"
                )
            await asyncio.sleep(_POLL * (0.5 + random.random()))
        done = asyncio.Event()
        renewal = asyncio.create_task(
            self._keep(key, lease, done), name=f"lease:{conversation_id}"
        )
        try:
            yield lease
        finally:
            # Told to stop rather than cancelled: redis-py may swallow a cancellation
            # that lands inside a command, and the renewal would then run forever.
            done.set()
            await renewal
            if not await self._release(keys=[key], args=[lease.token]):
                log.warning("the lease on %s ran out before its holder was done", conversation_id)

    async def _keep(self, key: str, lease: Lease, done: asyncio.Event) -> None:
        """Renew the lease while its holder works, three times per lease period."""
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._lease_ms / 3000):
                    await done.wait()
            if done.is_set():
                return
            try:
                if not await self._renew(keys=[key], args=[lease.token, self._lease_ms]):
                    log.warning("lost the lease on %s", lease.conversation_id)
                    return
            except Exception:
                # A blip: the lease has two more renewals' worth of time left.
                log.warning("could not renew the lease on %s", lease.conversation_id)

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

    # -- privacy -------------------------------------------------------------------

    async def export_customer(self, customer: str) -> CustomerRecord:
        customer = customer_id(customer)
        return await self._gather(customer, await self._find(customer))

    async def erase_customer(self, customer: str) -> CustomerRecord:
        customer = customer_id(customer)
        found = await self._find(customer)
        async with AsyncExitStack() as held:
            leases = [await held.enter_async_context(self.lock(cid)) for cid in sorted(found)]
            # Listed again under the locks: a turn may have written more meanwhile.
            owned = {
                lease.conversation_id: await self._keys_of(lease.conversation_id)
                for lease in leases
            }
            record = await self._gather(customer, owned)
            for lease in leases:
                lock = self._of(lease.conversation_id, "lock")
                doomed = [key for key in owned[lease.conversation_id] if key != lock]
                if not await self._erase(keys=[lock, *doomed], args=[lease.token]):
                    raise LeaseLost(f"conversation {lease.conversation_id}: lost the lock")
            ticket_ids = record.transcripts.keys() | {t.id for t in record.tickets}
            gone: dict[str, list[str]] = {}
            for entry in record.logs:
                gone.setdefault(self.key("log", entry.log), []).append(entry.id)
            # Not one transaction: these keys live in other slots, each command touches one.
            async with self._redis.pipeline(transaction=False) as pipe:
                for ticket_id in ticket_ids:
                    pipe.delete(self.key("tref", ticket_id))
                for ref in record.refs:
                    pipe.delete(self.key("ref", f"{ref.kind}:{ref.key}"))
                for timer in record.timers:
                    pipe.zrem(self.key("due", timer.queue), timer.key)
                for name in record.flags:
                    pipe.delete(self.key("flag", name))
                for log_key, ids in gone.items():
                    pipe.xdel(log_key, *ids)
                await pipe.execute()
        return record

    async def _scan(self, pattern: str) -> AsyncIterator[str]:
        """Every key matching `pattern`, on every node of a cluster."""
        async for key in self._redis.scan_iter(match=pattern, count=1000):
            yield str(key)

    async def _tagged(self, pattern: str, wanted: Callable[[str], bool]) -> dict[str, list[str]]:
        """The keys matching `pattern`, by the conversation their hash tag names."""
        start = len(self._prefix) + 1
        found: dict[str, list[str]] = {}
        async for key in self._scan(pattern):
            end = key.find("}:", start)
            if end != -1 and wanted(key[start:end]):
                found.setdefault(key[start:end], []).append(key)
        return found

    async def _keys_of(self, conversation_id: str) -> list[str]:
        pattern = f"{_glob(self._prefix)}{{{_glob(conversation_id)}}}:*"
        found = await self._tagged(pattern, lambda cid: cid == conversation_id)
        return found.get(conversation_id, [])

    async def _find(self, customer: str) -> dict[str, list[str]]:
        """The customer's conversations, each with its keys."""
        owner = await self._redis.get(self.key("tref", customer))
        if owner is not None:
            return {str(owner): await self._keys_of(str(owner))}
        pattern = f"{_glob(self._prefix)}{{*{_glob(customer)}}}:*"
        return await self._tagged(pattern, lambda cid: names_conversation(customer, cid))

    async def _values(self, keys: Sequence[str]) -> list[str | None]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(key)
            values = await pipe.execute()
        return [None if value is None else str(value) for value in values]

    async def _gather(self, customer: str, owned: Mapping[str, Sequence[str]]) -> CustomerRecord:
        if not owned:
            return CustomerRecord(customer)  # nothing names them: no need to read the rest
        conversations: list[Conversation] = []
        tickets: list[Ticket] = []
        transcripts: dict[str, list[Turn]] = {}
        for cid, keys in owned.items():
            base = len(self._of(cid, ""))
            for key in keys:
                kind, _, name = key[base:].partition(":")
                if kind == "conv" and (raw := await self._redis.get(key)) is not None:
                    conversations.append(Conversation.from_json(json.loads(raw)))
                elif kind == "ticket" and (raw := await self._redis.get(key)) is not None:
                    tickets.append(Ticket.from_json(json.loads(raw)))
                elif kind == "tx":
                    raws = await self._redis.lrange(key, 0, -1)
                    transcripts[name] = [Turn.from_json(json.loads(r)) for r in raws]
        names = CustomerNames(
            owned,
            (t.id for t in tickets),
            (turn for kept in transcripts.values() for turn in kept),
        )
        return CustomerRecord(
            customer,
            tuple(sorted(owned)),
            tuple(conversations),
            tuple(tickets),
            transcripts,
            await self._refs_of(names),
            await self._timers_of(names),
            await self._flags_of(names),
            await self._logs_of(names),
        )

    async def _refs_of(self, names: CustomerNames) -> tuple[Ref, ...]:
        """Every ref is read once (a ref's value can name the customer); those keyed by
        what the first pass learned are then looked up under every kind seen."""
        base = self.key("ref", "")
        found: dict[str, Ref] = {}
        kinds: set[str] = set()
        page: list[str] = []

        async def read() -> None:
            for key, value in zip(page, await self._values(page), strict=True):
                kind, _, name = key[len(base) :].partition(":")
                kinds.add(kind)
                if value is not None and names.first_ref(ref := Ref(kind, name, value)):
                    found[key] = ref
            page.clear()

        async for key in self._scan(_glob(base) + "*"):
            page.append(key)
            if len(page) >= _PAGE:
                await read()
        await read()
        pointed = [
            (kind, pointer, self.key("ref", f"{kind}:{pointer}"))
            for pointer in sorted(names.pointers)
            for kind in sorted(kinds)
        ]
        keys = [key for _, _, key in pointed if key not in found]
        values = dict(zip(keys, await self._values(keys), strict=True))
        for kind, pointer, key in pointed:
            if values.get(key) is not None:
                found[key] = Ref(kind, pointer, str(values[key]))
        return tuple(found.values())

    async def _timers_of(self, names: CustomerNames) -> tuple[Timer, ...]:
        base = self.key("due", "")
        members = sorted(names.own)
        timers: list[Timer] = []
        async for key in self._scan(_glob(base) + "*"):
            scores = await self._redis.zmscore(key, members)
            timers += [
                Timer(key[len(base) :], member, datetime.fromtimestamp(score, UTC))
                for member, score in zip(members, scores, strict=True)
                if score is not None and names.timer(member)
            ]
        return tuple(timers)

    async def _flags_of(self, names: CustomerNames) -> dict[str, str]:
        base = self.key("flag", "")
        keys = [key async for key in self._scan(_glob(base) + "*") if names.flag(key[len(base) :])]
        values = await self._values(keys)
        return {
            key[len(base) :]: value
            for key, value in zip(keys, values, strict=True)
            if value is not None
        }

    async def _logs_of(self, names: CustomerNames) -> tuple[LogEntry, ...]:
        base = self.key("log", "")
        entries: list[LogEntry] = []
        async for key in self._scan(_glob(base) + "*"):
            start = "-"
            while rows := await self._redis.xrange(key, min=start, count=_PAGE):
                for row_id, fields in rows:
                    try:
                        entry = json.loads((fields or {}).get("entry", ""))
                    except ValueError:
                        continue
                    if isinstance(entry, dict) and names.entry(entry):
                        entries.append(LogEntry(key[len(base) :], str(row_id), entry))
                if len(rows) < _PAGE:
                    break
                start = "(" + str(rows[-1][0])
        return tuple(entries)
