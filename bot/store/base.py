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

Privacy: `export_customer` gathers everything the store holds about one customer and
`erase_customer` deletes it, under the lock of each of their conversations.
`CustomerNames` decides what belongs to them, the same way for both backends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
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


@dataclass(frozen=True, slots=True)
class Ref:
    """One `put_ref` lookup."""

    kind: str
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class Timer:
    """One armed timer: `key` (a ticket id for the handoff SLA) is due at `due`."""

    queue: str
    key: str
    due: datetime


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One entry of an append-only log; `id` is where it sits in that log."""

    log: str
    id: str
    entry: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """Everything the store holds about one customer: what `export_customer` found, or
    what `erase_customer` deleted. `customer` is the id as the operator gave it."""

    customer: str
    conversation_ids: tuple[str, ...] = ()
    conversations: tuple[Conversation, ...] = ()
    tickets: tuple[Ticket, ...] = ()
    transcripts: Mapping[str, Sequence[Turn]] = field(default_factory=dict)
    refs: tuple[Ref, ...] = ()
    timers: tuple[Timer, ...] = ()
    flags: Mapping[str, str] = field(default_factory=dict)
    logs: tuple[LogEntry, ...] = ()

    def counts(self) -> dict[str, int]:
        return {
            "conversations": len(self.conversation_ids),
            "tickets": len({t.id for t in self.tickets} | set(self.transcripts)),
            "turns": sum(len(turns) for turns in self.transcripts.values()),
            "refs": len(self.refs),
            "timers": len(self.timers),
            "flags": len(self.flags),
            "log_entries": len(self.logs),
        }

    def to_json(self) -> dict[str, Any]:
        """The export: one JSON document, each ticket with its whole transcript."""
        conversations = {c.id: c for c in self.conversations}
        tickets = {t.id: t for t in self.tickets}
        return {
            "customer": self.customer,
            "conversations": [
                {"id": cid, **(conversations[cid].to_json() if cid in conversations else {})}
                for cid in self.conversation_ids
            ],
            "tickets": [
                {
                    **(tickets[tid].to_json() if tid in tickets else {"id": tid}),
                    "transcript": [turn.to_json() for turn in self.transcripts.get(tid, ())],
                }
                # A transcript may outlive its ticket by a moment (it expires separately).
                for tid in sorted(tickets.keys() | self.transcripts.keys())
            ],
            "timers": [
                {"queue": t.queue, "key": t.key, "due": t.due.isoformat()} for t in self.timers
            ],
            "refs": [{"kind": r.kind, "key": r.key, "value": r.value} for r in self.refs],
            "flags": dict(self.flags),
            "logs": [{"log": e.log, "id": e.id, "entry": dict(e.entry)} for e in self.logs],
        }


def customer_id(raw: str) -> str:
    """`raw` as a customer id, stripped; ValueError when it cannot be one."""
    customer = raw.strip()
    if not customer or len(customer) > 256:
        raise ValueError("a customer id is 1 to 256 characters")
    if "{" in customer or "}" in customer or not customer.isprintable():
        # Braces would end a Redis hash tag early; no channel's ids hold them.
        raise ValueError("a customer id has no braces and no control characters")
    return customer


def names_conversation(customer: str, conversation_id: str) -> bool:
    """Whether a customer id names this conversation: its whole id (`telegram:123`), or the
    address alone, which names it on every channel (`+15551234567` is `twilio:+1…`,
    `twilio:whatsapp:+1…` and `voice:+1…`). A conversation id always has a channel."""
    if ":" not in conversation_id:
        return False
    return conversation_id == customer or conversation_id.endswith(":" + customer)


class CustomerNames:
    """What names one customer in keys the store does not file under their conversation.

    `own` holds their conversation ids, ticket ids and turn ids (a reply's id is its
    bot turn's id). A ref is theirs when its key is one of those or starts with one and a
    colon (a reply's part: `<turn id>:0`), or when its value is one (a provider's message
    id → the conversation, a Slack thread → the ticket); the key of a ref found by its
    value is theirs too (a Twilio message SID), and so are refs keyed by exactly that (its
    delivery status): `first_ref`, then `second_ref`. A log entry is theirs when any
    string in it is one of those; a timer when its key is; a flag when its name ends in
    `:` and their address (`optout:+15551234567`).
    """

    def __init__(
        self, conversation_ids: Iterable[str], ticket_ids: Iterable[str], turns: Iterable[Turn]
    ) -> None:
        conversations = set(conversation_ids)
        self.own = conversations | set(ticket_ids) | {turn.id for turn in turns}
        self.pointers: set[str] = set()
        self._addresses: set[str] = set()
        for cid in conversations:
            address = cid.partition(":")[2]
            # `whatsapp:+1…` shares the number's opt-out with SMS.
            self._addresses |= {address, address.rpartition(":")[2]}
        self._addresses.discard("")

    def first_ref(self, ref: Ref) -> bool:
        if ref.value in self.own:
            self.pointers.add(ref.key)
            return True
        if ref.key in self.own:
            return True
        at = ref.key.find(":")
        while at != -1:
            if ref.key[:at] in self.own:
                return True
            at = ref.key.find(":", at + 1)
        return False

    def second_ref(self, ref: Ref) -> bool:
        return ref.key in self.pointers

    def timer(self, key: str) -> bool:
        return key in self.own

    def flag(self, name: str) -> bool:
        return any(name.endswith(":" + address) for address in self._addresses)

    def entry(self, value: Any) -> bool:
        if isinstance(value, str):
            return value in self.own or value in self.pointers
        if isinstance(value, Mapping):
            return any(self.entry(item) for item in value.values())
        if isinstance(value, list | tuple):
            return any(self.entry(item) for item in value)
        return False


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

    @abstractmethod
    async def export_customer(self, customer: str) -> CustomerRecord:
        """Everything about one customer: `customer` is a conversation id or an address
        alone (`names_conversation`), or one of their ticket ids."""

    @abstractmethod
    async def erase_customer(self, customer: str) -> CustomerRecord:
        """Delete everything `export_customer` would find, holding each conversation's lock
        so no turn writes half of it back; returns what was deleted. Erasing again finds
        nothing, and the customer's next message starts a new conversation."""
