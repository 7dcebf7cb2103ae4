"""The one place where decisions meet the world: every effect, carried out once.

The engine decides and commits; then, still holding the conversation's lease, it
hands the committed effects here. Each effect is marked started in the store before
it is attempted (`Store.start_effect`), so when a worker dies halfway and another
one takes the entry over, `resume` carries out only what was never started: a reply
is sent at most once, and never lost while its entry stays in the inbox.

An effect that fails does not stop the ones after it. A message the customer's
provider did not take is tried again while the provider says that may help (429,
5xx, timeouts), honouring its Retry-After, with exponential backoff and jitter,
for at most `DELIVERY_RETRY_SECONDS`. Then it goes to the dead letters (`GET
/admin/dead-letters`, `switchboard inbox dead`) and is reported as a
`DeliveryFailed` entry, which flags the ticket (and tells its agent) in a step of
its own.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace

from bot.audit import Audit as AuditLog
from bot.briefing import Briefer
from bot.effects import (
    Arm,
    Audit,
    DeskChanged,
    Disarm,
    Effect,
    Message,
    OpenHandoff,
    Relay,
    Remind,
    Say,
    ShowState,
    TellAgent,
    dump,
    load,
)
from bot.errors import DeliveryError
from bot.events import DeliveryFailed, Entry
from bot.handoff import AgentDesk, handoff_now
from bot.model import Address, Ticket, now
from bot.reply import Delivery
from bot.store import Store
from bot.store.base import Change, Lease

log = logging.getLogger(__name__)

Report = Callable[[Entry], Awaitable[None]]
UNDELIVERED_LOG = "undelivered"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long and how often a message is offered to a provider that did not take it."""

    give_up_after: float = 120.0

    def wait(self, attempt: int, asked: float | None) -> float:
        """Seconds before try `attempt + 1`: what the provider asked, else doubling
        from a tenth of the bound (at most half a second; capped at 30 s), with jitter
        so a provider that comes back is not hit by every worker at once."""
        if asked is not None:
            return asked
        first = min(0.5, self.give_up_after / 10)
        backoff: float = min(first * 2 ** (attempt - 1), 30.0)
        return backoff * (0.75 + random.random() / 2)


class Outbox:
    def __init__(
        self,
        *,
        store: Store,
        delivery: Delivery,
        desk: AgentDesk,
        briefer: Briefer,
        audit: AuditLog,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._delivery = delivery
        self._desk = desk
        self._briefer = briefer
        self._audit = audit
        self._retry = retry or RetryPolicy()
        # Set by whoever owns the inbox: where undeliverable messages are reported.
        self.report: Report | None = None

    async def carry_out(self, lease: Lease, entry_id: str, effects: Sequence[Effect]) -> None:
        """Carry out a committed entry's effects, each at most once."""
        cid = lease.conversation_id
        for index, effect in enumerate(effects):
            if not await self._store.start_effect(cid, entry_id, index):
                continue  # started by a worker that died: never attempted twice
            try:
                await self._do(lease, effect)
            except Exception:
                log.exception("could not carry out %s for %s", type(effect).__name__, cid)
        await self._store.finish_effects(cid, entry_id)

    async def resume(self, lease: Lease, entry_id: str) -> None:
        """Carry out what a committed entry left undone (its worker died halfway)."""
        raw = await self._store.pending_effects(lease.conversation_id, entry_id)
        if raw is not None:
            await self.carry_out(lease, entry_id, load(raw))

    @staticmethod
    def serialize(effects: Sequence[Effect]) -> str | None:
        return dump(effects) if effects else None

    async def _do(self, lease: Lease, effect: Effect) -> None:
        match effect:
            case Say(address, message):
                await self._say(address, message)
            case ShowState(address, state):
                await self._delivery.state_changed(address, state)
            case OpenHandoff(ticket_id, reason):
                await self._open(lease, ticket_id, reason)
            case Relay(ticket_id, turn):
                if ticket := await self._store.get_ticket(ticket_id):
                    await self._desk.relay(ticket, turn)
            case Remind(ticket_id):
                if ticket := await self._store.get_ticket(ticket_id):
                    await self._desk.remind(ticket)
            case DeskChanged(ticket_id, what, agent):
                if ticket := await self._store.get_ticket(ticket_id):
                    await self._desk.changed(ticket, what, agent)
            case TellAgent(ticket_id, agent, outcome, detail):
                if ticket := await self._store.get_ticket(ticket_id):
                    await self._desk.tell(ticket, agent, outcome, detail)
            case Arm(queue, key, due):
                await self._store.schedule(queue, key, due)
            case Disarm(queue, key):
                await self._store.cancel(queue, key)
            case Audit(event, ticket_id, details):
                await self._audit.record(event, ticket_id, **details)

    async def _open(self, lease: Lease, ticket_id: str, reason: str) -> None:
        snapshot = await self._store.load(lease.conversation_id)
        ticket = snapshot.ticket
        if ticket is None or ticket.id != ticket_id or snapshot.conversation is None:
            return  # already moved on (resolved and a new ticket opened)
        transcript = await self._store.transcript(
            ticket.id, conversation_id=ticket.conversation_id
        )
        briefing = await self._briefer.brief(ticket, transcript)
        ref = await self._desk.open(handoff_now(ticket, reason, transcript, briefing))
        if ref is not None and ref != ticket.desk_ref:
            kept: Ticket = replace(ticket, desk_ref=ref)
            await self._store.commit(Change(snapshot.conversation, [kept]), lease)

    async def _say(self, address: Address, message: Message) -> None:
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._delivery.send(address, message)
                return
            except DeliveryError as exc:
                error: DeliveryError = exc
            except (OSError, TimeoutError) as exc:
                error = DeliveryError(f"the provider could not be reached: {exc}", retryable=True)
            left = self._retry.give_up_after - (time.monotonic() - started)
            if not error.retryable or left <= 0:
                await self._undeliverable(address, message, str(error), attempt)
                return
            pause = min(self._retry.wait(attempt, error.retry_after), left)
            log.warning(
                "%s did not take a message (%s); trying again in %.1f s",
                address.channel,
                error,
                pause,
            )
            await asyncio.sleep(pause)

    async def _undeliverable(
        self, address: Address, message: Message, detail: str, attempts: int
    ) -> None:
        cid = address.conversation_id
        log.error("undeliverable to %s after %d tries: %s", cid, attempts, detail)
        await self._store.append_log(
            UNDELIVERED_LOG,
            {
                "at": now().isoformat(),
                "conversation": cid,
                "message": message.id,
                "role": message.role.value,
                "text": message.text,
                "attempts": attempts,
                "reason": detail,
            },
        )
        if self.report is not None:
            await self.report(Entry.about(cid, DeliveryFailed(address, detail)))
