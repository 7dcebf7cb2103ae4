"""The handoff SLA's clock: turns the store's due timers into inbox entries.

A handoff arms a timer in the store (an `Arm` effect), not an in-memory sleep, so
a restart or a deploy between handoff and deadline loses nothing: whichever
worker polls next after the deadline journals an `SlaDue` entry, which the engine
decides under the conversation's lock like anything else. `Store.take_due` hands
each due timer to exactly one process. A timer that cannot be journaled is armed
again a little later.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.engine import SLA_QUEUE
from bot.events import Entry, SlaDue
from bot.inbox import Inbox
from bot.model import now
from bot.store import Store

log = logging.getLogger(__name__)

_RETRY = timedelta(seconds=30)


class SlaWatcher:
    def __init__(self, store: Store, inbox: Inbox, *, interval: float = 1.0) -> None:
        self._store = store
        self._inbox = inbox
        self._interval = interval

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            try:
                await self.fire_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The store is down: the timers are still in it, try again later.
                log.warning("handoff SLA: could not read due timers", exc_info=True)
            await asyncio.sleep(self._interval)

    async def fire_due(self) -> int:
        """Fire every timer due now; returns how many fired."""
        fired = 0
        for ticket_id in await self._store.take_due(SLA_QUEUE, now()):
            try:
                ticket = await self._store.get_ticket(ticket_id)
                if ticket is None:
                    continue  # expired with its conversation
                await self._inbox.submit(Entry.about(ticket.conversation_id, SlaDue(ticket_id)))
                fired += 1
            except Exception:
                log.exception("handoff SLA of %s failed; trying again", ticket_id)
                await self._store.schedule(SLA_QUEUE, ticket_id, now() + _RETRY)
        return fired
