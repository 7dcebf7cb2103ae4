"""The embedded store: everything in this process, nothing to set up, gone on exit.

Values are kept as JSON text, as Redis keeps them, so both backends go through
the same serialization and a caller can never mutate what was stored.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from datetime import datetime
from typing import Any

from bot.errors import LockTimeout
from bot.model import Conversation, Ticket, Turn
from bot.store.base import (
    Change,
    CustomerNames,
    CustomerRecord,
    Lease,
    LogEntry,
    Ref,
    Store,
    Timer,
    customer_id,
    names_conversation,
)

_LOG_MAXLEN = 10_000


class _KeyedLocks:
    """One FIFO asyncio lock per key, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str, wait: float) -> AsyncIterator[Lease]:
        lock, users = self._locks.get(key, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[key] = (lock, users + 1)
        try:
            try:
                async with asyncio.timeout(wait):
                    await lock.acquire()
            except TimeoutError:
                raise LockTimeout(f"conversation {key} stayed locked for {wait}s") from None
            try:
                # One process: a holder cannot lose its lock, so the token is never checked.
                yield Lease(key, "local")
            finally:
                lock.release()
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class MemoryStore(Store):
    kind = "memory"

    def __init__(
        self, *, max_turns: int = 200, lock_timeout: float = 120.0, done_ttl: int = 86400
    ) -> None:
        self._max_turns = max_turns
        self._lock_timeout = lock_timeout
        self._done_ttl = done_ttl
        self._done: dict[tuple[str, str], float] = {}
        self._effects: dict[tuple[str, str], str] = {}
        self._started: set[tuple[str, str, int]] = set()
        self._conversations: dict[str, str] = {}
        self._tickets: dict[str, str] = {}
        self._transcripts: dict[str, deque[str]] = {}
        self._claims: dict[str, float] = {}
        self._logs: dict[str, deque[str]] = {}
        self._flags: dict[str, str] = {}
        self._refs: dict[tuple[str, str], str] = {}
        self._timers: dict[str, dict[str, datetime]] = {}
        self._locks = _KeyedLocks()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        raw = self._conversations.get(conversation_id)
        return None if raw is None else Conversation.from_json(json.loads(raw))

    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        raw = self._tickets.get(ticket_id)
        return None if raw is None else Ticket.from_json(json.loads(raw))

    async def commit(self, change: Change, lease: Lease | None) -> None:
        cid = change.conversation.id
        self._conversations[cid] = json.dumps(change.conversation.to_json())
        for ticket in change.tickets:
            self._tickets[ticket.id] = json.dumps(ticket.to_json())
        for ticket_id, turns in change.turns.items():
            kept = self._transcripts.setdefault(ticket_id, deque(maxlen=self._max_turns))
            kept.extend(json.dumps(turn.to_json()) for turn in turns)
        until = time.monotonic() + self._done_ttl
        if len(self._done) > 10_000:
            moment = time.monotonic()
            self._done = {k: v for k, v in self._done.items() if v > moment}
        for entry in change.entries:
            self._done[(cid, entry)] = until
        if change.effects is not None and change.entries:
            self._effects[(cid, change.entries[0])] = change.effects

    async def is_done(self, conversation_id: str, entry_id: str) -> bool:
        until = self._done.get((conversation_id, entry_id))
        return until is not None and until > time.monotonic()

    async def pending_effects(self, conversation_id: str, entry_id: str) -> str | None:
        return self._effects.get((conversation_id, entry_id))

    async def start_effect(self, conversation_id: str, entry_id: str, index: int) -> bool:
        key = (conversation_id, entry_id, index)
        if key in self._started:
            return False
        self._started.add(key)
        return True

    async def finish_effects(self, conversation_id: str, entry_id: str) -> None:
        self._effects.pop((conversation_id, entry_id), None)
        self._started = {k for k in self._started if k[:2] != (conversation_id, entry_id)}

    async def transcript(
        self, ticket_id: str, limit: int | None = None, *, conversation_id: str | None = None
    ) -> list[Turn]:
        kept = list(self._transcripts.get(ticket_id, ()))
        if limit is not None:
            kept = kept[-limit:] if limit > 0 else []
        return [Turn.from_json(json.loads(raw)) for raw in kept]

    async def claim(self, key: str, ttl_seconds: int) -> bool:
        moment = time.monotonic()
        if len(self._claims) > 10_000:
            self._claims = {k: until for k, until in self._claims.items() if until > moment}
        until = self._claims.get(key)
        if until is not None and until > moment:
            return False
        self._claims[key] = moment + ttl_seconds
        return True

    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[Lease]:
        return self._locks.hold(conversation_id, self._lock_timeout)

    async def append_log(self, name: str, entry: dict[str, Any]) -> None:
        self._logs.setdefault(name, deque(maxlen=_LOG_MAXLEN)).append(json.dumps(entry))

    async def read_log(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        entries = self._logs.get(name, deque())
        newest = list(entries)[::-1][:limit]
        return [json.loads(raw) for raw in newest]

    async def put_ref(self, kind: str, key: str, value: str) -> None:
        self._refs[(kind, key)] = value

    async def get_ref(self, kind: str, key: str) -> str | None:
        return self._refs.get((kind, key))

    async def schedule(self, queue: str, key: str, due: datetime) -> None:
        self._timers.setdefault(queue, {})[key] = due

    async def cancel(self, queue: str, key: str) -> None:
        self._timers.get(queue, {}).pop(key, None)

    async def take_due(self, queue: str, until: datetime, limit: int = 100) -> list[str]:
        timers = self._timers.get(queue, {})
        due = sorted((at, key) for key, at in timers.items() if at <= until)[:limit]
        for _, key in due:
            del timers[key]
        return [key for _, key in due]

    async def get_flag(self, name: str) -> str | None:
        return self._flags.get(name)

    async def set_flag(self, name: str, value: str | None) -> None:
        if value is None:
            self._flags.pop(name, None)
        else:
            self._flags[name] = value

    # -- privacy -------------------------------------------------------------------

    async def export_customer(self, customer: str) -> CustomerRecord:
        customer = customer_id(customer)
        return self._gather(customer, self._conversation_ids(customer))

    async def erase_customer(self, customer: str) -> CustomerRecord:
        customer = customer_id(customer)
        async with AsyncExitStack() as held:
            conversation_ids = self._conversation_ids(customer)
            for cid in conversation_ids:
                await held.enter_async_context(self.lock(cid))
            # No await from here on: what is gathered is exactly what is deleted.
            found = self._gather(customer, conversation_ids)
            cids = set(conversation_ids)
            for cid in cids:
                self._conversations.pop(cid, None)
            for ticket_id in found.transcripts.keys() | {t.id for t in found.tickets}:
                self._tickets.pop(ticket_id, None)
                self._transcripts.pop(ticket_id, None)
            self._done = {k: v for k, v in self._done.items() if k[0] not in cids}
            self._effects = {k: v for k, v in self._effects.items() if k[0] not in cids}
            self._started = {k for k in self._started if k[0] not in cids}
            for ref in found.refs:
                self._refs.pop((ref.kind, ref.key), None)
            for timer in found.timers:
                self._timers.get(timer.queue, {}).pop(timer.key, None)
            for name in found.flags:
                self._flags.pop(name, None)
            gone = {(entry.log, entry.id) for entry in found.logs}
            for name in {entry.log for entry in found.logs}:
                self._logs[name] = deque(
                    (raw for i, raw in enumerate(self._logs[name]) if (name, str(i)) not in gone),
                    maxlen=_LOG_MAXLEN,
                )
        return found

    def _conversation_ids(self, customer: str) -> list[str]:
        ticket = self._tickets.get(customer)
        if ticket is not None:
            return [str(json.loads(ticket)["conversation_id"])]
        known = set(self._conversations) | {cid for cid, _ in self._done}
        known |= {json.loads(raw)["conversation_id"] for raw in self._tickets.values()}
        return sorted(cid for cid in known if names_conversation(customer, cid))

    def _gather(self, customer: str, conversation_ids: Sequence[str]) -> CustomerRecord:
        if not conversation_ids:
            return CustomerRecord(customer)
        cids = set(conversation_ids)
        conversations = tuple(
            Conversation.from_json(json.loads(self._conversations[cid]))
            for cid in conversation_ids
            if cid in self._conversations
        )
        tickets = tuple(
            ticket
            for ticket in (Ticket.from_json(json.loads(raw)) for raw in self._tickets.values())
            if ticket.conversation_id in cids
        )
        transcripts = {
            t.id: [Turn.from_json(json.loads(raw)) for raw in self._transcripts[t.id]]
            for t in tickets
            if t.id in self._transcripts
        }
        names = CustomerNames(
            cids, (t.id for t in tickets), (turn for kept in transcripts.values() for turn in kept)
        )
        every_ref = [Ref(kind, key, value) for (kind, key), value in self._refs.items()]
        refs = [ref for ref in every_ref if names.first_ref(ref)]
        taken = set(refs)
        refs += [ref for ref in every_ref if ref not in taken and names.second_ref(ref)]
        return CustomerRecord(
            customer,
            tuple(conversation_ids),
            conversations,
            tickets,
            transcripts,
            tuple(refs),
            timers=tuple(
                Timer(queue, key, due)
                for queue, armed in self._timers.items()
                for key, due in armed.items()
                if names.timer(key)
            ),
            flags={name: value for name, value in self._flags.items() if names.flag(name)},
            logs=tuple(
                LogEntry(name, str(i), entry)
                for name, entries in self._logs.items()
                for i, entry in enumerate(json.loads(raw) for raw in entries)
                if names.entry(entry)
            ),
        )
