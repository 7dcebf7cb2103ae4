"""The handoff seam: where a conversation goes when a person must take over.

`AgentDesk` is what the engine calls. The default desk records each handoff in
the store and lists them at `GET /admin/handoffs`; the Slack agent console
(a later piece of work) implements the same interface.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.model import Ticket, Turn, now
from bot.redact import mask_address
from bot.store import Store

HANDOFF_LOG = "handoffs"


@dataclass(frozen=True, slots=True)
class Handoff:
    ticket: Ticket
    reason: str
    transcript: Sequence[Turn]
    at: datetime


class AgentDesk(Protocol):
    async def open(self, handoff: Handoff) -> None:
        """A ticket now waits for a person; show it to the agents with its context."""

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        """A customer wrote while a person owns the ticket; show it to them."""


class RecordingDesk:
    """Keeps handoffs in the store, for `/admin/handoffs`, until a real desk is configured."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def open(self, handoff: Handoff) -> None:
        ticket = handoff.ticket
        await self._store.append_log(
            HANDOFF_LOG,
            {
                "ticket": ticket.id,
                "conversation": ticket.conversation_id,
                "channel": ticket.address.channel,
                "customer": mask_address(ticket.address.id),
                "language": ticket.language,
                "reason": handoff.reason,
                "fields": dict(ticket.fields),
                "at": handoff.at.isoformat(),
                "last_turns": [
                    {"role": t.role.value, "text": t.text, "at": t.at.isoformat()}
                    for t in handoff.transcript[-10:]
                ],
            },
        )

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        # The turn is already in the ticket's transcript, which the admin API
        # shows; there is no one to push it to until an agent console exists.
        return None

    async def list(self, limit: int = 50) -> list[dict[str, Any]]:
        entries = await self._store.read_log(HANDOFF_LOG, limit)
        for entry in entries:
            current = await self._store.get_ticket(entry["ticket"])
            entry["status"] = current.status.value if current else "expired"
        return entries


def handoff_now(ticket: Ticket, reason: str, transcript: Sequence[Turn]) -> Handoff:
    return Handoff(ticket=ticket, reason=reason, transcript=list(transcript), at=now())
