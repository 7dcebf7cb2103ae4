"""The store seam: every piece of state a conversation needs, behind one interface.

Two real backends implement it (`MemoryStore` for one process with no setup,
`RedisStore` for restarts and many processes) and one contract test suite
(`tests/test_store_contract.py`) runs unchanged against both.

Lock before load: a turn takes the conversation's lock, then reads its state,
so two messages of one conversation can never both act on the same snapshot.
The lock is a lease: its holder renews it while it works, a holder that dies
loses it after `lock_lease` seconds, and `commit` refuses to write for a holder
that lost it (the fencing check), so a paused worker cannot overwrite what its
successor decided.

What one inbound entry changes is written by one `commit`: the conversation,
its tickets, new transcript turns, the entry marked done, and the effects the
outbox must carry out. Each effect is then started at most once
(`start_effect`), so a retried entry never sends twice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.model import Conversation, Ticket, Turn


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A conversation as loaded at the start of a turn, and its open ticket."""

    conversation: Conversation | None
    ticket: Ticket | None


@dataclass(frozen=True, slots=True)
class Lease:
    """Proof of holding a conversation's lock; `commit` checks it is still current."""

    conversation_id: str
    token: str


@dataclass(frozen=True, slots=True)
class Change:
    """Everything one decision writes, in one transaction.

    `tickets` are written in order (a closed ticket, then the new one); `turns` are
    appended to each ticket's transcript; `entries` are marked done; `effects`
    (serialized by `bot.effects.dump`) are kept for the outbox under `entries[0]`.
    """

    conversation: Conversation
    tickets: Sequence[Ticket] = ()
    turns: Mapping[str, Sequence[Turn]] = field(default_factory=dict)
    entries: Sequence[str] = ()
    effects: str | None = None


class Store(ABC):
    """Conversations, tickets, transcripts, dedupe keys, locks, logs and flags."""

    kind: str

    @abstractmethod
    async def ping(self) -> None:
        """Return when the store answers; raise when it does not."""

    @abstractmethod
    async def close(self) -> None:
        """Release connections. The store is unusable afterwards."""

    async def load(self, conversation_id: str) -> Snapshot:
        """The conversation and its current ticket (either may be missing)."""
        conversation = await self.get_conversation(conversation_id)
        ticket = None
        if conversation is not None and conversation.ticket_id is not None:
            ticket = await self.get_ticket(conversation.ticket_id)
        return Snapshot(conversation, ticket)

    @abstractmethod
    async def get_conversation(self, conversation_id: str) -> Conversation | None:
        """A conversation by id (`channel:customer`)."""

    @abstractmethod
    async def get_ticket(self, ticket_id: str) -> Ticket | None:
        """A ticket by id, whichever conversation it belongs to."""

    async def save(
        self,
        conversation: Conversation,
        ticket: Ticket | None = None,
        turns: Sequence[Turn] = (),
    ) -> None:
        """Write the conversation, its ticket and new transcript turns together, without
        holding the lock (tools and tests; the engine commits under its lease)."""
        tickets = [ticket] if ticket is not None else []
        added = {ticket.id: turns} if ticket is not None and turns else {}
        await self.commit(Change(conversation, tickets, added), None)

    @abstractmethod
    async def commit(self, change: Change, lease: Lease | None) -> None:
        """Write `change` in one transaction, only while `lease` is still held.

        Raises `LeaseLost` (and writes nothing) when another holder has the lock now.
        The transcript keeps the newest `max_turns` turns of each ticket.
        """

    @abstractmethod
    async def transcript(
        self, ticket_id: str, limit: int | None = None, *, conversation_id: str | None = None
    ) -> list[Turn]:
        """The ticket's newest `limit` turns (all kept turns if None), oldest first.

        `conversation_id` saves a lookup when the caller knows whose ticket it is.
        """

    @abstractmethod
    async def is_done(self, conversation_id: str, entry_id: str) -> bool:
        """Whether a commit already decided this entry (within the dedupe TTL)."""

    @abstractmethod
    async def pending_effects(self, conversation_id: str, entry_id: str) -> str | None:
        """The effects a committed entry left for the outbox, until `finish_effects`."""

    @abstractmethod
    async def start_effect(self, conversation_id: str, entry_id: str, index: int) -> bool:
        """True for the first caller only: record that an effect is being carried out
        before it is attempted, so a retry never attempts it again."""

    @abstractmethod
    async def finish_effects(self, conversation_id: str, entry_id: str) -> None:
        """Every effect of the entry was attempted: forget them."""

    @abstractmethod
    async def claim(self, key: str, ttl_seconds: int) -> bool:
        """True for the first caller with `key` within `ttl_seconds`, False for repeats.

        This is how re-delivered provider messages are dropped.
        """

    @abstractmethod
    def lock(self, conversation_id: str) -> AbstractAsyncContextManager[Lease]:
        """Hold the conversation exclusively (renewed while held); raises `LockTimeout`
        when it stays taken longer than the lock timeout."""

    @abstractmethod
    async def append_log(self, name: str, entry: dict[str, Any]) -> None:
        """Add an entry to a capped, append-only log (handoffs, audit)."""

    @abstractmethod
    async def read_log(self, name: str, limit: int = 100) -> list[dict[str, Any]]:
        """The newest `limit` entries of a log, newest first."""

    @abstractmethod
    async def put_ref(self, kind: str, key: str, value: str) -> None:
        """Remember `key` → `value` (a Slack thread → its ticket) for as long as tickets live."""

    @abstractmethod
    async def get_ref(self, kind: str, key: str) -> str | None:
        """What `put_ref` remembered, or None."""

    @abstractmethod
    async def schedule(self, queue: str, key: str, due: datetime) -> None:
        """Arm (or re-arm) a durable timer; it outlives this process."""

    @abstractmethod
    async def cancel(self, queue: str, key: str) -> None:
        """Disarm a timer; a timer that is not armed is left alone."""

    @abstractmethod
    async def take_due(self, queue: str, until: datetime, limit: int = 100) -> list[str]:
        """Disarm and return the timers due by `until`, earliest first.

        Each due timer goes to exactly one caller, even with many processes polling.
        """

    @abstractmethod
    async def get_flag(self, name: str) -> str | None:
        """A process-wide switch shared by every process on this store."""

    @abstractmethod
    async def set_flag(self, name: str, value: str | None) -> None:
        """Set a switch; None clears it."""
